"""Distribution lists, their members and series, and the digests sent to them."""

from datetime import datetime, time
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import Timestamped, enum_type, instant_field, utcnow


class Cadence(StrEnum):
    every_recap = "every_recap"
    weekly = "weekly"
    monthly = "monthly"


class ScorecardCadence(StrEnum):
    """How often a list receives the programme scorecard (off unless asked for)."""

    off = "off"
    monthly = "monthly"
    """The quarter so far, on the first of each month."""
    quarterly = "quarterly"
    """The quarter just ended, on the first day of the next."""


class DistributionList(Timestamped, table=True):
    __tablename__ = "distribution_list"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    description: str = Field(default="", max_length=1000)
    cadence: Cadence = Field(default=Cadence.every_recap, sa_type=enum_type(Cadence))
    digest_weekday: int | None = None
    """0 = Monday, for weekly digests."""
    digest_day: int | None = None
    """Day of the month (1–28), for monthly digests."""
    digest_time: time = time(8, 0)
    timezone: str = Field(default="UTC", max_length=64)
    allow_unsubscribe: bool = False
    last_digest_at: datetime | None = instant_field(default=None, nullable=True)
    scorecard_cadence: ScorecardCadence = Field(
        default=ScorecardCadence.off,
        sa_type=enum_type(ScorecardCadence),
        sa_column_kwargs={"server_default": "off"},
    )
    last_scorecard_at: datetime | None = instant_field(default=None, nullable=True)


class ListMember(SQLModel, table=True):
    """A person from the directory, or a plain address for an outsider (a board member)."""

    __tablename__ = "list_member"
    __table_args__ = (
        UniqueConstraint("list_id", "person_id", name="uq_list_member_person"),
        UniqueConstraint("list_id", "email", name="uq_list_member_email"),
    )

    id: int | None = Field(default=None, primary_key=True)
    list_id: int = Field(foreign_key="distribution_list.id", index=True, ondelete="CASCADE")
    person_id: int | None = Field(
        default=None, foreign_key="person.id", index=True, ondelete="CASCADE"
    )
    email: str | None = Field(default=None, max_length=320)
    """Outsiders only, lower-case; a person's address is read from the directory when sending."""
    name: str = Field(default="", max_length=200)
    unsubscribed_at: datetime | None = instant_field(default=None, nullable=True)
    created_at: datetime = instant_field(default_factory=utcnow)


class SeriesList(SQLModel, table=True):
    """The lists a series sends its recaps to by default."""

    __tablename__ = "series_list"

    series_id: int = Field(foreign_key="series.id", primary_key=True, ondelete="CASCADE")
    list_id: int = Field(
        foreign_key="distribution_list.id", primary_key=True, index=True, ondelete="CASCADE"
    )


class Digest(SQLModel, table=True):
    """One weekly or monthly bundle of the recaps a list had not yet received."""

    id: int | None = Field(default=None, primary_key=True)
    list_id: int = Field(foreign_key="distribution_list.id", index=True, ondelete="CASCADE")
    period_start: datetime = instant_field()
    period_end: datetime = instant_field()
    document: dict[str, Any] = Field(sa_type=JSON)
    pdf_id: int | None = Field(default=None, foreign_key="rendered_pdf.id", ondelete="SET NULL")
    created_at: datetime = instant_field(default_factory=utcnow)


class Scorecard(SQLModel, table=True):
    """One programme scorecard sent to a list: the figures frozen as they were sent."""

    __table_args__ = (UniqueConstraint("list_id", "period_start", "period_end"),)

    id: int | None = Field(default=None, primary_key=True)
    list_id: int = Field(foreign_key="distribution_list.id", index=True, ondelete="CASCADE")
    period_start: datetime = instant_field()
    period_end: datetime = instant_field()
    document: dict[str, Any] = Field(sa_type=JSON)
    pdf_id: int | None = Field(default=None, foreign_key="rendered_pdf.id", ondelete="SET NULL")
    created_at: datetime = instant_field(default_factory=utcnow)


class DigestRecap(SQLModel, table=True):
    __tablename__ = "digest_recap"

    digest_id: int = Field(foreign_key="digest.id", primary_key=True, ondelete="CASCADE")
    recap_version_id: int = Field(
        foreign_key="recap_version.id", primary_key=True, index=True, ondelete="CASCADE"
    )


class ScheduledSend(SQLModel, table=True):
    """A recap send asked for later: the worker sends it once `send_at` has passed.

    The lists are read when it goes out, so members added in the meantime receive it too.
    """

    __tablename__ = "scheduled_send"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="story_session.id", index=True, ondelete="CASCADE")
    list_ids: list[int] = Field(default_factory=list, sa_type=JSON)
    extra_emails: list[str] = Field(default_factory=list, sa_type=JSON)
    send_at: datetime = instant_field()
    scheduled_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    """Who asked: the worker sends as them, so each delivery keeps their address."""
    created_at: datetime = instant_field(default_factory=utcnow)
    sent_at: datetime | None = instant_field(default=None, nullable=True)
    cancelled_at: datetime | None = instant_field(default=None, nullable=True)
    error: str = Field(default="", max_length=1000)
    """Why it could not be sent when due (the recap had unapproved changes, say)."""
