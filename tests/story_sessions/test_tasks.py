from datetime import timedelta

from sqlmodel import Session

from app.models import SessionStatus, utcnow
from app.story_sessions.tasks import complete_finished_sessions
from tests.factories import create_session


def test_complete_finished_sessions_only_completes_ended_scheduled_ones(db: Session) -> None:
    now = utcnow()
    ended = create_session(db, starts_at=now - timedelta(minutes=90), duration_minutes=60)
    running = create_session(db, starts_at=now - timedelta(minutes=30), duration_minutes=60)
    future = create_session(db, starts_at=now + timedelta(days=1))
    cancelled = create_session(
        db,
        starts_at=now - timedelta(days=1),
        duration_minutes=60,
        status=SessionStatus.cancelled,
    )

    assert complete_finished_sessions() == 1

    db.expire_all()
    assert ended.status is SessionStatus.completed
    assert running.status is SessionStatus.scheduled
    assert future.status is SessionStatus.scheduled
    assert cancelled.status is SessionStatus.cancelled
