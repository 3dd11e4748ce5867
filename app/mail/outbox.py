"""Queue emails: one Delivery row per recipient and message, written in the caller's transaction.

Domains call `enqueue` in the same transaction as the decision to send (approving and sending a
recap, inviting people…); once that transaction commits, the worker is asked to send
(`request_send`), and composes and sends (`app.mail.sender`). A lost request is harmless:
the sweep sends whatever is due every minute.
"""

from collections.abc import Iterable
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.db import after_commit
from app.mail.addresses import normalize_email
from app.models import Delivery, DeliveryStatus, utcnow


def enqueue(session: Session, deliveries: Iterable[Delivery]) -> list[Delivery]:
    """Add the deliveries whose `dedup_key` is new; return those added (flushed, with ids).

    Addresses are compared lower-case, so one person on two lists, or written twice in
    different case, gets one message. Sending starts once the caller's transaction commits.
    """
    fresh: dict[str, Delivery] = {}
    for delivery in deliveries:
        delivery.to_email = normalize_email(delivery.to_email)
        fresh.setdefault(delivery.dedup_key, delivery)
    if not fresh:
        return []
    existing: set[str] = set()
    keys = list(fresh)
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        existing.update(
            session.exec(select(Delivery.dedup_key).where(col(Delivery.dedup_key).in_(chunk)))
        )
    added = [delivery for key, delivery in fresh.items() if key not in existing]
    session.add_all(added)
    session.flush()
    if added:
        request_send(session)
    return added


def request_send(session: Session) -> None:
    """Start the sending job once this transaction commits (once, however often called).

    Never before the commit: the worker would not see the rows yet.
    """
    from app.mail import tasks

    after_commit(session, tasks.send_deliveries)


def resend_failed(
    session: Session,
    *,
    recap_version_id: int | None = None,
    delivery_id: int | None = None,
    delivery_ids: Iterable[int] | None = None,
) -> int:
    """Queue failed deliveries again with a fresh count of attempts; return how many.

    Choose them by recap version (every failed recipient), by one delivery, or by ids.
    """
    conditions: list[Any] = [Delivery.status == DeliveryStatus.failed]
    if recap_version_id is not None:
        conditions.append(Delivery.recap_version_id == recap_version_id)
    ids = [*([delivery_id] if delivery_id is not None else []), *(delivery_ids or ())]
    if delivery_id is not None or delivery_ids is not None:
        conditions.append(col(Delivery.id).in_(ids))
    if len(conditions) == 1:
        raise ValueError("resend_failed needs recap_version_id, delivery_id or delivery_ids")
    result = session.execute(
        update(Delivery)
        .where(*conditions)
        .values(
            status=DeliveryStatus.queued,
            attempts=0,
            next_attempt_at=utcnow(),
            claimed_by="",
            claimed_at=None,
            last_error="",
        )
        .execution_options(synchronize_session="fetch")
    )
    count: int = result.rowcount  # type: ignore[attr-defined]
    if count:
        request_send(session)
    return count


def fail_queued(session: Session, *, recap_version_id: int, reason: str) -> int:
    """Fail the queued deliveries of a recap version that cannot be written; return how many.

    For a PDF that could not be rendered: each shows the reason, and can be resent.
    """
    result = session.execute(
        update(Delivery)
        .where(
            col(Delivery.recap_version_id) == recap_version_id,
            col(Delivery.status) == DeliveryStatus.queued,
        )
        .values(
            status=DeliveryStatus.failed,
            last_error=f"Could not write this email: {reason}"[:1000],
        )
        .execution_options(synchronize_session="fetch")
    )
    count: int = result.rowcount  # type: ignore[attr-defined]
    return count
