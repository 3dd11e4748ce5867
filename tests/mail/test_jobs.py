"""The jobs around the sender: the kick after commit, the sweep, and resending failed mail."""

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import Session, col

from app.config import get_settings
from app.mail import outbox, sender, tasks
from app.models import Delivery, DeliveryStatus, Recap, RecapVersion, utcnow
from tests.factories import create_session
from tests.mail.conftest import SmtpServer
from tests.mail.support import queue, reload


@pytest.fixture
def kicks(monkeypatch: pytest.MonkeyPatch) -> list[None]:
    """Each time the sending job is asked for, instead of running it."""
    calls: list[None] = []
    monkeypatch.setattr(tasks, "send_deliveries", lambda: calls.append(None))
    return calls


def test_commit_after_enqueue_sends_the_deliveries(db: Session, smtp_settings: SmtpServer) -> None:
    deliveries = queue(db, "a@example.com", "b@example.com")
    assert smtp_settings.received == []  # nothing leaves before the commit

    db.commit()  # Huey runs jobs inline in tests: the kicked job sends now

    assert smtp_settings.recipients() == ["a@example.com", "b@example.com"]
    assert [row.status for row in reload(db, deliveries)] == [DeliveryStatus.sent] * 2


def test_send_is_requested_once_per_committed_transaction(db: Session, kicks: list[None]) -> None:
    queue(db, "a@example.com")
    queue(db, "b@example.com")
    outbox.request_send(db)
    db.commit()
    assert len(kicks) == 1

    db.commit()  # a later transaction that queued nothing asks for nothing
    assert len(kicks) == 1


def test_rolled_back_transaction_requests_nothing(db: Session, kicks: list[None]) -> None:
    queue(db, "a@example.com")
    db.rollback()
    db.commit()
    assert kicks == []


def test_enqueue_of_known_deliveries_requests_nothing(db: Session, kicks: list[None]) -> None:
    queue(db, "a@example.com")
    db.commit()
    assert queue(db, "A@example.com") == []  # the same dedup key: nothing new
    db.commit()
    assert len(kicks) == 1


def _claimed(db: Session, delivery: Delivery, *, minutes_ago: float, attempts: int = 1) -> None:
    db.execute(
        update(Delivery)
        .where(col(Delivery.id) == delivery.id)
        .values(
            status=DeliveryStatus.sending,
            claimed_by="dead-host/1234/abc",
            claimed_at=utcnow() - timedelta(minutes=minutes_ago),
            attempts=attempts,
        )
    )
    db.flush()


def test_sweep_requeues_stale_claims_and_sends_them(db: Session, smtp_settings: SmtpServer) -> None:
    stale, fresh, queued = queue(db, "stale@example.com", "busy@example.com", "new@example.com")
    _claimed(db, stale, minutes_ago=11)
    _claimed(db, fresh, minutes_ago=2)  # a live worker is sending this one right now

    tasks.sweep_deliveries.call_local()

    assert smtp_settings.recipients() == ["stale@example.com", "new@example.com"]
    rows = reload(db, [stale, fresh, queued])
    assert [(row.status, row.attempts) for row in rows] == [
        (DeliveryStatus.sent, 2),
        (DeliveryStatus.sending, 1),
        (DeliveryStatus.sent, 1),
    ]


def test_requeue_stale_gives_up_after_the_last_attempt(db: Session, kicks: list[None]) -> None:
    max_attempts = get_settings().mail_max_attempts
    again, exhausted = queue(db, "again@example.com", "crashy@example.com")
    _claimed(db, again, minutes_ago=30, attempts=2)
    _claimed(db, exhausted, minutes_ago=30, attempts=max_attempts)

    assert sender.requeue_stale() == 2

    rows = reload(db, [again, exhausted])
    assert [(row.status, row.claimed_by) for row in rows] == [
        (DeliveryStatus.queued, ""),
        (DeliveryStatus.failed, "dead-host/1234/abc"),
    ]
    assert rows[0].last_error == "The worker stopped while sending this message; queued again."
    assert rows[1].last_error == "The worker stopped while sending this message, too many times."


def _failed(db: Session, *deliveries: Delivery) -> None:
    db.execute(
        update(Delivery)
        .where(col(Delivery.id).in_([d.id for d in deliveries]))
        .values(status=DeliveryStatus.failed, attempts=8, last_error="550 no such user")
    )
    db.flush()


def _version(db: Session) -> RecapVersion:
    story_session = create_session(db)
    recap = Recap(session_id=story_session.id or 0)
    db.add(recap)
    db.flush()
    version = RecapVersion(recap_id=recap.id or 0, number=1, document={})
    db.add(version)
    db.flush()
    return version


def test_resend_failed_for_a_recap_version(db: Session, kicks: list[None]) -> None:
    version = _version(db)
    failed, sent, other = queue(
        db, "a@example.com", "b@example.com", "c@example.com", recap_version_id=version.id
    )
    [elsewhere] = queue(db, "d@example.com")
    _failed(db, failed, other, elsewhere)
    db.execute(
        update(Delivery).where(col(Delivery.id) == sent.id).values(status=DeliveryStatus.sent)
    )
    db.commit()
    kicks.clear()

    assert outbox.resend_failed(db, recap_version_id=version.id) == 2
    db.commit()

    rows = reload(db, [failed, sent, other, elsewhere])
    assert [row.status for row in rows] == [
        DeliveryStatus.queued,
        DeliveryStatus.sent,
        DeliveryStatus.queued,
        DeliveryStatus.failed,
    ]
    assert (rows[0].attempts, rows[0].last_error) == (0, "")
    assert rows[0].next_attempt_at <= utcnow()
    assert len(kicks) == 1


def test_resend_failed_for_one_delivery(db: Session, kicks: list[None]) -> None:
    one, another = queue(db, "a@example.com", "b@example.com")
    _failed(db, one, another)

    assert outbox.resend_failed(db, delivery_id=one.id) == 1
    assert outbox.resend_failed(db, delivery_id=one.id) == 0  # queued now, not failed

    assert [row.status for row in reload(db, [one, another])] == [
        DeliveryStatus.queued,
        DeliveryStatus.failed,
    ]


def test_resend_failed_needs_a_choice(db: Session) -> None:
    with pytest.raises(ValueError, match="recap_version_id, delivery_id or delivery_ids"):
        outbox.resend_failed(db)
