from datetime import UTC, datetime

import pytest

from app.errors import Invalid
from app.story_sessions.recurrence import expand, local_to_instant


def test_local_time_missing_on_spring_forward_day_is_shifted_forward() -> None:
    # 02:30 does not exist in Paris on 28 March 2027: clocks jump from 02:00 to 03:00.
    instant = local_to_instant(datetime(2027, 3, 28, 2, 30), "Europe/Paris")  # noqa: DTZ001
    assert instant == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)


def test_ambiguous_local_time_takes_the_first_occurrence() -> None:
    instant = local_to_instant(datetime(2027, 10, 31, 2, 30), "Europe/Paris")  # noqa: DTZ001
    assert instant == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)


def test_expand_accepts_rrule_prefix_and_local_until() -> None:
    starts = expand(
        "RRULE:FREQ=DAILY;UNTIL=20270103T235959",
        first_start_local=datetime(2027, 1, 1, 9),  # noqa: DTZ001
        timezone="UTC",
    )
    assert starts == [datetime(2027, 1, day, 9, tzinfo=UTC) for day in (1, 2, 3)]


def test_expand_refuses_several_lines() -> None:
    with pytest.raises(Invalid, match="one RRULE line"):
        expand(
            "FREQ=DAILY;COUNT=2\nRRULE:FREQ=DAILY;COUNT=3",
            first_start_local=datetime(2027, 1, 1, 9),  # noqa: DTZ001
            timezone="UTC",
        )


def test_expand_refuses_a_rule_with_no_occurrence() -> None:
    with pytest.raises(Invalid, match="makes no sessions"):
        expand(
            "FREQ=DAILY;UNTIL=20260101T000000Z",
            first_start_local=datetime(2027, 1, 1, 9),  # noqa: DTZ001
            timezone="UTC",
        )
