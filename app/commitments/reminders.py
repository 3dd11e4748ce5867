"""Reminding owners of their commitments when they fall due.

Each reminder is a Delivery with the dedup key "commitment_due:<commitment>:<due date>", so the
hourly job can run any number of times and an owner is reminded once per due date (a new due
date is reminded again).
"""

from datetime import datetime

from sqlmodel import Session, col, select

from app.kit.due import due_bounds, due_today
from app.mail import outbox
from app.models import (
    Commitment,
    CommitmentStatus,
    Delivery,
    DeliveryKind,
    Person,
    StorySession,
    utcnow,
)
from app.people.service import not_erased

DUE_LOOKBACK_DAYS = 30
"""Commitments overdue for longer than this when first seen are not reminded: loading a year
of history must not mail every leader about every old promise."""


def queue_commitment_reminders(session: Session, *, now: datetime | None = None) -> list[Delivery]:
    """Remind owners of open commitments due today or overdue, once per due date."""
    now = now or utcnow()
    earliest, latest = due_bounds(now, lookback_days=DUE_LOOKBACK_DAYS)
    rows = session.exec(
        select(Commitment, Person, StorySession.timezone)
        .join(Person, col(Person.id) == Commitment.person_id)
        .join(StorySession, col(StorySession.id) == Commitment.session_id)
        .where(
            Commitment.status == CommitmentStatus.open,
            col(Commitment.due_on).is_not(None),
            col(Commitment.due_on) <= latest,
            col(Commitment.due_on) >= earliest,
            col(Person.active).is_(True),
            not_erased(),
        )
        .order_by(col(Commitment.id))
    ).all()
    due = [
        (commitment, owner, today)
        for commitment, owner, timezone in rows
        if (today := due_today(commitment.due_on, timezone, now, lookback_days=DUE_LOOKBACK_DAYS))
    ]
    return outbox.enqueue(
        session,
        (
            Delivery(
                kind=DeliveryKind.commitment_due,
                dedup_key=f"commitment_due:{commitment.id}:{commitment.due_on}",
                to_email=owner.email,
                to_name=owner.name,
                person_id=owner.id,
                session_id=commitment.session_id,
                commitment_id=commitment.id,
                payload={"due_on": str(commitment.due_on), "today": str(today)},
                next_attempt_at=now,
                created_at=now,
            )
            for commitment, owner, today in due
        ),
    )
