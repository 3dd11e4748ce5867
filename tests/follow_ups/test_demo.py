"""The demo shows a storyteller who heard back and replied, and a letter waiting to be sent."""

from datetime import UTC, datetime

from sqlmodel import Session, col, select

from app.demo import load_demo
from app.follow_ups.digest_quotes import replies_to_quote
from app.models import (
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    FollowUp,
    FollowUpReply,
    Recap,
    SessionSpeaker,
)

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def test_the_demo_storyteller_replies_and_a_draft_waits(db: Session) -> None:
    load_demo(db, now=NOW)

    recapped = select(Recap.session_id).where(col(Recap.latest_version) > 0)
    speakers = db.exec(
        select(SessionSpeaker).where(col(SessionSpeaker.session_id).in_(recapped))
    ).all()
    assert speakers
    assert all(s.email.endswith(".example") and "@" in s.email for s in speakers)

    follow_ups = db.exec(select(FollowUp).order_by(col(FollowUp.id))).all()
    assert [f.sent_at is not None for f in follow_ups] == [True, False]
    sent, draft = follow_ups
    assert sent.sent_at is not None
    assert sent.sent_at <= NOW
    assert draft.body.startswith("Dear ")
    delivery = db.exec(select(Delivery).where(Delivery.kind == DeliveryKind.follow_up)).one()
    assert (delivery.follow_up_id, delivery.status) == (sent.id, DeliveryStatus.sent)

    [reply] = db.exec(select(FollowUpReply)).all()
    assert (reply.follow_up_id, reply.helped, reply.may_quote) == (sent.id, 4, True)
    assert reply.created_at <= NOW
    # Quoted by the next digest, as the storyteller's consent allows.
    [quoted] = replies_to_quote(db, until=NOW)
    assert quoted.reply_id == reply.id
