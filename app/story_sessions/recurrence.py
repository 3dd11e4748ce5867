"""Expand an RFC 5545 RRULE in a timezone into session start instants."""

from datetime import UTC, datetime
from itertools import islice
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

from app.errors import Invalid

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
