"""The demo series: a year of fortnightly customer-story sessions, and a quarter still to come."""

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from sqlalchemy import insert
from sqlmodel import Session, col, select

from app.demo.names import CUSTOMERS, FIRST_NAMES, LAST_NAMES, SESSION_STORIES, SPEAKER_TITLES
from app.demo.people import DemoPeople
from app.models import (
    Consent,
    Customer,
    Platform,
    Series,
    SessionSpeaker,
    SessionStatus,
    StorySession,
    utcnow,
)

SERIES_TITLE = "Voice of the Customer (demo)"
TIMEZONE = "Europe/London"
LOCAL_START = time(16, 0)
DURATION_MINUTES = 60
DAYS_BACK = 365
DAYS_AHEAD = 91
SERIES_URL = "https://zoom.example.com/j/4815162342"
PLATFORMS = (Platform.zoom, Platform.teams, Platform.meet, Platform.webex)
PLATFORM_WEIGHTS = (10, 8, 1, 1)
CONSENTS = (Consent.named, Consent.company_only, Consent.anonymous, Consent.none)
CONSENT_WEIGHTS = (4, 3, 2, 1)


@dataclass(frozen=True)
class DemoSessions:
    """What later demo modules (attendance, recaps) need from the schedule."""

    series_id: int
    customers: int
    completed_ids: list[int]
    scheduled_ids: list[int]
    cancelled_ids: list[int]


def series_rrule(now: datetime) -> tuple[datetime, str]:
    """The series' local DTSTART (a Tuesday about a year ago) and its RRULE, ending ahead of now."""
    zone = ZoneInfo(TIMEZONE)
    today = now.astimezone(zone).date()
    first = today - timedelta(days=DAYS_BACK)
    first += timedelta(days=(1 - first.weekday()) % 7)  # the next Tuesday
    fortnights = (today + timedelta(days=DAYS_AHEAD) - first).days // 14
    rule = f"FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;COUNT={fortnights + 1}"
    return datetime.combine(first, LOCAL_START), rule


def load_sessions(
    session: Session,
    *,
    people: DemoPeople,
    rng: random.Random,
    now: datetime,
    progress: Callable[[str], None],
) -> DemoSessions:
    """Insert the demo customers, the series and its sessions with their speakers."""
    customer_ids = _customers(session)
    progress(f"Customers: {len(customer_ids)}")
    first_local, rule = series_rrule(now)
    inserted = utcnow()
    stamp = {"created_at": inserted, "updated_at": inserted}
    series_id = session.exec(
        insert(Series).returning(col(Series.id)),
        params={
            "title": SERIES_TITLE,
            "description": (
                "Every other Tuesday a customer tells Northwind Outfitters (demo) employees, "
                "in their own words, what it is like to work with us. Demo data."
            ),
            "rrule": rule,
            "timezone": TIMEZONE,
            "first_start_local": first_local,
            "duration_minutes": DURATION_MINUTES,
            "platform": Platform.zoom,
            "join_url": SERIES_URL,
            "host_id": people.host_id,
            "organizer_id": None,
            **stamp,
        },
    ).scalar_one()

    zone = ZoneInfo(TIMEZONE)
    starts = [
        local.replace(tzinfo=zone).astimezone(UTC) for local in rrulestr(rule, dtstart=first_local)
    ]
    stories = rng.sample(SESSION_STORIES, len(SESSION_STORIES))
    customers = rng.sample(CUSTOMERS, len(CUSTOMERS))
    ends = [start + timedelta(minutes=DURATION_MINUTES) for start in starts]
    past = [index for index, end in enumerate(ends) if end <= now]
    cancelled = min(past, key=lambda index: _days_from_christmas(starts[index].date()))
    rows: list[dict[str, Any]] = []
    for index, start in enumerate(starts):
        name, short = customers[index % len(customers)]
        title, description = stories[index % len(stories)]
        platform = rng.choices(PLATFORMS, PLATFORM_WEIGHTS)[0]
        status = SessionStatus.completed if index in past else SessionStatus.scheduled
        if index == cancelled:
            status = SessionStatus.cancelled
            description += " Cancelled: the customer asked to move their story to the new year."
        rows.append(
            {
                "title": title.format(short=short),
                "description": description.format(short=short),
                "customer_id": customer_ids[name],
                "series_id": series_id,
                "starts_at": start,
                "timezone": TIMEZONE,
                "duration_minutes": DURATION_MINUTES,
                "platform": platform,
                "join_url": SERIES_URL if platform is Platform.zoom else _join_url(platform, rng),
                "host_id": people.host_id,
                "organizer_id": None,
                "status": status,
                "sequence": 1 if status is SessionStatus.cancelled else 0,
                **stamp,
            }
        )
    result = session.exec(
        insert(StorySession).returning(col(StorySession.id), sort_by_parameter_order=True),
        params=rows,
    )
    session_ids = [session_id for (session_id,) in result.all()]
    session.exec(insert(SessionSpeaker), params=_speakers(session_ids, rng))
    progress(f"Sessions: {len(session_ids)}")

    def with_status(status: SessionStatus) -> list[int]:
        return [i for i, row in zip(session_ids, rows, strict=True) if row["status"] is status]

    return DemoSessions(
        series_id=series_id,
        customers=len(customer_ids),
        completed_ids=with_status(SessionStatus.completed),
        scheduled_ids=with_status(SessionStatus.scheduled),
        cancelled_ids=with_status(SessionStatus.cancelled),
    )


def _customers(session: Session) -> dict[str, int]:
    """Customer ids by name, reusing any customer that already has a demo customer's name."""
    names = [name for name, _ in CUSTOMERS]
    existing = session.exec(select(Customer).where(col(Customer.name).in_(names))).all()
    ids = {customer.name: customer.id for customer in existing if customer.id is not None}
    missing = [name for name in names if name not in ids]
    if missing:
        now = utcnow()
        result = session.exec(
            insert(Customer).returning(col(Customer.id), sort_by_parameter_order=True),
            params=[{"name": name, "created_at": now, "updated_at": now} for name in missing],
        )
        ids.update(zip(missing, (customer_id for (customer_id,) in result.all()), strict=True))
    return ids


def _speakers(session_ids: list[int], rng: random.Random) -> list[dict[str, Any]]:
    """One or two storytellers per session, with a mix of quoting consents."""
    rows = []
    for session_id in session_ids:
        for _ in range(rng.choices((1, 2), (2, 1))[0]):
            rows.append(
                {
                    "session_id": session_id,
                    "name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    "title": rng.choice(SPEAKER_TITLES),
                    "consent": rng.choices(CONSENTS, CONSENT_WEIGHTS)[0],
                }
            )
    return rows


def _join_url(platform: Platform, rng: random.Random) -> str:
    if platform is Platform.teams:
        return f"https://teams.example.com/l/meetup-join/{rng.getrandbits(64):016x}"
    if platform is Platform.meet:
        letters = "".join(rng.choices("abcdefghijkmnopqrstuvwxyz", k=10))
        return f"https://meet.example.com/{letters[:3]}-{letters[3:7]}-{letters[7:]}"
    return f"https://webex.example.com/meet/northwind-{rng.randrange(10**6, 10**7)}"


def _days_from_christmas(day: date) -> int:
    """Distance to the nearest 25 December: the holiday session is the one that gets cancelled."""
    return min(abs((day - date(year, 12, 25)).days) for year in (day.year - 1, day.year))
