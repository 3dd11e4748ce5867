"""The storyteller's letter: the organizer's text as reviewed, with their signed reply link."""

from email.message import EmailMessage

from sqlmodel import Session

from app.errors import NotFound
from app.follow_ups.drafting import long_date
from app.follow_ups.replies import reply_link_expires, reply_url
from app.mail.compose import composes, new_message, render_email
from app.models import Delivery, DeliveryKind, FollowUp, RecapVersion, StorySession, User


def paragraphs(body: str) -> list[list[str]]:
    """Plain text as paragraphs of lines (blank lines part paragraphs), for the HTML part."""
    blocks = [block.strip("\n") for block in body.replace("\r\n", "\n").split("\n\n")]
    return [block.split("\n") for block in blocks if block.strip()]


def _reply_to(session: Session, follow_up: FollowUp) -> str:
    """Whoever sent the letter, else the session's organizer: replies reach a person."""
    story_session = session.get(StorySession, follow_up.session_id)
    for user_id in (follow_up.sent_by_id, story_session.organizer_id if story_session else None):
        user = session.get(User, user_id) if user_id is not None else None
        if user is not None and user.active:
            return user.email
    return ""


@composes(DeliveryKind.follow_up)
def compose_follow_up(session: Session, delivery: Delivery) -> EmailMessage:
    """The letter as the organizer wrote it, and a button to reply and rate whether it helped."""
    follow_up = session.get(FollowUp, delivery.follow_up_id or 0)
    if follow_up is None:
        raise NotFound(f"Delivery {delivery.id}: its follow-up no longer exists.")
    version = session.get(RecapVersion, follow_up.recap_version_id or 0)
    company = str(version.document.get("company_name", "")) if version is not None else ""
    text, html = render_email(
        "follow_up",
        {
            **({"company_name": company} if company else {}),
            "subject": follow_up.subject,
            "body": follow_up.body,
            "paragraphs": paragraphs(follow_up.body),
            "reply_url": reply_url(follow_up),
            "link_expires": long_date(reply_link_expires(follow_up).date()),
            "preheader": "What became of your story, and a minute to tell us if it helped.",
        },
    )
    message = new_message(follow_up.subject, text, html)
    reply_to = _reply_to(session, follow_up)
    if reply_to:
        message["Reply-To"] = reply_to
    return message
