"""Every dashboard table as CSV, safe to open in a spreadsheet.

Rule (after OWASP's CSV injection advice): every text cell is written in double quotes, and a
`'` goes before each formula trigger (`=`, `+`, `-`, `@`, tab, CR, LF) that starts the cell or
follows a separator a spreadsheet may split on (`,`, `;`, `|`, tab, CR, LF), with only spaces
or quotes between. So no cell begins with a trigger, whichever separator the file is opened
with. Numbers are written as numbers.
"""

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from app.dashboards.engagement import STAGE_LABELS
from app.dashboards.schemas import (
    DepartmentsPage,
    FunnelReport,
    FunnelStages,
    LeaderGrid,
    LeaderRow,
    LevelsReport,
    Overview,
)

Cell = str | int | float | None
_TRIGGER_AT_A_CELL_START = re.compile(r"""((?:^|[,;|\t\r\n])[ "']*)(?=[=+\-@\t\r\n])""")


def neutralise(value: Cell) -> Cell:
    """A text cell with a ' before each formula trigger that could begin a spreadsheet cell."""
    if isinstance(value, str):
        return _TRIGGER_AT_A_CELL_START.sub(r"\1'", value)
    return value


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> str:
    """A CSV document (CRLF, with a BOM so Excel reads UTF-8): text quoted and neutralised."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow([neutralise(cell) for cell in header])
    for row in rows:
        writer.writerow(["" if cell is None else neutralise(cell) for cell in row])
    return out.getvalue()


def _rate(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def _local(value: datetime | None, timezone: str = "UTC") -> str:
    return "" if value is None else value.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")


def overview_csv(report: Overview) -> str:
    """One row per session held: date, title, attendees and attendees per level."""
    header = ["Date", "Timezone", "Session", "Attendees", *(lvl.name for lvl in report.levels)]
    rows: list[list[Cell]] = [
        [
            _local(s.starts_at, s.timezone),
            s.timezone,
            s.title,
            s.attendees,
            *(s.by_level.get(lvl.key, 0) for lvl in report.levels),
        ]
        for s in report.sessions
    ]
    return to_csv(header, rows)


def levels_csv(report: LevelsReport) -> str:
    """One row per level: attendances, unique people, headcount today, participation."""
    header = [
        "Level",
        "Attendances",
        "Unique people",
        "Average per session",
        "Headcount today",
        "Participation (%)",
    ]
    rows = [
        [
            row.level.name,
            row.attendances,
            row.unique_people,
            round(row.average_per_session, 1),
            row.headcount,
            _rate(row.participation_rate),
        ]
        for row in report.rows
    ]
    return to_csv(header, rows)


def leaders_csv(rows: Sequence[LeaderRow]) -> str:
    """One row per leader with every signal (empty where not tracked yet) and the stage."""
    header = [
        "Name",
        "Title",
        "Department",
        "Level",
        "Sessions attended",
        "Sessions held",
        "Last attended (UTC)",
        "Invitations accepted",
        "Recaps received",
        "Recaps read",
        "Action items owned",
        "Action items done",
        "Direct reports who attended",
        "Direct reports",
        "Commitments made",
        "Commitments done",
        "Computed stage",
        "Stage",
        "Stage set by",
        "Target stage",
        "Gap",
        "Latest quarter",
        "Stage in latest quarter",
        "Move since the quarter before",
    ]
    body = [
        [
            row.name,
            row.title,
            row.department,
            row.level.name,
            row.sessions_attended,
            row.sessions_held,
            _local(row.last_attended_at),
            row.invitations_accepted,
            row.recaps_received,
            row.recaps_read,
            row.action_items_owned,
            row.action_items_done,
            row.team_attended,
            row.team_size,
            row.commitments_made,
            row.commitments_done,
            STAGE_LABELS[row.computed_stage],
            STAGE_LABELS[row.stage],
            "organizer" if row.set_by == "organizer" else "ladder",
            STAGE_LABELS[row.target_stage] if row.target_stage else "",
            row.gap,
            row.quarters[-1].quarter if row.quarters else "",
            row.quarters[-1].label if row.quarters else "",
            row.move_label,
        ]
        for row in rows
    ]
    return to_csv(header, body)


def departments_csv(report: DepartmentsPage) -> str:
    """One row per department: headcount, attendees, rate, then attendees and rate per level."""
    header = ["Department", "Headcount today", "Unique attendees", "Participation (%)"]
    for level in report.levels:
        header += [f"{level.name} attendees", f"{level.name} participation (%)"]
    rows = []
    for row in report.items:
        cells: list[Cell] = [
            row.department,
            row.headcount,
            row.attendees,
            _rate(row.participation_rate),
        ]
        for cell in row.by_level:
            cells += [cell.attendees, _rate(cell.participation_rate)]
        rows.append(cells)
    return to_csv(header, rows)


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def leader_grid_csv(report: LeaderGrid) -> str:
    """One row per leader and session held (the grid's cells, long form, for a pivot table)."""
    header = [
        "Name",
        "Title",
        "Department",
        "Level",
        "Session",
        "Session start (local)",
        "Invited",
        "Accepted",
        "Attended",
        "Recap received",
        "Recap read",
    ]
    sessions = {column.session_id: column for column in report.sessions}
    body = [
        [
            row.name,
            row.title,
            row.department,
            row.level.name,
            sessions[cell.session_id].title,
            _local(sessions[cell.session_id].starts_at, sessions[cell.session_id].timezone),
            _yes(cell.invited),
            _yes(cell.accepted),
            _yes(cell.attended),
            _yes(cell.received),
            _yes(cell.read),
        ]
        for row in report.items
        for cell in row.cells
    ]
    return to_csv(header, body)


def _stages(stages: FunnelStages) -> list[Cell]:
    return [
        stages.invited,
        stages.accepted,
        stages.attended,
        stages.read,
        _rate(stages.accepted_rate),
        _rate(stages.attended_rate),
        _rate(stages.read_rate),
    ]


def funnel_csv(report: FunnelReport) -> str:
    """The funnel overall, per level, then per session: counts and rates of the invited."""
    header = [
        "Scope",
        "Name",
        "Session start (local)",
        "Invited",
        "Accepted",
        "Attended",
        "Read the recap",
        "Accepted (%)",
        "Attended (%)",
        "Read (%)",
    ]
    rows: list[list[Cell]] = [["All sessions held", "", "", *_stages(report.overall)]]
    rows += [["Level", level.level.name, "", *_stages(level)] for level in report.levels]
    rows += [
        ["Session", item.title, _local(item.starts_at, item.timezone), *_stages(item)]
        for item in report.items
    ]
    return to_csv(header, rows)
