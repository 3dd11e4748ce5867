from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from app.errors import Invalid
from app.story_sessions.recurrence import (
    Ending,
    Frequency,
    Repeat,
    describe_repeat,
    expand,
    local_to_instant,
    read_rule,
    summary,
    write_rule,
)


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


# The plain controls: controls → RRULE → controls gives back what was chosen.

PARIS = "Europe/Paris"
FIRST = datetime(2027, 3, 2, 16, 0)  # noqa: DTZ001 - wall clock; a Tuesday, before the DST change


@pytest.mark.parametrize(
    ("repeat", "rule"),
    [
        (Repeat(Frequency.weekly, "TU", count=12), "FREQ=WEEKLY;BYDAY=TU;COUNT=12"),
        (
            Repeat(Frequency.weekly, "TU", interval=2, count=6),
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;COUNT=6",
        ),
        (
            Repeat(Frequency.weekly, "TH", 3, ending=Ending.by_date, until=date(2027, 6, 30)),
            # The end of 30 June in Paris (summer time, UTC+2) is 21:59:59 UTC.
            "FREQ=WEEKLY;INTERVAL=3;BYDAY=TH;UNTIL=20270630T215959Z",
        ),
        (Repeat(Frequency.monthly, "TH", nth=1, count=12), "FREQ=MONTHLY;BYDAY=1TH;COUNT=12"),
        (
            Repeat(
                Frequency.monthly, "FR", nth=-1, ending=Ending.by_date, until=date(2027, 12, 31)
            ),
            # Winter time again (UTC+1) at the end.
            "FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20271231T225959Z",
        ),
        (
            Repeat(Frequency.monthly, "MO", 2, nth=3, count=4),
            "FREQ=MONTHLY;INTERVAL=2;BYDAY=3MO;COUNT=4",
        ),
    ],
)
def test_controls_write_the_rule_and_read_it_back(repeat: Repeat, rule: str) -> None:
    assert write_rule(repeat, timezone=PARIS) == rule
    assert read_rule(rule, first_start_local=FIRST, timezone=PARIS) == repeat


def test_controls_until_across_a_dst_change_keeps_the_last_session_and_local_time() -> None:
    # From winter (UTC+1) into summer (UTC+2) time: 28 March 2027 in Paris.
    repeat = Repeat(Frequency.weekly, "TU", ending=Ending.by_date, until=date(2027, 4, 6))
    rule = write_rule(repeat, timezone=PARIS)
    starts = expand(rule, first_start_local=FIRST, timezone=PARIS)
    local = [start.astimezone(ZoneInfo(PARIS)) for start in starts]
    assert [d.date() for d in local] == [date(2027, 3, d) for d in (2, 9, 16, 23, 30)] + [
        date(2027, 4, 6)
    ]
    assert {(d.hour, d.minute) for d in local} == {(16, 0)}
    assert starts[-1] == datetime(2027, 4, 6, 14, 0, tzinfo=UTC)
    assert read_rule(rule, first_start_local=FIRST, timezone=PARIS) == repeat


def test_read_rule_takes_an_until_before_the_start_time_as_the_day_before() -> None:
    # UNTIL at 15:00 UTC on 6 April (17:00 in Paris) lets the 16:00 session that day in;
    # at 13:00 UTC (15:00 in Paris) it does not, so the last day is the 5th.
    late = read_rule(
        "FREQ=WEEKLY;BYDAY=TU;UNTIL=20270406T150000Z", first_start_local=FIRST, timezone=PARIS
    )
    early = read_rule(
        "FREQ=WEEKLY;BYDAY=TU;UNTIL=20270406T130000Z", first_start_local=FIRST, timezone=PARIS
    )
    assert late is not None
    assert late.until == date(2027, 4, 6)
    assert early is not None
    assert early.until == date(2027, 4, 5)


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10",
        "FREQ=DAILY;COUNT=5",
        "FREQ=MONTHLY;BYMONTHDAY=15;COUNT=5",
        "FREQ=MONTHLY;BYDAY=5TU;COUNT=5",
        "FREQ=WEEKLY;BYDAY=TU;COUNT=5;UNTIL=20271231T000000Z",
        "FREQ=WEEKLY;BYDAY=TU",
        "FREQ=WEEKLY;BYDAY=TU;COUNT=5;BYSETPOS=1",
        "not a rule",
    ],
)
def test_rules_the_controls_cannot_express_are_left_raw(rule: str) -> None:
    assert read_rule(rule, first_start_local=FIRST, timezone=PARIS) is None


def test_summary_says_how_often_how_many_and_until_when() -> None:
    rule = "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;COUNT=12"
    assert summary(rule, first_start_local=FIRST, timezone=PARIS) == (
        "Every 2 weeks on Tuesday, 12 sessions, until 3 Aug 2027"
    )
    assert summary("FREQ=MONTHLY;BYDAY=1TH;COUNT=1", first_start_local=FIRST, timezone=PARIS) == (
        "Monthly on the first Thursday, 1 session, until 4 Mar 2027"
    )
    assert summary("FREQ=DAILY;COUNT=3", first_start_local=FIRST, timezone=PARIS) == (
        "By a custom repeat rule, 3 sessions, until 4 Mar 2027"
    )
    assert describe_repeat(Repeat(Frequency.weekly, "SU")) == "Weekly on Sunday"
