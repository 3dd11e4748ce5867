"""Jobs asked for in a transaction are queued once it commits: never after a rollback, once
however often they were asked for."""

from collections.abc import Callable, Iterator

import pytest
from sqlmodel import Session

from app.db import after_commit
from app.recaps import tasks
from app.worker import huey
from tests.factories import create_session

Ran = list[tuple[str, tuple[int, ...]]]


@pytest.fixture
def ran() -> Ran:
    return []


def job(ran: Ran, name: str) -> Callable[..., None]:
    def run(*ids: int) -> None:
        ran.append((name, ids))

    return run


def test_after_commit_runs_the_job_once_the_transaction_commits(db: Session, ran: Ran) -> None:
    render = job(ran, "render")
    create_session(db)
    after_commit(db, render, 7)
    db.flush()
    assert ran == []
    db.commit()
    assert ran == [("render", (7,))]
    db.commit()  # a later transaction that asked for nothing queues nothing
    assert ran == [("render", (7,))]


def test_after_commit_forgets_the_job_on_rollback(db: Session, ran: Ran) -> None:
    after_commit(db, job(ran, "render"), 7)
    db.rollback()
    create_session(db)
    db.commit()
    assert ran == []


def test_after_commit_forgets_the_job_of_a_savepoint_rolled_back(db: Session, ran: Ran) -> None:
    render = job(ran, "render")
    after_commit(db, render, 1)
    savepoint = db.begin_nested()
    after_commit(db, render, 2)
    savepoint.rollback()
    with db.begin_nested():
        after_commit(db, render, 3)
    assert ran == []  # a savepoint released is not the transaction committed
    db.commit()
    assert ran == [("render", (1,)), ("render", (3,))]


def test_after_commit_queues_a_job_asked_for_twice_once(db: Session, ran: Ran) -> None:
    render, send = job(ran, "render"), job(ran, "send")
    after_commit(db, render, 1)
    after_commit(db, render, 1)
    after_commit(db, render, 2)
    after_commit(db, send)
    with db.begin_nested():
        after_commit(db, render, 1)
        after_commit(db, send)
    db.commit()
    assert ran == [("render", (1,)), ("render", (2,)), ("send", ())]


def test_a_job_that_cannot_be_queued_does_not_stop_the_others(
    db: Session, ran: Ran, caplog: pytest.LogCaptureFixture
) -> None:
    def unreachable(*ids: int) -> None:
        raise ConnectionError("Redis is down")

    after_commit(db, unreachable, 5)
    after_commit(db, job(ran, "send"))
    db.commit()
    assert ran == [("send", ())]
    assert "could not queue unreachable(5,) after the commit" in caplog.text


@pytest.fixture
def queue() -> Iterator[None]:
    """The real queue instead of running jobs inline."""
    huey.immediate = False
    huey.flush()
    yield
    huey.flush()


@pytest.mark.usefixtures("queue")
def test_after_commit_puts_the_job_on_the_queue_at_the_commit(db: Session) -> None:
    after_commit(db, tasks.render_version_pdf, 41)
    after_commit(db, tasks.render_version_pdf, 41)
    db.flush()
    assert huey.pending_count() == 0
    db.commit()
    assert huey.pending_count() == 1
    (pending,) = huey.pending()
    assert (pending.name, pending.args) == ("render_version_pdf", (41,))
