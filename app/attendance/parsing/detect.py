"""Which report is this? Found from the content: the delimiter, then the table's header row."""

import io
import re
from dataclasses import dataclass, field

from app.attendance.parsing.decoding import DELIMITER_NAMES, Source, read_rows
from app.attendance.parsing.headers import (
    ACTION,
    DURATION,
    EMAIL,
    FIRST_JOIN,
    FIRST_NAME,
    JOIN,
    LAST_LEAVE,
    LAST_NAME,
    LEAVE,
    NAME,
    SESSION_ID,
    TIMESTAMP,
    UPN,
    ZOOM_NAMES,
    map_columns,
    normalize_header,
)
from app.attendance.parsing.model import ReportError
from app.kit.tables import delimiters
from app.models import AttendanceSource

HEAD_CHARS = 65_536
HEAD_ROWS = 600
SECTION = re.compile(r"\s*(\d)\.\s+\S")

FORMATS: dict[str, tuple[str, AttendanceSource]] = {
    "zoom-participants": ("Zoom meeting participants report", AttendanceSource.zoom),
    "zoom-unique-users": (
        "Zoom meeting participants report (unique users)",
        AttendanceSource.zoom,
    ),
    "zoom-webinar": ("Zoom webinar attendee report", AttendanceSource.zoom),
    "teams-event-log": (
        "Microsoft Teams attendance list (2020–21 event log)",
        AttendanceSource.teams,
    ),
    "teams-summary-2021": (
        "Microsoft Teams attendance report (2021–22, Meeting Summary)",
        AttendanceSource.teams,
    ),
    "teams-sectioned": (
        "Microsoft Teams attendance report (2022+, sectioned)",
        AttendanceSource.teams,
    ),
    "teams-live-event": ("Microsoft Teams Live Events attendee report", AttendanceSource.teams),
    "meet": ("Google Meet attendance report", AttendanceSource.meet),
    "webex": ("Webex attendee report", AttendanceSource.webex),
    "csv": ("CSV attendance list", AttendanceSource.csv),
}

_QOS = ({"device", "ip address"}, {"meeting id", "host", "user type"})
_WEBEX_KEYS = frozenset(
    {"display name", "joined time", "left time", "participant type", "meeting number"}
)
_DIRECTORY_KEYS = frozenset(
    {"title", "job title", "department", "dept", "manager", "level", "position", "employee id"}
)
_SUMMARY_TITLES = frozenset({"meeting summary", "podsumowanie spotkania"})


@dataclass(slots=True)
class Layout:
    """Where the table is and what its columns mean."""

    format: str
    delimiter: str
    header_line: int
    header: list[str]
    columns: dict[str, int]
    preamble: list[tuple[int, list[str]]] = field(default_factory=list)
    sample: list[tuple[int, list[str]]] = field(default_factory=list)

    @property
    def label(self) -> str:
        return FORMATS[self.format][0]

    @property
    def platform(self) -> AttendanceSource:
        return FORMATS[self.format][1]

    def column_name(self, field_name: str, default: str) -> str:
        """The file's own header text for a field, for messages."""
        index = self.columns.get(field_name)
        if index is None or index >= len(self.header):
            return default
        return self.header[index].replace("\ufeff", "").strip() or default


def _columns_text(cells: list[str], limit: int = 8) -> str:
    shown = ", ".join(cell.replace("\ufeff", "").strip() for cell in cells[:limit])
    return shown + (", …" if len(cells) > limit else "")


def _specific(
    cells: list[str],
    normalized: list[str],
    rows_before: list[tuple[int, list[str]]],
    first_cell: str,
) -> str | None:
    """The format whose header this row is, if a platform's; ReportError for wrong kinds."""
    names = set(normalized)
    if any(keys <= names for keys in _QOS):
        raise ReportError(
            "This looks like a Zoom dashboard participants (QoS) export "
            f"(columns: {_columns_text(cells)}), not an attendance report; in Zoom, use "
            "Reports → Usage → Participants → Export instead."
        )
    columns = map_columns(normalized)
    fields = set(columns)
    if normalized and normalized[0] == "attended" and NAME in fields and JOIN in fields:
        return "zoom-webinar"
    if {SESSION_ID, TIMESTAMP, ACTION} <= fields:
        return "teams-live-event"
    if {NAME, ACTION, TIMESTAMP} <= fields:
        return "teams-event-log"
    if {FIRST_JOIN, LAST_LEAVE} <= fields:
        return "teams-sectioned"
    previous = rows_before[-1][1][0] if rows_before else ""
    if (
        SECTION.match(previous)
        and previous.strip().startswith("2.")
        and SECTION.match(first_cell or "")
        and len(normalized) >= 6
    ):
        return "teams-sectioned"
    if {NAME, JOIN, LEAVE} <= fields and (
        UPN in fields
        or any(normalize_header(cells[0]) in _SUMMARY_TITLES for _, cells in rows_before)
    ):
        return "teams-summary-2021"
    if any(cell in ZOOM_NAMES for cell in normalized):
        if JOIN in fields and LEAVE in fields:
            return "zoom-participants"
        if DURATION in fields:
            return "zoom-unique-users"
    if "time joined" in names or "time exited" in names:
        return "meet"
    if {FIRST_NAME, LAST_NAME, EMAIL, DURATION} <= fields:
        return "meet"
    if len(names & _WEBEX_KEYS) >= 2 and (JOIN in fields or DURATION in fields):
        return "webex"
    return None


def _generic(cells: list[str], normalized: list[str]) -> str | None:
    fields = set(map_columns(normalized))
    if EMAIL not in fields:
        return None
    if not fields & {JOIN, LEAVE, DURATION} and set(normalized) & _DIRECTORY_KEYS:
        raise ReportError(
            "This looks like a directory (people) export "
            f"(columns: {_columns_text(cells)}), not an attendance report; import it "
            "under People instead."
        )
    return "csv"


def find_layout(source: Source) -> Layout:
    """Find the report's format, delimiter and header row from the start of the file."""
    head = source.head(HEAD_CHARS)
    if not head.strip(" \t\r\n,;\ufeff"):
        raise ReportError("The file has no content: only blank lines or separators.")

    attempts: list[tuple[str, list[tuple[int, list[str]]]]] = []
    for delimiter in delimiters(head):
        rows = []
        # The head may end inside a quoted cell: the full reading judges broken rows.
        for row in read_rows(io.StringIO(head), delimiter, strict=False):
            rows.append(row)
            if len(rows) >= HEAD_ROWS:
                break
        attempts.append((delimiter, rows))
        first_cell = rows[0][1][0] if rows else ""
        for index, (_, cells) in enumerate(rows):
            normalized = [normalize_header(cell) for cell in cells]
            found = _specific(cells, normalized, rows[:index], first_cell)
            if found is not None:
                return _layout(found, delimiter, rows, index, normalized)
    for delimiter, rows in attempts:
        for index, (_, cells) in enumerate(rows):
            normalized = [normalize_header(cell) for cell in cells]
            found = _generic(cells, normalized)
            if found is not None:
                return _layout(found, delimiter, rows, index, normalized)

    delimiter, rows = attempts[0]
    if not rows:
        raise ReportError("The file has no content: only blank lines or separators.")
    first = rows[0][1]
    raise ReportError(
        "No attendance table was found: the file starts with a row of "
        f"{len(first)} {DELIMITER_NAMES[delimiter]}-separated "
        f"{'column' if len(first) == 1 else 'columns'} ({_columns_text(first)}) and no row "
        "has the columns of a known report."
    )


def _layout(
    found: str,
    delimiter: str,
    rows: list[tuple[int, list[str]]],
    index: int,
    normalized: list[str],
) -> Layout:
    line, header = rows[index]
    return Layout(
        format=found,
        delimiter=delimiter,
        header_line=line,
        header=header,
        columns=map_columns(normalized),
        preamble=rows[:index],
        sample=rows[index + 1 :],
    )


_START_KEYS = frozenset(
    {"start time", "meeting start time", "actual start time", "godzina rozpoczęcia"}
)
_END_KEYS = frozenset({"end time", "meeting end time", "godzina zakończenia"})
_DURATION_KEYS = frozenset(
    {"actual duration (minutes)", "meeting duration", "czas trwania spotkania"}
)
_MEETING_KEYS = _START_KEYS | _END_KEYS | _DURATION_KEYS


@dataclass(slots=True)
class MeetingBlock:
    """Start, end and duration as the file's summary block states them: (line, text)."""

    start: tuple[int, str] | None = None
    end: tuple[int, str] | None = None
    duration: tuple[int, str] | None = None

    def put(self, key: str, line: int, text: str) -> None:
        if not text.strip():
            return
        if key in _START_KEYS and self.start is None:
            self.start = (line, text)
        elif key in _END_KEYS and self.end is None:
            self.end = (line, text)
        elif key in _DURATION_KEYS and self.duration is None:
            self.duration = (line, text)


def meeting_block(preamble: list[tuple[int, list[str]]]) -> MeetingBlock:
    """Read the meeting's times from the rows above the table.

    Teams writes `key<TAB>value` lines; Zoom a row of keys with a row of values below.
    """
    block = MeetingBlock()
    for index, (line, cells) in enumerate(preamble):
        keys = [normalize_header(cell) for cell in cells]
        if len(cells) >= 2 and keys[0] in _MEETING_KEYS and keys[1] not in _MEETING_KEYS:
            block.put(keys[0], line, cells[1])
            continue
        hits = [(i, key) for i, key in enumerate(keys) if key in _MEETING_KEYS]
        if hits and index + 1 < len(preamble):
            values_line, values = preamble[index + 1]
            for i, key in hits:
                if i < len(values):
                    block.put(key, values_line, values[i])
    return block
