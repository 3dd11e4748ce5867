"""Request and response shapes for lists, members, sending and delivery status."""

from datetime import date, datetime, time
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AwareDatetime,
    BaseModel,
    Field,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

from app.deps import MAX_ID
from app.follow_ups.schemas import DigestReply
from app.kit.schemas import Input
from app.models import Cadence, DeliveryKind, DeliveryStatus, ScorecardCadence
from app.people.peers import PeerFigures
from app.people.schemas import RowError
from app.story_sessions.schemas import Timezone

ListName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
LocalTime = Annotated[
    time,
    # JSON Schema's "time" format demands a UTC offset; this is a wall-clock time in the
    # list's own timezone, so it is documented as what it is.
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$",
            "description": "Wall-clock time in the list's timezone, e.g. 08:00.",
            "examples": ["08:00"],
        }
    ),
]
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def check_schedule(cadence: Cadence, weekday: int | None, day: int | None) -> None:
    """A weekly digest needs a weekday, a monthly one a day of the month (1–28)."""
    if cadence is Cadence.weekly and weekday is None:
        raise ValueError("A weekly digest needs digest_weekday: 0 (Monday) to 6 (Sunday).")
    if cadence is Cadence.monthly and day is None:
        raise ValueError("A monthly digest needs digest_day: 1 to 28 (every month has those days).")


class ListCreate(Input):
    name: ListName
    description: Annotated[str, Field(max_length=1000)] = ""
    cadence: Cadence = Cadence.every_recap
    digest_weekday: Annotated[int | None, Field(ge=0, le=6, description="0 = Monday.")] = None
    digest_day: Annotated[
        int | None, Field(ge=1, le=28, description="Day of the month, 1 to 28.")
    ] = None
    digest_time: LocalTime = time(8, 0)
    """Local time of day, read in `timezone`."""
    timezone: Timezone = "UTC"
    allow_unsubscribe: bool = False
    scorecard_cadence: ScorecardCadence = ScorecardCadence.off
    """The programme scorecard: off, monthly (the quarter so far, on the 1st of each month) or
    quarterly (the quarter just ended, on the first day of the next), at `digest_time`."""

    @model_validator(mode="after")
    def _schedule(self) -> Self:
        check_schedule(self.cadence, self.digest_weekday, self.digest_day)
        return self


class ListUpdate(Input):
    """Only the fields sent change."""

    name: ListName | None = None
    description: Annotated[str | None, Field(max_length=1000)] = None
    cadence: Cadence | None = None
    digest_weekday: Annotated[int | None, Field(ge=0, le=6)] = None
    digest_day: Annotated[int | None, Field(ge=1, le=28)] = None
    digest_time: LocalTime | None = None
    timezone: Timezone | None = None
    allow_unsubscribe: bool | None = None
    scorecard_cadence: ScorecardCadence | None = None

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class ListRead(BaseModel):
    id: int
    name: str
    description: str
    cadence: Cadence
    digest_weekday: int | None
    digest_day: int | None
    digest_time: LocalTime
    timezone: str
    allow_unsubscribe: bool
    last_digest_at: datetime | None
    scorecard_cadence: ScorecardCadence
    last_scorecard_at: datetime | None
    created_at: datetime
    members: int
    """Members who still receive it (unsubscribed ones not counted)."""
    series_ids: list[int]
    """Series that send their recaps to this list by default."""
    schedule: str
    """The cadence in words, e.g. "Weekly digest, Mondays at 08:00 (Europe/Paris)"."""


class MemberIn(Input):
    """A person from the directory (by id, or by an email the directory knows), or an outsider."""

    person_id: Id | None = None
    email: Annotated[str | None, Field(max_length=320)] = None
    name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""

    @model_validator(mode="after")
    def _one_of(self) -> Self:
        if (self.person_id is None) == (not self.email):
            raise ValueError("Send either person_id or email (not both).")
        return self


class MemberRead(BaseModel):
    id: int
    kind: Literal["person", "outsider"]
    person_id: int | None
    email: str
    name: str
    title: str = ""
    level: str = ""
    unsubscribed_at: datetime | None
    created_at: datetime


class MemberImportReport(BaseModel):
    rows: int = 0
    added: int = 0
    """New members (people and outsiders)."""
    already: int = 0
    """Rows naming someone already on the list."""
    people: int = 0
    """Rows matched to a person in the directory."""
    columns: dict[str, str] = {}
    """Which header was read for each field, e.g. {"email": "Work Email"}; empty without one."""
    errors: list[RowError] = []
    """Any error means nothing was added."""


class SeriesLinks(Input):
    series_ids: list[Id] = Field(default_factory=list, max_length=1000)


class ListLinks(Input):
    list_ids: list[Id] = Field(default_factory=list, max_length=1000)


class SendRequest(Input):
    list_ids: list[Id] = Field(
        default_factory=list, max_length=100, description="Lists that receive every recap."
    )
    extra_emails: list[Annotated[str, Field(max_length=320)]] = Field(
        default_factory=list, max_length=500, description="More addresses for this recap only."
    )
    send_at: AwareDatetime | None = Field(
        default=None,
        description="Send later, at this future instant (with its UTC offset); the worker sends "
        "it when due, to the lists' members at that time. Without it, the recap is sent now.",
    )


class RecipientRead(BaseModel):
    email: str
    name: str
    person_id: int | None
    list_id: int | None
    """The list it goes through; none for an address given for this recap only."""


class SendPreview(BaseModel):
    """Who a send would reach: nothing is sent."""

    version: int
    recipients: int
    """Addresses it goes to, each once."""
    on_lists: int
    extra: int
    """Addresses given for this recap only that no chosen list reaches."""
    already: int
    """Recipients who already have this version: they would not get it again."""
    summary: str
    """e.g. "This recap goes to 11 people on “Operating committee” and 2 more addresses."."""
    items: list[RecipientRead]


class ScheduledSendRead(BaseModel):
    id: int
    send_at: datetime
    list_ids: list[int]
    extra_emails: list[str]
    created_at: datetime
    error: str
    """Why it could not be sent when due; empty while it waits."""


class DeliveryRead(BaseModel):
    id: int
    kind: DeliveryKind
    to_email: str
    to_name: str
    person_id: int | None
    list_id: int | None
    status: DeliveryStatus
    attempts: int
    last_error: str
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None
    read_at: datetime | None


class DeliveryCounts(BaseModel):
    total: int = 0
    queued: int = 0
    sending: int = 0
    sent: int = 0
    failed: int = 0
    read: int = 0


class RecapDeliveries(BaseModel):
    """Where a session's recap went: one row per recipient of its sent versions."""

    session_id: int
    version: int | None
    """The latest approved version, if any."""
    sent_at: datetime | None
    counts: DeliveryCounts
    items: list[DeliveryRead]
    scheduled: ScheduledSendRead | None = None
    """A send waiting for its time, or one that could not go out (see its `error`)."""


class SendResult(RecapDeliveries):
    queued: int
    """Deliveries created by this request (repeats of earlier ones are not counted); 0 when
    the send is scheduled."""
    recipients: int
    """Addresses this send goes to (or, scheduled, would go to now), each once."""


class DigestSession(BaseModel):
    session_id: int
    title: str
    customer: str
    starts_at: datetime
    timezone: str
    version: int
    attendees: int
    unique_people: int
    executives: int
    """Attendees at executive levels."""


class DigestLevel(BaseModel):
    level: str
    is_executive: bool
    attendees: int


class DigestAction(BaseModel):
    description: str
    owner: str
    due_on: date | None
    status: str
    session_title: str
    overdue: bool = False


class DigestTheme(BaseModel):
    theme: str
    sessions: int
    frequency: str = ""
    """How often it came up recently, as the newest recap carrying it says ("came up in 5 of
    the last 8 sessions"); empty when that recap was approved before it was recorded."""


class DigestDocument(BaseModel):
    """A weekly or monthly digest as pure data: what its email and PDF are rendered from."""

    company_name: str
    list_name: str
    cadence: Cadence
    period_start: datetime
    period_end: datetime
    timezone: str
    sessions: list[DigestSession]
    levels: list[DigestLevel]
    """Attendance summed over the sessions, executive levels first."""
    open_items: list[DigestAction]
    themes: list[DigestTheme]
    """The most frequent themes, most sessions first."""
    peers: list[PeerFigures] = Field(default_factory=list)
    """Social proof: how many at each executive level came or committed this quarter."""
    storyteller_replies: list[DigestReply] = Field(default_factory=list)
    """What storytellers answered their follow-ups, quoted with their consent, each once."""
