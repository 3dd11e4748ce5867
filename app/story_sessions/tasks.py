"""Background jobs for sessions."""

from huey import crontab
from sqlmodel import col, select

from app.db import open_session
from app.models import SessionStatus, StorySession, utcnow
from app.worker import huey


def complete_finished_sessions() -> int:
    """Mark scheduled sessions whose end has passed as completed; return how many."""
    now = utcnow()
    with open_session() as session:
        # Filter on start first (indexed), then on start + duration in Python: portable SQL.
        candidates = session.exec(
            select(StorySession).where(
                StorySession.status == SessionStatus.scheduled,
                col(StorySession.starts_at) < now,
            )
        ).all()
        done = [s for s in candidates if s.ends_at <= now]
        for story_session in done:
            story_session.status = SessionStatus.completed
        session.commit()
        return len(done)


@huey.periodic_task(crontab(minute="*/5"), retries=0)
def complete_finished_sessions_job() -> int:
    return complete_finished_sessions()
