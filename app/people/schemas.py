from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.kit.schemas import Input
from app.models import ActionStatus, AliasKind, EngagementStage, Rsvp, SessionStatus


class LevelRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    key: str
    name: str
    position: int
    """1 is the most senior."""
    is_executive: bool
    title_pattern: str
    """A case-insensitive regular expression over job titles; empty never matches."""


class LevelIn(Input):
    """One level of the ladder; existing keys keep their ids, the list order is the position."""

    key: str = Field(min_length=1, max_length=40, examples=["director"])
    name: str = Field(min_length=1, max_length=80, examples=["Director"])
    is_executive: bool = False
    title_pattern: str = Field(default="", max_length=500, examples=[r"\bdirector\b"])


class LevelRef(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    key: str
    name: str
    is_executive: bool


class PersonRef(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str


class PersonRead(BaseModel):
    id: int
    email: str
    name: str
    title: str
    department: str
    employee_id: str | None
    active: bool
    level: LevelRef
    manager: PersonRef | None
    created_at: datetime
    updated_at: datetime


class PersonCreate(Input):
    email: str = Field(min_length=3, max_length=320, examples=["ada.lovelace@example.com"])
    name: str = Field(min_length=1, max_length=200)
    title: str = Field(default="", max_length=200)
    department: str = Field(default="", max_length=200)
    employee_id: str | None = Field(default=None, max_length=100)
    manager_id: int | None = None
    level: str | None = Field(
        default=None, max_length=40, description="A level key; default: inferred from the title."
    )
    active: bool = True


class PersonUpdate(Input):
    """Only the fields sent change; send `manager_id: null` to clear the manager."""

    email: str | None = Field(default=None, min_length=3, max_length=320)
    name: str | None = Field(default=None, min_length=1, max_length=200)
    title: str | None = Field(default=None, max_length=200)
    department: str | None = Field(default=None, max_length=200)
    employee_id: str | None = Field(default=None, max_length=100)
    manager_id: int | None = None
    level: str | None = Field(default=None, max_length=40, description="A level key.")
    active: bool | None = None


class AliasRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    person_id: int
    kind: AliasKind
    value: str
    normalized: str
    created_at: datetime


class AliasCreate(Input):
    kind: AliasKind
    value: str = Field(min_length=1, max_length=320)


class RowError(BaseModel):
    line: int
    """The line in the file (the header is line 1)."""
    column: str | None
    """The column's header as written in the file."""
    message: str


class ImportReport(BaseModel):
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    skipped: int = 0
    """Rows with errors left out (only with skip_bad_rows)."""
    columns: dict[str, str] = {}
    """Which header was read for each field, e.g. {"email": "Work Email"}."""
    errors: list[RowError] = []


class ErasureReport(BaseModel):
    """What erasing a person removed or anonymised, as counts; all zero when already erased."""

    person_id: int
    already_erased: bool
    aliases_removed: int
    attendance_rows_anonymised: int
    """Raw imported names and emails blanked; the rows still count in every dashboard."""
    list_memberships_removed: int
    invitations_removed: int
    """Invitations to sessions that have not started yet."""
    invitations_anonymised: int
    """Invitations to past sessions: address and name blanked, the answer kept for history."""
    deliveries_removed: int
    """Emails not sent yet (queued or being sent)."""
    deliveries_anonymised: int
    """Sent or failed emails: address, name and payload blanked, status kept."""
    commitments_removed: int = 0
    """What they said they would do, with its updates and reminders: their own words."""
    user_accounts_closed: int
    api_tokens_removed: int
    calendar_feeds_removed: int
    texts_scrubbed: int
    """Other stored texts and documents (recap versions, import reports…) naming the person."""
    pdfs_discarded: int
    """Rendered PDFs that named the person; approved recaps are rendered again on demand."""
    transcript_cues_removed: int = 0
    """What they said in transcripts or wrote in chats, cue by cue: their own words."""
    transcript_speakers_anonymised: int = 0
    """Their speakers in transcripts and chats: renamed, with no cue left, still counted as
    having taken part (as their attendance is kept)."""
    transcript_speakers_removed: int = 0
    """Unmatched speakers labelled with their name or address: removed with their cues."""
    recap_questions_removed: int = 0
    """Chat questions of theirs kept in recaps under "Questions from the room"."""
    transcript_suggestions_dropped: int = 0
    """Suggested quotes and draft summaries built from their words."""


# -- a person's history ----------------------------------------------------------------------

DirectorySort = Literal[
    "name", "-name", "level", "-level", "department", "-department",
    "attended", "-attended", "last_attended", "-last_attended",
]  # fmt: skip
"""How the directory is ordered: a column, descending with a leading "-". Ties go by name."""


class AttendanceTotal(BaseModel):
    """How often a person came: sessions held (completed) they were counted as attended at."""

    sessions_attended: int = 0
    last_attended_at: datetime | None = None


class HistorySession(BaseModel):
    """One session a person was invited to, came to, or was sent the recap of."""

    session_id: int
    title: str
    starts_at: datetime
    timezone: str
    status: SessionStatus
    invited: bool
    rsvp: Rsvp | None = Field(description="Their answer, when invited (`needs_action`: none).")
    responded_at: datetime | None
    present: bool = Field(description="In the session's attendance (even under the minimum).")
    attended: bool = Field(description="Counted as attended: present at least the minimum.")
    minutes_present: int | None = Field(description="None when not in the attendance.")
    recap_delivered_at: datetime | None = Field(
        description="When the session's recap (any version) was first delivered to them."
    )
    recap_read_at: datetime | None = Field(description="When they first opened it.")


class HistoryActionItem(BaseModel):
    """An action item the person owns."""

    id: int
    description: str
    session_id: int
    session_title: str
    due_on: date | None
    status: ActionStatus
    overdue: bool = Field(description="Not done and due before today (UTC).")
    done_at: datetime | None


class HistorySummary(BaseModel):
    """The history's figures, as the dashboards count them over all time.

    Invitations, recaps and action items count for sessions that were not cancelled;
    attendance for sessions held (completed), as counted as attended.
    """

    invited: int
    accepted: int
    declined: int
    tentative: int
    no_answer: int
    attended: int
    minutes_attended: int = Field(description="Minutes present at the sessions attended.")
    last_attended_at: datetime | None
    recaps_received: int = Field(description="Sessions whose recap was delivered to them.")
    recaps_read: int
    action_items_owned: int
    action_items_done: int
    action_items_overdue: int


class PersonStage(BaseModel):
    """A leader's engagement stage, as /dashboard/leaders shows it over all time."""

    stage: EngagementStage = Field(description="The organizer's override if set, else computed.")
    label: str
    computed_stage: EngagementStage
    computed_label: str
    override_stage: EngagementStage | None
    set_by: Literal["ladder", "organizer"] = Field(
        default="ladder", description="organizer: the stage is the organizer's override."
    )
    target_stage: EngagementStage | None
    gap: int | None = Field(description="Rungs from stage to target; negative above it.")
    sessions_held: int


class PersonHistory(BaseModel):
    """What an organizer reads before meeting someone: their sessions, newest first."""

    person_id: int
    summary: HistorySummary
    sessions: list[HistorySession]
    action_items: list[HistoryActionItem]
    stage: PersonStage | None = Field(
        default=None,
        description="Leaders only (executive levels and directors); null for everyone else.",
    )
