"""Each approved version's PDF: rendered once in the worker, stored, and written by the CLI."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from rich.console import Console
from sqlmodel import Session, func, select

from app.models import Recap, RecapVersion, RenderedPdf, SessionStatus, utcnow
from app.recaps import render, tasks
from app.recaps.cli import render_to_file
from app.recaps.render import RenderError, ensure_pdf, pdf_for_version
from app.recaps.tasks import schedule_pdf
from tests.factories import create_session
from tests.recaps.documents import typical_document


def create_version(db: Session, *, number: int = 1, title: str = "Version one") -> RecapVersion:
    """An approved version of a recap (the session and recap are made on the first call)."""
    story_session = create_session(db, title="Meridian Freight", status=SessionStatus.completed)
    recap = Recap(session_id=story_session.id or 0, latest_version=number)
    db.add(recap)
    db.flush()
    return add_version(db, recap, number=number, title=title)


def add_version(db: Session, recap: Recap, *, number: int, title: str) -> RecapVersion:
    document = typical_document(quotes=1, action_items=1, open_items=0, version=number)
    document.session_title = title
    version = RecapVersion(
        recap_id=recap.id or 0, number=number, document=document.model_dump(mode="json")
    )
    recap.latest_version = number
    db.add(version)
    db.flush()
    return version


def pdf_count(db: Session) -> int:
    return db.exec(select(func.count()).select_from(RenderedPdf)).one()


def pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_ensure_pdf_renders_once_and_stores_it(db: Session) -> None:
    version = create_version(db, title="Ensured once")
    assert pdf_for_version(db, version) is None
    pdf = ensure_pdf(version.id or 0)
    assert pdf.id is not None
    db.refresh(version)
    assert version.pdf_id == pdf.id
    assert "Ensured once" in pdf_text(pdf.content)
    again = ensure_pdf(version.id or 0)
    assert again.id == pdf.id
    assert pdf_count(db) == 1
    assert pdf_for_version(db, version) == pdf


def test_schedule_pdf_renders_after_commit(db: Session) -> None:
    version = create_version(db, title="Scheduled")
    schedule_pdf(db, version)
    schedule_pdf(db, version)  # twice in one transaction: still one job, one PDF
    db.flush()
    assert pdf_count(db) == 0  # nothing before the commit
    db.commit()
    db.refresh(version)
    assert version.pdf_id is not None
    assert version.render_error == ""
    assert pdf_count(db) == 1
    pdf = db.get(RenderedPdf, version.pdf_id)
    assert pdf is not None
    assert "Scheduled" in pdf_text(pdf.content)


def test_schedule_pdf_is_forgotten_on_rollback(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    queued: list[int] = []
    monkeypatch.setattr(tasks, "render_version_pdf", queued.append)
    version = create_version(db, title="Rolled back")
    schedule_pdf(db, version)
    db.rollback()  # the version is gone, and so is the job it needed
    create_session(db, title="Another change")
    db.commit()
    assert queued == []
    kept = create_version(db, title="Kept")
    schedule_pdf(db, kept)
    db.commit()
    assert queued == [kept.id]


def test_render_task_is_idempotent(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    version = create_version(db)
    db.commit()
    tasks.render_version_pdf(version.id or 0)
    db.refresh(version)
    first = version.pdf_id
    assert first is not None

    def must_not_render(html: str, **kwargs: object) -> RenderedPdf:
        raise AssertionError("rendered twice")

    monkeypatch.setattr(render, "render_pdf", must_not_render)
    tasks.render_version_pdf(version.id or 0)
    db.refresh(version)
    assert version.pdf_id == first
    assert pdf_count(db) == 1


def test_render_task_records_a_render_error(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    version = create_version(db)
    db.commit()

    def too_slow(html: str, **kwargs: object) -> RenderedPdf:
        raise RenderError("The recap took longer than 60 s to render, so it was stopped.")

    monkeypatch.setattr(render, "render_pdf", too_slow)
    tasks.render_version_pdf(version.id or 0)
    db.refresh(version)
    assert version.pdf_id is None
    assert version.render_error == "The recap took longer than 60 s to render, so it was stopped."


def test_render_task_for_a_deleted_version_does_nothing(db: Session) -> None:
    tasks.render_version_pdf(987654)
    assert pdf_count(db) == 0


def _consoles() -> tuple[Console, Console]:
    return Console(record=True, width=200), Console(record=True, width=200)


def test_cli_writes_the_latest_version(db: Session, tmp_path: Path) -> None:
    version = create_version(db, number=1, title="First cut")
    recap = db.get(Recap, version.recap_id)
    assert recap is not None
    add_version(db, recap, number=2, title="Second cut")
    console, err = _consoles()
    output = tmp_path / "recap.pdf"
    session_id = recap.session_id
    assert render_to_file(session_id, output, version=None, console=console, err=err) == 0
    assert "Second cut" in pdf_text(output.read_bytes())
    assert "version 2" in console.export_text()
    assert render_to_file(session_id, output, version=1, console=console, err=err) == 0
    assert "First cut" in pdf_text(output.read_bytes())
    # Rendered once each, and stored: the same bytes next time.
    assert pdf_count(db) == 2


def test_cli_refuses_unknown_session_and_version(db: Session, tmp_path: Path) -> None:
    version = create_version(db)
    recap = db.get(Recap, version.recap_id)
    assert recap is not None
    console, err = _consoles()
    output = tmp_path / "recap.pdf"
    assert render_to_file(999999, output, version=None, console=console, err=err) == 1
    assert render_to_file(recap.session_id, output, version=7, console=console, err=err) == 1
    text = err.export_text()
    assert "There is no session with id 999999." in text
    assert f"Session {recap.session_id}'s recap has no version 7" in text
    assert not output.exists()


def test_cli_refuses_a_session_without_recap(db: Session, tmp_path: Path) -> None:
    story_session = create_session(db)
    console, err = _consoles()
    status = render_to_file(
        story_session.id or 0, tmp_path / "x.pdf", version=None, console=console, err=err
    )
    assert status == 1
    assert "has no recap yet" in err.export_text()


def test_cli_renders_the_draft_when_nothing_is_approved(db: Session, tmp_path: Path) -> None:
    story_session = create_session(
        db,
        title="Draft only",
        status=SessionStatus.completed,
        starts_at=utcnow() - timedelta(days=1),
    )
    db.add(Recap(session_id=story_session.id or 0, summary="We heard **three** things."))
    db.flush()
    console, err = _consoles()
    output = tmp_path / "draft.pdf"
    status = render_to_file(story_session.id or 0, output, version=None, console=console, err=err)
    assert status == 0, err.export_text()
    text = pdf_text(output.read_bytes())
    assert "Draft only" in text
    assert "We heard three things." in text
    assert "Draft, not approved" in text
    assert "unapproved draft" in console.export_text()
    assert pdf_count(db) == 0  # a draft is rendered for the file, never stored
