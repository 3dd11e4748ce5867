from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from app.models.base import Timestamped, enum_type, instant_field, utcnow


class Role(StrEnum):
    admin = "admin"
    organizer = "organizer"
    viewer = "viewer"

    @property
    def can_write(self) -> bool:
        return self is not Role.viewer


class User(Timestamped, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True)
    """Stored lower-case: addresses compare case-insensitively."""
    name: str = Field(default="", max_length=200)
    password_hash: str = Field(max_length=200)
    role: Role = Field(sa_type=enum_type(Role))
    active: bool = True
    last_login_at: datetime | None = instant_field(default=None, nullable=True)
    session_generation: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    """In every sign-in cookie and sign-in token; raising it ends them all."""


class ApiToken(SQLModel, table=True):
    """A bearer token; only its SHA-256 is kept, so a leaked table grants nothing."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=100)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = instant_field(default_factory=utcnow)
    expires_at: datetime | None = instant_field(default=None, nullable=True)
    last_used_at: datetime | None = instant_field(default=None, nullable=True)
    revoked_at: datetime | None = instant_field(default=None, nullable=True)
    session_generation: int | None = None
    """The user's generation when POST /auth/token made it; None for a script's token."""
