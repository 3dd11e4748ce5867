"""What the parser hands back: plain, frozen data with no database in sight."""

from dataclasses import dataclass
from datetime import datetime

from app.errors import Invalid
from app.models import AttendanceSource

EXPECTED = (
    "Expected a Zoom participants or webinar attendee report, a Microsoft Teams attendance "
    "report (event log, Meeting Summary or sectioned) or Live Events attendee report, "
    "a Google Meet attendance report, a Webex attendee report, or a CSV with an e-mail column "
    "(and optionally name, join, leave and minutes)."
)


class ReportError(Invalid):
    """The file is not an attendance report we can read; the message says what was found."""

    def __init__(self, found: str, *, expected: str = EXPECTED) -> None:
        super().__init__(f"{found} {expected}".strip())


@dataclass(frozen=True, slots=True)
class ParsedAttendee:
    """One person as the file shows them (rows grouped by e-mail, else by display name)."""

    name: str
    email: str
    """Lower-cased; "" when the file has none (guests, dial-ins, masked addresses)."""
    upn: str
    """Teams' Participant ID (UPN), lower-cased; may differ from the e-mail (#EXT# guests)."""
    role: str
    """host, presenter, panelist, attendee or ""."""
    intervals: list[tuple[datetime, datetime]]
    """Merged presence, timezone-aware UTC."""
    minutes_present: float
    first_join: datetime | None
    last_leave: datetime | None
    rows: list[int]
    """Line numbers in the file this attendee came from."""


@dataclass(frozen=True, slots=True)
class ParsedReport:
    format: str
    format_label: str
    platform: AttendanceSource
    encoding: str
    delimiter: str
    rows_read: int
    attendees: list[ParsedAttendee]
    meeting_start: datetime | None
    meeting_end: datetime | None
    decisions: list[str]
    warnings: list[str]
