"""Owners are reminded once per due date, by email with one-click Done and Dropped links."""

from datetime import timedelta
from email.message import EmailMessage

from sqlmodel import Session, select

from app.commitments.reminders import queue_commitment_reminders
from app.commitments.tasks import send_commitment_reminders
from app.models import (
    CommitmentStatus,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    utcnow,
)
from tests.commitments.helpers import add_commitment, make_world
from tests.mail.conftest import SmtpServer


def _body(message: EmailMessage, kind: str) -> str:
    part = message.get_body(preferencelist=(kind,))
    assert part is not None
    return str(part.get_content())


def test_a_due_commitment_is_emailed_once_with_close_links(
    db: Session, smtp_settings: SmtpServer
) -> None:
    world = make_world(db)
    today = utcnow().date()
    due = add_commitment(
        db, world.story_session, world.leader, text="Call every churned account", due_on=today
    )
    add_commitment(
        db, world.story_session, world.leader, text="Later", due_on=today + timedelta(days=9)
    )
    add_commitment(
        db,
        world.story_session,
        world.leader,
        text="Already done",
        due_on=today,
        status=CommitmentStatus.done,
    )
    add_commitment(
        db,
        world.story_session,
        world.leader,
        text="Dropped one",
        due_on=today - timedelta(days=1),
        status=CommitmentStatus.dropped,
    )

    assert send_commitment_reminders() == 1

    (received,) = smtp_settings.received
    assert received.rcpt_tos == ["vera@example.com"]
    message = received.message
    assert message["Subject"] == "Due today: your commitment — Call every churned account"
    text = _body(message, "plain")
    html = _body(message, "html")
    assert "You committed to this after the customer-story session “What Meridian told us”" in text
    assert "/p/commitments/close/" in text
    assert "?status=done" in text
    assert "?status=dropped" in text
    assert ">Done</a>" in html
    assert ">Dropped</a>" in html
    (delivery,) = db.exec(
        select(Delivery).where(Delivery.kind == DeliveryKind.commitment_due)
    ).all()
    assert delivery.commitment_id == due.id
    assert delivery.status is DeliveryStatus.sent

    assert send_commitment_reminders() == 0  # not twice
    assert queue_commitment_reminders(db, now=utcnow() + timedelta(hours=6)) == []
    assert len(smtp_settings.received) == 1


def test_a_new_due_date_is_reminded_again_and_an_overdue_one_says_so(db: Session) -> None:
    world = make_world(db)
    today = utcnow().date()
    commitment = add_commitment(
        db, world.story_session, world.leader, due_on=today - timedelta(days=3)
    )

    (first,) = queue_commitment_reminders(db)
    commitment.due_on = today
    db.add(commitment)
    db.flush()
    (second,) = queue_commitment_reminders(db)

    assert first.dedup_key == f"commitment_due:{commitment.id}:{today - timedelta(days=3)}"
    assert second.dedup_key == f"commitment_due:{commitment.id}:{today}"
    assert queue_commitment_reminders(db) == []


def test_no_reminder_for_old_closed_or_erased_owners(db: Session) -> None:
    world = make_world(db)
    today = utcnow().date()
    add_commitment(db, world.story_session, world.leader, due_on=today - timedelta(days=90))
    world.leader.active = False
    add_commitment(db, world.story_session, world.leader, due_on=today)
    db.add(world.leader)
    db.flush()

    assert queue_commitment_reminders(db) == []


def test_the_overdue_reminder_subject(db: Session, smtp_settings: SmtpServer) -> None:
    world = make_world(db)
    add_commitment(
        db,
        world.story_session,
        world.leader,
        text="Review the refund policy",
        due_on=utcnow().date() - timedelta(days=4),
    )

    send_commitment_reminders()

    (received,) = smtp_settings.received
    assert received.message["Subject"] == "Overdue: your commitment — Review the refund policy"
    assert "OVERDUE: Review the refund policy" in _body(received.message, "plain")
