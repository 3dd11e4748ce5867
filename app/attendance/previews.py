"""Is this report of this session? Its times against the session's, and what it would import.

A report whose times are far from its session's is probably another session's: the import
stops before storing anything and shows what it would import, for the organizer to confirm.
"""

from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from app.attendance.parsing import ParsedReport
from app.attendance.parsing.collect import SESSION_WINDOW
from app.attendance.schemas import ImportPreview, LevelCount
from app.db import id_of
from app.errors import Conflict
from app.models import Level, StorySession
from app.people.schemas import LevelRef


class OutsideSession(Conflict):
    """The report's times are far from the session's: nothing is imported unless confirmed."""

    def __init__(self, preview: ImportPreview) -> None:
        super().__init__(
            f"{preview.explanation} Nothing was imported: check that this is the report of "
            "this session, or confirm to import it anyway."
        )
        self.preview = preview


def report_span(parsed: ParsedReport) -> tuple[datetime, datetime] | None:
    """When the report's people were there (else the meeting times it states), if it says."""
    joins = [a.first_join for a in parsed.attendees if a.first_join is not None]
    leaves = [a.last_leave for a in parsed.attendees if a.last_leave is not None]
    start = min(joins, default=None) or parsed.meeting_start
    end = max(leaves, default=None) or parsed.meeting_end or start
    if start is None or end is None:
        return None
    return start, max(start, end)


def far_from_session(parsed: ParsedReport, story_session: StorySession) -> str | None:
    """Why the report seems to be of another occasion, or None when it fits (or has no times).

    The rule is the parser's: a time more than `SESSION_WINDOW` (6 hours) before the session
    starts or after it ends belongs to another occasion. The parser leaves such rows out when
    some rows fit; when none does, the whole report is from elsewhere."""
    span = report_span(parsed)
    if span is None:
        return None
    start, end = span
    low = story_session.starts_at - SESSION_WINDOW
    high = story_session.ends_at + SESSION_WINDOW
    if end >= low and start <= high:
        return None
    zone = story_session.timezone
    return (
        f"This report is from {when(start, end, zone)}; the session was "
        f"{when(story_session.starts_at, story_session.ends_at, zone)} ({zone} time)."
    )


def when(start: datetime, end: datetime, zone: str) -> str:
    """'Tue 3 Nov 14:00–15:10', or across days 'Tue 3 Nov 23:00 – Wed 4 Nov 01:00'; the
    year is named when it is not this one."""
    tz = ZoneInfo(zone)
    first, last = start.astimezone(tz), end.astimezone(tz)
    this_year = datetime.now(tz).year

    def day(value: datetime) -> str:
        year = f" {value.year}" if value.year != this_year else ""
        return f"{value:%a} {value.day} {value:%b}{year}"

    if first.date() == last.date():
        return f"{day(first)} {first:%H:%M}–{last:%H:%M}"
    return f"{day(first)} {first:%H:%M} – {day(last)} {last:%H:%M}"


def build_preview(
    session: Session,
    *,
    story_session: StorySession,
    parsed: ParsedReport,
    filename: str,
    matched: int,
    unmatched: int,
    ambiguous: list[str],
    presence: list[tuple[int, float]],
    min_minutes: int,
    explanation: str,
) -> ImportPreview:
    """What the import would store: `presence` is each person's (level id, minutes)."""
    span = report_span(parsed)
    assert span is not None  # a report with no times is never far from its session
    counts = Counter(level_id for level_id, minutes in presence if round(minutes) >= min_minutes)
    levels = session.exec(select(Level).order_by(col(Level.position))).all()
    per_level = [
        LevelCount(level=LevelRef.model_validate(level), attended=counts.get(id_of(level), 0))
        for level in levels
    ]
    return ImportPreview(
        session_id=id_of(story_session),
        filename=filename,
        format_label=parsed.format_label,
        source=parsed.platform,
        rows_read=parsed.rows_read,
        people_found=len(parsed.attendees),
        matched=matched,
        unmatched=unmatched,
        ambiguous=ambiguous,
        attended=sum(counts.values()),
        min_minutes=min_minutes,
        per_level=per_level,
        report_start=span[0],
        report_end=span[1],
        explanation=explanation,
    )
