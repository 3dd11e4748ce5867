"""No PDF is rendered while a database transaction is open: on SQLite it would hold the write
lock for the length of the render, and every request would wait for it.

These tests commit for real (the renderer must find the database free), so they use the
`committed` database instead of the rolled-back `db` session.
"""

import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, event, func, text
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, col, select

from app import db as app_db
from app.config import get_settings
from app.db import open_session
from app.distribution.sending import resend, send_recap
from app.distribution.tasks import send_due_digests
from app.models import (
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    Digest,
    RecapVersion,
    RenderedPdf,
    SessionStatus,
    utcnow,
)
from app.recaps import render, tasks
from tests.distribution.helpers import approve_recap, create_list
from tests.distribution.test_digests import MONDAY_9_PARIS, _weekly
from tests.factories import create_person, create_session

FAKE_PDF = b"%PDF-1.7\n% rendered by the probe\n%%EOF\n"


@pytest.fixture
def committed(engine: Engine) -> Iterator[Engine]:
    """The test database with real commits; the rows of every table empty before are removed."""
    tables = SQLModel.metadata.sorted_tables
    with engine.connect() as connection:
        empty = [
            table
            for table in tables
            if connection.execute(sa_select(func.count()).select_from(table)).scalar() == 0
        ]
    app_db.bind_sessions(None)
    try:
        yield engine
    finally:
        with engine.begin() as connection:
            for table in reversed(empty):
                connection.execute(table.delete())


class RenderProbe:
    """Stands in for the render worker and notes, at each render, what the database holds."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.in_transaction: set[Connection] = set()
        self.renders: list[tuple[str, int, bool]] = []
        """(subject, connections of this process in a transaction, a second writer got in)."""

    def began(self, connection: Connection) -> None:
        self.in_transaction.add(connection)

    def ended(self, connection: Connection) -> None:
        self.in_transaction.discard(connection)

    def render(self, html: str, timeout: float, subject: str) -> tuple[bytes, int]:
        self.renders.append((subject, len(self.in_transaction), self._second_writer_gets_in()))
        return FAKE_PDF, 1

    def _second_writer_gets_in(self) -> bool:
        """Try to write from another connection, without waiting a moment for a lock."""
        if self.engine.dialect.name == "sqlite":
            writer = sqlite3.connect(str(self.engine.url.database), timeout=0, isolation_level=None)
            try:
                writer.execute("BEGIN IMMEDIATE")
                writer.execute("ROLLBACK")
                return True
            except sqlite3.OperationalError:
                return False
            finally:
                writer.close()
        with self.engine.connect() as connection:
            try:
                for table in ("distribution_list", "recap_version", "delivery"):
                    sql = text(f"SELECT id FROM {table} FOR UPDATE NOWAIT")  # noqa: S608
                    connection.execute(sql)
                return True
            except Exception:
                return False
            finally:
                connection.rollback()


@pytest.fixture
def probe(committed: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[RenderProbe]:
    probe = RenderProbe(committed)
    listeners = [("begin", probe.began), ("commit", probe.ended), ("rollback", probe.ended)]
    for name, listener in listeners:
        event.listen(committed, name, listener)
    monkeypatch.setattr(render._worker, "render", probe.render)
    try:
        yield probe
    finally:
        for name, listener in listeners:
            event.remove(committed, name, listener)


@pytest.fixture(autouse=True)
def _own_outbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Messages go to a folder of this test's own, where only its messages are."""
    monkeypatch.setattr(type(get_settings()), "outbox_dir", property(lambda _: tmp_path))


def _attachments(delivery_ids: list[int]) -> list[bytes]:
    """The PDF attached to each message written to the outbox folder, by delivery."""
    found = []
    for delivery_id in delivery_ids:
        (path,) = get_settings().outbox_dir.glob(f"delivery.{delivery_id}.*.eml")
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        (attachment,) = message.iter_attachments()
        found.append(attachment.get_content())
    return found


def test_recap_send_renders_the_pdf_with_no_transaction_open(
    probe: RenderProbe, committed: Engine
) -> None:
    with open_session() as session:
        story_session = create_session(
            session,
            title="Billing, told by a CFO",
            status=SessionStatus.completed,
            starts_at=utcnow() - timedelta(days=1),
        )
        version = approve_recap(session, story_session, with_pdf=False)
        ceo = create_person(session, email="ceo@example.com", name="Grace Hopper")
        dlist = create_list(session, people=[ceo], outsiders=["chair@board.example"])
        session.commit()

    with open_session() as session:
        send_recap(session, story_session=story_session, list_ids=[dlist.id or 0])
        session.commit()  # the render job, then the sending job, run now (inline in tests)

    assert probe.renders == [("recap", 0, True)]
    with Session(committed) as session:
        stored = session.get(RecapVersion, version.id)
        assert stored is not None
        pdf = session.get(RenderedPdf, stored.pdf_id)
        assert pdf is not None
        assert pdf.content == FAKE_PDF
        deliveries = session.exec(select(Delivery).order_by(col(Delivery.id))).all()
    assert [(d.to_email, d.status) for d in deliveries] == [
        ("ceo@example.com", DeliveryStatus.sent),
        ("chair@board.example", DeliveryStatus.sent),
    ]
    assert _attachments([d.id or 0 for d in deliveries]) == [FAKE_PDF, FAKE_PDF]


def test_digest_renders_its_pdf_with_no_transaction_open(
    probe: RenderProbe, committed: Engine
) -> None:
    with open_session() as session:
        dlist = _weekly(session)
        story_session = create_session(
            session,
            title="Onboarding at Meridian",
            status=SessionStatus.completed,
            starts_at=MONDAY_9_PARIS - timedelta(days=3),
        )
        version = approve_recap(session, story_session)
        version.approved_at = MONDAY_9_PARIS - timedelta(days=2)
        session.add(version)
        session.commit()

    assert send_due_digests(now=MONDAY_9_PARIS) == 1

    assert probe.renders == [("digest", 0, True)]
    with Session(committed) as session:
        (digest,) = session.exec(select(Digest)).all()
        assert digest.list_id == dlist.id
        pdf = session.get(RenderedPdf, digest.pdf_id)
        assert pdf is not None
        assert pdf.content == FAKE_PDF
        deliveries = session.exec(
            select(Delivery).where(Delivery.kind == DeliveryKind.digest).order_by(col(Delivery.id))
        ).all()
    assert sorted((d.to_email, d.status) for d in deliveries) == [
        ("chair@board.example", DeliveryStatus.sent),
        ("dir@example.com", DeliveryStatus.sent),
    ]
    assert _attachments([d.id or 0 for d in deliveries]) == [FAKE_PDF, FAKE_PDF]


def test_a_recap_waits_for_its_pdf_and_the_render_sends_it(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    renders: list[str] = []
    monkeypatch.setattr(tasks, "render_version_pdf", lambda version_id: renders.append("asked"))
    story_session = create_session(db, status=SessionStatus.completed)
    version = approve_recap(db, story_session, with_pdf=False)
    dlist = create_list(db, outsiders=["chair@board.example"])
    _, (delivery,) = send_recap(db, story_session=story_session, list_ids=[dlist.id or 0])
    db.commit()  # the sending job runs, and leaves the recap waiting for its PDF
    assert renders == ["asked"]
    db.refresh(delivery)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.queued, 0)

    monkeypatch.setattr(render._worker, "render", lambda html, limit, subject: (FAKE_PDF, 1))
    tasks.render_version(version.id or 0)  # stores the PDF, then asks for the send

    db.refresh(delivery)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.sent, 1)
    assert _attachments([delivery.id or 0]) == [FAKE_PDF]


def test_a_pdf_that_cannot_be_rendered_fails_the_recaps_waiting_for_it(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tasks, "render_version_pdf", lambda version_id: None)
    story_session = create_session(db, status=SessionStatus.completed)
    version = approve_recap(db, story_session, with_pdf=False)
    dlist = create_list(db, outsiders=["chair@board.example"])
    _, (delivery,) = send_recap(db, story_session=story_session, list_ids=[dlist.id or 0])
    db.commit()

    def too_slow(html: str, limit: float, subject: str) -> tuple[bytes, int]:
        raise render.RenderError("The recap took longer than 60 s to render, so it was stopped.")

    monkeypatch.setattr(render._worker, "render", too_slow)
    tasks.render_version(version.id or 0)

    db.refresh(delivery)
    db.refresh(version)
    assert version.render_error == "The recap took longer than 60 s to render, so it was stopped."
    assert (delivery.status, delivery.last_error) == (
        DeliveryStatus.failed,
        "Could not write this email: The recap took longer than 60 s to render, so it was stopped.",
    )

    # Resent: the PDF is rendered again, then the recap goes out.
    monkeypatch.setattr(render._worker, "render", lambda html, limit, subject: (FAKE_PDF, 1))
    monkeypatch.setattr(tasks, "render_version_pdf", tasks.render_version)
    assert resend(db, story_session=story_session) == 1
    db.commit()
    db.refresh(delivery)
    assert delivery.status is DeliveryStatus.sent
    assert _attachments([delivery.id or 0]) == [FAKE_PDF]


def test_the_sweep_renders_a_pdf_whose_job_was_lost(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tasks, "render_version_pdf", lambda version_id: None)  # lost
    story_session = create_session(db, status=SessionStatus.completed)
    version = approve_recap(db, story_session, with_pdf=False)
    dlist = create_list(db, outsiders=["chair@board.example"])
    _, (delivery,) = send_recap(
        db,
        story_session=story_session,
        list_ids=[dlist.id or 0],
        now=utcnow() - tasks.LOST_AFTER - timedelta(minutes=1),
    )
    db.commit()
    monkeypatch.setattr(render._worker, "render", lambda html, limit, subject: (FAKE_PDF, 1))

    tasks.render_waiting_pdfs.call_local()

    db.refresh(version)
    db.refresh(delivery)
    assert version.pdf_id is not None
    assert delivery.status is DeliveryStatus.sent
