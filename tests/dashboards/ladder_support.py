"""Signals for the ladder tests, dated by hand: sessions in Q1 and Q2 2026 (UTC)."""

from datetime import UTC, datetime

from sqlmodel import Session

from app.models import (
    ActionItem,
    ActionStatus,
    Commitment,
    CommitmentStatus,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    Person,
    Recap,
    RecapVersion,
    SessionStatus,
    StorySession,
)
from tests.factories import create_attendance, create_session


def held(db: Session, month: int, day: int, title: str = "") -> StorySession:
    """A completed session on that day of 2026 at 15:00 UTC."""
    return create_session(
        db,
        title=title or f"Session {day} {datetime(2026, month, 1):%b}",  # noqa: DTZ001
        starts_at=datetime(2026, month, day, 15, tzinfo=UTC),
        status=SessionStatus.completed,
    )


def commit(
    db: Session,
    story_session: StorySession,
    person: Person,
    text: str,
    status: CommitmentStatus = CommitmentStatus.open,
) -> Commitment:
    commitment = Commitment(
        session_id=story_session.id or 0, person_id=person.id or 0, text=text, status=status
    )
    db.add(commitment)
    db.flush()
    return commitment


def close_item(db: Session, story_session: StorySession, person: Person, text: str) -> None:
    db.add(
        ActionItem(
            session_id=story_session.id or 0,
            description=text,
            owner_id=person.id,
            status=ActionStatus.done,
            done_at=story_session.starts_at,
        )
    )
    db.flush()


def send_recap(db: Session, story_session: StorySession, person: Person, *, read: bool) -> None:
    recap = Recap(session_id=story_session.id or 0)
    db.add(recap)
    db.flush()
    version = RecapVersion(recap_id=recap.id or 0, number=1, document={})
    db.add(version)
    db.flush()
    db.add(
        Delivery(
            kind=DeliveryKind.recap,
            dedup_key=f"recap:{version.id}:{person.email}",
            to_email=person.email,
            person_id=person.id,
            recap_version_id=version.id,
            status=DeliveryStatus.sent,
            sent_at=story_session.starts_at,
            read_at=story_session.starts_at if read else None,
        )
    )
    db.flush()


def attend(db: Session, story_session: StorySession, *people: Person) -> None:
    for person in people:
        create_attendance(db, story_session=story_session, person=person)
