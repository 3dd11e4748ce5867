"""Commitment test data: a session that took place, its attendee, action item and theme."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session

from app.models import (
    ActionItem,
    Commitment,
    CommitmentStatus,
    CommitmentUpdate,
    Person,
    Recap,
    RecapTheme,
    Series,
    SessionStatus,
    StorySession,
    Theme,
    utcnow,
)
from tests.factories import create_attendance, create_person, create_session


@dataclass
class World:
    story_session: StorySession
    leader: Person
    item: ActionItem
    theme: Theme


def held_session(
    db: Session,
    *,
    title: str = "What Meridian told us",
    days_ago: float = 2,
    series: Series | None = None,
) -> StorySession:
    return create_session(
        db,
        title=title,
        status=SessionStatus.completed,
        starts_at=utcnow() - timedelta(days=days_ago),
        series=series,
    )


def make_world(db: Session) -> World:
    """A held session with a VP who came, one action item and one recap theme."""
    story_session = held_session(db)
    leader = create_person(db, email="vera@example.com", name="Vera Vance", level_key="vp")
    create_attendance(db, story_session=story_session, person=leader)
    item = ActionItem(session_id=story_session.id or 0, description="Call every churned account")
    theme = Theme(name="Billing", key="billing")
    recap = Recap(session_id=story_session.id or 0, summary="What we heard")
    db.add_all([item, theme, recap])
    db.flush()
    db.add(RecapTheme(recap_id=recap.id or 0, theme_id=theme.id or 0))
    db.flush()
    return World(story_session, leader, item, theme)


def add_commitment(
    db: Session,
    story_session: StorySession,
    person: Person,
    *,
    text: str = "My team will call every churned account",
    due_on: date | None = None,
    status: CommitmentStatus = CommitmentStatus.open,
    closed_at: datetime | None = None,
    note: str = "",
) -> Commitment:
    """A commitment written straight to the table (with an update when `note` is given)."""
    commitment = Commitment(
        session_id=story_session.id or 0,
        person_id=person.id or 0,
        text=text,
        due_on=due_on,
        status=status,
        closed_at=closed_at or (utcnow() if status is not CommitmentStatus.open else None),
    )
    db.add(commitment)
    db.flush()
    if note:
        db.add(
            CommitmentUpdate(
                commitment_id=commitment.id or 0,
                note=note,
                status=None if status is CommitmentStatus.open else status,
            )
        )
        db.flush()
    return commitment
