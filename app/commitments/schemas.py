"""Request and response shapes for commitments and their updates."""

from datetime import date, datetime
from typing import Annotated, Self

from pydantic import BaseModel, Field, StringConstraints, model_validator

from app.deps import MAX_ID
from app.kit.schemas import Input
from app.models import CommitmentStatus

MAX_TEXT_CHARS = 1_000
MAX_NOTE_CHARS = 2_000

CommitmentText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT_CHARS),
    Field(description="What they will do, at most 1,000 characters (shown as plain text)."),
]
Note = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NOTE_CHARS)
]
RowId = Annotated[int, Field(ge=1, le=MAX_ID)]


class CommitmentAnswer(Input):
    """What a person commits to: the words, and optionally what it answers and by when."""

    text: CommitmentText
    action_item_id: RowId | None = Field(
        default=None, description="One of the session's action items that this answers."
    )
    theme_id: RowId | None = Field(
        default=None, description="One of the themes of the session's recap that this answers."
    )
    due_on: date | None = Field(default=None, description="Not in the past.")


class CommitmentCreate(CommitmentAnswer):
    """A commitment an organizer records for someone in the directory (by id or work email)."""

    person_id: RowId | None = None
    person_email: str | None = Field(default=None, max_length=320)

    @model_validator(mode="after")
    def _one_owner(self) -> Self:
        if self.person_id is None and not (self.person_email or "").strip():
            raise ValueError("Name the person who commits: give `person_id` or `person_email`.")
        return self


class CommitmentPatch(Input):
    """Fields to change; a status change is also recorded as a dated update."""

    text: CommitmentText | None = None
    due_on: date | None = None
    clear_due_on: bool = False
    action_item_id: RowId | None = None
    theme_id: RowId | None = None
    clear_links: bool = False
    """True unties it from its action item and theme."""
    status: CommitmentStatus | None = None


class CommitmentUpdateCreate(Input):
    note: Note
    status: CommitmentStatus | None = None
    """Optionally change the commitment's status with this update (done or dropped closes it)."""


class CommitmentUpdateRead(BaseModel):
    id: int
    note: str
    status: CommitmentStatus | None
    created_at: datetime
    author: str
    """The user who wrote it, or "" when the owner wrote it through their link."""


class PersonRef(BaseModel):
    id: int
    name: str
    email: str
    level: str


class CommitmentRead(BaseModel):
    id: int
    session_id: int
    session_title: str
    session_starts_at: datetime
    owner: PersonRef
    text: str
    action_item_id: int | None
    action_item: str
    """The description of the action item it answers, or ""."""
    theme_id: int | None
    theme: str
    due_on: date | None
    status: CommitmentStatus
    overdue: bool
    created_at: datetime
    closed_at: datetime | None
    recorded_by: str
    """The organizer who recorded it for its owner, or "" when the owner wrote it."""
    latest_update: CommitmentUpdateRead | None


class CommitmentDetail(CommitmentRead):
    updates: list[CommitmentUpdateRead]
    """Newest first."""
