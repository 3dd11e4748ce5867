"""Demo follow-ups: the storytellers' addresses, one letter sent and answered, one draft waiting.

Every storyteller of a session with an approved recap gets an address at their company. The
most recent such session told by someone who agreed to be quoted got its letter three weeks
after the recap; its storyteller replied, rated it, and may be quoted: the next digest quotes
them. The session before it has a draft waiting for the organizer to review and send.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from app.audit import service as audit
from app.db import id_of
from app.demo.story_sessions import DemoSessions
from app.follow_ups import letters, replies
from app.follow_ups.schemas import FollowUpCreate, ReplyCreate
from app.models import (
    Consent,
    Customer,
    DeliveryStatus,
    Recap,
    RecapVersion,
    SessionSpeaker,
    StorySession,
)

REPLY = (
    "Your team called before we had to chase, and my site managers noticed the difference. "
    "Finish what is still open and we will tell our peers about it."
)


@dataclass(frozen=True)
class DemoFollowUps:
    addresses: int
    sent: int
    drafts: int
    replies: int


def _address(name: str, customer: str) -> str:
    local = re.sub(r"[^a-z]+", ".", name.lower()).strip(".")
    domain = re.sub(r"[^a-z0-9]+", "", customer.lower()) or "customer"
    return f"{local}@{domain}.example"


def load_follow_ups(session: Session, *, sessions: DemoSessions, now: datetime) -> DemoFollowUps:
    """Give storytellers addresses, then one sent and answered letter and one draft."""
    with audit.acting_as(audit.SYSTEM):
        return _load(session, sessions=sessions, now=now)


def _load(session: Session, *, sessions: DemoSessions, now: datetime) -> DemoFollowUps:
    rows = session.exec(
        select(StorySession, RecapVersion.approved_at)
        .join(Recap, col(Recap.session_id) == StorySession.id)
        .join(
            RecapVersion,
            (col(RecapVersion.recap_id) == Recap.id)
            & (col(RecapVersion.number) == Recap.latest_version),
        )
        .where(col(StorySession.id).in_(sessions.completed_ids))
        .order_by(col(StorySession.starts_at).desc())
    ).all()
    customers = dict(session.exec(select(Customer.id, Customer.name)).all())
    speakers: dict[int, list[SessionSpeaker]] = {}
    for speaker in session.exec(
        select(SessionSpeaker)
        .where(col(SessionSpeaker.session_id).in_([id_of(s) for s, _ in rows]))
        .order_by(col(SessionSpeaker.id))
    ):
        speakers.setdefault(speaker.session_id, []).append(speaker)
    for story_session, _ in rows:
        for speaker in speakers.get(id_of(story_session), []):
            speaker.email = _address(speaker.name, customers.get(story_session.customer_id, ""))
            session.add(speaker)
    session.flush()
    # Old enough for a reply to have come back; quotable, so the digest can show it.
    answered = [
        (story_session, approved_at)
        for story_session, approved_at in rows
        if approved_at + timedelta(days=28) <= now
        and any(s.consent is not Consent.none for s in speakers.get(id_of(story_session), []))
    ]
    sent = drafts = replied = 0
    if answered:
        story_session, approved_at = answered[0]
        speaker = next(s for s in speakers[id_of(story_session)] if s.consent is not Consent.none)
        follow_up = letters.create_follow_up(
            session, story_session, data=FollowUpCreate(speaker_id=id_of(speaker))
        )
        sent_at = approved_at + timedelta(days=21)
        delivery = letters.send_follow_up(session, follow_up, now=sent_at)
        # History, not a message to send now: the demo's letter went out weeks ago.
        delivery.status = DeliveryStatus.sent
        delivery.attempts = 1
        delivery.sent_at = sent_at + timedelta(seconds=5)
        session.add(delivery)
        replies.record_reply(
            session,
            follow_up,
            data=ReplyCreate(helped=4, text=REPLY, may_quote=True),
            now=min(sent_at + timedelta(days=3), now),
        )
        sent, replied = 1, 1
        waiting = [s for s, _ in rows if s.id != story_session.id and speakers.get(id_of(s))]
        if waiting:
            letters.create_follow_up(
                session,
                waiting[0],
                data=FollowUpCreate(speaker_id=id_of(speakers[id_of(waiting[0])][0])),
            )
            drafts = 1
    session.flush()
    return DemoFollowUps(
        addresses=sum(len(v) for v in speakers.values()),
        sent=sent,
        drafts=drafts,
        replies=replied,
    )
