from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

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
