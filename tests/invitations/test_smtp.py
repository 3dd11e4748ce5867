"""Invitation emails sent by the worker's sender through a real SMTP server on loopback,
parsed back with `email`: the meeting request is there, as Outlook and Gmail expect it."""

from icalendar import Calendar
from sqlmodel import Session

from app.invitations import inviting
from app.invitations.schemas import Audience
from app.mail.sender import send_due
from app.models import DeliveryStatus
from tests.factories import create_person, create_session
from tests.invitations.support import calendar_part, deliveries
from tests.mail.conftest import SmtpServer


def test_invitations_arrive_over_smtp_with_their_meeting_request(
    db: Session,
    smtp_settings: SmtpServer,
) -> None:
    create_person(db, email="ceo@example.com", name="Cara Ceo", level_key="c-suite")
    create_person(db, email="cfo@example.com", name="Carl Cfo", level_key="c-suite")
    story_session = create_session(db, title="Déjà vu at Acme — a customer's story")
    inviting.invite(
        db,
        story_sessions=[story_session],
        audience=Audience(levels=["c-suite"]),
    )
    report = send_due()
    assert report.sent == 2
    db.expire_all()
    assert [d.status for d in deliveries(db)] == [DeliveryStatus.sent] * 2

    received = sorted(smtp_settings.received, key=lambda item: item.rcpt_tos)
    assert [item.rcpt_tos for item in received] == [["ceo@example.com"], ["cfo@example.com"]]
    for item, name in zip(received, ("Cara Ceo", "Carl Cfo"), strict=True):
        message = item.message
        assert message["To"] is not None
        assert item.rcpt_tos[0] in message["To"]
        assert message["Message-ID"]
        assert message["Subject"].startswith("Invitation: Déjà vu at Acme — a customer's story")
        assert message.get_content_type() == "multipart/mixed"
        part = calendar_part(message)
        assert part.get_content_type() == "text/calendar"
        assert part.get_param("method") == "REQUEST"
        assert part.get_content_charset() == "utf-8"
        calendar = Calendar.from_ical(part.get_content())
        assert str(calendar["METHOD"]) == "REQUEST"
        [event] = calendar.events
        assert str(event["SUMMARY"]) == "Déjà vu at Acme — a customer's story"
        assert str(event["UID"]) == f"session-{story_session.id}@127.0.0.1"
        assert str(event["ATTENDEE"]) == f"mailto:{item.rcpt_tos[0]}"
        assert event["ATTENDEE"].params["CN"] == name
        assert event["ATTENDEE"].params["RSVP"] == "TRUE"
        [attachment] = list(message.iter_attachments())
        assert attachment.get_content_type() == "application/ics"
        assert attachment.get_filename() == "invite.ics"
        assert Calendar.from_ical(attachment.get_content()).events[0]["UID"] == event["UID"]
