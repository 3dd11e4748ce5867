"""A real consumer runs a real job on the configured queue (Redis in CI)."""

import os
import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from huey import RedisHuey
from huey.signals import SIGNAL_COMPLETE, SIGNAL_ERROR
from sqlmodel import Session

from app.models import Platform, SessionStatus, StorySession, utcnow
from app.story_sessions.tasks import complete_finished_sessions_job
from app.worker import huey
from tests.conftest import require


@pytest.fixture
def consumer() -> Iterator[None]:
    """Run the Huey consumer in threads for the duration of a test."""
    huey.immediate = False
    if os.environ.get("STORYROOM_TEST_REDIS_URL"):
        require(isinstance(huey, RedisHuey), "the queue should be Redis")
        try:
            huey.storage.conn.ping()
        except Exception as exc:
            require(False, f"Redis unreachable: {exc}")
    huey.flush()
    consumer = huey.create_consumer(workers=1, worker_type="thread", periodic=False)
    thread = threading.Thread(target=consumer.run, daemon=True)
    # Huey installs signal handlers in run(); they cannot be set outside the main thread.
    consumer._set_signal_handlers = lambda: None
    thread.start()
    yield
    consumer.stop(graceful=True)
    thread.join(timeout=10)
    huey.flush()


def _session(db: Session, *, minutes_ago: int, status: SessionStatus) -> StorySession:
    story_session = StorySession(
        title="Onboarding through a customer's eyes",
        starts_at=utcnow() - timedelta(minutes=minutes_ago),
        timezone="Europe/London",
        duration_minutes=60,
        platform=Platform.zoom,
        status=status,
    )
    db.add(story_session)
    db.commit()
    return story_session


@pytest.mark.usefixtures("consumer")
def test_worker_completes_sessions_that_have_ended(db: Session) -> None:
    ended = _session(db, minutes_ago=90, status=SessionStatus.scheduled)
    running = _session(db, minutes_ago=30, status=SessionStatus.scheduled)
    cancelled = _session(db, minutes_ago=120, status=SessionStatus.cancelled)

    finished = threading.Event()
    outcome: list[str] = []

    def on_finish(signal: str, task: object, *args: object) -> None:
        outcome.append(signal)
        finished.set()

    huey.signal(SIGNAL_COMPLETE, SIGNAL_ERROR)(on_finish)
    try:
        # Periodic jobs keep no result, so wait for the consumer's completion signal.
        complete_finished_sessions_job()
        assert finished.wait(timeout=20)
    finally:
        huey.disconnect_signal(on_finish, SIGNAL_COMPLETE, SIGNAL_ERROR)

    assert outcome == [SIGNAL_COMPLETE]
    for row in (ended, running, cancelled):
        db.refresh(row)
    assert (ended.status, running.status, cancelled.status) == (
        SessionStatus.completed,
        SessionStatus.scheduled,
        SessionStatus.cancelled,
    )
