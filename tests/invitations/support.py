"""Helpers for the invitation tests: audiences, queued emails and the calendars inside them."""

from collections.abc import Sequence
from email.message import EmailMessage

from icalendar import Calendar
from sqlmodel import Session, col, select

from app.mail.compose import compose
from app.models import Customer, Delivery, DeliveryKind, Invitation, StorySession


def deliveries(session: Session, *, kind: DeliveryKind | None = None) -> list[Delivery]:
    query = select(Delivery).order_by(col(Delivery.id))
    if kind is not None:
        query = query.where(Delivery.kind == kind)
    return list(session.exec(query).all())


def invitations(session: Session, story_session: StorySession) -> list[Invitation]:
    return list(
        session.exec(
            select(Invitation)
            .where(Invitation.session_id == story_session.id)
            .order_by(col(Invitation.email))
        ).all()
    )


def calendar_part(message: EmailMessage) -> EmailMessage:
    """The text/calendar alternative of an invitation email."""
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert isinstance(part, EmailMessage)
    return part


def calendar_of(message: EmailMessage) -> Calendar:
    """The iCalendar object an email carries, parsed by the icalendar library."""
    return Calendar.from_ical(calendar_part(message).get_content())


def composed(session: Session, delivery: Delivery) -> EmailMessage:
    return compose(session, delivery)


def assert_events_match(
    session: Session, calendar: Calendar, story_sessions: Sequence[StorySession]
) -> None:
    """The calendar holds one event per session, saying what the database says about it."""
    events = {str(event["UID"]): event for event in calendar.events}
    assert set(events) == {f"session-{s.id}@127.0.0.1" for s in story_sessions}
    for story_session in story_sessions:
        event = events[f"session-{story_session.id}@127.0.0.1"]
        assert str(event["SUMMARY"]) == story_session.title
        # iCalendar times have whole seconds.
        assert event.start == story_session.starts_at.replace(microsecond=0)
        assert event["DTSTART"].params["TZID"] == story_session.timezone
        description = str(event.get("DESCRIPTION", ""))
        customer = session.get(Customer, story_session.customer_id or 0)
        if customer is None:
            assert "Customer:" not in description
        else:
            assert description.split("\n")[0] == f"Customer: {customer.name}"
