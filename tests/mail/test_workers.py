"""Workers side by side, and one killed mid-batch: nothing lost, at most one message repeated.

These tests commit for real (other threads and processes must see the rows), so they use
the `committed` database instead of the rolled-back `db` session.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from huey import RedisHuey
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from app.config import get_settings
from app.mail import sender, tasks
from app.models import Delivery, DeliveryKind, DeliveryStatus
from app.worker import huey
from tests.conftest import require
from tests.mail.conftest import SmtpServer

ROOT = Path(__file__).resolve().parents[2]


def _commit_deliveries(engine: Engine, count: int) -> list[str]:
    """Queued deliveries committed directly (no kick: the test decides who sends)."""
    emails = [f"person{n:03}@example.com" for n in range(count)]
    with Session(engine) as session:
        session.add_all(
            Delivery(kind=DeliveryKind.recap, dedup_key=f"test:{email}", to_email=email)
            for email in emails
        )
        session.commit()
    return emails


def _statuses(engine: Engine) -> Counter[DeliveryStatus]:
    with Session(engine) as session:
        rows = session.exec(select(Delivery.status, func.count()).group_by(Delivery.status))
        return Counter({DeliveryStatus(status): count for status, count in rows})


def _wait_for(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


def test_concurrent_workers_never_send_a_delivery_twice(
    committed: Engine, smtp_settings: SmtpServer
) -> None:
    emails = _commit_deliveries(committed, 40)
    smtp_settings.delay = 0.002
    start = threading.Barrier(3)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            start.wait()
            while sender.send_due(limit=3).claimed:
                pass
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(smtp_settings.recipients()) == emails
    # Each worker sent over its own connection, so the work was really shared.
    assert len({item.peer for item in smtp_settings.received}) > 1
    with Session(committed) as session:
        rows = session.exec(select(Delivery)).all()
    assert {(row.status, row.attempts) for row in rows} == {(DeliveryStatus.sent, 1)}


@pytest.fixture
def real_queue() -> Iterator[None]:
    """The configured queue (SQLite file, or Redis when STORYROOM_TEST_REDIS_URL is set)."""
    huey.immediate = False
    if os.environ.get("STORYROOM_TEST_REDIS_URL"):
        require(isinstance(huey, RedisHuey), "the queue should be Redis")
        try:
            huey.storage.conn.ping()
        except Exception as exc:
            require(False, f"Redis unreachable: {exc}")
    huey.flush()
    yield
    huey.flush()


class Worker:
    """`python -m tests.mail.worker_process` in the background, logging to a file."""

    def __init__(self, log: Path, **environment: str) -> None:
        self.log = log
        env = {**os.environ, **environment}
        with log.open("ab") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.mail.worker_process"],
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.mark.usefixtures("real_queue")
def test_worker_killed_mid_batch_loses_nothing_and_repeats_at_most_one(
    committed: Engine, smtp: SmtpServer, tmp_path: Path
) -> None:
    emails = _commit_deliveries(committed, 30)
    smtp.delay = 0.03  # slow enough to kill the worker in the middle of a batch
    environment = {
        "STORYROOM_SMTP_URL": smtp.url(),
        "STORYROOM_MAIL_BATCH_SIZE": "5",
        "STORYROOM_MAIL_CLAIM_TIMEOUT_SECONDS": "1",
    }
    log = tmp_path / "worker.log"

    tasks.send_deliveries()  # queued for the worker, as after a commit
    first = Worker(log, **environment)
    try:
        _wait_for(lambda: len(smtp.received) >= 8, timeout=60, what="the first messages")
    finally:
        first.kill()
    received_before_kill = len(smtp.received)
    left = _statuses(committed)
    assert left[DeliveryStatus.sending] >= 1, left  # killed with a batch claimed
    assert received_before_kill < len(emails)

    # The dead worker's job is gone with it; the sweep takes its claims back once stale.
    time.sleep(1.1)
    tasks.sweep_deliveries()
    second = Worker(log, **environment)
    try:
        _wait_for(
            lambda: _statuses(committed) == Counter({DeliveryStatus.sent: len(emails)}),
            timeout=60,
            what=f"every delivery sent (worker log: {log})",
        )
    finally:
        second.stop()

    counts = Counter(smtp.recipients())
    assert sorted(counts) == emails  # nobody got none
    repeats = [email for email, count in counts.items() if count > 1]
    assert len(repeats) <= 1, counts  # at most the message in flight, once more
    assert all(count <= 2 for count in counts.values())
    for email in repeats:
        ids = {item.message["Message-ID"] for item in smtp.received if item.rcpt_tos == [email]}
        assert len(ids) == 1  # a repeat is recognisable as the same message
    with Session(committed) as session:
        attempts = session.exec(select(Delivery.attempts).order_by(col(Delivery.id))).all()
    assert max(attempts) <= 2
    assert get_settings().mail_claim_timeout_seconds == 600  # the test process kept its own
