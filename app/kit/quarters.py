"""Calendar quarters, as the dashboards count periods: whole days in UTC."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time


@dataclass(frozen=True, order=True)
class Quarter:
    """One calendar quarter: Q1 is January to March."""

    year: int
    number: int

    @classmethod
    def of(cls, day: date) -> "Quarter":
        """The quarter `day` falls in."""
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        """The last day of the quarter."""
        following = self.next().start
        return date.fromordinal(following.toordinal() - 1)

    @property
    def label(self) -> str:
        return f"Q{self.number} {self.year}"

    def next(self) -> "Quarter":
        return Quarter(self.year + self.number // 4, self.number % 4 + 1)

    def previous(self) -> "Quarter":
        return Quarter(self.year - (self.number == 1), (self.number - 2) % 4 + 1)

    def instant(self) -> datetime:
        """The quarter's first moment, in UTC."""
        return datetime.combine(self.start, time.min, tzinfo=UTC)


def quarters_ending(last: Quarter, count: int) -> list[Quarter]:
    """`count` quarters, oldest first, the last being `last`."""
    quarters = [last]
    while len(quarters) < count:
        quarters.append(quarters[-1].previous())
    return quarters[::-1]


def bounds(quarters: list[Quarter]) -> list[datetime]:
    """The instants that start each quarter, then the one after the last (for bucketing)."""
    return [quarter.instant() for quarter in quarters] + [quarters[-1].next().instant()]
