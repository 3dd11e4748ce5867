"""Expected failures, each with a status code and a message a person can act on."""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger(__name__)


class ErrorMessage(BaseModel):
    """Every API error: a message a person can act on (or, for invalid input, the list of
    fields and what is wrong with each; for a rejected file, its full report)."""

    detail: str | list[dict[str, Any]] | dict[str, Any] = Field(
        examples=["There is no session with id 42."]
    )


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorMessage, "description": description}
    for status, description in (
        (401, "Not signed in: send a bearer token."),
        (403, "Signed in, but not allowed to do this."),
        (404, "Something named in the request does not exist."),
        (409, "The request conflicts with the current state."),
        (413, "The upload is larger than the configured limit."),
        (422, "The request is not valid; `detail` says why."),
    )
}


BODY_UNREADABLE: dict[str, Any] = {
    "description": "The request body could not be read: not UTF-8, nested too deeply, or a "
    "broken form.",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorMessage"}}},
}


def document_body_errors(app: FastAPI) -> None:
    """List the 400 in the OpenAPI of every operation that reads a request body.

    Any body can fail to parse before it is validated, whatever the route: the 400 belongs to
    having a body, so it is added where the document says there is one.
    """
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        schema = generate()
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                if "requestBody" in operation and "400" not in operation["responses"]:
                    responses = {**operation["responses"], "400": BODY_UNREADABLE}
                    operation["responses"] = dict(sorted(responses.items()))
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.setdefault("ErrorMessage", ErrorMessage.model_json_schema())
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


class AppError(Exception):
    status_code = 400

    def __init__(self, detail: Any, *, status_code: int | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if status_code is not None:
            self.status_code = status_code


class NotFound(AppError):
    status_code = 404


class Conflict(AppError):
    status_code = 409


class Invalid(AppError):
    status_code = 422


class PayloadTooLarge(AppError):
    status_code = 413


class NotAuthenticated(AppError):
    status_code = 401


class Forbidden(AppError):
    status_code = 403


class TooManyRequests(AppError):
    status_code = 429

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class LoginRequired(Exception):
    """A page needs a signed-in user: send the browser to the login form."""

    def __init__(self, next_url: str) -> None:
        self.next_url = next_url


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path.endswith(".ics")


def _error_page(request: Request, status_code: int, detail: Any) -> Response:
    from app.templating import templates

    message = detail if isinstance(detail, str) else "The request could not be processed."
    return templates.TemplateResponse(
        request,
        "pages/error.html",
        {"status_code": status_code, "message": message},
        status_code=status_code,
    )


def _body_error_detail(exc: StarletteHTTPException) -> Any:
    """Say why a body could not be parsed; FastAPI's message is the same for every cause."""
    if isinstance(exc.__cause__, RecursionError):
        return "The JSON body is nested too deeply: send a flatter document."
    if isinstance(exc.__cause__, UnicodeDecodeError):
        return "The request body is not valid UTF-8: send JSON encoded as UTF-8."
    return exc.detail


def _message(error: Any) -> str:
    if error["type"] == "extra_forbidden":
        name = error["loc"][-1]
        return (
            f"Unknown field {name!r}: this request has no such field, so nothing was saved. "
            "Remove it (the API documentation lists the fields each request takes)."
        )
    return str(error["msg"])


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def app_error(request: Request, exc: AppError) -> Response:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
        if isinstance(exc, TooManyRequests):
            headers = {"Retry-After": str(exc.retry_after)}
        if _wants_json(request):
            return JSONResponse({"detail": exc.detail}, exc.status_code, headers=headers)
        return _error_page(request, exc.status_code, exc.detail)

    @app.exception_handler(IntegrityError)
    async def integrity_error(request: Request, exc: IntegrityError) -> Response:
        # Services check each rule before writing; reaching a constraint means two requests
        # raced past the same check. The loser is told to retry rather than shown a 500.
        # The constraint's name, not the message: PostgreSQL's repeats the values (addresses).
        diag = getattr(exc.orig, "diag", None)
        constraint = getattr(diag, "constraint_name", None) or type(exc.orig).__name__
        logger.warning("A constraint refused a write: %s", constraint)
        detail = "Someone else changed this at the same moment: reload and try again."
        return await app_error(request, Conflict(detail))

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        from urllib.parse import quote

        return RedirectResponse(f"/login?next={quote(exc.next_url, safe='/')}", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = _body_error_detail(exc)
        if _wants_json(request):
            return JSONResponse(
                {"detail": detail}, exc.status_code, headers=getattr(exc, "headers", None)
            )
        return _error_page(request, exc.status_code, detail)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {"loc": list(error["loc"]), "msg": _message(error), "type": error["type"]}
            for error in exc.errors()
        ]
        if _wants_json(request):
            return JSONResponse({"detail": errors}, 422)
        message = "; ".join(
            f"{'.'.join(str(part) for part in e['loc'][1:])}: {e['msg']}" for e in errors
        )
        return _error_page(request, 422, message)
