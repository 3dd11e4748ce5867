"""Webex attendee report: UTF-16 tab text whose columns mirror the attendee-report API
(display name, e-mail, joined time, left time, duration in minutes, participant type)."""

from collections.abc import Iterator

from app.attendance.parsing.collect import Collector, cell
from app.attendance.parsing.detect import Layout
from app.attendance.parsing.headers import DURATION, EMAIL, JOIN, LEAVE, ROLE
from app.attendance.parsing.meet import full_name

Rows = Iterator[tuple[int, list[str]]]


def read(layout: Layout, rows: Rows, out: Collector) -> None:
    """One row per join; the duration (minutes) counts only when a row has no times."""
    columns = layout.columns
    labels = (
        layout.column_name(JOIN, "Joined Time"),
        layout.column_name(LEAVE, "Left Time"),
        layout.column_name(DURATION, "Duration"),
        layout.column_name(EMAIL, "Email"),
    )
    for line, cells in rows:
        out.rows_read += 1
        out.add_row(
            line,
            name=full_name(cells, columns),
            email=cell(cells, columns.get(EMAIL)),
            role=cell(cells, columns.get(ROLE)),
            join=cell(cells, columns.get(JOIN)),
            leave=cell(cells, columns.get(LEAVE)),
            duration=cell(cells, columns.get(DURATION)),
            columns=labels,
        )
