"""A completed session told by one storyteller, its recap approved through the real services,
with action items done, in progress and still open."""

from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage

from sqlmodel import Session, select

from app.models import (
    ActionItem,
    ActionStatus,
    Consent,
    Customer,
    SessionSpeaker,
    SessionStatus,
    StorySession,
    utcnow,
)
from app.recaps.action_items import add_action_update, create_action_item
from app.recaps.approval import approve_recap
from app.recaps.quotes import add_quote
from app.recaps.schemas import ActionItemCreate, ActionUpdateCreate, QuoteCreate, RecapUpdate
from app.recaps.working_copy import update_recap
from tests.factories import create_customer, create_session, create_speaker

OWN_WORDS = "We waited three weeks for a refund & nobody called us back."


@dataclass
class Story:
    story_session: StorySession
    speaker: SessionSpeaker
    items: list[ActionItem]


def told_story(
    db: Session,
    *,
    consent: Consent = Consent.named,
    email: str = "ana.ruiz@acme.example",
    approve: bool = True,
    title: str = "How Acme waits for refunds",
) -> Story:
    """A completed session with one storyteller, a quote, three action items and, by
    default, its recap approved."""
    customer = db.exec(select(Customer)).first() or create_customer(db)
    story_session = create_session(
        db,
        title=title,
        status=SessionStatus.completed,
        starts_at=utcnow() - timedelta(days=30),
        customer=customer,
    )
    speaker = create_speaker(db, story_session, consent=consent)
    speaker.email = email
    db.add(speaker)
    db.flush()
    update_recap(
        db,
        story_session=story_session,
        data=RecapUpdate(summary="Refunds take too long.", themes=["Refunds"]),
    )
    if consent is not Consent.none:
        add_quote(
            db, story_session=story_session, data=QuoteCreate(speaker_id=speaker.id, text=OWN_WORDS)
        )
    done = create_action_item(
        db,
        story_session=story_session,
        data=ActionItemCreate(description="Refund within five working days"),
    )
    moving = create_action_item(
        db,
        story_session=story_session,
        data=ActionItemCreate(description="Call back every customer who waits"),
    )
    still = create_action_item(
        db,
        story_session=story_session,
        data=ActionItemCreate(
            description="Show refund status online", due_on=utcnow().date() + timedelta(days=40)
        ),
    )
    add_action_update(
        db, item=done, data=ActionUpdateCreate(note="Live since May", status=ActionStatus.done)
    )
    add_action_update(
        db,
        item=moving,
        data=ActionUpdateCreate(note="Team of four trained", status=ActionStatus.in_progress),
    )
    if approve:
        approve_recap(db, story_session=story_session, render=False)
    return Story(story_session, speaker, [done, moving, still])


def body_of(message: EmailMessage, kind: str) -> str:
    """The message's plain or html body, with line ends as Python writes them."""
    part = message.get_body(preferencelist=(kind,))
    assert part is not None
    content: str = part.get_content()
    return content.replace("\r\n", "\n")
