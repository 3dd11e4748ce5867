"""Any other list: a CSV with an e-mail column and optionally name, join, leave and minutes."""

from collections.abc import Iterator

from app.attendance.parsing.collect import Collector, cell
from app.attendance.parsing.detect import Layout
from app.attendance.parsing.headers import DURATION, EMAIL, JOIN, LEAVE
from app.attendance.parsing.meet import full_name

Rows = Iterator[tuple[int, list[str]]]


def read(layout: Layout, rows: Rows, out: Collector) -> None:
    """Rows with times count by their times, else by minutes, else the whole session."""
    columns = layout.columns
    email_at = columns[EMAIL]
    join, leave, duration = columns.get(JOIN), columns.get(LEAVE), columns.get(DURATION)
    labels = (
        layout.column_name(JOIN, "Join"),
        layout.column_name(LEAVE, "Leave"),
        layout.column_name(DURATION, "Minutes"),
        layout.column_name(EMAIL, "Email"),
    )
    whole_session = join is None and leave is None and duration is None
    if whole_session:
        minutes = (out.session_end - out.session_start).total_seconds() / 60
        out.decisions.append(
            "The list has no join, leave or minutes columns: everyone on it is counted "
            f"present for the whole session ({minutes:g} minutes)."
        )
    for line, cells in rows:
        out.rows_read += 1
        email = out.email(cell(cells, email_at), line, labels[3])
        if whole_session:
            person = out.person(line, name=full_name(cells, columns), email=email)
            if person is not None:
                person.spans.append((out.session_start, out.session_end, line))
            continue
        if not email and not full_name(cells, columns):
            out.warn("no-identity", f"Row {line}: no e-mail and no name; row skipped.")
            continue
        out.add_row(
            line,
            name=full_name(cells, columns),
            email=cell(cells, email_at),
            join=cell(cells, join),
            leave=cell(cells, leave),
            duration=cell(cells, duration),
            columns=labels,
        )
