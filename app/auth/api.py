"""Tokens and users over the JSON API."""

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from fastapi.security import OAuth2PasswordRequestForm
from sqlmodel import col, func, select

from app.auth import service
from app.auth.dependencies import AdminUser, CurrentUser
from app.auth.schemas import (
    ApiTokenCreate,
    ApiTokenCreated,
    ApiTokenRead,
    PasswordReset,
    PasswordResetDone,
    TokenResponse,
    UserCreate,
    UserRead,
    UserUpdate,
)
from app.auth.throttle import client_address
from app.config import get_settings
from app.db import SessionDep
from app.deps import IdPath, Page, PaginationDep
from app.errors import ErrorMessage
from app.models import ApiToken, User

public_router = APIRouter(prefix="/auth", tags=["auth"])
router = APIRouter(tags=["auth"])
personal_router = APIRouter(tags=["auth"])


@public_router.post(
    "/token",
    responses={429: {"model": ErrorMessage, "description": "Too many failed sign-ins; wait."}},
)
def login_for_token(
    request: Request, session: SessionDep, form: Annotated[OAuth2PasswordRequestForm, Depends()]
) -> TokenResponse:
    """Exchange an email (as `username`) and password for a bearer token.

    Failed attempts are limited per account and per address (429 with Retry-After).
    """
    user = service.authenticate(
        session, email=form.username, password=form.password, client=client_address(request)
    )
    token, plain = service.issue_token(
        session,
        user=user,
        name="login",
        ttl=timedelta(hours=get_settings().token_ttl_hours),
        sign_in=True,
    )
    return TokenResponse(access_token=plain, expires_at=token.expires_at)


@router.get("/auth/me")
def read_me(user: CurrentUser) -> UserRead:
    """The signed-in user."""
    return UserRead.model_validate(user)


@router.get("/tokens")
def list_tokens(session: SessionDep, user: CurrentUser) -> list[ApiTokenRead]:
    """The signed-in user's API tokens (their secrets are never shown again)."""
    tokens = session.exec(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(col(ApiToken.id))
    ).all()
    return [ApiTokenRead.model_validate(token) for token in tokens]


@personal_router.post("/tokens", status_code=status.HTTP_201_CREATED)
def create_token(session: SessionDep, user: CurrentUser, body: ApiTokenCreate) -> ApiTokenCreated:
    """Create an API token for the signed-in user; the response is the only time it is shown."""
    token, plain = service.issue_token(session, user=user, name=body.name)
    return ApiTokenCreated(**ApiTokenRead.model_validate(token).model_dump(), token=plain)


@personal_router.delete("/tokens/{token_id}")
def revoke_token(session: SessionDep, user: CurrentUser, token_id: int) -> ApiTokenRead:
    """Revoke a token at once."""
    return ApiTokenRead.model_validate(service.revoke_token(session, token_id=token_id, user=user))


@router.get("/users")
def list_users(session: SessionDep, _: AdminUser, page: PaginationDep) -> Page[UserRead]:
    """Every account (admins only)."""
    total = session.exec(select(func.count()).select_from(User)).one()
    users = session.exec(
        select(User).order_by(col(User.email)).limit(page.limit).offset(page.offset)
    )
    return Page(
        items=[UserRead.model_validate(u) for u in users],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.post("/users", status_code=status.HTTP_201_CREATED)
def create_user(session: SessionDep, _: AdminUser, body: UserCreate) -> UserRead:
    """Create an account (admins only)."""
    user = service.create_user(
        session, email=body.email, password=body.password, role=body.role, name=body.name
    )
    return UserRead.model_validate(user)


@router.patch("/users/{user_id}")
def update_user(session: SessionDep, _: AdminUser, user_id: IdPath, body: UserUpdate) -> UserRead:
    """Change a user's name, role or whether the account is active (admins only).

    Disabling an account ends its sign-ins and revokes its API tokens. The last active admin
    can be neither disabled nor demoted (409).
    """
    user = service.get_user(session, user_id)
    changes = body.model_dump(exclude_unset=True, exclude_none=True)
    return UserRead.model_validate(service.update_user(session, user=user, changes=changes))


@router.post("/users/{user_id}/password")
def reset_password(
    session: SessionDep, _: AdminUser, user_id: IdPath, body: PasswordReset | None = None
) -> PasswordResetDone:
    """Give a user a new password, generated unless given, and end their sign-ins (admins only)."""
    user = service.get_user(session, user_id)
    password = service.reset_password(session, user=user, password=body.password if body else None)
    return PasswordResetDone(user=UserRead.model_validate(user), password=password)
