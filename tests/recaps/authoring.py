"""Helpers for the authoring tests: a completed session with speakers, people and a user."""

from datetime import datetime, timedelta

from sqlmodel import Session

from app.models import (
    Consent,
    Customer,
    Series,
    SessionSpeaker,
    SessionStatus,
    StorySession,
    User,
    utcnow,
)
from tests.factories import create_customer, create_session

NOW = datetime.fromisoformat("2026-03-20T12:00:00+00:00")


def create_speaker(
    session: Session,
    story_session: StorySession,
    *,
    name: str = "Ana Ruiz",
    title: str = "CFO",
    consent: Consent = Consent.named,
) -> SessionSpeaker:
    speaker = SessionSpeaker(
        session_id=story_session.id or 0, name=name, title=title, consent=consent
    )
    session.add(speaker)
    session.flush()
    return speaker


def create_series(session: Session, *, title: str = "Voice of the customer") -> Series:
    series = Series(
        title=title,
        rrule="FREQ=WEEKLY;INTERVAL=2",
        timezone="Europe/Paris",
        first_start_local=datetime(2026, 1, 6, 16, 0),  # noqa: DTZ001 - wall clock, by design
        duration_minutes=60,
        platform="zoom",  # type: ignore[arg-type]
    )
    session.add(series)
    session.flush()
    return series


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
