"""Helpers for the authoring tests: a completed session with speakers, people and a user."""

from datetime import datetime, timedelta

from sqlmodel import Session

from app.models import (
    Customer,
    Series,
    SessionStatus,
    StorySession,
    User,
    utcnow,
)
from tests.factories import create_customer, create_session

NOW = datetime.fromisoformat("2026-03-20T12:00:00+00:00")


def completed_session(
    session: Session,
    *,
    title: str = "How Acme runs its support desk",
    days_ago: int = 2,
    series: Series | None = None,
    customer: Customer | None = None,
    now: datetime | None = None,
) -> StorySession:
    """A completed session `days_ago` days before `now` (default: the real now)."""
    return create_session(
        session,
        title=title,
        starts_at=(now or utcnow()) - timedelta(days=days_ago),
        status=SessionStatus.completed,
        series=series,
        customer=customer,
    )


def acme(session: Session) -> Customer:
    return create_customer(session, name="Acme Logistics")


def user_id(user: User) -> int:
    assert user.id is not None
    return user.id
