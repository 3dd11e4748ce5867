"""Helpers for the report-parsing tests: read a file for a session, find one attendee."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from app.attendance.parsing import ParsedAttendee, ParsedReport, parse_report

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLES = FIXTURES / "samples"
"""Byte-exact copies of ../shared/samples/attendance (see SOURCES.md there)."""


def read(
    data: bytes | str,
    *,
    start: str,
    minutes: int,
    tz: str,
    date_order: Literal["auto", "dmy", "mdy"] = "auto",
) -> ParsedReport:
    """Parse bytes, or a file under fixtures/, for a session starting at local `start`."""
    if isinstance(data, str):
        data = (FIXTURES / data).read_bytes()
    session_start = datetime.fromisoformat(start).replace(tzinfo=ZoneInfo(tz))
    return parse_report(
        data,
        session_start=session_start,
        session_end=session_start + timedelta(minutes=minutes),
        timezone=tz,
        date_order=date_order,
    )


def attendee(report: ParsedReport, *, email: str = "", name: str = "") -> ParsedAttendee:
    """The one attendee with this e-mail (or, without one, this display name)."""
    found = [a for a in report.attendees if (a.email == email if email else a.name == name)]
    assert len(found) == 1, f"{len(found)} attendees match {email or name!r}"
    return found[0]


def clock(text: str) -> float:
    """Minutes in 'h:mm:ss', computed as the parser does (whole seconds / 60)."""
    hours, minutes, seconds = (int(part) for part in text.split(":"))
    return (hours * 3600 + minutes * 60 + seconds) / 60


def utc(text: str) -> datetime:
    """'2021-11-19 14:54:15' as an aware UTC instant."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)
