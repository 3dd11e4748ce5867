"""The API's own documentation, for signed-in users (it maps every operation we hold)."""

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.security import OAuth2PasswordBearer
from swagger_ui_bundle import swagger_ui_path

from app.auth import service as auth_service
from app.auth.dependencies import current_user
from app.db import SessionDep
from app.errors import LoginRequired
from app.models import User
from app.templating import templates

SWAGGER_UI_URL = "/static/swagger-ui"
"""Where app.main mounts Swagger UI's files, from the swagger-ui-bundle package: no CDN."""
SWAGGER_UI_DIR = Path(str(swagger_ui_path))

router = APIRouter(include_in_schema=False)
public_router = APIRouter(include_in_schema=False)
"""Checks its own credentials: a bearer token or the browser's session."""

_bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


def _wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "authorization" in request.headers or "application/json" in accept


def _browser_user(request: Request, session: SessionDep) -> User | None:
    # The pages' own check of the session cookie (this path is not under /api/).
    try:
        return current_user(request, session, None)
    except LoginRequired:
        return None


@public_router.get("/openapi.json")
def openapi(
    request: Request, session: SessionDep, token: Annotated[str | None, Depends(_bearer)]
) -> Response:
    """The OpenAPI document: for a bearer token (clients, generators) or a signed-in browser."""
    # A plain `def`: the token or user lookup queries the database.
    user = auth_service.user_for_token(session, token) if token else _browser_user(request, session)
    if user is not None:
        return JSONResponse(request.app.openapi())
    if _wants_json(request):
        return JSONResponse(
            {"detail": "Send a valid bearer token (POST /api/v1/auth/token) or sign in."},
            401,
            headers={"WWW-Authenticate": "Bearer"},
        )
    return RedirectResponse("/login?next=/openapi.json", status_code=303)


@router.get("/docs", response_class=HTMLResponse)
def docs(request: Request) -> HTMLResponse:
    """Swagger UI, served from this site only, so it works without internet."""
    return templates.TemplateResponse(
        request,
        "pages/system/docs.html",
        {"swagger_ui": SWAGGER_UI_URL, "openapi_url": "/openapi.json"},
    )
