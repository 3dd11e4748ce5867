"""Sign in and out of the web pages, one's own password, and the users page for admins."""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, col, func, select

from app.auth import service
from app.auth.dependencies import AdminUser, CurrentUser
from app.auth.throttle import client_address
from app.db import SessionDep
from app.deps import (
    SESSION_CSRF_KEY,
    SESSION_GENERATION_KEY,
    SESSION_USER_KEY,
    IdPath,
    Pagination,
    PaginationDep,
)
from app.errors import AppError, Invalid, NotAuthenticated, TooManyRequests
from app.kit.forms import form_failed
from app.kit.paging import pager
from app.kit.signing import same_secret
from app.models import Role, User
from app.templating import templates

public_router = APIRouter(include_in_schema=False)
router = APIRouter(include_in_schema=False)
personal_router = APIRouter(include_in_schema=False)

USER_NOTICES = {
    "saved": "Changes saved.",
    "password": "Password changed. Your other sign-ins have ended.",
}


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
        expired = "The form expired. Please sign in again."
        return form_failed(
            session, request, "pages/auth/login.html", context, expired, status_code=403
        )
    try:
        user = service.authenticate(
            session, email=email, password=password, client=client_address(request)
        )
    except (NotAuthenticated, TooManyRequests) as exc:
        return form_failed(session, request, "pages/auth/login.html", context, exc)
    request.session.clear()  # a fresh session on sign-in: no fixation
    _keep_signed_in(request, user)
    return RedirectResponse(_safe_next(next), status_code=303)


def _keep_signed_in(request: Request, user: User) -> None:
    request.session[SESSION_USER_KEY] = user.id
    request.session[SESSION_GENERATION_KEY] = user.session_generation


@personal_router.post("/logout")
def logout(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """Sign out: this cookie and every other sign-in of the account stop working."""
    service.end_sessions(session, user=user)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@personal_router.get("/account/password", response_class=HTMLResponse)
def password_form(request: Request, user: CurrentUser) -> Response:
    """The form to change one's own password."""
    flash = USER_NOTICES.get(request.query_params.get("done", ""), "")
    return templates.TemplateResponse(
        request, "pages/auth/password.html", {"user": user, "flash": flash}
    )


@personal_router.post("/account/password", response_class=HTMLResponse)
def change_password(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    current_password: Annotated[str, Form(max_length=200)],
    new_password: Annotated[str, Form(max_length=200)],
    repeat_password: Annotated[str, Form(max_length=200)],
) -> Response:
    """Change one's own password; this browser stays signed in, every other sign-in ends."""
    try:
        if new_password != repeat_password:
            raise Invalid("The two new passwords differ: type the same one twice.")
        service.change_password(session, user=user, current=current_password, new=new_password)
    except AppError as exc:
        # The passwords typed are not shown again: a page is no place for them.
        return form_failed(session, request, "pages/auth/password.html", {"user": user}, exc)
    _keep_signed_in(request, user)
    return RedirectResponse("/account/password?done=password", status_code=303)


@router.get("/")
def home(_: CurrentUser) -> Response:
    """A signed-in user starts at the dashboard (a visitor is sent to sign in first)."""
    return RedirectResponse("/dashboard", status_code=303)


USERS = "pages/auth/users.html"


def _users_page(
    request: Request, session: Session, admin: User, page: Pagination, **context: Any
) -> Response:
    return templates.TemplateResponse(
        request, USERS, _users_context(request, session, admin, page, **context)
    )


def _users_context(
    request: Request, session: Session, admin: User, page: Pagination, **context: Any
) -> dict[str, Any]:
    total = session.exec(select(func.count()).select_from(User)).one()
    users = session.exec(
        select(User).order_by(col(User.email)).limit(page.limit).offset(page.offset)
    ).all()
    return {
        "user": admin,
        "users": users,
        "roles": list(Role),
        "total": total,
        "flash": USER_NOTICES.get(request.query_params.get("done", ""), ""),
        "pager": pager(request, page, total, path="/admin/users"),
        "new_account": {"email": "", "name": "", "role": Role.organizer.value},
        **context,
    }


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(
    request: Request, session: SessionDep, admin: AdminUser, page: PaginationDep
) -> Response:
    """Every account, with its role, whether it is active, and a password reset (admins)."""
    return _users_page(request, session, admin, page)


@router.post("/admin/users", response_class=HTMLResponse)
def create_user(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    page: PaginationDep,
    email: Annotated[str, Form(max_length=320)],
    role: Annotated[Role, Form()],
    name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Create an account with a generated password, shown once on the page that follows."""
    password = service.new_password()
    try:
        created = service.create_user(session, email=email, password=password, role=role, name=name)
    except AppError as exc:
        typed = {"email": email, "name": name, "role": role.value}
        return form_failed(
            session,
            request,
            USERS,
            lambda: _users_context(request, session, admin, page, new_account=typed),
            exc,
        )
    return _users_page(request, session, admin, page, new_password=(created, password))


@router.post("/admin/users/{user_id}", response_class=HTMLResponse)
def update_user(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    page: PaginationDep,
    user_id: IdPath,
    role: Annotated[Role, Form()],
    active: Annotated[bool, Form()],
) -> Response:
    """Change an account's role or whether it is active; never the last active admin's."""
    target = service.get_user(session, user_id)
    try:
        service.update_user(session, user=target, changes={"role": role, "active": active})
    except AppError as exc:
        # The row shows the account as it stays: the refusal is the point.
        return form_failed(
            session, request, USERS, lambda: _users_context(request, session, admin, page), exc
        )
    if target.id == admin.id and target.active:
        _keep_signed_in(request, target)
    return RedirectResponse("/admin/users?done=saved", status_code=303)


@router.post("/admin/users/{user_id}/password", response_class=HTMLResponse)
def reset_password(
    request: Request, session: SessionDep, admin: AdminUser, page: PaginationDep, user_id: IdPath
) -> Response:
    """Give an account a generated password, shown once, and end its sign-ins."""
    target = service.get_user(session, user_id)
    password = service.reset_password(session, user=target)
    if target.id == admin.id:
        _keep_signed_in(request, target)
    return _users_page(request, session, admin, page, new_password=(target, password))
