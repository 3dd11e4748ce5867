from datetime import datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from app.kit.schemas import Input
from app.models import Role


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 (the OAuth2 scheme name)
    expires_at: datetime | None


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str
    role: Role
    active: bool
    last_login_at: datetime | None


class UserCreate(Input):
    email: EmailStr
    name: str = Field(default="", max_length=200)
    password: str = Field(min_length=10, max_length=200)
    role: Role


class UserUpdate(Input):
    name: str | None = Field(default=None, max_length=200)
    role: Role | None = None
    active: bool | None = None


class PasswordReset(Input):
    password: str | None = Field(default=None, min_length=10, max_length=200)
    """Default: a generated one."""


class PasswordResetDone(BaseModel):
    user: UserRead
    password: str
    """Shown once: hand it to the person and ask them to choose their own."""


class ApiTokenRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiTokenCreate(Input):
    name: str = Field(min_length=1, max_length=100)


class ApiTokenCreated(ApiTokenRead):
    token: str
    """Shown once: only its digest is stored."""
