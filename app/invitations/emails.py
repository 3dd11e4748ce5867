"""The invitation, update, cancellation and session-reminder emails.

Invitations and cancellations carry the iCalendar message twice, the way calendar servers
send them: as a `text/calendar; method=…` alternative (Outlook and Gmail show it as a meeting
with its own buttons) and as an `invite.ics` attachment for every other client.
"""

from email.message import EmailMessage
from typing import Any, Literal

from sqlmodel import Session

from app.errors import NotFound
from app.invitations import calendars, rsvps
from app.mail.compose import composes, new_message, render_email
from app.models import Delivery, DeliveryKind, Invitation, Rsvp, SessionStatus, StorySession
from app.models.story_sessions import PLATFORM_LABELS
from app.templating import local_datetime

ANSWER_COLOURS = {Rsvp.accepted: "#1d7a46", Rsvp.tentative: "#8a5a00", Rsvp.declined: "#b42318"}


def _invitation(session: Session, delivery: Delivery) -> tuple[Invitation, StorySession]:
    invitation_id = delivery.payload.get("invitation_id")
    invitation = session.get(Invitation, invitation_id) if invitation_id else None
    if invitation is None:
        raise NotFound(f"Delivery {delivery.id}: its invitation no longer exists.")
    return invitation, session.get_one(StorySession, invitation.session_id)


def _context(session: Session, story_session: StorySession, **extra: Any) -> dict[str, Any]:
    organizer = calendars.organizer_address(session, story_session)
    has_organizer = story_session.organizer_id is not None
    return {
        "organizer_name": str(organizer.params.get("CN") or organizer.email)
        if has_organizer
        else "The customer-story team",
        "has_organizer": has_organizer,
        "title": story_session.title,
        "when": local_datetime(story_session.starts_at, story_session.timezone),
        "timezone": story_session.timezone,
        "duration_minutes": story_session.duration_minutes,
        "platform": PLATFORM_LABELS[story_session.platform],
        "customer": calendars.customer_name(session, story_session),
        "join_url": story_session.join_url,
        "description": story_session.description.strip(),
        "cancelled": story_session.status is SessionStatus.cancelled,
        **extra,
    }


def _message(
    session: Session, story_session: StorySession, template: str, context: dict[str, Any]
) -> EmailMessage:
    headers: dict[str, str] = {}
    if story_session.organizer_id is not None:
        headers["Reply-To"] = calendars.organizer_address(session, story_session).email
    text, html = render_email(template, context)
    return new_message(context["subject"], text, html, headers)


def _attach_calendar(
    message: EmailMessage, calendar: bytes, method: Literal["REQUEST", "CANCEL"]
) -> None:
    text = calendar.decode()
    message.add_alternative(text, subtype="calendar", params={"method": method})
    message.add_attachment(
        calendar,
        maintype="application",
        subtype="ics",
        filename="invite.ics" if method == "REQUEST" else "cancel.ics",
    )


def _when(story_session: StorySession) -> str:
    return local_datetime(story_session.starts_at, story_session.timezone, "%a %d %b, %H:%M")


@composes(DeliveryKind.invitation)
def invitation_email(session: Session, delivery: Delivery) -> EmailMessage:
    """An invitation (or, after a change, its update) with RSVP links and a meeting request."""
    invitation, story_session = _invitation(session, delivery)
    if story_session.status is SessionStatus.cancelled:
        # Cancelled before this went out: never send a request for a session that is off.
        return cancellation_email(session, delivery)
    update = bool(delivery.payload.get("update"))
    links = rsvps.rsvp_links(invitation, story_session)
    context = _context(
        session,
        story_session,
        subject=f"{'Updated invitation' if update else 'Invitation'}: {story_session.title} "
        f"({_when(story_session)})",
        preheader="Customer-story session: will you come?",
        update=update,
        answered=invitation.rsvp is not Rsvp.needs_action,
        answers=[
            (rsvps.ANSWER_LABELS[answer], url, ANSWER_COLOURS[answer])
            for answer, url in links.items()
        ],
    )
    message = _message(session, story_session, "invitation", context)
    calendar = calendars.invitation_calendar(session, invitation, story_session, method="REQUEST")
    _attach_calendar(message, calendar, "REQUEST")
    return message


@composes(DeliveryKind.cancellation)
def cancellation_email(session: Session, delivery: Delivery) -> EmailMessage:
    """The session is off: METHOD:CANCEL removes it from the invitee's calendar."""
    invitation, story_session = _invitation(session, delivery)
    context = _context(
        session,
        story_session,
        subject=f"Cancelled: {story_session.title} ({_when(story_session)})",
        preheader="This session will not take place.",
        cancelled=True,
    )
    message = _message(session, story_session, "invitation_cancelled", context)
    calendar = calendars.invitation_calendar(session, invitation, story_session, method="CANCEL")
    _attach_calendar(message, calendar, "CANCEL")
    return message


def in_words(minutes: int) -> str:
    """'in 15 minutes', 'in 1 hour', 'in 24 hours', 'in 2 days'."""
    if minutes % 1440 == 0 and minutes > 1440:
        days = minutes // 1440
        return f"in {days} days"
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"in {hours} hour{'' if hours == 1 else 's'}"
    return f"in {minutes} minute{'' if minutes == 1 else 's'}"


@composes(DeliveryKind.session_reminder)
def reminder_email(session: Session, delivery: Delivery) -> EmailMessage:
    """A reminder before the session, with the join link."""
    invitation, story_session = _invitation(session, delivery)
    starts_in = in_words(int(delivery.payload.get("offset_minutes") or 0))
    context = _context(
        session,
        story_session,
        subject=f"Reminder: {story_session.title} starts {starts_in}",
        preheader=f"Starts {starts_in}.",
        starts_in=starts_in,
        decline_url=rsvps.rsvp_url(invitation, story_session, Rsvp.declined),
    )
    return _message(session, story_session, "invitation_reminder", context)
