"""Invitations to sessions, the answers to them, and personal calendar feeds."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import enum_type, instant_field, utcnow


class Rsvp(StrEnum):
    needs_action = "needs_action"
    accepted = "accepted"
    declined = "declined"
    tentative = "tentative"


class Invitation(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("session_id", "email", name="uq_invitation_session_email"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="story_session.id", index=True, ondelete="CASCADE")
    person_id: int | None = Field(
        default=None, foreign_key="person.id", index=True, ondelete="SET NULL"
    )
    email: str = Field(max_length=320)
    name: str = Field(default="", max_length=200)
    rsvp: Rsvp = Field(default=Rsvp.needs_action, sa_type=enum_type(Rsvp))
    responded_at: datetime | None = instant_field(default=None, nullable=True)
    invited_at: datetime = instant_field(default_factory=utcnow)
    invited_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")


class CalendarFeed(SQLModel, table=True):
    """A user's secret for subscribing to session calendars; only its hash is kept."""

    __tablename__ = "calendar_feed"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = instant_field(default_factory=utcnow)
    revoked_at: datetime | None = instant_field(default=None, nullable=True)
    last_used_at: datetime | None = instant_field(default=None, nullable=True)
