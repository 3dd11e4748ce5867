"""The calendar objects in invitation emails, parsed back with icalendar: what Outlook and
Google Calendar read to show a meeting, update it and cancel it."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from icalendar import Calendar, Event
from sqlmodel import Session

from app.invitations import inviting, rsvps
from app.invitations.schemas import Audience
from app.models import DeliveryKind, Platform, Rsvp, StorySession, User, utcnow
from app.story_sessions import service as sessions
from app.story_sessions.schemas import SeriesCreate
from tests.conftest import PageClient
from tests.factories import create_customer, create_person, create_session, create_user
from tests.invitations.support import calendar_of, calendar_part, composed, deliveries, invitations

PARIS = ZoneInfo("Europe/Paris")


def _invite(db: Session, story_session: StorySession, *emails: str) -> None:
    inviting.invite(
        db,
        story_sessions=[story_session],
        audience=Audience(emails=list(emails)),
    )


def _event(calendar: Calendar) -> Event:
    [event] = calendar.events
    return event


def _organizer(db: Session) -> User:
    user = create_user(db, email="cx.lead@example.com")
    user.name = "Cora Lead"
    db.flush()
    return user


def test_invitation_is_a_meeting_request(db: Session) -> None:
    organizer = _organizer(db)
    create_person(db, email="ceo@example.com", name="Cara Ceo", level_key="c-suite")
    starts = datetime(utcnow().year + 1, 6, 2, 14, 0, tzinfo=UTC)
    story_session = create_session(
        db,
        title="How Acme runs its desk",
        starts_at=starts,
        timezone="Europe/Paris",
        join_url="https://zoom.example.com/j/42",
        description="Their head of support tells it.",
        customer=create_customer(db, name="Acme"),
        organizer_id=organizer.id,
    )
    _invite(db, story_session, "ceo@example.com")
    [delivery] = deliveries(db)
    message = composed(db, delivery)

    assert message["Subject"] == "Invitation: How Acme runs its desk (Wed 02 Jun, 16:00)"
    assert message["Reply-To"] == "cx.lead@example.com"
    part = calendar_part(message)
    assert part.get_content_type() == "text/calendar"
    assert part.get_param("method") == "REQUEST"
    [attachment] = [p for p in message.iter_attachments() if p.get_filename() == "invite.ics"]
    assert Calendar.from_ical(attachment.get_content()).to_ical() == calendar_of(message).to_ical()

    calendar = calendar_of(message)
    assert str(calendar["METHOD"]) == "REQUEST"
    event = _event(calendar)
    assert str(event["UID"]) == f"session-{story_session.id}@127.0.0.1"
    assert event["SEQUENCE"] == 0
    assert "DTSTAMP" in event
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert event.start == starts
    assert isinstance(event.start, datetime)
    assert event.start.utcoffset() == timedelta(hours=2)
    assert event.end == starts + timedelta(minutes=60)
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/Paris"]
    assert str(event["ORGANIZER"]) == "mailto:cx.lead@example.com"
    assert event["ORGANIZER"].params["CN"] == "Cora Lead"
    attendee = event["ATTENDEE"]
    assert str(attendee) == "mailto:ceo@example.com"
    assert dict(attendee.params) == {
        "CN": "Cara Ceo",
        "CUTYPE": "INDIVIDUAL",
        "ROLE": "REQ-PARTICIPANT",
        "PARTSTAT": "NEEDS-ACTION",
        "RSVP": "TRUE",
    }
    assert str(event["LOCATION"]) == "https://zoom.example.com/j/42"
    description = str(event["DESCRIPTION"])
    assert "Join: https://zoom.example.com/j/42" in description
    assert "Customer: Acme" in description
    [_invitation] = invitations(db, story_session)
    for answer, label in (("accepted", "Yes"), ("tentative", "Maybe"), ("declined", "No")):
        assert f"{label}: http://127.0.0.1:8000/p/rsvp/" in description
        assert f"?answer={answer}" in description
    assert str(event["STATUS"]) == "CONFIRMED"

    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None
    assert html is not None
    assert "When: Wed 02 Jun" in text.get_content()
    assert "16:00 (Europe/Paris), 60 minutes" in text.get_content()
    assert 'style="' in html.get_content()
    assert "Will you come?" in html.get_content()


def test_without_an_organizer_account_the_sender_organizes(db: Session) -> None:
    create_person(db, email="vp@example.com", name="Vic Vp", level_key="vp")
    story_session = create_session(db)
    _invite(db, story_session, "vp@example.com")
    event = _event(calendar_of(composed(db, deliveries(db)[0])))
    assert str(event["ORGANIZER"]) == "mailto:storyroom@localhost"
    assert event["ORGANIZER"].params["CN"] == "Storyroom"


def test_reschedule_sends_an_update_with_a_higher_sequence_except_to_decliners(
    organizer_api: TestClient, db: Session
) -> None:
    for email in ("yes@example.com", "no@example.com", "quiet@example.com"):
        create_person(db, email=email, name=email.split("@")[0].title(), level_key="vp")
    story_session = create_session(db)
    _invite(db, story_session, "yes@example.com", "no@example.com", "quiet@example.com")
    first = _event(calendar_of(composed(db, deliveries(db)[0])))
    no, _quiet, yes = invitations(db, story_session)
    rsvps.record_rsvp(db, yes, answer=Rsvp.accepted)
    rsvps.record_rsvp(db, no, answer=Rsvp.declined)

    later = (story_session.starts_at + timedelta(days=1, hours=2)).replace(second=0, microsecond=0)
    response = organizer_api.patch(
        f"/api/v1/sessions/{story_session.id}", json={"starts_at": later.isoformat()}
    )
    assert response.status_code == 200, response.text
    db.expire_all()  # the request changed the session through its own database session
    updates = [d for d in deliveries(db) if d.payload.get("update")]
    assert sorted(d.dedup_key for d in updates) == [
        f"invite:{story_session.id}:quiet@example.com:1",
        f"invite:{story_session.id}:yes@example.com:1",
    ]
    message = composed(db, updates[0])
    assert message["Subject"].startswith("Updated invitation: ")
    updated = _event(calendar_of(message))
    assert str(updated["UID"]) == str(first["UID"])
    assert updated.sequence == 1
    assert first.sequence == 0
    assert updated.start == later

    # A change calendars do not show (the description) sends nothing.
    organizer_api.patch(f"/api/v1/sessions/{story_session.id}", json={"description": "More"})
    assert len(deliveries(db)) == 3 + 2


def test_cancel_sends_method_cancel_to_every_invitee(
    organizer_web: PageClient, db: Session
) -> None:
    create_person(db, email="ceo@example.com", name="Cara Ceo", level_key="c-suite")
    create_person(db, email="no@example.com", name="No", level_key="vp")
    story_session = create_session(db)
    _invite(db, story_session, "ceo@example.com", "no@example.com")
    rsvps.record_rsvp(db, invitations(db, story_session)[1], answer=Rsvp.declined)

    response = organizer_web.submit(f"/sessions/{story_session.id}/cancel")
    assert response.status_code == 303
    db.expire_all()
    cancels = deliveries(db, kind=DeliveryKind.cancellation)
    assert [d.dedup_key for d in cancels] == [
        f"cancel:{story_session.id}:ceo@example.com:1",
        f"cancel:{story_session.id}:no@example.com:1",
    ]
    message = composed(db, cancels[0])
    assert message["Subject"].startswith("Cancelled: ")
    assert calendar_part(message).get_param("method") == "CANCEL"
    calendar = calendar_of(message)
    assert str(calendar["METHOD"]) == "CANCEL"
    event = _event(calendar)
    assert str(event["STATUS"]) == "CANCELLED"
    assert event["SEQUENCE"] == 1
    assert str(event["UID"]) == f"session-{story_session.id}@127.0.0.1"
    assert str(event["ATTENDEE"]) == "mailto:ceo@example.com"

    # An invitation still queued when the session was cancelled goes out as the cancellation.
    invitation_mail = composed(db, deliveries(db, kind=DeliveryKind.invitation)[0])
    assert str(calendar_of(invitation_mail)["METHOD"]) == "CANCEL"


def test_a_weekly_series_keeps_its_local_time_across_the_march_dst_change(db: Session) -> None:
    """Paris moves from UTC+1 to UTC+2 on the last Sunday of March: 16:00 stays 16:00."""
    create_person(db, email="ceo@example.com", name="Cara Ceo", level_key="c-suite")
    year = utcnow().year + 1
    series, _ = sessions.create_series(
        db,
        data=SeriesCreate(
            title="Voice of the customer",
            rrule="FREQ=WEEKLY;COUNT=4;BYDAY=TH",
            timezone="Europe/Paris",
            first_start_local=datetime(year, 3, 18, 16, 0),  # noqa: DTZ001 (wall clock)
            duration_minutes=60,
            platform=Platform.teams,
        ),
    )
    upcoming = inviting.upcoming_sessions(db, series)
    inviting.invite(
        db,
        story_sessions=upcoming,
        audience=Audience(emails=["ceo@example.com"]),
    )
    events = [_event(calendar_of(composed(db, d))) for d in deliveries(db)]
    assert len(events) == 4
    starts = [event.start for event in events]
    assert all(isinstance(start, datetime) for start in starts)
    local = [start.astimezone(PARIS) for start in starts if isinstance(start, datetime)]
    assert [(d.hour, d.minute) for d in local] == [(16, 0)] * 4
    assert [start.utcoffset() for start in local] == [timedelta(hours=1)] * 2 + [
        timedelta(hours=2)
    ] * 2
    assert len({str(event["UID"]) for event in events}) == 4
    for event in events:
        assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    # The VTIMEZONE describes both offsets, so calendars place every occurrence right.
    calendar = calendar_of(composed(db, deliveries(db)[0]))
    [timezone] = calendar.timezones
    offsets = {sub["TZOFFSETTO"].to_ical() for sub in timezone.subcomponents}
    assert offsets == {"+0100", "+0200"}
