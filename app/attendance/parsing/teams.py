"""Microsoft Teams: the event log, the Meeting Summary report, the sectioned report, and the
Live Events attendee report."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from app.attendance.parsing.collect import BadCell, Collector, Person, cell, name_key
from app.attendance.parsing.detect import SECTION, Layout
from app.attendance.parsing.headers import (
    ACTION,
    DURATION,
    EMAIL,
    FIRST_JOIN,
    JOIN,
    LAST_LEAVE,
    LEAVE,
    NAME,
    PARTICIPANT_ID,
    ROLE,
    SESSION_ID,
    TIMESTAMP,
    UPN,
    map_columns,
    normalize_header,
)

Rows = Iterator[tuple[int, list[str]]]

_JOINED = frozenset({"joined", "dołączył", "dołączyła", "dołączono"})
_JOINED_BEFORE = frozenset({"joined before"})
_LEFT = frozenset({"left", "opuścił", "opuściła", "wyszedł", "wyszła"})
# Rely on positions when a language's column names are unknown (FORMATS.md §2.3).
_PARTICIPANT_POSITIONS = (NAME, FIRST_JOIN, LAST_LEAVE, DURATION, EMAIL, UPN, ROLE)
_ACTIVITY_POSITIONS = (NAME, JOIN, LEAVE, DURATION, EMAIL, ROLE)


def _with_positions(columns: dict[str, int], positions: tuple[str, ...]) -> dict[str, int]:
    result = dict(columns)
    used = set(result.values())
    for index, name in enumerate(positions):
        if name not in result and index not in used:
            result[name] = index
    return result


def read_summary(layout: Layout, rows: Rows, out: Collector) -> None:
    """The 2021-22 report: one row per join with join, leave and duration."""
    columns = layout.columns
    labels = (
        layout.column_name(JOIN, "Join Time"),
        layout.column_name(LEAVE, "Leave Time"),
        layout.column_name(DURATION, "Duration"),
        layout.column_name(EMAIL, "Email"),
    )
    for line, cells in rows:
        out.rows_read += 1
        out.add_row(
            line,
            name=cell(cells, columns.get(NAME)),
            email=cell(cells, columns.get(EMAIL)),
            upn=cell(cells, columns.get(UPN)),
            role=cell(cells, columns.get(ROLE)),
            join=cell(cells, columns.get(JOIN)),
            leave=cell(cells, columns.get(LEAVE)),
            duration=cell(cells, columns.get(DURATION)),
            columns=labels,
        )


def read_event_log(layout: Layout, rows: Rows, out: Collector) -> None:
    """Joined / Left / Joined before events, paired per person (no e-mails in this report)."""
    columns = layout.columns
    name_at, action_at, time_at = columns[NAME], columns[ACTION], columns[TIMESTAMP]
    time_label = layout.column_name(TIMESTAMP, "Timestamp")
    present: dict[str, _Presence] = {}
    first_time: datetime | None = None
    before: list[tuple[int, datetime]] = []
    for line, cells in rows:
        out.rows_read += 1
        try:
            when = out.when(cell(cells, time_at), line, time_label)
        except BadCell as bad:
            out.warn("bad-date", str(bad))
            continue
        if when is None:
            out.warn("no-time", f"Row {line}: no timestamp; row skipped.")
            continue
        if first_time is None or when < first_time:
            first_time = when
        action = cell(cells, action_at).strip().casefold()
        person = out.person(line, name=cell(cells, name_at))
        if person is None:
            continue
        state = present.get(name_key(person.name))
        if state is None:
            state = present[name_key(person.name)] = _Presence(person)
        if action in _JOINED or action in _JOINED_BEFORE:
            if action in _JOINED_BEFORE:
                before.append((line, when))
            # A second device joining while the first is connected changes nothing.
            if state.devices == 0:
                state.start, state.line = when, line
            state.devices += 1
        elif action in _LEFT:
            start = state.start
            if state.devices == 0 or start is None:
                out.warn(
                    "left-without-join",
                    f"Row {line}: “Left” with no “Joined” before it; counted from the "
                    "log's first event.",
                )
                start = first_time or when
            if state.devices <= 1:
                person.spans.append((start, when, line))
                state.devices, state.start = 0, None
            else:
                state.devices -= 1
        else:
            out.warn(
                "unknown-action",
                f"Row {line}: unknown action {cell(cells, action_at).strip()!r} "
                "(expected Joined, Left or Joined before); row skipped.",
            )
    for state in present.values():
        if state.devices > 0 and state.start is not None:
            out.open_join(state.person, state.start, state.line)
    if before:
        out.decisions.append(
            f"{len(before)} {'person was' if len(before) == 1 else 'people were'} already in "
            f"the meeting when the log began (“Joined before”, e.g. row {before[0][0]}); "
            f"counted from that moment, {out.local(before[0][1])}."
        )


@dataclass(slots=True)
class _Presence:
    person: Person
    devices: int = 0
    start: datetime | None = None
    line: int = 0


@dataclass(slots=True)
class _Participant:
    line: int
    name: str
    email: str
    upn: str
    role: str
    first: str
    last: str
    duration: str
    activities: list[tuple[int, str, str, str, str]] = field(default_factory=list)


def read_sectioned(layout: Layout, rows: Rows, out: Collector) -> None:
    """1. Summary / 2. Participants / 3. In-Meeting activities, in any language.

    People come from section 2; their join/leave segments from section 3, matched by
    e-mail, else by name. Someone without segments counts from first join to last leave,
    with the minutes of “In-meeting duration” (a sum of segments, not the span).
    """
    columns = _with_positions(layout.columns, _PARTICIPANT_POSITIONS)
    email_label = layout.column_name(EMAIL, "Email")
    participants: list[_Participant] = []
    activities: list[tuple[int, list[str]]] = []
    activity_columns: dict[str, int] = {}
    section = 2
    section_title = ""
    expect_header = False
    for line, cells in rows:
        marker = SECTION.match(cells[0])
        if marker is not None and len(cells) == 1:
            section = int(marker.group(1))
            section_title = cells[0].strip()
            expect_header = True
            continue
        if expect_header:
            expect_header = False
            if section == 3:
                activity_columns = _with_positions(
                    map_columns([normalize_header(text) for text in cells]), _ACTIVITY_POSITIONS
                )
            continue
        if section == 2:
            out.rows_read += 1
            participants.append(
                _Participant(
                    line=line,
                    name=cell(cells, columns.get(NAME)).strip(),
                    email=out.email(cell(cells, columns.get(EMAIL)), line, email_label),
                    upn=out.email(cell(cells, columns.get(UPN)), line, "Participant ID (UPN)"),
                    role=cell(cells, columns.get(ROLE)),
                    first=cell(cells, columns.get(FIRST_JOIN)),
                    last=cell(cells, columns.get(LAST_LEAVE)),
                    duration=cell(cells, columns.get(DURATION)),
                )
            )
        elif section == 3:
            out.rows_read += 1
            activities.append((line, cells))

    by_key: dict[str, _Participant] = {}
    for participant in participants:
        if participant.email:
            by_key.setdefault("e:" + participant.email, participant)
        by_key.setdefault("n:" + name_key(participant.name), participant)
    unmatched: list[tuple[int, str]] = []
    for line, cells in activities:
        name = cell(cells, activity_columns.get(NAME)).strip()
        email = out.email(cell(cells, activity_columns.get(EMAIL)), line, email_label)
        owner = (by_key.get("e:" + email) if email else None) or by_key.get("n:" + name_key(name))
        if owner is None:
            unmatched.append((line, name))
            continue
        owner.activities.append(
            (
                line,
                cell(cells, activity_columns.get(JOIN)),
                cell(cells, activity_columns.get(LEAVE)),
                cell(cells, activity_columns.get(DURATION)),
                cell(cells, activity_columns.get(ROLE)),
            )
        )
    if unmatched:
        out.warnings.append(
            f"{len(unmatched)} {'row' if len(unmatched) == 1 else 'rows'} under "
            f"“{section_title}” name people not listed in the participants section "
            f"(e.g. row {unmatched[0][0]}, “{unmatched[0][1]}”); ignored."
        )

    without: list[_Participant] = []
    for participant in participants:
        person = out.person(
            participant.line,
            name=participant.name,
            email=participant.email,
            upn=participant.upn,
            role=participant.role,
        )
        if person is None:
            continue
        for line, join, leave, duration, role in participant.activities:
            out.person(line, name=participant.name, email=participant.email, role=role)
            try:
                start = out.when(join, line, "Join time")
                end = out.when(leave, line, "Leave time")
            except BadCell as bad:
                out.warn("bad-date", str(bad))
                continue
            out.add_times(person, line, start, end, out.minutes(duration, line, "Duration"))
        if participant.activities:
            continue
        without.append(participant)
        try:
            start = out.when(participant.first, participant.line, "First join")
            end = out.when(participant.last, participant.line, "Last leave")
        except BadCell as bad:
            out.warn("bad-date", str(bad))
            start = end = None
        stated = out.minutes(participant.duration, participant.line, "In-meeting duration")
        if start is not None and end is not None and end >= start:
            person.spans.append((start, end, participant.line))
        if stated is not None:
            person.stated_minutes = stated
    if without and activities:
        out.decisions.append(
            f"{len(without)} {'person has' if len(without) == 1 else 'people have'} no rows "
            f"under the in-meeting activities (e.g. row {without[0].line}, "
            f"“{without[0].name}”); their minutes are the participants section's "
            "in-meeting duration."
        )
    elif without:
        out.decisions.append(
            "The report has no in-meeting activities section: each person counts from first "
            "join to last leave, with the minutes of the in-meeting duration."
        )


def read_live_event(layout: Layout, rows: Rows, out: Collector) -> None:
    """One row per Joined/Left event of a viewing session, times in UTC."""
    columns = layout.columns
    time_label = layout.column_name(TIMESTAMP, "UTC Event Timestamp")
    out.decisions.append("Times read as UTC, as Teams Live Events reports write them.")
    open_sessions: dict[str, tuple[Person, datetime, int]] = {}
    anonymous: set[str] = set()
    for line, cells in rows:
        out.rows_read += 1
        try:
            when = out.when(cell(cells, columns.get(TIMESTAMP)), line, time_label)
        except BadCell as bad:
            out.warn("bad-date", str(bad))
            continue
        if when is None:
            out.warn("no-time", f"Row {line}: no timestamp; row skipped.")
            continue
        session_id = cell(cells, columns.get(SESSION_ID)).strip()
        participant = cell(cells, columns.get(PARTICIPANT_ID)).strip()
        name = cell(cells, columns.get(NAME)).strip()
        key = None
        email = ""
        if participant:
            email = out.email(participant, line, "Participant Id") if "@" in participant else ""
            key = "e:" + email if email else "p:" + participant.casefold()
        elif not name:
            key = "s:" + session_id
            anonymous.add(session_id)
        person = out.person(
            line, name=name, email=email, role=cell(cells, columns.get(ROLE)), key=key
        )
        if person is None:
            continue
        action = cell(cells, columns.get(ACTION)).strip().casefold()
        if action in _JOINED:
            open_sessions.setdefault(session_id, (person, when, line))
        elif action in _LEFT:
            opened = open_sessions.pop(session_id, None)
            if opened is None:
                out.warn("left-without-join", f"Row {line}: “Left” with no “Joined”; ignored.")
                continue
            person.spans.append((opened[1], when, opened[2]))
        else:
            out.warn(
                "unknown-action",
                f"Row {line}: unknown action {action!r} (expected Joined or Left); row skipped.",
            )
    for person, start, line in open_sessions.values():
        out.open_join(person, start, line)
    if anonymous:
        out.decisions.append(
            f"{len(anonymous)} anonymous viewing "
            f"{'session has' if len(anonymous) == 1 else 'sessions have'} no name or id; "
            "each is listed as its own unnamed attendee."
        )
