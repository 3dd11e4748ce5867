"""Who is asking and what they may do: the signed-in user, the form token and role guards."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from app.audit import service as audit
from app.auth import service as auth_service
from app.db import SessionDep
from app.deps import SESSION_CSRF_KEY, SESSION_GENERATION_KEY, SESSION_USER_KEY
from app.errors import Forbidden, LoginRequired, NotAuthenticated
from app.kit.signing import same_secret
from app.models import Role, User

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

_bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


def current_user(
    request: Request, session: SessionDep, token: Annotated[str | None, Depends(_bearer)]
) -> User:
    """The signed-in user: a bearer token for the API, the session cookie for pages."""
    # A plain `def`: it queries the database, which must never block the event loop.
    if request.url.path.startswith("/api/"):
        user = auth_service.user_for_token(session, token) if token else None
        if user is None:
            raise NotAuthenticated("Send a valid bearer token (POST /api/v1/auth/token).")
        audit.act_as(session, user)
        return user
    user_id = request.session.get(SESSION_USER_KEY)
    user = session.get(User, user_id) if isinstance(user_id, int) else None
    if (
        user is None
        or not user.active
        or request.session.get(SESSION_GENERATION_KEY) != user.session_generation
    ):
        request.session.clear()
        query = f"?{request.url.query}" if request.url.query else ""
        raise LoginRequired(request.url.path + query)
    audit.act_as(session, user)
    return user


CurrentUser = Annotated[User, Depends(current_user)]


async def check_csrf(request: Request) -> None:
    """Every form a page posts carries the browser session's token (the API uses no cookies)."""
    if request.url.path.startswith("/api/") or request.method in SAFE_METHODS:
        return
    form = await request.form()
    if not same_secret(str(form.get("csrf_token") or ""), request.session.get(SESSION_CSRF_KEY)):
        raise Forbidden(
            "The form expired or was not sent from Storyroom. Reload the page and try again."
        )


# The guards are `async`: they do no I/O, and a plain `def` costs every request a thread hop.
async def authorize(
    request: Request, user: CurrentUser, _csrf: Annotated[None, Depends(check_csrf)]
) -> User:
    """Router-wide guard: anyone signed in may read; only organizers and admins may write."""
    if request.method not in SAFE_METHODS and not user.role.can_write:
        raise Forbidden("Viewers can look but not change anything; ask an organizer or admin.")
    return user


async def signed_in(user: CurrentUser, _csrf: Annotated[None, Depends(check_csrf)]) -> User:
    """Guard for what every signed-in user does for themselves, viewers included: signing
    out, their own API tokens and calendar feed. Modules put those on a `personal_router`."""
    return user


async def require_admin(user: CurrentUser) -> User:
    if user.role is not Role.admin:
        raise Forbidden("Only an admin can do this.")
    return user


AdminUser = Annotated[User, Depends(require_admin)]
