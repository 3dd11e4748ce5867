import secrets
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import DateTime
from sqlmodel import Field, SQLModel

from app.models.base import Timestamped, enum_type, instant_field


class Platform(StrEnum):
    zoom = "zoom"
    teams = "teams"
    meet = "meet"
    webex = "webex"
    in_person = "in_person"


PLATFORM_LABELS = {
    Platform.zoom: "Zoom",
    Platform.teams: "Microsoft Teams",
    Platform.meet: "Google Meet",
    Platform.webex: "Webex",
    Platform.in_person: "In person",
}
"""How pages and emails name each platform."""


class SessionStatus(StrEnum):
    scheduled = "scheduled"
    completed = "completed"
    cancelled = "cancelled"


class Consent(StrEnum):
    """How a storyteller agreed to be quoted."""

    named = "named"
    company_only = "company_only"
    anonymous = "anonymous"
    none = "none"


class Customer(Timestamped, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)


class Series(Timestamped, table=True):
    """A recurring programme: an RFC 5545 RRULE read in `timezone`, from `first_start_local`."""

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=5000)
    rrule: str = Field(max_length=500)
    timezone: str = Field(max_length=64)
    first_start_local: datetime = Field(sa_type=DateTime(timezone=False))
    """Wall-clock DTSTART in `timezone` (naive on purpose: the local time is what recurs)."""
    duration_minutes: int
    platform: Platform = Field(sa_type=enum_type(Platform))
    join_url: str = Field(default="", max_length=2000)
    host_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    organizer_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    customer_id: int | None = Field(default=None, foreign_key="customer.id", ondelete="SET NULL")


def new_check_in_nonce() -> str:
    return secrets.token_urlsafe(12)


class StorySession(Timestamped, table=True):
    """One customer-story session."""

    __tablename__ = "story_session"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=5000)
    customer_id: int | None = Field(
        default=None, foreign_key="customer.id", index=True, ondelete="SET NULL"
    )
    series_id: int | None = Field(
        default=None, foreign_key="series.id", index=True, ondelete="SET NULL"
    )
    starts_at: datetime = instant_field(index=True)
    timezone: str = Field(max_length=64)
    """The organizer's IANA zone: how the start is shown and how zone-less report times are read."""
    duration_minutes: int
    platform: Platform = Field(sa_type=enum_type(Platform))
    join_url: str = Field(default="", max_length=2000)
    recording_url: str = Field(default="", max_length=2000, sa_column_kwargs={"server_default": ""})
    """Where the recording is watched; a transcript's timestamps open it at that moment."""
    host_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    organizer_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    status: SessionStatus = Field(
        default=SessionStatus.scheduled, sa_type=enum_type(SessionStatus), index=True
    )
    sequence: int = 0
    """iCalendar SEQUENCE: raised on every change attendees should see."""
    check_in_nonce: str = Field(
        default_factory=new_check_in_nonce, max_length=32, sa_column_kwargs={"server_default": ""}
    )
    """Signed into the self check-in link; replacing it turns the links given out so far off."""

    @property
    def ends_at(self) -> datetime:
        """When the session is planned to end: its start plus its duration."""
        return self.starts_at + timedelta(minutes=self.duration_minutes)


class SessionSpeaker(SQLModel, table=True):
    """A customer storyteller in one session, with their consent for quoting."""

    __tablename__ = "session_speaker"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="story_session.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=200)
    title: str = Field(default="", max_length=200)
    consent: Consent = Field(default=Consent.none, sa_type=enum_type(Consent))
    email: str = Field(default="", max_length=320, sa_column_kwargs={"server_default": ""})
    """Where the storyteller's follow-up goes; empty when the organizer has none."""
