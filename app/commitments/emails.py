"""The reminder a commitment's owner gets when it falls due, with one-click Done and Dropped."""

from datetime import date
from email.message import EmailMessage

from sqlmodel import Session

from app.commitments import links
from app.config import get_settings
from app.errors import NotFound
from app.mail.compose import composes, new_message, render_email
from app.models import (
    Commitment,
    CommitmentStatus,
    Customer,
    Delivery,
    DeliveryKind,
    StorySession,
    User,
)


def long_date(value: date) -> str:
    return f"{value.day} {value.strftime('%B %Y')}"


@composes(DeliveryKind.commitment_due)
def compose_commitment_due(session: Session, delivery: Delivery) -> EmailMessage:
    """A reminder to a commitment's owner that it is due (or overdue), with close links."""
    commitment = session.get(Commitment, delivery.commitment_id or 0)
    if commitment is None:
        raise NotFound(f"Delivery {delivery.id}: its commitment no longer exists.")
    story_session = session.get(StorySession, commitment.session_id)
    customer = session.get(Customer, story_session.customer_id or 0) if story_session else None
    due = date.fromisoformat(delivery.payload.get("due_on") or str(commitment.due_on))
    today = date.fromisoformat(delivery.payload.get("today") or str(due))
    overdue = due < today
    text, html = render_email(
        "commitment_due",
        {
            "text": commitment.text,
            "session_title": story_session.title if story_session else "",
            "customer": customer.name if customer else "",
            "due": long_date(due),
            "overdue": overdue,
            "done_url": links.close_link(commitment, status=CommitmentStatus.done.value),
            "dropped_url": links.close_link(commitment, status=CommitmentStatus.dropped.value),
            "link_days": get_settings().recap_link_days,
            "preheader": f"Due {long_date(due)}: {commitment.text[:120]}",
        },
    )
    short = commitment.text if len(commitment.text) <= 80 else commitment.text[:77] + "…"
    message = new_message(
        f"{'Overdue' if overdue else 'Due today'}: your commitment — {short}", text, html
    )
    organizer = (
        session.get(User, story_session.organizer_id)
        if story_session is not None and story_session.organizer_id
        else None
    )
    if organizer is not None and organizer.active:
        message["Reply-To"] = organizer.email
    return message
