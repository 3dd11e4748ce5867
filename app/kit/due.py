"""When something dated falls due: "today" is read in the zone of the session it came from."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo


def due_bounds(now: datetime, *, lookback_days: int) -> tuple[date, date]:
    """The due dates any zone can see as due now, for a query: UTC ± 1 day bounds every zone."""
    return now.date() - timedelta(days=lookback_days + 1), now.date() + timedelta(days=1)


def due_today(
    due_on: date | None, timezone: str, now: datetime, *, lookback_days: int
) -> date | None:
    """Today in `timezone` when `due_on` is today or passed at most `lookback_days` ago, else None.

    Older dates are left alone: loading a year of history must not mail about every old promise.
    """
    today = now.astimezone(ZoneInfo(timezone)).date()
    if due_on is None or not today - timedelta(days=lookback_days) <= due_on <= today:
        return None
    return today
