from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlmodel import Session

from app.models import utcnow
from tests.conftest import PageClient
from tests.factories import create_customer, create_session


def _calendar(response_body: bytes) -> Calendar:
    return Calendar.from_ical(response_body)


def test_ics_has_one_event_in_the_sessions_zone(viewer_api: TestClient, db: Session) -> None:
    starts = datetime(utcnow().year + 1, 7, 1, 14, 0, tzinfo=UTC)
    story_session = create_session(
        db,
        title="Inside Umbrella's rollout",
        starts_at=starts,
        timezone="America/New_York",
        duration_minutes=90,
        join_url="https://meet.example.com/abc",
        description="Three stories from the field.",
        customer=create_customer(db, name="Umbrella Corp"),
    )
    response = viewer_api.get(f"/api/v1/sessions/{story_session.id}.ics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="session-{story_session.id}.ics"'
    )
    calendar = _calendar(response.content)
    [event] = calendar.events
    assert str(event["UID"]) == f"session-{story_session.id}@127.0.0.1"
    assert event["SEQUENCE"] == 0
    assert event["DTSTART"].params["TZID"] == "America/New_York"
    assert isinstance(event.start, datetime)
    assert event.start == starts
    assert event.start.utcoffset() == timedelta(hours=-4)
    assert event.end == starts + timedelta(minutes=90)
    assert str(event["SUMMARY"]) == "Inside Umbrella's rollout"
    assert str(event["LOCATION"]) == "https://meet.example.com/abc"
    assert "Join: https://meet.example.com/abc" in str(event["DESCRIPTION"])
    assert "Three stories from the field." in str(event["DESCRIPTION"])
    assert str(event["DESCRIPTION"]).split("\n")[0] == "Customer: Umbrella Corp"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert [tz.tz_name for tz in calendar.timezones] == ["America/New_York"]


def test_ics_sequence_rises_after_edit_and_cancel(organizer_api: TestClient, db: Session) -> None:
    story_session = create_session(db)
    url = f"/api/v1/sessions/{story_session.id}"
    organizer_api.patch(url, json={"title": "A new title"})
    edited = _calendar(organizer_api.get(f"{url}.ics").content).events[0]
    assert edited["SEQUENCE"] == 1
    assert str(edited["SUMMARY"]) == "A new title"

    organizer_api.delete(url)
    cancelled = _calendar(organizer_api.get(f"{url}.ics").content).events[0]
    assert cancelled["SEQUENCE"] == 2
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert str(cancelled["UID"]) == str(edited["UID"])


def test_ics_of_unknown_session_is_json_404(viewer_api: TestClient) -> None:
    response = viewer_api.get("/api/v1/sessions/999999.ics")
    assert response.status_code == 404
    assert response.json() == {"detail": "There is no session with id 999999."}


def test_ics_download_from_the_page(organizer_web: PageClient, db: Session) -> None:
    story_session = create_session(db, title="Page download")
    response = organizer_web.get(f"/sessions/{story_session.id}.ics")
    assert response.status_code == 200
    assert str(_calendar(response.content).events[0]["SUMMARY"]) == "Page download"
