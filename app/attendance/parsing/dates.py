"""Dates and times as the platforms write them, read fast.

The day/month order is decided once per file (`decide_order`) from a sample of its cells;
every cell is then read by precompiled regular expressions (`DateReader.parse`), never by a
guessing parser. Cells without a zone are read in the session's time zone; times of day
alone (Google Meet) are anchored to the session's local date.
"""

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import Literal

DateOrder = Literal["dmy", "mdy"]

_AMPM = r"\s*(?:([AaPp])\.?\s?[Mm]\.?)?"
_ZONE = r"\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2})?\s*"
# 11/19/2021 09:54:15 AM · 6/1/2021, 2:59:38 PM · 14/11/22, 09:29:07 · 2020/12/8 8:55 ·
# 14.11.2022, 09:29:07 · 2023-01-18T10:26:30+08:00
_NUMERIC = re.compile(
    r"\s*(\d{1,4})([/.\-])(\d{1,2})\2(\d{1,4})\.?(?:\s*,\s*|\s+|T)"
    r"(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?" + _AMPM + _ZONE
)
# Mar 22, 2025 7:13 PM · Mar 22, 2025 19:13:27 · 22 Mar 2025 19:13
_MONTH_NAME = re.compile(
    r"\s*(?:([^\W\d_]{3,})\.?\s+(\d{1,2}),?\s+(\d{4})|(\d{1,2})[\s\-]+([^\W\d_]{3,})\.?[\s\-]+(\d{4}))"
    r",?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?" + _AMPM + _ZONE
)
# 10:30 PM · 10:30\u202fPM · 22:30:15
_TIME_ONLY = re.compile(r"\s*(\d{1,2}):(\d{2})(?::(\d{2}))?" + _AMPM + r"\s*")

_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
_CACHE_LIMIT = 65_536
_DAY = timedelta(days=1)
_HALF_DAY = timedelta(hours=12)
_LATE = timedelta(hours=18)


class DateOrderConflict(Exception):
    """A cell only fits the other day/month order than the one guessed for the file."""

    def __init__(self, order: DateOrder, text: str) -> None:
        super().__init__(text)
        self.order: DateOrder = order
        self.text = text


def _zone(text: str) -> tzinfo:
    if text in ("Z", "UTC", "GMT"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _hour(hour: str, ampm: str | None) -> int:
    value = int(hour)
    if ampm is None:
        return value
    if value > 12:
        raise ValueError("hour above 12 with AM/PM")
    return value % 12 + (12 if ampm in "Pp" else 0)


def _year(text: str) -> int:
    value = int(text)
    return value + 2000 if value < 100 else value


class DateReader:
    """Reads one file's date-time cells into aware UTC datetimes, with the order fixed."""

    def __init__(
        self,
        *,
        tz: tzinfo,
        order: DateOrder = "mdy",
        strong: bool = True,
        session_start: datetime | None = None,
    ) -> None:
        self.tz = tz
        self.order: DateOrder = order
        self.strong = strong
        """False when the order was a guess: a cell proving otherwise raises a conflict."""
        self.session_start = session_start
        self._anchor: date | None = (
            session_start.astimezone(tz).date() if session_start is not None else None
        )
        self._cache: dict[str, datetime] = {}
        self._minutes: dict[tuple[int, int, int, int, int], datetime] = {}

    def parse(self, text: str) -> datetime:
        """The instant in `text`; ValueError when it is not a date and time we know."""
        cached = self._cache.get(text)
        if cached is not None:
            return cached
        if not text or text.isspace():
            raise ValueError("no date and time")
        value = self._parse(text)
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
            self._minutes.clear()
        self._cache[text] = value
        return value

    def _parse(self, text: str) -> datetime:
        match = _NUMERIC.fullmatch(text)
        if match is not None:
            try:
                return self._numeric(match, self.order)
            except ValueError:
                if not self.strong and len(match.group(1)) != 4:
                    other: DateOrder = "dmy" if self.order == "mdy" else "mdy"
                    try:
                        self._numeric(match, other)
                    except ValueError:
                        pass
                    else:
                        raise DateOrderConflict(other, text) from None
                raise ValueError(f"{text.strip()!r} is not a valid date and time") from None
        match = _MONTH_NAME.fullmatch(text)
        if match is not None:
            return self._month_name(match)
        match = _TIME_ONLY.fullmatch(text)
        if match is not None:
            return self._time_only(match)
        try:
            value = datetime.fromisoformat(text.strip())
        except ValueError:
            raise ValueError(f"{text.strip()!r} is not a date and time") from None
        if value.tzinfo is None:
            value = value.replace(tzinfo=self.tz)
        return value.astimezone(UTC)

    def _numeric(self, match: re.Match[str], order: DateOrder) -> datetime:
        first, _, second, third, hour, minute, seconds, fraction, ampm, zone = match.groups()
        if len(first) == 4:
            year, month, day = int(first), int(second), int(third)
        elif order == "dmy":
            day, month, year = int(first), int(second), _year(third)
        else:
            month, day, year = int(first), int(second), _year(third)
        if zone is not None:
            return datetime(
                year,
                month,
                day,
                _hour(hour, ampm),
                int(minute),
                int(seconds or 0),
                int(fraction.ljust(6, "0")[:6]) if fraction else 0,
                tzinfo=_zone(zone),
            ).astimezone(UTC)
        # The zone's offset is looked up once per minute of the file, not once per cell.
        key = (year, month, day, _hour(hour, ampm), int(minute))
        base = self._minutes.get(key)
        if base is None:
            base = datetime(*key, tzinfo=self.tz).astimezone(UTC)
            self._minutes[key] = base
        if seconds is None or (seconds == "00" and not fraction):
            return base
        return base.replace(
            second=int(seconds), microsecond=int(fraction.ljust(6, "0")[:6]) if fraction else 0
        )

    def _month_name(self, match: re.Match[str]) -> datetime:
        name1, day1, year1, day2, name2, year2, hour, minute, second, ampm, zone = match.groups()
        name = (name1 or name2).casefold()
        month = _MONTHS.get(name[:3])
        if month is None:
            raise ValueError(f"{match.string.strip()!r}: unknown month {name!r}")
        return datetime(
            int(year1 or year2),
            month,
            int(day1 or day2),
            _hour(hour, ampm),
            int(minute),
            int(second or 0),
            tzinfo=self.tz if zone is None else _zone(zone),
        ).astimezone(UTC)

    def _time_only(self, match: re.Match[str]) -> datetime:
        if self._anchor is None or self.session_start is None:
            raise ValueError(f"{match.string.strip()!r} has no date")
        hour, minute, second, ampm = match.groups()
        clock = time(_hour(hour, ampm), int(minute), int(second or 0))
        value = datetime.combine(self._anchor, clock, tzinfo=self.tz).astimezone(UTC)
        # A meeting that crosses midnight: the time belongs to the neighbouring day.
        if value < self.session_start - _HALF_DAY:
            value += _DAY
        elif value > self.session_start + _LATE:
            value -= _DAY
        return value


def _long_date(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def decide_order(
    samples: Iterable[tuple[int, str]],
    *,
    session_start: datetime,
    session_end: datetime,
    tz: tzinfo,
    date_order: Literal["auto", "dmy", "mdy"],
) -> tuple[DateOrder, bool, str | None]:
    """Day-first or month-first for a file: (order, decided by the file itself, note).

    Rows where the order is unambiguous decide; else a date that is the session's date
    under only one reading; else the caller's `date_order`; else month-first.
    """
    evidence: dict[DateOrder, list[tuple[int, str]]] = {"dmy": [], "mdy": []}
    ambiguous: dict[tuple[int, int, int], tuple[int, str]] = {}
    for line, text in samples:
        match = _NUMERIC.fullmatch(text)
        if match is None or len(match.group(1)) == 4:
            continue
        first, second = int(match.group(1)), int(match.group(3))
        if 12 < first <= 31 and second <= 12:
            evidence["dmy"].append((line, text.strip()))
        elif 12 < second <= 31 and first <= 12:
            evidence["mdy"].append((line, text.strip()))
        elif first != second and first <= 12 and second <= 12:
            ambiguous.setdefault((first, second, _year(match.group(4))), (line, text.strip()))

    if evidence["dmy"] or evidence["mdy"]:
        order: DateOrder = "dmy" if len(evidence["dmy"]) >= len(evidence["mdy"]) else "mdy"
        other: DateOrder = "mdy" if order == "dmy" else "dmy"
        line, text = evidence[order][0]
        note = f"Dates read {_WORDS[order]}: row {line} has {text}."
        if evidence[other]:
            other_line, other_text = evidence[other][0]
            note += (
                f" Row {other_line} has {other_text}, which only fits {_WORDS[other]};"
                " rows like it are skipped."
            )
        return order, True, note

    if ambiguous:
        session_dates = {session_start.astimezone(tz).date(), session_end.astimezone(tz).date()}
        votes: dict[DateOrder, list[tuple[int, str, date]]] = {"dmy": [], "mdy": []}
        for (first, second, year), (line, text) in ambiguous.items():
            as_dmy, as_mdy = date(year, second, first), date(year, first, second)
            if as_dmy in session_dates and as_mdy not in session_dates:
                votes["dmy"].append((line, text, as_dmy))
            elif as_mdy in session_dates and as_dmy not in session_dates:
                votes["mdy"].append((line, text, as_mdy))
        if bool(votes["dmy"]) != bool(votes["mdy"]):
            order = "dmy" if votes["dmy"] else "mdy"
            line, text, day = votes[order][0]
            return (
                order,
                False,
                f"Dates read {_WORDS[order]}: {text} (row {line}) is the session's date, "
                f"{_long_date(day)}, only when read {_WORDS[order]}.",
            )
        line, text = next(iter(ambiguous.values()))
        if date_order != "auto":
            return (
                date_order,
                False,
                f"Dates such as {text} (row {line}) fit either order; "
                f"read {_WORDS[date_order]} as chosen.",
            )
        return (
            "mdy",
            False,
            f"Dates such as {text} (row {line}) fit either order and neither reading is the "
            "session's date; read month-first. Import again choosing day-first if that is wrong.",
        )
    return ("mdy" if date_order == "auto" else date_order), False, None


_WORDS: dict[DateOrder, str] = {"dmy": "day-first", "mdy": "month-first"}


def evidence_note(order: DateOrder, line: int, text: str) -> str:
    """The decision note when a row later in the file proves the order."""
    return f"Dates read {_WORDS[order]}: row {line} has {text.strip()}."


def is_time_only(text: str) -> bool:
    """True for a time of day with no date, as Google Meet writes them."""
    return _TIME_ONLY.fullmatch(text) is not None
