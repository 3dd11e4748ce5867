"""Helpers for the invitation tests: audiences, queued emails and the calendars inside them."""

from email.message import EmailMessage

from icalendar import Calendar
from sqlmodel import Session, col, select

from app.mail.compose import compose
from app.models import Delivery, DeliveryKind, Invitation, StorySession


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
