from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from sqlmodel import Session, col, select

from app.demo import load_demo
from app.demo.story_sessions import SERIES_TITLE
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

LONDON = ZoneInfo("Europe/London")


def _sessions(db: Session) -> list[StorySession]:
    return list(db.exec(select(StorySession).order_by(col(StorySession.starts_at))).all())


def _last_sunday(year: int, month: int) -> date:
    last = date(year, month + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - 6) % 7)


def test_load_demo_sessions_fortnightly_for_a_year_and_a_quarter(db: Session) -> None:
    now = utcnow()
    summary = load_demo(db)

    sessions = _sessions(db)
    local = [s.starts_at.astimezone(LONDON) for s in sessions]
    assert summary.sessions == len(sessions)
    assert {(start.weekday(), start.time()) for start in local} == {(1, time(16, 0))}
    gaps = {(b.date() - a.date()).days for a, b in pairwise(local)}
    assert gaps == {14}
    assert now - timedelta(days=372) <= sessions[0].starts_at <= now - timedelta(days=358)
    assert now + timedelta(days=77) <= sessions[-1].starts_at <= now + timedelta(days=92)
    assert {s.timezone for s in sessions} == {"Europe/London"}


def test_load_demo_sessions_keep_local_time_across_dst(db: Session) -> None:
    load_demo(db, now=datetime(2026, 6, 16, 9, 0, tzinfo=UTC))

    starts = [s.starts_at for s in _sessions(db)]
    for change, hours_before, hours_after in (
        (_last_sunday(2025, 10), 15, 16),  # clocks go back: BST → GMT
        (_last_sunday(2026, 3), 16, 15),  # clocks go forward: GMT → BST
    ):
        before = max(s for s in starts if s.date() < change)
        after = min(s for s in starts if s.date() > change)
        assert (after - before, before.hour, after.hour) == (
            timedelta(days=14, hours=hours_after - hours_before),
            hours_before,
            hours_after,
        )
        assert before.astimezone(LONDON).time() == after.astimezone(LONDON).time() == time(16)


def test_load_demo_sessions_past_completed_future_scheduled(db: Session) -> None:
    now = datetime(2026, 6, 16, 9, 0, tzinfo=UTC)
    summary = load_demo(db, now=now)

    sessions = _sessions(db)
    cancelled = [s for s in sessions if s.status is SessionStatus.cancelled]
    assert len(cancelled) == summary.cancelled == 1
    assert cancelled[0].starts_at.month in (12, 1)
    assert "Cancelled" in cancelled[0].description
    for story_session in sessions:
        if story_session.status is not SessionStatus.cancelled:
            ended = story_session.starts_at + timedelta(minutes=60) <= now
            expected = SessionStatus.completed if ended else SessionStatus.scheduled
            assert story_session.status is expected, story_session.starts_at
    statuses = Counter(s.status for s in sessions)
    assert (statuses[SessionStatus.completed], statuses[SessionStatus.scheduled]) == (
        summary.completed,
        summary.scheduled,
    )
    assert summary.scheduled >= 5


def test_load_demo_series_generates_the_sessions(db: Session) -> None:
    load_demo(db)

    series = db.exec(select(Series)).one()
    sessions = _sessions(db)
    expanded = [
        local.replace(tzinfo=LONDON).astimezone(UTC)
        for local in rrulestr(series.rrule, dtstart=series.first_start_local)
    ]
    assert series.title == SERIES_TITLE == "Voice of the Customer (demo)"
    assert "Northwind Outfitters (demo)" in series.description
    assert (series.timezone, series.duration_minutes) == ("Europe/London", 60)
    assert [s.starts_at for s in sessions] == expanded
    assert {s.series_id for s in sessions} == {series.id}
    assert {s.host_id for s in sessions} == {series.host_id}


def test_load_demo_sessions_believable_titles_customers_and_links(db: Session) -> None:
    summary = load_demo(db)

    sessions = _sessions(db)
    customers = {c.id: c.name for c in db.exec(select(Customer)).all()}
    assert summary.customers == len(customers) >= 20
    assert "Harbor Lane Logistics" in customers.values()
    assert all(s.customer_id in customers for s in sessions)
    assert len({s.title for s in sessions}) == len(sessions)
    assert all("{" not in s.title + s.description for s in sessions)
    platforms = Counter(s.platform for s in sessions)
    assert platforms[Platform.zoom] + platforms[Platform.teams] >= len(sessions) * 0.7
    hosts = {urlsplit(s.join_url).hostname for s in sessions}
    assert all(str(host).endswith(".example.com") for host in hosts)


def test_load_demo_sessions_one_or_two_speakers_with_mixed_consent(db: Session) -> None:
    load_demo(db)

    sessions = _sessions(db)
    speakers = db.exec(select(SessionSpeaker)).all()
    per_session = Counter(speaker.session_id for speaker in speakers)
    assert set(per_session) == {s.id for s in sessions}
    assert set(per_session.values()) == {1, 2}
    assert {speaker.consent for speaker in speakers} == set(Consent)
    assert all(speaker.name and speaker.title for speaker in speakers)
