"""Presence as a union of intervals: two devices or a quick rejoin are not counted twice."""

from collections.abc import Iterable
from datetime import datetime

Interval = tuple[datetime, datetime]


def merge_intervals(intervals: Iterable[Interval]) -> list[Interval]:
    """The union of the intervals, sorted; touching ones merge, empty or negative ones drop."""
    merged: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def total_minutes(merged: Iterable[Interval]) -> float:
    """Minutes covered by already merged (disjoint) intervals."""
    return sum((end - start).total_seconds() for start, end in merged) / 60
