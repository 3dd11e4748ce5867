"""Attendance reports from Zoom, Teams, Meet, Webex or a plain CSV: bytes in, people out.

`parse_report` is pure (no database); matching attendees to the directory happens elsewhere.
"""

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.attendance.parsing import generic, meet, teams, webex, zoom
from app.attendance.parsing.collect import BadCell, Collector, RowConflict
from app.attendance.parsing.dates import DateOrder, DateReader, decide_order, evidence_note
from app.attendance.parsing.decoding import Source, read_rows, sniff
from app.attendance.parsing.detect import Layout, MeetingBlock, find_layout, meeting_block
from app.attendance.parsing.headers import TIME_FIELDS
from app.attendance.parsing.intervals import merge_intervals, total_minutes
from app.attendance.parsing.model import ParsedAttendee, ParsedReport, ReportError

__all__ = [
    "ParsedAttendee",
    "ParsedReport",
    "ReportError",
    "merge_intervals",
    "parse_report",
    "total_minutes",
]

Reader = Callable[[Layout, Iterator[tuple[int, list[str]]], Collector], None]

_READERS: dict[str, Reader] = {
    "zoom-participants": zoom.read_participants,
    "zoom-unique-users": zoom.read_participants,
    "zoom-webinar": zoom.read_webinar,
    "teams-event-log": teams.read_event_log,
    "teams-summary-2021": teams.read_summary,
    "teams-sectioned": teams.read_sectioned,
    "teams-live-event": teams.read_live_event,
    "meet": meet.read,
    "webex": webex.read,
    "csv": generic.read,
}


def parse_report(
    data: bytes,
    *,
    session_start: datetime,
    session_end: datetime,
    timezone: str,
    date_order: Literal["auto", "dmy", "mdy"] = "auto",
) -> ParsedReport:
    """Read an attendance report into one attendee per person, with merged presence.

    The format, encoding and delimiter come from the content. The file is read once as a
    text stream with the csv module; the day/month order is decided once, from a sample of
    the first rows (or the session's date, or `date_order`), and each cell is then read by
    precompiled patterns, so 20,000 rows take a fraction of a second and memory stays
    small. Raises ReportError for a file that is not an attendance report.
    """
    try:
        tz: tzinfo = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ReportError(
            f"Unknown time zone {timezone!r}.",
            expected="Expected an IANA name such as Europe/Paris.",
        ) from None
    if session_start.tzinfo is None or session_end.tzinfo is None:
        raise ValueError("session_start and session_end must be timezone-aware")
    session_start, session_end = session_start.astimezone(UTC), session_end.astimezone(UTC)
    source = sniff(data)
    layout = find_layout(source)
    forced: RowConflict | None = None
    with _no_cycle_collection():
        for _ in range(2):
            try:
                return _parse(source, layout, session_start, session_end, tz, date_order, forced)
            except RowConflict as conflict:
                forced = conflict
    raise AssertionError("the day/month order changed twice")  # pragma: no cover


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    # Reading keeps a few objects per row alive until the end and makes no cycles, so the
    # cyclic collector's passes over them find nothing and cost a third of the time.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _parse(
    source: Source,
    layout: Layout,
    session_start: datetime,
    session_end: datetime,
    tz: tzinfo,
    date_order: Literal["auto", "dmy", "mdy"],
    forced: RowConflict | None,
) -> ParsedReport:
    block = meeting_block(layout.preamble)
    decisions: list[str] = []
    order: DateOrder
    if forced is not None:
        order, strong = forced.order, True
        decisions.append(evidence_note(forced.order, forced.line, forced.text))
    else:
        samples = [item for item in (block.start, block.end) if item is not None]
        time_columns = [layout.columns[f] for f in TIME_FIELDS if f in layout.columns]
        for line, cells in layout.sample:
            samples.extend((line, cells[i]) for i in time_columns if i < len(cells))
        order, strong, note = decide_order(
            samples,
            session_start=session_start,
            session_end=session_end,
            tz=tz,
            date_order=date_order,
        )
        if note:
            decisions.append(note)
    reading_tz = UTC if layout.format == "teams-live-event" else tz
    reader = DateReader(tz=reading_tz, order=order, strong=strong, session_start=session_start)
    out = Collector(reader=reader, session_start=session_start, session_end=session_end, tz=tz)
    out.decisions.extend(decisions)
    _meeting_times(out, block)

    with source.open() as stream:
        rows = read_rows(stream, layout.delimiter)
        for line, _ in rows:
            if line >= layout.header_line:
                break
        _READERS[layout.format](layout, rows, out)
    attendees = out.finish()
    if not attendees:
        raise ReportError(
            f"This {layout.label} has no attendees: {out.rows_read} rows were read "
            f"and none could be counted" + (f" ({out.warnings[0]})" if out.warnings else "") + ".",
            expected="",
        )
    return ParsedReport(
        format=layout.format,
        format_label=layout.label,
        platform=layout.platform,
        encoding=source.label,
        delimiter=layout.delimiter,
        rows_read=out.rows_read,
        attendees=attendees,
        meeting_start=out.meeting_start,
        meeting_end=out.meeting_end,
        decisions=out.decisions,
        warnings=out.warnings,
    )


def _meeting_times(out: Collector, block: MeetingBlock) -> None:
    if block.start is not None:
        out.meeting_start = _block_time(out, *block.start)
    if block.end is not None:
        out.meeting_end = _block_time(out, *block.end)
    if out.meeting_end is None and out.meeting_start is not None and block.duration is not None:
        line, text = block.duration
        minutes = out.minutes(text, line, "Duration")
        if minutes is not None:
            out.meeting_end = out.meeting_start + timedelta(minutes=minutes)


def _block_time(out: Collector, line: int, text: str) -> datetime | None:
    try:
        return out.when(text, line, "meeting time")
    except BadCell:
        out.warn("bad-date", f"Row {line}: the meeting's time {text!r} cannot be read; ignored.")
        return None
