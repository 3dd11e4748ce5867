"""Google Meet attendance: `Name` or `First name`/`Last name`, e-mail, duration, and times of
day without a date (anchored to the session's date)."""

from collections.abc import Iterator

from app.attendance.parsing.collect import Collector, cell
from app.attendance.parsing.dates import is_time_only
from app.attendance.parsing.detect import Layout
from app.attendance.parsing.headers import (
    DURATION,
    EMAIL,
    FIRST_NAME,
    JOIN,
    LAST_NAME,
    LEAVE,
    NAME,
)

Rows = Iterator[tuple[int, list[str]]]


def full_name(cells: list[str], columns: dict[str, int]) -> str:
    """`Name`, else `First name` + `Last name`."""
    name = cell(cells, columns.get(NAME)).strip()
    if name:
        return name
    first = cell(cells, columns.get(FIRST_NAME)).strip()
    last = cell(cells, columns.get(LAST_NAME)).strip()
    return f"{first} {last}".strip()


def read(layout: Layout, rows: Rows, out: Collector) -> None:
    """One row per person (duplicates happen), times of day only."""
    columns = layout.columns
    join, leave = columns.get(JOIN), columns.get(LEAVE)
    labels = (
        layout.column_name(JOIN, "Time joined"),
        layout.column_name(LEAVE, "Time exited"),
        layout.column_name(DURATION, "Duration"),
        layout.column_name(EMAIL, "Email"),
    )
    if any(is_time_only(cell(cells, join)) for _, cells in layout.sample[:20]):
        anchor = out.session_start.astimezone(out.reader.tz)
        out.decisions.append(
            f"Times of day without a date are read on the session's date, "
            f"{anchor.day} {anchor:%B %Y} ({out.reader.tz})."
        )
    for line, cells in rows:
        out.rows_read += 1
        out.add_row(
            line,
            name=full_name(cells, columns),
            email=cell(cells, columns.get(EMAIL)),
            join=cell(cells, join),
            leave=cell(cells, leave),
            duration=cell(cells, columns.get(DURATION)),
            columns=labels,
            wraps_midnight=True,
        )
