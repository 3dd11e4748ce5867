"""Interval merging: the union of presence, checked by properties over random intervals."""

from datetime import UTC, datetime, timedelta
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from app.attendance.parsing import merge_intervals, total_minutes

T0 = datetime(2024, 3, 5, 10, 0, tzinfo=UTC)
Interval = tuple[datetime, datetime]


def at(minute: int) -> datetime:
    return T0 + timedelta(minutes=minute)


intervals = st.lists(
    st.tuples(st.integers(-30, 300), st.integers(-30, 300)).map(
        lambda pair: (at(pair[0]), at(pair[1]))
    ),
    max_size=30,
)


def covered(merged: list[Interval], minute: float) -> bool:
    moment = T0 + timedelta(minutes=minute)
    return any(start <= moment < end for start, end in merged)


def test_merge_intervals_examples() -> None:
    # overlapping (two devices), touching (a reconnect), empty and inverted ones
    assert merge_intervals(
        [(at(0), at(30)), (at(20), at(40)), (at(40), at(50)), (at(60), at(60)), (at(90), at(80))]
    ) == [(at(0), at(50))]
    assert merge_intervals([(at(30), at(40)), (at(0), at(10))]) == [
        (at(0), at(10)),
        (at(30), at(40)),
    ]
    assert merge_intervals([]) == []
    assert total_minutes([(at(0), at(10)), (at(30), at(40))]) == 20


@given(intervals)
def test_merge_intervals_result_is_sorted_and_disjoint(items: list[Interval]) -> None:
    merged = merge_intervals(items)

    assert all(start < end for start, end in merged)
    assert all(a[1] < b[0] for a, b in pairwise(merged))


@given(intervals)
def test_merge_intervals_covers_exactly_the_union(items: list[Interval]) -> None:
    merged = merge_intervals(items)

    # every half minute from before the first to after the last possible instant
    for step in range(-70, 620):
        minute = step / 2
        in_input = any(start <= at(0) + timedelta(minutes=minute) < end for start, end in items)
        assert covered(merged, minute) == in_input


@given(intervals)
def test_merge_intervals_total_is_at_most_the_sum(items: list[Interval]) -> None:
    merged = merge_intervals(items)

    summed = sum((end - start).total_seconds() for start, end in items if end > start) / 60
    assert total_minutes(merged) <= summed


@given(intervals)
def test_merge_intervals_is_idempotent(items: list[Interval]) -> None:
    merged = merge_intervals(items)

    assert merge_intervals(merged) == merged
    assert merge_intervals(reversed(items)) == merged
