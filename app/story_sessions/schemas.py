"""Request and response shapes for customers, sessions and series."""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Self
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

from app.deps import MAX_ID
from app.kit.schemas import Input
from app.mail.addresses import normalize_email
from app.models import Consent, Platform, SessionStatus
from app.people.service import is_email


def check_timezone(name: str) -> str:
    """An IANA zone name that zoneinfo knows, e.g. Europe/Paris."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"Unknown timezone {name!r}: use an IANA name such as 'Europe/Paris' or "
            "'America/New_York'"
        ) from None
    return name


def check_instant(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            "This time has no UTC offset: send an ISO 8601 instant with one, "
            "e.g. 2027-03-02T16:00:00+01:00 or 2027-03-02T15:00:00Z"
        )
    if not 1900 <= value.year <= 9000:
        raise ValueError("Choose a date between the years 1900 and 9000.")
    return value.astimezone(UTC)


def check_wall_clock(value: datetime) -> datetime:
    if value.tzinfo is not None:
        raise ValueError(
            "This is a wall-clock time read in the series' timezone: send it without an "
            "offset, e.g. 2027-03-02T16:00:00"
        )
    if not 1900 <= value.year <= 9000:
        raise ValueError("Choose a date between the years 1900 and 9000.")
    return value.replace(second=0, microsecond=0)


def check_speaker_email(value: str) -> str:
    """An optional address, stored lower-case as the outbox compares addresses."""
    email = normalize_email(value)
    if email and not is_email(email):
        raise ValueError(
            f"{value.strip()[:80]!r} is not an email address; leave it empty for none."
        )
    return email


def check_join_url(value: str) -> str:
    value = value.strip()
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ValueError(f"The join URL must start with http:// or https://; got {value[:80]!r}")
    return value


def check_recording_url(value: str) -> str:
    value = value.strip()
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ValueError(
            f"The recording link must start with http:// or https://; got {value[:80]!r}"
        )
    return value


Timezone = Annotated[
    str, Field(max_length=64, examples=["Europe/Paris"]), AfterValidator(check_timezone)
]
Instant = Annotated[
    datetime,
    Field(
        description="An ISO 8601 instant with an offset.", examples=["2027-03-02T16:00:00+01:00"]
    ),
    AfterValidator(check_instant),
]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Description = Annotated[str, Field(max_length=5000)]
CustomerName = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Duration = Annotated[int, Field(ge=5, le=600, description="Minutes, 5 to 600.")]
RowId = Annotated[int, Field(ge=1, le=MAX_ID)]
JoinUrl = Annotated[
    str,
    Field(max_length=2000, description="An http(s) link; empty for none."),
    AfterValidator(check_join_url),
]
RecordingUrl = Annotated[
    str,
    Field(
        max_length=2000,
        description="Where the recording is watched (http or https); a transcript's timestamps "
        "open it at that moment. Empty for none.",
    ),
    AfterValidator(check_recording_url),
]


# A wall-clock time has no offset, so it is not an RFC 3339 "date-time": say so in the schema.
WallClockSchema = WithJsonSchema(
    {
        "type": "string",
        "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$",
        "example": "2026-03-03T16:00:00",
    }
)


class SpeakerIn(Input):
    """A customer storyteller and how they agreed to be quoted."""

    id: RowId | None = Field(
        default=None,
        description="One of the session's speakers, changed in place (their quotes stay); "
        "without it, a speaker of that name is kept, else a new one added.",
    )
    name: Title
    title: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    consent: Consent = Consent.none
    email: Annotated[
        str,
        Field(
            max_length=320,
            description="Where their follow-up letter goes (optional); stored lower-case.",
        ),
        AfterValidator(check_speaker_email),
    ] = ""


class SpeakerRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int = Field(description="What a recap quote names as its `speaker_id`.")
    name: str
    title: str
    consent: Consent
    email: str = ""


class SessionCreate(Input):
    """A session to schedule, or (with status `completed`) one that already happened."""

    title: Title
    description: Description = ""
    customer: CustomerName | None = Field(
        default=None, description="The customer organisation's name; created if new."
    )
    speakers: list[SpeakerIn] = Field(default_factory=list, max_length=20)
    starts_at: Instant
    timezone: Timezone
    duration_minutes: Duration = 60
    platform: Platform
    join_url: JoinUrl = ""
    recording_url: RecordingUrl = ""
    host_id: RowId | None = Field(default=None, description="The hosting person's id.")
    series_id: RowId | None = Field(
        default=None,
        description="Add the session to this series, as an extra date outside its repeat rule.",
    )
    status: SessionStatus = Field(
        default=SessionStatus.scheduled,
        description="`completed` records a session that already happened.",
    )

    @model_validator(mode="after")
    def _not_cancelled(self) -> Self:
        if self.status is SessionStatus.cancelled:
            raise ValueError("A new session is scheduled or completed, not cancelled")
        return self


# Fields that may not be cleared with null in a PATCH (customer and host may).
_REQUIRED_ON_PATCH = (
    *("title", "description", "speakers", "starts_at", "timezone"),
    *("duration_minutes", "platform", "join_url", "recording_url"),
)


class SessionUpdate(Input):
    """Fields to change; absent fields stay. `speakers` replaces the whole list."""

    title: Title | None = None
    description: Description | None = None
    customer: CustomerName | None = None
    speakers: list[SpeakerIn] | None = Field(default=None, max_length=20)
    starts_at: Instant | None = None
    timezone: Timezone | None = None
    duration_minutes: Duration | None = None
    platform: Platform | None = None
    join_url: JoinUrl | None = None
    recording_url: RecordingUrl | None = Field(
        default=None, description="Allowed on completed sessions too (the recording comes after)."
    )
    host_id: RowId | None = None
    series_id: RowId | None = Field(
        default=None,
        description="Attach the session to this series; null makes it a one-off. Allowed on "
        "completed and cancelled sessions too.",
    )

    @model_validator(mode="after")
    def _no_null_for_required(self) -> Self:
        nulled = [
            f for f in _REQUIRED_ON_PATCH if f in self.model_fields_set and getattr(self, f) is None
        ]
        if nulled:
            raise ValueError(f"These fields cannot be null: {', '.join(nulled)}")
        return self

    def changes(self) -> dict[str, Any]:
        """The fields the caller sent, by name (speakers as validated models)."""
        return {name: getattr(self, name) for name in self.model_fields_set}


class SessionRead(BaseModel):
    id: int
    title: str
    description: str
    customer_id: int | None
    customer: str | None
    speakers: list[SpeakerRead]
    starts_at: datetime = Field(description="The start, in UTC.")
    starts_local: datetime = Field(description="The start in the session's timezone.")
    ends_at: datetime
    timezone: str
    duration_minutes: int
    platform: Platform
    join_url: str
    recording_url: str = ""
    host_id: int | None
    organizer_id: int | None
    series_id: int | None
    status: SessionStatus
    sequence: int = Field(description="The iCalendar SEQUENCE, raised on every visible change.")
    attended: int = Field(description="People counted as attended (0 until attendance is in).")
    executives_attended: int = Field(
        description="Of them, people at executive levels at the time of the session."
    )
    created_at: datetime
    updated_at: datetime


class When(StrEnum):
    upcoming = "upcoming"
    past = "past"
    all = "all"


class SessionFilters(BaseModel):
    """Which sessions to list."""

    when: When = Field(
        default=When.all,
        description="upcoming (soonest first), past (latest first) or all (latest first).",
    )
    status: SessionStatus | None = None
    series_id: RowId | None = None
    customer: str | None = Field(default=None, max_length=200, description="Name contains.")
    q: str | None = Field(default=None, max_length=200, description="Title contains.")
    starts_after: Instant | None = None
    starts_before: Instant | None = None


class SeriesCreate(Input):
    """A recurring programme; creating it schedules its future sessions."""

    title: Title
    description: Description = ""
    rrule: str = Field(
        max_length=500,
        description="An RFC 5545 RRULE that ends (COUNT or UNTIL), at most 200 occurrences.",
        examples=["FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;COUNT=26"],
    )
    timezone: Timezone
    first_start_local: Annotated[
        datetime,
        Field(description="Wall-clock first start in `timezone`, without offset."),
        AfterValidator(check_wall_clock),
        WallClockSchema,
    ]
    duration_minutes: Duration = 60
    platform: Platform
    join_url: JoinUrl = ""
    host_id: RowId | None = None
    customer: CustomerName | None = None


class SeriesRead(BaseModel):
    id: int
    title: str
    description: str
    rrule: str
    timezone: str
    first_start_local: Annotated[datetime, WallClockSchema]
    duration_minutes: int
    platform: Platform
    join_url: str
    host_id: int | None
    organizer_id: int | None
    customer_id: int | None
    customer: str | None
    session_count: int
    scheduled_count: int
    next_starts_at: datetime | None
    created_at: datetime


class SeriesDetail(SeriesRead):
    sessions: list[SessionRead]


class SeriesCreated(SeriesDetail):
    skipped_past: int = Field(description="Occurrences already in the past, not scheduled.")
