"""Sign in and out of the web pages."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.auth import service
from app.auth.security import same_secret
from app.auth.throttle import client_address
from app.db import SessionDep
from app.deps import SESSION_CSRF_KEY, SESSION_USER_KEY, CurrentUser
from app.errors import NotAuthenticated, TooManyRequests
from app.templating import templates

public_router = APIRouter(include_in_schema=False)
personal_router = APIRouter(include_in_schema=False)
router = APIRouter(include_in_schema=False)
personal_router = APIRouter(include_in_schema=False)


def _safe_next(next_url: str) -> str:
    """Only same-site paths: never redirect a login to another host."""
    if next_url.startswith("/") and not next_url.startswith("//") and "\\" not in next_url:
        return next_url
    return "/"


@public_router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> Response:
    return templates.TemplateResponse(request, "pages/auth/login.html", {"next": _safe_next(next)})


@public_router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    session: SessionDep,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=200)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    context = {"next": _safe_next(next), "email": email}
    if not same_secret(csrf_token, request.session.get(SESSION_CSRF_KEY)):
        context["error"] = "The form expired. Please sign in again."
        return templates.TemplateResponse(
            request, "pages/auth/login.html", context, status_code=403
        )
    try:
        user = service.authenticate(
            session, email=email, password=password, client=client_address(request)
        )
    except (NotAuthenticated, TooManyRequests) as exc:
        context["error"] = str(exc.detail)
        return templates.TemplateResponse(
            request, "pages/auth/login.html", context, status_code=exc.status_code
        )
    request.session.clear()  # a fresh session on sign-in: no fixation
    request.session[SESSION_USER_KEY] = user.id
    return RedirectResponse(_safe_next(next), status_code=303)


@personal_router.post("/logout")
def logout(request: Request, _: CurrentUser) -> Response:
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/")
def home(_: CurrentUser) -> Response:
    return RedirectResponse("/sessions", status_code=303)
