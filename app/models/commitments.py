"""Commitments: what a leader says they will do about what they heard, and whether they did."""

from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from app.models.base import enum_type, instant_field, utcnow


class CommitmentStatus(StrEnum):
    open = "open"
    done = "done"
    dropped = "dropped"


class Commitment(SQLModel, table=True):
    """One person's word after a session ("my team will call every churned account").

    The owner writes it behind their signed link (`recorded_by_id` empty), or an organizer
    records what someone said in the room. It may answer an action item or a theme.
    """

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="story_session.id", index=True, ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    text: str = Field(max_length=1000)
    action_item_id: int | None = Field(
        default=None, foreign_key="action_item.id", ondelete="SET NULL"
    )
    theme_id: int | None = Field(default=None, foreign_key="theme.id", ondelete="SET NULL")
    due_on: date | None = None
    status: CommitmentStatus = Field(
        default=CommitmentStatus.open, sa_type=enum_type(CommitmentStatus), index=True
    )
    created_at: datetime = instant_field(default_factory=utcnow, index=True)
    closed_at: datetime | None = instant_field(default=None, nullable=True)
    """When it became done or dropped; empty while open."""
    recorded_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    """The organizer who recorded it for its owner; empty when the owner wrote it."""


class CommitmentUpdate(SQLModel, table=True):
    """A dated sentence on a commitment's progress, optionally changing its status."""

    __tablename__ = "commitment_update"

    id: int | None = Field(default=None, primary_key=True)
    commitment_id: int = Field(foreign_key="commitment.id", index=True, ondelete="CASCADE")
    note: str = Field(default="", max_length=2000)
    status: CommitmentStatus | None = Field(
        default=None, sa_type=enum_type(CommitmentStatus), nullable=True
    )
    created_at: datetime = instant_field(default_factory=utcnow)
    author_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    """The signed-in user who wrote it; empty when the owner wrote it through their link."""
