"""The worker's sending loop: claim due deliveries, compose, send, record each outcome.

The delivery rows are the truth. A worker claims a batch in one short transaction (queued →
sending, with its id and the time), so two workers never take the same row. Each message is
marked sent in its own commit right after the server accepts it: a crash in between leaves
that one row `sending`, and the sweep (`requeue_stale`) queues it again once the claim is
old, so it may arrive twice (with the same Message-ID) but is never lost. A recap is claimed
only once its version's PDF is stored: the PDF is rendered by its own job, never while sending.
"""

import hashlib
import logging
import os
import re
import socket
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Any

from sqlalchemy import exists, or_, update
from sqlmodel import Session, col, select

from app.config import get_settings
from app.db import open_session
from app.mail.compose import compose, one_line
from app.mail.transport import SendError, Transport, transport_for
from app.models import Delivery, DeliveryStatus, RecapVersion, utcnow

log = logging.getLogger(__name__)

RETRY_FIRST = timedelta(minutes=1)
RETRY_LONGEST = timedelta(hours=1)
ENVELOPE_HEADERS = ("From", "To", "Message-ID", "Date")
PDF_READY = or_(
    col(Delivery.recap_version_id).is_(None),
    exists().where(
        col(RecapVersion.id) == Delivery.recap_version_id, col(RecapVersion.pdf_id).is_not(None)
    ),
)
"""Deliveries not waiting for a recap PDF (the render job asks for a send once it is stored)."""


@dataclass
class SendReport:
    """What one or more batches did."""

    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    more: bool = False
    """Stopped at the batch limit with deliveries possibly still due."""

    def add(self, other: "SendReport") -> None:
        self.claimed += other.claimed
        self.sent += other.sent
        self.retrying += other.retrying
        self.failed += other.failed


_ADDRESS = re.compile(r"[^\s<>\"',;:]+@[^\s<>\"',;]+")


def _for_log(reason: str) -> str:
    """An SMTP server's reason without the addresses it quotes: logs carry ids, not people."""
    return _ADDRESS.sub("<address>", reason)


def retry_delay(attempts: int) -> timedelta:
    """Bounded exponential backoff: 1, 2, 4… minutes after each failed attempt, at most 1 h."""
    return min(RETRY_FIRST * (1 << min(max(attempts - 1, 0), 16)), RETRY_LONGEST)


def message_id(delivery_id: int, dedup_key: str, mail_from: str) -> str:
    """The delivery's Message-ID: the same on every attempt, so a repeat is recognisable."""
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or "localhost"
    digest = hashlib.sha256(f"{delivery_id}:{dedup_key}".encode()).hexdigest()[:24]
    return f"<delivery.{delivery_id}.{digest}@{domain}>"


def new_worker_id() -> str:
    """Who holds a claim: host, process and a token for this batch."""
    return f"{socket.gethostname()[:60]}/{os.getpid()}/{uuid.uuid4().hex[:12]}"


def claim(session: Session, *, worker: str, limit: int, now: datetime) -> list[Delivery]:
    """Take up to `limit` due deliveries for `worker` and commit, so no one else sends them."""
    # PostgreSQL skips rows another worker is claiming right now; SQLite has no row locks,
    # but its transactions begin IMMEDIATE (app.db), so claims there run one at a time.
    ids = list(
        session.exec(
            select(Delivery.id)
            .where(
                Delivery.status == DeliveryStatus.queued,
                col(Delivery.next_attempt_at) <= now,
                PDF_READY,
            )
            .order_by(col(Delivery.next_attempt_at), col(Delivery.id))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    if not ids:
        session.commit()
        return []
    session.execute(
        update(Delivery)
        # Still queued: without row locks a row could have been claimed since the select.
        .where(col(Delivery.id).in_(ids), col(Delivery.status) == DeliveryStatus.queued)
        .values(
            status=DeliveryStatus.sending,
            claimed_by=worker,
            claimed_at=now,
            attempts=col(Delivery.attempts) + 1,
        )
        .execution_options(synchronize_session=False)
    )
    claimed = list(
        session.exec(
            select(Delivery)
            .where(col(Delivery.id).in_(ids), col(Delivery.claimed_by) == worker)
            .order_by(col(Delivery.id))
            .execution_options(populate_existing=True)
        )
    )
    session.commit()
    return claimed


def send_due(limit: int | None = None, *, transport: Transport | None = None) -> SendReport:
    """Claim up to `limit` due deliveries (default: the batch size), send them, record outcomes."""
    settings = get_settings()
    limit = limit or settings.mail_batch_size
    worker = new_worker_id()
    with open_session() as session:
        claimed = claim(session, worker=worker, limit=limit, now=utcnow())
        if not claimed:
            return SendReport()
        own_transport = transport is None
        transport = transport or transport_for(settings)
        try:
            report = _Batch(session, transport, worker=worker).send(claimed)
        finally:
            if own_transport:
                transport.close()
    report.more = len(claimed) == limit
    log.info(
        "mail batch: %s sent, %s to retry, %s failed",
        report.sent,
        report.retrying,
        report.failed,
    )
    return report


def send_until_idle(
    *, max_batches: int = 40, limit: int | None = None, transport: Transport | None = None
) -> SendReport:
    """Send batch after batch over one connection until nothing is due or `max_batches` ran."""
    own_transport = transport is None
    transport = transport or transport_for(get_settings())
    total = SendReport()
    try:
        for _ in range(max_batches):
            report = send_due(limit, transport=transport)
            total.add(report)
            total.more = report.more
            if not report.more:
                break
    finally:
        if own_transport:
            transport.close()
    return total


def requeue_stale(*, older_than: timedelta | None = None) -> int:
    """Queue again the deliveries whose worker died mid-batch (claimed too long ago)."""
    settings = get_settings()
    older_than = older_than or timedelta(seconds=settings.mail_claim_timeout_seconds)
    now = utcnow()
    stale = (
        col(Delivery.status) == DeliveryStatus.sending,
        col(Delivery.claimed_at) < now - older_than,
    )
    reason = "The worker stopped while sending this message"
    with open_session() as session:
        gave_up = session.execute(
            update(Delivery)
            .where(*stale, col(Delivery.attempts) >= settings.mail_max_attempts)
            .values(status=DeliveryStatus.failed, last_error=f"{reason}, too many times.")
            .execution_options(synchronize_session=False)
        )
        requeued = session.execute(
            update(Delivery)
            .where(*stale)
            .values(
                status=DeliveryStatus.queued,
                next_attempt_at=now,
                claimed_by="",
                last_error=f"{reason}; queued again.",
            )
            .execution_options(synchronize_session=False)
        )
        session.commit()
    count: int = requeued.rowcount + gave_up.rowcount  # type: ignore[attr-defined]
    if count:
        log.warning("requeued %s deliveries left sending by a stopped worker", count)
    return count


class _Batch:
    """One claimed batch: each message composed, sent and recorded in its own transaction."""

    def __init__(self, session: Session, transport: Transport, *, worker: str) -> None:
        settings = get_settings()
        self.session = session
        self.transport = transport
        self.worker = worker
        self.mail_from = settings.mail_from
        self.envelope_from = parseaddr(settings.mail_from)[1]
        self.max_attempts = settings.mail_max_attempts
        self.report = SendReport()

    def send(self, claimed: Sequence[Delivery]) -> SendReport:
        self.report.claimed = len(claimed)
        for index, delivery in enumerate(claimed):
            try:
                message = self.compose(delivery)
                # End compose's transaction: SQLite's lock is not held while the message travels.
                self.session.commit()
            except Exception as exc:
                self.session.rollback()
                log.exception("delivery %s: could not compose", delivery.id)
                self.fail(delivery, f"Could not write this email: {_explain(exc)}")
                continue
            try:
                self.transport.send(message, sender=self.envelope_from, recipient=delivery.to_email)
            except SendError as exc:
                if exc.permanent:
                    self.fail(delivery, exc.reason)
                else:
                    self.retry(delivery, exc.reason)
                if exc.connection:
                    # The server is out of reach: the rest of the batch waits for the retry too.
                    for waiting in claimed[index + 1 :]:
                        self.retry(waiting, exc.reason)
                    break
                continue
            except Exception as exc:
                log.exception("delivery %s: unexpected error while sending", delivery.id)
                self.retry(delivery, f"Unexpected error while sending: {_explain(exc)}")
                continue
            self.sent(delivery)
        return self.report

    def compose(self, delivery: Delivery) -> EmailMessage:
        assert delivery.id is not None
        message = compose(self.session, delivery)
        for name in ENVELOPE_HEADERS:
            del message[name]
        message["From"] = self.mail_from
        to_name = one_line(delivery.to_name)
        message["To"] = Address(display_name=to_name, addr_spec=delivery.to_email)
        message["Date"] = format_datetime(utcnow())
        message["Message-ID"] = message_id(delivery.id, delivery.dedup_key, self.mail_from)
        return message

    def sent(self, delivery: Delivery) -> None:
        # Recorded whoever holds the claim now: the server accepted it, that is the truth.
        self._record(
            delivery,
            mine=False,
            status=DeliveryStatus.sent,
            sent_at=utcnow(),
            last_error="",
        )
        self.report.sent += 1

    def retry(self, delivery: Delivery, reason: str) -> None:
        attempts = delivery.attempts
        if attempts >= self.max_attempts:
            self.fail(delivery, f"Gave up after {attempts} attempts: {reason}")
            return
        log.warning(
            "delivery %s: will retry (%s attempts): %s", delivery.id, attempts, _for_log(reason)
        )
        self._record(
            delivery,
            status=DeliveryStatus.queued,
            next_attempt_at=utcnow() + retry_delay(attempts),
            last_error=reason,
        )
        self.report.retrying += 1

    def fail(self, delivery: Delivery, reason: str) -> None:
        log.warning("delivery %s failed: %s", delivery.id, _for_log(reason))
        self._record(delivery, status=DeliveryStatus.failed, last_error=reason)
        self.report.failed += 1

    def _record(self, delivery: Delivery, *, mine: bool = True, **values: Any) -> None:
        if "last_error" in values:
            values["last_error"] = values["last_error"][:1000]
        statement = update(Delivery).where(col(Delivery.id) == delivery.id)
        if mine:
            # A claim the sweep took back (this worker was too slow) is no longer ours to mark.
            statement = statement.where(
                col(Delivery.status) == DeliveryStatus.sending,
                col(Delivery.claimed_by) == self.worker,
            )
        else:
            statement = statement.where(col(Delivery.status) != DeliveryStatus.sent)
        self.session.execute(
            statement.values(**values).execution_options(synchronize_session=False)
        )
        self.session.commit()


def _explain(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__
