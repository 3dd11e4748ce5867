"""Calendar feeds: a per-user secret, kept only as a hash; revocable; all sessions or a series."""

import hashlib
import random
from datetime import timedelta

from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlmodel import Session, col, select

from app.demo.people import load_people
from app.demo.story_sessions import load_sessions
from app.models import CalendarFeed, SessionSpeaker, SessionStatus, StorySession, utcnow
from tests.conftest import PageClient
from tests.factories import create_customer, create_series, create_session, create_speaker
from tests.invitations.support import assert_events_match


def _path(url: str) -> str:
    return url.removeprefix("http://127.0.0.1:8000")


def _feed(organizer_api: TestClient, anon: TestClient, path: str = "sessions.ics") -> Calendar:
    url = organizer_api.post("/api/v1/calendar-feed").json()["url"]
    response = anon.get(_path(url).replace("sessions.ics", path))
    assert response.status_code == 200, response.text
    return Calendar.from_ical(response.content)


def test_create_read_and_revoke_a_feed_through_the_api(
    organizer_api: TestClient, anon: TestClient, db: Session
) -> None:
    assert organizer_api.get("/api/v1/calendar-feed").json()["active"] is False
    created = organizer_api.post("/api/v1/calendar-feed")
    assert created.status_code == 201
    url = created.json()["url"]
    assert url.startswith("http://127.0.0.1:8000/p/calendar/")
    assert url.endswith("/sessions.ics")
    token = url.split("/")[-2]
    [feed] = db.exec(select(CalendarFeed)).all()
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in feed.token_hash

    status = organizer_api.get("/api/v1/calendar-feed").json()
    assert status["active"] is True
    assert status["url"] is None

    response = anon.get(_path(url))
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"

    revoked = organizer_api.delete("/api/v1/calendar-feed")
    assert revoked.json()["active"] is False
    gone = anon.get(_path(url))
    assert gone.status_code == 404
    assert "revoked" in gone.json()["detail"]


def test_rotating_stops_the_old_address(organizer_api: TestClient, anon: TestClient) -> None:
    old = organizer_api.post("/api/v1/calendar-feed").json()["url"]
    new = organizer_api.post("/api/v1/calendar-feed").json()["url"]
    assert old != new
    assert anon.get(_path(old)).status_code == 404
    assert anon.get(_path(new)).status_code == 200


def test_unknown_tokens_are_not_found(anon: TestClient, db: Session) -> None:
    for path in ("/p/calendar/nope/sessions.ics", "/p/calendar/nope/series/1.ics"):
        assert anon.get(path).status_code == 404


def test_the_feed_publishes_recent_and_upcoming_sessions(
    organizer_api: TestClient, anon: TestClient, db: Session
) -> None:
    now = utcnow()
    upcoming = create_session(db, title="Upcoming", timezone="America/New_York")
    recent = create_session(
        db, title="Recent", starts_at=now - timedelta(days=30), status=SessionStatus.completed
    )
    create_session(
        db, title="Too old", starts_at=now - timedelta(days=91), status=SessionStatus.completed
    )
    off = create_session(
        db, title="Called off", starts_at=now + timedelta(days=3), status=SessionStatus.cancelled
    )
    url = organizer_api.post("/api/v1/calendar-feed").json()["url"]
    calendar = Calendar.from_ical(anon.get(_path(url)).content)
    assert str(calendar["METHOD"]) == "PUBLISH"
    events = {str(event["SUMMARY"]): event for event in calendar.events}
    assert set(events) == {"Upcoming", "Recent", "Called off"}
    assert str(events["Called off"]["STATUS"]) == "CANCELLED"
    assert str(events["Upcoming"]["STATUS"]) == "CONFIRMED"
    assert str(events["Upcoming"]["UID"]) == f"session-{upcoming.id}@127.0.0.1"
    assert str(events["Recent"]["UID"]) == f"session-{recent.id}@127.0.0.1"
    assert events["Called off"]["SEQUENCE"] == off.sequence
    assert sorted(tz.tz_name for tz in calendar.timezones) == ["America/New_York", "Europe/Paris"]
    assert "ATTENDEE" not in events["Upcoming"]


def test_a_series_feed_holds_only_that_series(
    organizer_api: TestClient, anon: TestClient, db: Session
) -> None:
    series = create_series(db)
    create_session(db, title="In the series", series=series)
    url = organizer_api.post("/api/v1/calendar-feed").json()["url"]
    series_path = _path(url).replace("sessions.ics", f"series/{series.id}.ics")
    calendar = Calendar.from_ical(anon.get(series_path).content)
    assert [str(e["SUMMARY"]) for e in calendar.events] == ["In the series"]
    assert str(calendar["X-WR-CALNAME"]) == "Voice of the customer"
    missing = anon.get(_path(url).replace("sessions.ics", "series/999999.ics"))
    assert missing.status_code == 404


def test_the_calendar_page_shows_the_address_once(
    organizer_web: PageClient, anon: TestClient, db: Session
) -> None:
    page = organizer_web.get("/calendar")
    assert "You have no calendar feed." in page.text
    created = organizer_web.submit("/calendar/feed")
    assert created.status_code == 200
    url = created.text.split('id="feed-url" class="feed-url" type="text" readonly value="', 1)[1]
    url = url.split('"', 1)[0]
    assert anon.get(_path(url)).status_code == 200
    again = organizer_web.get("/calendar")
    assert url not in again.text
    assert "Turn the feed off" in again.text
    organizer_web.submit("/calendar/feed/revoke")
    assert anon.get(_path(url)).status_code == 404


def test_the_feed_names_each_sessions_customer(
    organizer_api: TestClient, anon: TestClient, db: Session
) -> None:
    series = create_series(db)
    acme = create_customer(db, name="Acme Logistics")
    umbrella = create_customer(db, name="Umbrella Corp")
    now = utcnow()
    sessions = [
        create_session(db, title="Acme's desk", customer=acme, series=series),
        create_session(
            db,
            title="Umbrella's rollout",
            customer=umbrella,
            starts_at=now - timedelta(days=14),
            status=SessionStatus.completed,
            timezone="America/New_York",
        ),
        create_session(db, title="Acme again", customer=acme, starts_at=now + timedelta(days=21)),
        create_session(db, title="No customer yet", starts_at=now + timedelta(days=28)),
    ]
    create_speaker(db, sessions[0], name="Ana Ruiz")
    create_speaker(db, sessions[1], name="Bo Chen", title="COO")

    assert_events_match(db, _feed(organizer_api, anon), sessions)
    in_series = _feed(organizer_api, anon, f"series/{series.id}.ics")
    assert_events_match(db, in_series, sessions[:1])


def test_the_feed_of_the_demo_schedule_matches_the_database(
    organizer_api: TestClient, anon: TestClient, db: Session
) -> None:
    now = utcnow()
    rng = random.Random(7)
    people = load_people(db, rng=rng, progress=lambda _: None)
    demo = load_sessions(db, people=people, rng=rng, now=now, progress=lambda _: None)
    shown = db.exec(
        select(StorySession).where(StorySession.starts_at >= now - timedelta(days=90))
    ).all()
    assert {s.customer_id for s in shown} - {None}
    assert db.exec(
        select(SessionSpeaker).where(col(SessionSpeaker.session_id).in_([s.id for s in shown]))
    ).first()

    assert_events_match(db, _feed(organizer_api, anon), shown)
    in_series = _feed(organizer_api, anon, f"series/{demo.series_id}.ics")
    assert_events_match(db, in_series, [s for s in shown if s.series_id == demo.series_id])
