from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

from app.kit.schemas import Input
from app.models import AttendanceSource
from app.people.schemas import LevelRef


class LevelCount(BaseModel):
    level: LevelRef
    attended: int


class ImportReport(BaseModel):
    """What an attendance import found and decided, kept with the import."""

    import_id: int
    session_id: int
    filename: str
    format: str
    format_label: str
    source: AttendanceSource
    encoding: str
    delimiter: str
    rows_read: int
    people_found: int
    matched: int
    matched_by: dict[str, int]
    unmatched: int
    ambiguous: list[str]
    attended: int
    min_minutes: int
    per_level: list[LevelCount]
    replaced: int
    """Rows from an earlier report of the same source that this one replaced."""
    decisions: list[str]
    warnings: list[str]
    repeated: bool = False
    """True when this exact file was imported before: nothing was changed."""
    created_at: datetime


class ImportSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    filename: str
    format: str
    source: AttendanceSource
    created_at: datetime


class AttendanceRead(BaseModel):
    id: int
    person_id: int | None
    name: str
    email: str
    level: LevelRef | None
    department: str
    source: AttendanceSource
    first_join: datetime | None
    last_leave: datetime | None
    minutes_present: int
    attended: bool
    external: bool


class AttendanceCreate(Input):
    """Mark someone present by hand: a directory person by id or by email."""

    person_id: int | None = Field(default=None, ge=1, le=2_147_483_647)
    email: str | None = Field(default=None, max_length=320)


class Resolve(Input):
    person_id: int = Field(ge=1, le=2_147_483_647)


class CheckInLink(BaseModel):
    """A session's self check-in link: it works from `opens_at` to `expires_at`."""

    url: str
    opens_at: datetime
    expires_at: datetime
    qr_svg: str


class PendingCheckInRead(BaseModel):
    """A self check-in waiting for an organizer: it counts nowhere until accepted."""

    id: int
    person_id: int
    name: str
    email: str
    level: LevelRef | None
    department: str
    checked_in_at: datetime


class AcceptedCheckIns(BaseModel):
    accepted: int


class ImportPreview(BaseModel):
    """What a report held for confirmation would import; nothing of it is stored yet."""

    session_id: int
    filename: str
    format_label: str
    source: AttendanceSource
    rows_read: int
    people_found: int
    matched: int
    unmatched: int
    ambiguous: list[str]
    attended: int
    min_minutes: int
    per_level: list[LevelCount]
    """The report's own people per level (not the session's totals)."""
    report_start: datetime
    report_end: datetime
    explanation: str
    """The mismatch in plain words: when the report is from, when the session was."""
    token: str = ""
    """The held upload, for "Import anyway" without sending the file again (pages only)."""
    expires_at: datetime | None = None


class ImportListed(BaseModel):
    """One import as the session's attendance page lists it."""

    id: int
    filename: str
    format_label: str
    source: AttendanceSource
    created_at: datetime
    created_by: str
    """The email of who imported it; "" when unknown (the CLI, a deleted user)."""
    rows: int
    """Attendance rows that came from this import and are there now."""


class RemovedImport(BaseModel):
    filename: str
    deleted: int
    """Rows of the import that were deleted."""
    restored: int
    """Rows of an earlier report of the same platform, replaced by it, that came back."""
    reverted: int
    """Rows (marked by hand, checked in, another platform's) whose added minutes were undone."""


class Suggestion(BaseModel):
    """Who an unmatched attendee probably is, or that they are not an employee, and why."""

    attendance_id: int
    name: str
    email: str
    minutes_present: int
    kind: Literal["person", "external", "none"]
    """"none": no suggestion (e.g. two people are equally similar); left for the organizer."""
    person_id: int | None = None
    person_name: str = ""
    person_email: str = ""
    reason: str

    @computed_field  # type: ignore[prop-decorator]
    @property
    def choice(self) -> str:
        """What the form sends to accept it: `ROW:person:ID` or `ROW:external`."""
        if self.kind == "person":
            return f"{self.attendance_id}:person:{self.person_id}"
        return f"{self.attendance_id}:{self.kind}"


class AcceptedSuggestions(BaseModel):
    matched: int
    external: int
    skipped: int
    """Ticked suggestions no longer current (resolved meanwhile, or the directory changed)."""


class AcceptSuggestions(Input):
    accept: list[str] = Field(max_length=500, description="`choice` values of suggestions")


class MarkedExternal(BaseModel):
    marked: int
