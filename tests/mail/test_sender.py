"""The sender against a real SMTP server on loopback: headers, retries, refusals, the outbox."""

import logging
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlmodel import Session, col

from app.config import get_settings
from app.mail import sender
from app.mail.sender import message_id, retry_delay, send_due
from app.models import Delivery, DeliveryStatus, utcnow
from tests.mail.conftest import SmtpServer
from tests.mail.support import ATTACHMENT, queue, reload


def _time_passes(session: Session) -> None:
    """Every retry falls due now."""
    session.execute(update(Delivery).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    session.flush()


def _attachment(message: EmailMessage) -> bytes:
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "recap.pdf"
    content = attachment.get_content()
    assert isinstance(content, bytes)
    return content


def test_send_due_delivers_each_message_with_envelope_headers(
    db: Session, smtp_settings: SmtpServer
) -> None:
    before = utcnow()
    first, second = queue(db, "ceo@example.com", "Cfo@Example.com")

    report = send_due()

    assert (report.claimed, report.sent, report.retrying, report.failed) == (2, 2, 0, 0)
    assert smtp_settings.recipients() == ["ceo@example.com", "cfo@example.com"]
    received = smtp_settings.received[0].message
    assert received["From"] == get_settings().mail_from
    assert received["To"] == "Ceo <ceo@example.com>"
    assert received["Subject"] == "Recap for Ceo"
    assert received["Reply-To"] == "organizer@example.com"
    assert received["Message-ID"] == message_id(
        first.id or 0, "test:ceo@example.com", get_settings().mail_from
    )
    assert received["Message-ID"].endswith("@localhost>")
    assert before - timedelta(seconds=1) <= received["Date"].datetime <= utcnow()
    body = received.get_body(("plain",))
    assert body is not None
    assert body.get_content().rstrip() == "What the customer said."
    assert _attachment(received) == ATTACHMENT
    # One connection carried the batch.
    assert len({item.peer for item in smtp_settings.received}) == 1
    for row in reload(db, [first, second]):
        assert row.status is DeliveryStatus.sent
        assert row.attempts == 1
        assert row.last_error == ""
        assert row.sent_at is not None
        assert row.sent_at >= before
        assert row.claimed_by.split("/")[1].isdigit()


def test_message_id_is_the_same_on_every_attempt_and_differs_per_delivery() -> None:
    mail_from = "Storyroom <recaps@stories.example.com>"
    assert message_id(7, "recap:3:a@example.com", mail_from) == message_id(
        7, "recap:3:a@example.com", mail_from
    )
    assert message_id(7, "recap:3:a@example.com", mail_from).endswith("@stories.example.com>")
    assert message_id(8, "recap:3:b@example.com", mail_from) != message_id(
        7, "recap:3:a@example.com", mail_from
    )


def test_retry_delay_doubles_from_a_minute_up_to_an_hour() -> None:
    assert [retry_delay(n).total_seconds() / 60 for n in range(1, 10)] == [
        1, 2, 4, 8, 16, 32, 60, 60, 60,
    ]  # fmt: skip


def test_refused_connection_is_retried_later_then_sent_once(
    db: Session, smtp_settings: SmtpServer
) -> None:
    deliveries = queue(db, "a@example.com", "b@example.com", "c@example.com")
    smtp_settings.stop()

    report = send_due()

    assert (report.sent, report.retrying, report.failed) == (0, 3, 0)
    for row in reload(db, deliveries):
        assert row.status is DeliveryStatus.queued
        assert row.attempts == 1
        assert "Connection refused" in row.last_error
        assert timedelta(seconds=50) < row.next_attempt_at - utcnow() <= timedelta(minutes=1)
    # Not due yet: nothing is claimed before the backoff has passed.
    assert send_due().claimed == 0

    smtp_settings.start()
    _time_passes(db)
    report = send_due()

    assert (report.sent, report.retrying, report.failed) == (3, 0, 0)
    assert smtp_settings.recipients() == ["a@example.com", "b@example.com", "c@example.com"]
    rows = reload(db, deliveries)
    assert [(row.status, row.attempts, row.last_error) for row in rows] == [
        (DeliveryStatus.sent, 2, "")
    ] * 3


def test_server_answering_421_is_a_transient_failure(
    db: Session, smtp_settings: SmtpServer
) -> None:
    [delivery] = queue(db, "a@example.com")
    smtp_settings.rcpt_reply = "421 4.3.2 Too busy, try again later"

    assert send_due().retrying == 1

    [row] = reload(db, [delivery])
    assert (row.status, row.last_error) == (
        DeliveryStatus.queued,
        "421 4.3.2 Too busy, try again later",
    )
    smtp_settings.rcpt_reply = None
    _time_passes(db)
    assert send_due().sent == 1
    assert smtp_settings.recipients() == ["a@example.com"]


def test_recipient_rejected_with_550_fails_with_the_reason_while_others_are_sent(
    db: Session, smtp_settings: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    deliveries = queue(db, "a@example.com", "gone@example.com", "c@example.com")
    smtp_settings.reject["gone@example.com"] = "550 5.1.1 <gone@example.com>: no such user"

    with caplog.at_level(logging.DEBUG):
        report = send_due()

    # The log names the delivery by id; the address stays in the database only.
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("app.")]
    assert f"delivery {deliveries[1].id} failed: 550 5.1.1 <<address>>: no such user" in ours
    assert not [line for line in ours if "gone@example.com" in line]

    assert (report.sent, report.retrying, report.failed) == (2, 0, 1)
    assert smtp_settings.recipients() == ["a@example.com", "c@example.com"]
    rows = reload(db, deliveries)
    assert [row.status for row in rows] == [
        DeliveryStatus.sent,
        DeliveryStatus.failed,
        DeliveryStatus.sent,
    ]
    assert rows[1].last_error == "550 5.1.1 <gone@example.com>: no such user"
    assert rows[1].sent_at is None
    # Failed stays failed: the sweep and later batches leave it alone.
    _time_passes(db)
    assert send_due().claimed == 0


def test_message_rejected_at_data_with_5xx_fails(db: Session, smtp_settings: SmtpServer) -> None:
    [delivery] = queue(db, "a@example.com")
    smtp_settings.data_reply = "554 5.6.0 Message content rejected"

    assert send_due().failed == 1

    [row] = reload(db, [delivery])
    assert (row.status, row.last_error) == (
        DeliveryStatus.failed,
        "554 5.6.0 Message content rejected",
    )


def test_composer_that_raises_fails_its_delivery_and_the_batch_goes_on(
    db: Session, smtp_settings: SmtpServer
) -> None:
    broken, fine = queue(db, "a@example.com")[0], queue(db, "b@example.com")[0]
    db.execute(
        update(Delivery)
        .where(col(Delivery.id) == broken.id)
        .values(payload={"explode": "the recap version has no PDF"})
    )

    report = send_due()

    assert (report.sent, report.failed) == (1, 1)
    assert smtp_settings.recipients() == ["b@example.com"]
    rows = reload(db, [broken, fine])
    assert [row.status for row in rows] == [DeliveryStatus.failed, DeliveryStatus.sent]
    assert rows[0].last_error == "Could not write this email: the recap version has no PDF"


def test_invalid_address_fails_instead_of_crashing(db: Session, smtp_settings: SmtpServer) -> None:
    [delivery] = queue(db, "not an address")

    assert send_due().failed == 1

    [row] = reload(db, [delivery])
    assert row.status is DeliveryStatus.failed
    assert row.last_error.startswith("Could not write this email:")


def test_delivery_fails_after_the_last_attempt(db: Session, smtp_settings: SmtpServer) -> None:
    settings = get_settings()
    [delivery] = queue(db, "a@example.com", attempts=settings.mail_max_attempts - 1)
    smtp_settings.stop()

    assert send_due().failed == 1

    [row] = reload(db, [delivery])
    assert row.status is DeliveryStatus.failed
    assert row.attempts == settings.mail_max_attempts
    assert row.last_error.startswith(f"Gave up after {settings.mail_max_attempts} attempts: ")
    assert "Connection refused" in row.last_error


def test_send_until_idle_sends_batch_after_batch(db: Session, smtp_settings: SmtpServer) -> None:
    emails = [f"person{n:02}@example.com" for n in range(7)]
    queue(db, *emails)

    report = sender.send_until_idle(limit=3)

    assert (report.claimed, report.sent, report.more) == (7, 7, False)
    assert smtp_settings.recipients() == emails
    assert len({item.peer for item in smtp_settings.received}) == 1


def test_outbox_is_used_without_an_smtp_url(
    db: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "smtp_url", "")
    monkeypatch.setattr(get_settings(), "var_dir", tmp_path)
    [delivery] = queue(db, "ceo@example.com")

    assert send_due().sent == 1

    [path] = (tmp_path / "outbox").iterdir()
    expected = message_id(delivery.id or 0, delivery.dedup_key, get_settings().mail_from)
    assert path.name == expected.strip("<>") + ".eml"
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    assert message["Message-ID"] == expected
    assert message["To"] == "Ceo <ceo@example.com>"
    assert _attachment(message) == ATTACHMENT
