"""Expand an RFC 5545 RRULE in a timezone into session start instants."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from itertools import islice
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

from app.errors import Invalid
from app.kit.words import counted

MAX_OCCURRENCES = 200
EXAMPLE = "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;COUNT=26"


def local_to_instant(wall: datetime, timezone: str) -> datetime:
    """A wall-clock time in `timezone` as a UTC instant.

    A time that does not exist (the hour skipped when clocks go forward) comes out shifted
    forward by the gap: zoneinfo reads it with the offset in force before the change (fold=0),
    which is what calendar apps do, and the session still happens on its day.
    """
    return wall.replace(tzinfo=ZoneInfo(timezone), fold=0).astimezone(UTC)


def _rule_parts(text: str) -> dict[str, str]:
    parts: dict[str, str] = {}
    for part in text.split(";"):
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise Invalid(
                f"The RRULE could not be read: {part!r} is not NAME=VALUE. Example: {EXAMPLE}"
            )
        parts[key.strip().upper()] = value.strip()
    return parts


def normalize_rule(text: str) -> str:
    """The rule without an `RRULE:` prefix or spaces; refused if it has several lines."""
    rule = text.strip()
    if rule.upper().startswith("RRULE:"):
        rule = rule[len("RRULE:") :]
    if not rule or "\n" in rule or "\r" in rule:
        raise Invalid(f"Give one RRULE line, e.g. {EXAMPLE}")
    return rule.replace(" ", "")


def expand(rule_text: str, *, first_start_local: datetime, timezone: str) -> list[datetime]:
    """Every start of the rule as a UTC instant, keeping the local time across DST changes."""
    rule_text = normalize_rule(rule_text)
    parts = _rule_parts(rule_text)
    if "COUNT" not in parts and "UNTIL" not in parts:
        raise Invalid("This rule never ends: add COUNT or UNTIL (e.g. COUNT=26).")
    # RFC 5545: with a zoned DTSTART, UNTIL is in UTC ("…Z"); dateutil then wants an aware start.
    # Either way dateutil steps through wall-clock times, so 16:00 stays 16:00 local.
    until_utc = parts.get("UNTIL", "").upper().endswith("Z")
    dtstart = first_start_local.replace(tzinfo=ZoneInfo(timezone) if until_utc else None)
    try:
        parsed = rrulestr(rule_text, dtstart=dtstart)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
        raise Invalid(f"The RRULE could not be read: {exc}. Example: {EXAMPLE}") from None
    if not isinstance(parsed, rrule):
        raise Invalid(f"Give one RRULE line, e.g. {EXAMPLE}")
    try:
        occurrences = list(islice(parsed, MAX_OCCURRENCES + 1))
    except (ValueError, OverflowError) as exc:
        raise Invalid(f"The RRULE could not be expanded: {exc}.") from None
    if len(occurrences) > MAX_OCCURRENCES:
        raise Invalid(
            f"This rule makes more than {MAX_OCCURRENCES} sessions: lower COUNT or bring UNTIL "
            "closer."
        )
    if not occurrences:
        raise Invalid("This rule makes no sessions: check COUNT, UNTIL and the first start.")
    return [local_to_instant(o.replace(tzinfo=None), timezone) for o in occurrences]


# Plain controls: the rules a person describes in words, written as (and read back from) RRULEs.

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKDAY_NAMES = {
    "MO": "Monday",
    "TU": "Tuesday",
    "WE": "Wednesday",
    "TH": "Thursday",
    "FR": "Friday",
    "SA": "Saturday",
    "SU": "Sunday",
}
ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}


class Frequency(StrEnum):
    weekly = "weekly"
    """Every `interval` weeks on `day`."""
    monthly = "monthly"
    """Every `interval` months on the `nth` `day` of the month."""


class Ending(StrEnum):
    by_count = "count"
    by_date = "until"


@dataclass(frozen=True)
class Repeat:
    """A recurrence the form's controls can express; `until` is a date in the series' zone."""

    frequency: Frequency
    day: str
    interval: int = 1
    nth: int = 1
    ending: Ending = Ending.by_count
    count: int | None = None
    until: date | None = None


def _end_of_day(day: date, timezone: str) -> str:
    wall = datetime.combine(day, time(23, 59, 59))
    return local_to_instant(wall, timezone).strftime("%Y%m%dT%H%M%SZ")


def write_rule(repeat: Repeat, *, timezone: str) -> str:
    """The RRULE for the controls; UNTIL is the end of its day in `timezone`, in UTC (RFC 5545)."""
    if repeat.day not in WEEKDAYS:
        raise Invalid(f"Choose a day of the week, one of {', '.join(WEEKDAYS)}.")
    if repeat.interval < 1:
        raise Invalid("Repeat every 1 or more weeks or months.")
    parts = [f"FREQ={repeat.frequency.value.upper()}"]
    if repeat.interval != 1:
        parts.append(f"INTERVAL={repeat.interval}")
    if repeat.frequency is Frequency.weekly:
        parts.append(f"BYDAY={repeat.day}")
    else:
        if repeat.nth not in ORDINALS:
            raise Invalid("Choose the first, second, third, fourth or last weekday of the month.")
        parts.append(f"BYDAY={repeat.nth}{repeat.day}")
    if repeat.ending is Ending.by_count:
        if repeat.count is None or repeat.count < 1:
            raise Invalid("Give how many sessions the series has (1 or more).")
        parts.append(f"COUNT={repeat.count}")
    else:
        if repeat.until is None:
            raise Invalid("Give the date of the last session.")
        parts.append(f"UNTIL={_end_of_day(repeat.until, timezone)}")
    return ";".join(parts)


def _read_until(value: str, *, start: time, timezone: str) -> date | None:
    """The last day an UNTIL lets a session start at `start` (local) on; None if unreadable."""
    text = value.upper()
    for layout, utc in (("%Y%m%dT%H%M%SZ", True), ("%Y%m%dT%H%M%S", False), ("%Y%m%d", False)):
        try:
            parsed = datetime.strptime(text, layout)  # noqa: DTZ007 - zone applied below
        except ValueError:
            continue
        local = (
            parsed.replace(tzinfo=UTC).astimezone(ZoneInfo(timezone)).replace(tzinfo=None)
            if utc
            else parsed
        )
        # Sessions start at `start`: an UNTIL before it that day lets the day before be last.
        return local.date() if local.time() >= start else local.date() - timedelta(days=1)
    return None


def read_rule(rule_text: str, *, first_start_local: datetime, timezone: str) -> Repeat | None:
    """The controls for a rule, or None when they cannot express it (then it stays raw)."""
    try:
        parts = _rule_parts(normalize_rule(rule_text))
    except Invalid:
        return None
    if set(parts) - {"FREQ", "INTERVAL", "BYDAY", "COUNT", "UNTIL", "WKST"}:
        return None
    if ("COUNT" in parts) == ("UNTIL" in parts) or parts.get("WKST", "MO").upper() != "MO":
        return None
    interval_text = parts.get("INTERVAL", "1")
    if not interval_text.isdigit() or int(interval_text) < 1:
        return None
    byday = parts.get("BYDAY", "").upper()
    frequency = parts["FREQ"].upper() if "FREQ" in parts else ""
    day, nth = byday[-2:], 1
    if day not in WEEKDAYS:
        return None
    if frequency == "WEEKLY" and byday == day:
        kind = Frequency.weekly
    elif frequency == "MONTHLY" and byday[:-2].removeprefix("+") in {"1", "2", "3", "4", "-1"}:
        kind, nth = Frequency.monthly, int(byday[:-2])
    else:
        return None
    if "COUNT" in parts:
        if not parts["COUNT"].isdigit() or int(parts["COUNT"]) < 1:
            return None
        return Repeat(
            kind, day, int(interval_text), nth, Ending.by_count, count=int(parts["COUNT"])
        )
    until = _read_until(parts["UNTIL"], start=first_start_local.time(), timezone=timezone)
    if until is None:
        return None
    return Repeat(kind, day, int(interval_text), nth, Ending.by_date, until=until)


def describe_repeat(repeat: Repeat | None) -> str:
    """How often, in words: 'Every 2 weeks on Tuesday', 'Monthly on the first Thursday'."""
    if repeat is None:
        return "By a custom repeat rule"
    day = WEEKDAY_NAMES[repeat.day]
    if repeat.frequency is Frequency.weekly:
        every = "Weekly" if repeat.interval == 1 else f"Every {counted(repeat.interval, 'week')}"
        return f"{every} on {day}"
    every = "Monthly" if repeat.interval == 1 else f"Every {counted(repeat.interval, 'month')}"
    return f"{every} on the {ORDINALS[repeat.nth]} {day}"


def summary(rule_text: str, *, first_start_local: datetime, timezone: str) -> str:
    """'Every 2 weeks on Tuesday, 12 sessions, until 30 Jun 2027': the rule in one sentence."""
    phrase = describe_repeat(
        read_rule(rule_text, first_start_local=first_start_local, timezone=timezone)
    )
    try:
        starts = expand(rule_text, first_start_local=first_start_local, timezone=timezone)
    except Invalid:
        return phrase
    last = starts[-1].astimezone(ZoneInfo(timezone))
    return f"{phrase}, {counted(len(starts), 'session')}, until {last.day} {last:%b %Y}"
