"""Rows to people: one attendee per person in the file, presence kept as intervals.

Rows are grouped by e-mail, else by normalised display name (a Teams UPN is kept but not
grouped on: placeholder exports repeat one UPN for everybody). Intervals are merged only
at the end, so reading stays one dictionary lookup per row.
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo

from app.attendance.parsing.dates import DateOrder, DateOrderConflict, DateReader
from app.attendance.parsing.durations import parse_duration
from app.attendance.parsing.intervals import merge_intervals, total_minutes
from app.attendance.parsing.model import ParsedAttendee

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_MISSING = frozenset({"--", "-", "—", "n/a", "na", "null", "none"})
ROLES = {
    "host": "host",
    "co-host": "host",
    "cohost": "host",
    "organizer": "host",
    "organiser": "host",
    "organizator": "host",
    "presenter": "presenter",
    "osoba prowadząca": "presenter",
    "prowadzący": "presenter",
    "event team member": "presenter",
    "producer": "presenter",
    "panelist": "panelist",
    "panellist": "panelist",
    "attendee": "attendee",
    "participant": "attendee",
    "uczestnik": "attendee",
}
_RANK = {"host": 4, "presenter": 3, "panelist": 2, "attendee": 1, "": 0}
SESSION_WINDOW = timedelta(hours=6)
"""How far from the session a time may be and still belong to it (a rehearsal, running late)."""
_WINDOW = SESSION_WINDOW
_SHOWN_PER_KIND = 5
_KINDS = {
    "bad-date": "an unreadable date",
    "bad-duration": "an unreadable duration",
    "masked-email": "a masked e-mail",
    "bad-email": "an e-mail that is not an address",
    "no-identity": "no name and no e-mail",
    "leave-before-join": "leave before join",
    "no-leave": "no leave time",
    "no-join": "no join time",
    "no-time": "no timestamp",
    "left-without-join": "a “Left” without a “Joined”",
    "unknown-action": "an unknown action",
    "open-elsewhere": "a join with no leave far from the session",
}


class RowConflict(Exception):
    """A row proves the day/month order guessed for the file wrong: read the file again."""

    def __init__(self, order: DateOrder, line: int, text: str) -> None:
        super().__init__(text)
        self.order: DateOrder = order
        self.line = line
        self.text = text


class BadCell(ValueError):
    """A value in a row cannot be read; the message names the row and the column."""


def name_key(name: str) -> str:
    """A display name folded for grouping: case and runs of spaces ignored."""
    return " ".join(name.split()).casefold()


def cell(cells: list[str], index: int | None) -> str:
    """The cell at `index`, "" when the column is absent or the row is short."""
    if index is None or index >= len(cells):
        return ""
    return cells[index]


@dataclass(slots=True)
class Person:
    """An attendee being collected: identity, presence spans and the rows seen."""

    name: str
    email: str
    upn: str
    role: str
    spans: list[tuple[datetime, datetime, int]] = field(default_factory=list)
    extra_minutes: float = 0.0
    stated_minutes: float | None = None
    rows: list[int] = field(default_factory=list)


class Collector:
    """Accumulates one file's people, decisions and warnings."""

    def __init__(
        self,
        *,
        reader: DateReader,
        session_start: datetime,
        session_end: datetime,
        tz: tzinfo,
    ) -> None:
        self.reader = reader
        self.session_start = session_start
        self.session_end = session_end
        self.tz = tz
        self.people: dict[str, Person] = {}
        self.decisions: list[str] = []
        self.warnings: list[str] = []
        self.rows_read = 0
        self.meeting_start: datetime | None = None
        self.meeting_end: datetime | None = None
        self._open: list[tuple[Person, datetime, int]] = []
        self._shown: Counter[str] = Counter()
        self._hidden: Counter[str] = Counter()
        self._emails: dict[str, str] = {}

    # -- reading cells -------------------------------------------------------------------

    def warn(self, kind: str, message: str) -> None:
        """A warning; after a few of one kind the rest are only counted."""
        if self._shown[kind] < _SHOWN_PER_KIND:
            self._shown[kind] += 1
            self.warnings.append(message)
        else:
            self._hidden[kind] += 1

    def when(self, text: str, line: int, column: str) -> datetime | None:
        """The instant in a cell, None when empty; BadCell when unreadable."""
        try:
            return self.reader.parse(text)
        except DateOrderConflict as conflict:
            raise RowConflict(conflict.order, line, text.strip()) from None
        except ValueError:
            text = text.strip()
            if not text or text.casefold() in _MISSING:
                return None
            raise BadCell(
                f"Row {line}, column “{column}”: {text!r} is not a date and time; row skipped."
            ) from None

    def minutes(self, text: str, line: int, column: str) -> float | None:
        """Minutes in a duration cell, None when empty or unreadable (with a warning)."""
        text = text.strip()
        if not text or text.casefold() in _MISSING:
            return None
        try:
            return parse_duration(text)
        except ValueError:
            self.warn(
                "bad-duration",
                f"Row {line}, column “{column}”: {text!r} is not a duration; ignored.",
            )
            return None

    def email(self, raw: str, line: int, column: str) -> str:
        """Lower-cased address, or "" (with a warning) for masked or malformed values."""
        raw = raw.strip()
        if not raw:
            return ""
        known = self._emails.get(raw)
        if known is not None:
            return known
        value = raw.lower().removeprefix("mailto:")
        if "*" in value:
            self.warn("masked-email", f"Row {line}: e-mail {raw!r} is masked; treated as unknown.")
            value = ""
        elif not _EMAIL.fullmatch(value):
            self.warn(
                "bad-email",
                f"Row {line}, column “{column}”: {raw!r} is not an e-mail address; ignored.",
            )
            value = ""
        self._emails[raw] = value
        return value

    # -- people --------------------------------------------------------------------------

    def person(
        self,
        line: int,
        *,
        name: str,
        email: str = "",
        upn: str = "",
        role: str = "",
        key: str | None = None,
    ) -> Person | None:
        """The attendee this row belongs to (email and upn already cleaned)."""
        if key is None:
            if email:
                key = "e:" + email
            elif name and not name.isspace():
                key = "n:" + name_key(name)
            else:
                self.warn("no-identity", f"Row {line}: no name and no e-mail; row skipped.")
                return None
        role = ROLES.get(role.strip().casefold(), "") if role else ""
        found = self.people.get(key)
        if found is None:
            found = self.people[key] = Person(name=name.strip(), email=email, upn=upn, role=role)
        else:
            if not found.name:
                found.name = name.strip()
            if not found.upn:
                found.upn = upn
            if _RANK[role] > _RANK[found.role]:
                found.role = role
        found.rows.append(line)
        return found

    def add_times(
        self,
        person: Person,
        line: int,
        start: datetime | None,
        end: datetime | None,
        minutes: float | None,
        *,
        wraps_midnight: bool = False,
    ) -> None:
        """Record a row's presence from whatever it gives: times, a duration, or both."""
        if start is not None and end is not None:
            if end < start and wraps_midnight:
                end += timedelta(days=1)
            if end < start:
                self.warn("leave-before-join", f"Row {line}: leave is before join; row skipped.")
                return
            person.spans.append((start, end, line))
        elif start is not None:
            if minutes is not None:
                person.spans.append((start, start + timedelta(minutes=minutes), line))
                self.warn("no-leave", f"Row {line}: no leave time; counted from its duration.")
            else:
                self._open.append((person, start, line))
        elif end is not None:
            if minutes is not None:
                person.spans.append((end - timedelta(minutes=minutes), end, line))
                self.warn("no-join", f"Row {line}: no join time; counted from its duration.")
            else:
                self.warn("no-join", f"Row {line}: no join time and no duration; ignored.")
        elif minutes is not None:
            person.extra_minutes += minutes

    def add_row(
        self,
        line: int,
        *,
        name: str,
        email: str = "",
        upn: str = "",
        role: str = "",
        join: str = "",
        leave: str = "",
        duration: str = "",
        columns: tuple[str, str, str, str] = ("Join time", "Leave time", "Duration", "Email"),
        wraps_midnight: bool = False,
    ) -> None:
        """One row of a join/leave/duration table."""
        try:
            start = self.when(join, line, columns[0]) if join else None
            end = self.when(leave, line, columns[1]) if leave else None
        except BadCell as bad:
            self.warn("bad-date", str(bad))
            return
        person = self.person(
            line,
            name=name,
            email=self.email(email, line, columns[3]) if email else "",
            upn=self.email(upn, line, "Participant ID (UPN)") if upn else "",
            role=role,
        )
        if person is None:
            return
        if start is not None and end is not None and start <= end:
            person.spans.append((start, end, line))
            return
        minutes = self.minutes(duration, line, columns[2]) if duration else None
        self.add_times(person, line, start, end, minutes, wraps_midnight=wraps_midnight)

    def open_join(self, person: Person, start: datetime, line: int) -> None:
        """A join with no leave yet: it ends when the meeting ends."""
        self._open.append((person, start, line))

    # -- the end -------------------------------------------------------------------------

    def local(self, value: datetime) -> str:
        return f"{value.astimezone(self.tz):%d %b %Y %H:%M} ({self.tz})"

    def finish(self) -> list[ParsedAttendee]:
        """The attendees, with every open join closed and the intervals merged."""
        self._close_open()
        self._join_nameless()
        self._leave_out_other_occasions()
        self._emails.clear()
        # Pop each person as it is converted, so a 200,000-row file never holds both forms.
        people = self.people
        attendees = [self._attendee(people.pop(key)) for key in list(people)]
        for kind, count in self._hidden.items():
            self.warnings.append(
                f"…and {count} more {'row' if count == 1 else 'rows'} with {_KINDS[kind]}."
            )
        return attendees

    def _close_open(self) -> None:
        if not self._open:
            return
        if self.meeting_end is not None:
            end, why = self.meeting_end, "the meeting's end the file states"
        else:
            end, why = self.session_end, "the session's end"
        low, high = self.session_start - _WINDOW, self.session_end + _WINDOW
        for person, start, line in self._open:
            if low <= start <= high or self.meeting_end is not None:
                person.spans.append((start, max(start, end), line))
            else:
                # A join on another occasion must not stretch to this session's end.
                person.spans.append((start, start, line))
                self.warn(
                    "open-elsewhere",
                    f"Row {line}: a join with no leave, far from the session's time; not counted.",
                )
        first_line = min(line for _, _, line in self._open)
        count = len(self._open)
        self.decisions.append(
            f"{count} {'join has' if count == 1 else 'joins have'} no leave (first: row "
            f"{first_line}); counted until {why}, {self.local(end)}."
        )
        self._open = []

    def _join_nameless(self) -> None:
        nameless = [key for key in self.people if key.startswith("n:")]
        if not nameless or len(nameless) == len(self.people):
            return
        by_name: dict[str, list[str]] = {}
        for key, person in self.people.items():
            if key.startswith("e:") and person.name:
                by_name.setdefault(name_key(person.name), []).append(key)
        joined: list[tuple[Person, Person]] = []
        for key in nameless:
            targets = by_name.get(key[2:], [])
            if len(targets) == 1:
                source, target = self.people.pop(key), self.people[targets[0]]
                target.spans.extend(source.spans)
                target.extra_minutes += source.extra_minutes
                target.rows.extend(source.rows)
                joined.append((source, target))
        if joined:
            source, target = joined[0]
            self.decisions.append(
                f"{len(joined)} {'name' if len(joined) == 1 else 'names'} without an e-mail "
                f"joined to the same name with one, e.g. row {min(source.rows)}: "
                f"“{source.name}” is {target.email or target.upn}."
            )

    def _leave_out_other_occasions(self) -> None:
        low, high = self.session_start - _WINDOW, self.session_end + _WINDOW
        inside = 0
        outside: list[tuple[datetime, int]] = []
        for person in self.people.values():
            for start, end, line in person.spans:
                if end < low or start > high:
                    outside.append((start, line))
                else:
                    inside += 1
        if not outside:
            return
        if not inside:
            first = min(start for start, _ in outside)
            last = max(end for p in self.people.values() for _, end, _ in p.spans)
            self.warnings.append(
                f"None of the times in this file ({self.local(first)} to {self.local(last)}) "
                f"is within 6 hours of the session ({self.local(self.session_start)}); "
                "check that this is the report of this session."
            )
            return
        gone = 0
        for key in list(self.people):
            person = self.people[key]
            person.spans = [(s, e, n) for s, e, n in person.spans if not (e < low or s > high)]
            if not person.spans and not person.extra_minutes and person.stated_minutes is None:
                del self.people[key]
                gone += 1
        start, line = min(outside, key=lambda item: item[1])
        self.warnings.append(
            f"{len(outside)} {'row is' if len(outside) == 1 else 'rows are'} more than 6 hours "
            f"from the session, e.g. row {line} at {self.local(start)} (a rehearsal or a "
            f"later viewing?); not counted"
            + (
                f", and {gone} {'person' if gone == 1 else 'people'} seen only then left out."
                if gone
                else "."
            )
        )

    @staticmethod
    def _attendee(person: Person) -> ParsedAttendee:
        spans = person.spans
        first_join = last_leave = None
        if len(spans) == 1:
            first_join, last_leave, _ = spans[0]
            merged = [(first_join, last_leave)] if last_leave > first_join else []
            covered = (last_leave - first_join).total_seconds() / 60 if merged else 0.0
        else:
            merged = merge_intervals((start, end) for start, end, _ in spans)
            covered = total_minutes(merged)
            if spans:
                first_join = min(start for start, _, _ in spans)
                last_leave = max(end for _, end, _ in spans)
        if person.stated_minutes is not None:
            minutes = person.stated_minutes
        else:
            minutes = covered + person.extra_minutes
        rows = person.rows
        return ParsedAttendee(
            name=person.name,
            email=person.email,
            upn=person.upn,
            role=person.role,
            intervals=merged,
            minutes_present=minutes,
            first_join=first_join,
            last_leave=last_leave,
            rows=rows if len(rows) == 1 else sorted(set(rows)),
        )
