"""What an operator does through the HTTP API, with generated files and the figures to expect.

Shared by the scale test (`tests/scale/`) and the load benchmark (`bench/load_faults.py`):
a directory CSV of people across levels, a Zoom participants report for one session (with
rejoins, short stays and guests the directory does not know), and an `Operator` that drives
the JSON API of a running stack with a bearer token.
"""

import math
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2

# Per level key: how many of each 600 people; executives first, as the default levels are.
LEVEL_MIX = {"c-suite": 6, "vp": 30, "director": 60, "manager": 120, "ic": 384}
LEVEL_NAMES = {
    "c-suite": "C-suite",
    "vp": "SVP/VP",
    "director": "Director",
    "manager": "Manager",
    "ic": "Individual contributor",
}
EXECUTIVE_LEVELS = {"c-suite", "vp"}
DEPARTMENTS = ("Support", "Sales", "Engineering", "Finance", "Operations", "Marketing")
MIN_MINUTES = 5  # STORYROOM_ATTENDANCE_MIN_MINUTES' default
EMAIL_DOMAIN = "scale.example"


@dataclass(frozen=True)
class Person:
    email: str
    first: str
    last: str
    title: str
    department: str
    level: str

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


def directory(count: int = 600) -> list[Person]:
    """`count` people, the levels in LEVEL_MIX's proportions, spread over the departments."""
    total = sum(LEVEL_MIX.values())
    levels = [key for key, share in LEVEL_MIX.items() for _ in range(round(share * count / total))]
    levels = (levels + ["ic"] * count)[:count]
    return [
        Person(
            email=f"person{i:05d}@{EMAIL_DOMAIN}",
            first="Person",
            last=f"N{i:05d}",
            title=f"{LEVEL_NAMES[level]} {i}",
            department=DEPARTMENTS[i % len(DEPARTMENTS)],
            level=level,
        )
        for i, level in enumerate(levels)
    ]


def people_csv(people: Sequence[Person]) -> bytes:
    """The HR export: one row per person, the level named in its own column."""
    lines = ["Email,First Name,Last Name,Title,Department,Level"]
    lines += [
        f"{p.email},{p.first},{p.last},{p.title},{p.department},{LEVEL_NAMES[p.level]}"
        for p in people
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


@dataclass(frozen=True)
class ZoomReport:
    content: bytes
    people: dict[str, int]
    """Directory people counted as attended, per level key."""
    rows: int
    guests: int
    """Guests the directory does not know: kept unmatched, counted at the "unknown" level."""

    @property
    def attended(self) -> dict[str, int]:
        """Attendance rows counted as attended, per level key (guests under "unknown")."""
        return {**self.people, "unknown": self.guests} if self.guests else dict(self.people)


def zoom_report(people: Sequence[Person], starts_at: datetime, *, guests: int = 7) -> ZoomReport:
    """A Zoom participants export (UTF-8 BOM, CRLF, MM/DD/YYYY hh:mm:ss AM/PM).

    Of the people: every fourth is absent, every seventh present stays 2 minutes (under the
    threshold), every fifth leaves and rejoins (two rows, their union counted), the rest stay
    20–55 minutes. Times are the session's local time: the session is in UTC.
    """
    header = "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest"
    lines = [header]
    attended: Counter[str] = Counter()

    def row(name: str, email: str, join: datetime, minutes: int, guest: str = "No") -> None:
        leave = join + timedelta(minutes=minutes)
        lines.append(
            f"{name},{email},{join:%m/%d/%Y %I:%M:%S %p},{leave:%m/%d/%Y %I:%M:%S %p},"
            f"{minutes},{guest}"
        )

    for i, person in enumerate(people):
        if i % 4 == 3:
            continue
        join = starts_at + timedelta(seconds=(i * 13) % 600)
        if i % 7 == 0:
            row(person.name, person.email, join, 2)
            continue
        if i % 5 == 0:
            row(person.name, person.email, join, 10)
            row(person.name, person.email, join + timedelta(minutes=15), 12)
        else:
            row(person.name, person.email, join, 20 + i % 36)
        attended[person.level] += 1
    for g in range(guests):
        row(f"Guest {g} (Guest)", "", starts_at + timedelta(minutes=g), 30, "Yes")
    content = "\ufeff" + "\r\n".join(lines) + "\r\n"
    return ZoomReport(
        content=content.encode("utf-8"),
        people=dict(attended),
        rows=len(lines) - 1,
        guests=guests,
    )


def members_csv(people: Sequence[Person]) -> bytes:
    return ("email,name\n" + "".join(f"{p.email},{p.name}\n" for p in people)).encode()


class Operator:
    """The JSON API of a running stack, signed in with a bearer token.

    With several base URLs, consecutive calls go to the next one in turn, so one step's writes
    are read back through another web process.
    """

    def __init__(self, base_urls: Sequence[str], token: str) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        self.clients = [
            httpx2.Client(base_url=url, headers=headers, timeout=120) for url in base_urls
        ]
        self._turn = 0

    def close(self) -> None:
        for client in self.clients:
            client.close()

    def __enter__(self) -> "Operator":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def call(self, method: str, path: str, *, expect: int = 200, **kwargs: Any) -> Any:
        """One API call on the next web process; the JSON answer (raises on another status)."""
        client = self.clients[self._turn % len(self.clients)]
        self._turn += 1
        response = client.request(method, f"/api/v1{path}", **kwargs)
        if response.status_code != expect:
            raise AssertionError(
                f"{method} {path} on {client.base_url}: {response.status_code} "
                f"(expected {expect}): {response.text[:2000]}"
            )
        return response.json() if response.content else None

    def import_people(self, people: Sequence[Person]) -> Any:
        files = {"file": ("hr-export.csv", people_csv(people), "text/csv")}
        return self.call("POST", "/people/import", files=files)

    def schedule_session(self, title: str, starts_at: datetime, *, minutes: int = 60) -> Any:
        body = {
            "title": title,
            "customer": "Contoso Outdoor",
            "starts_at": starts_at.isoformat(),
            "timezone": "UTC",
            "duration_minutes": minutes,
            "platform": "zoom",
            "join_url": "https://zoom.example/j/123456789",
        }
        return self.call("POST", "/sessions", json=body, expect=201)

    def import_attendance(self, session_id: int, report: ZoomReport) -> Any:
        files = {"file": ("participants.csv", report.content, "text/csv")}
        return self.call(
            "POST", f"/sessions/{session_id}/attendance/imports", files=files, expect=201
        )

    def complete(self, session_id: int) -> Any:
        return self.call("POST", f"/sessions/{session_id}/complete")

    def write_and_approve_recap(self, session_id: int) -> Any:
        summary = (
            "## What we heard\n\nOnboarding took three weeks longer than promised, and the "
            "handover from sales lost the customer's goals.\n\n## What we do about it\n\n"
            "Support and sales agree one onboarding plan per customer."
        )
        body = {"summary": summary, "themes": ["onboarding", "handover"]}
        self.call("PUT", f"/sessions/{session_id}/recap", json=body)
        return self.call("POST", f"/sessions/{session_id}/recap/approve", expect=201)

    def create_list(self, name: str, **options: Any) -> Any:
        return self.call("POST", "/lists", json={"name": name, **options}, expect=201)

    def import_members(self, list_id: int, people: Sequence[Person]) -> Any:
        files = {"file": ("members.csv", members_csv(people), "text/csv")}
        return self.call("POST", f"/lists/{list_id}/members/import", files=files)

    def send_recap(self, session_id: int, list_ids: Sequence[int]) -> Any:
        return self.call(
            "POST", f"/sessions/{session_id}/recap/send", json={"list_ids": list(list_ids)}
        )

    def deliveries(self, status: str, **filters: Any) -> int:
        """How many deliveries have this status (total of the listing)."""
        page = self.call("GET", "/deliveries", params={"status": status, "limit": 1, **filters})
        return int(page["total"])

    def wait_drained(
        self, *, timeout: float, expect_sent: int, poll: float = 1.0
    ) -> dict[str, int]:
        """Wait until nothing is queued or sending and `expect_sent` are sent; the counts."""
        deadline = time.monotonic() + timeout
        while True:
            counts = {s: self.deliveries(s) for s in ("queued", "sending", "sent", "failed")}
            idle = counts["queued"] == counts["sending"] == 0
            if idle and counts["sent"] + counts["failed"] >= expect_sent:
                return counts
            if time.monotonic() > deadline:
                raise TimeoutError(f"the outbox did not drain in {timeout:.0f} s: {counts}")
            time.sleep(poll)


def wait_for(check: Callable[[], bool], *, timeout: float, what: str, poll: float = 0.5) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not after {timeout:.0f} s")
        time.sleep(poll)


def soon(seconds: int = 3) -> datetime:
    """A whole second a few seconds from now: when a session scheduled now can start."""
    return datetime.fromtimestamp(math.ceil(time.time()) + seconds, UTC)


def sleep_until(moment: datetime) -> None:
    time.sleep(max(0.0, (moment - datetime.now(UTC)).total_seconds()) + 0.5)
