"""Zoom: the meeting participants report (per join or unique users) and the webinar report."""

from collections.abc import Iterator

from app.attendance.parsing.collect import Collector, cell
from app.attendance.parsing.detect import Layout
from app.attendance.parsing.headers import (
    ATTENDED,
    DURATION,
    EMAIL,
    JOIN,
    LEAVE,
    NAME,
    WAITING_ROOM,
    map_columns,
    normalize_header,
)

Rows = Iterator[tuple[int, list[str]]]

_SECTIONS = {
    "host details": "host",
    "panelist details": "panelist",
    "attendee details": "attendee",
    "other attended": "attendee",
}


def read_participants(layout: Layout, rows: Rows, out: Collector) -> None:
    """One row per join (or per person with its total, for "unique users")."""
    columns = layout.columns
    name, email = columns.get(NAME), columns.get(EMAIL)
    join, leave, duration = columns.get(JOIN), columns.get(LEAVE), columns.get(DURATION)
    labels = (
        layout.column_name(JOIN, "Join Time"),
        layout.column_name(LEAVE, "Leave Time"),
        layout.column_name(DURATION, "Duration (Minutes)"),
        layout.column_name(EMAIL, "User Email"),
    )
    if join is None:
        out.decisions.append(
            "This report lists each person once with a total duration (“unique users”); "
            "minutes are the file's own totals, with no join or leave times."
        )
    waiting_room = columns.get(WAITING_ROOM)
    waited = 0
    for line, cells in rows:
        out.rows_read += 1
        if waiting_room is not None and cell(cells, waiting_room).strip().casefold() == "yes":
            waited += 1
            continue
        out.add_row(
            line,
            name=cell(cells, name),
            email=cell(cells, email),
            join=cell(cells, join),
            leave=cell(cells, leave),
            duration=cell(cells, duration),
            columns=labels,
        )
    if waited:
        out.decisions.append(
            f"{waited} {'row is' if waited == 1 else 'rows are'} time in the waiting room "
            "(In Waiting Room = Yes), which is not attendance."
        )


def read_webinar(layout: Layout, rows: Rows, out: Collector) -> None:
    """Host, Panelist and Attendee sections; registrants who did not attend are skipped."""
    role = "attendee"
    if layout.preamble:
        role = _SECTIONS.get(normalize_header(layout.preamble[-1][1][0]), role)
    columns = layout.columns
    absent = 0
    for line, cells in rows:
        first = normalize_header(cells[0])
        if first in _SECTIONS:
            role = _SECTIONS[first]
            continue
        if first == "attended":
            columns = map_columns([normalize_header(text) for text in cells])
            continue
        out.rows_read += 1
        if cell(cells, columns.get(ATTENDED)).strip().casefold() == "no":
            absent += 1
            continue
        out.add_row(
            line,
            name=cell(cells, columns.get(NAME)),
            email=cell(cells, columns.get(EMAIL)),
            role=role,
            join=cell(cells, columns.get(JOIN)),
            leave=cell(cells, columns.get(LEAVE)),
            duration=cell(cells, columns.get(DURATION)),
            columns=("Join Time", "Leave Time", "Time in Session (minutes)", "Email"),
        )
    if absent:
        out.decisions.append(
            f"{absent} {'registrant' if absent == 1 else 'registrants'} did not attend "
            "(Attended = No) and are not counted."
        )
