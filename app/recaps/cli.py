"""`storyroom recap render SESSION -o recap.pdf`."""

from pathlib import Path

from rich.console import Console
from sqlmodel import Session, col, select

from app.db import open_session
from app.errors import AppError
from app.models import Recap, RecapVersion, RenderedPdf, StorySession
from app.recaps.builder import build_document
from app.recaps.render import ensure_pdf, recap_pdf_html, render_pdf


def render_to_file(
    session_id: int, output: Path, *, version: int | None, console: Console, err: Console
) -> int:
    """Write the recap's PDF to OUTPUT and return the exit status."""
    with open_session() as session:
        try:
            pdf, what = _recap_pdf(session, session_id, version)
        except AppError as exc:
            session.rollback()
            err.print(f"[red]{exc.detail}[/red]")
            return 1
        session.commit()
    try:
        output.write_bytes(pdf.content)
    except OSError as exc:
        err.print(f"[red]Cannot write {output}: {exc.strerror}.[/red]")
        return 2
    pages = f"{pdf.pages} page{'' if pdf.pages == 1 else 's'}"
    console.print(f"Wrote {output} ({what}, {pages}, {len(pdf.content) / 1024:,.0f} KB)")
    return 0


def _recap_pdf(session: Session, session_id: int, number: int | None) -> tuple[RenderedPdf, str]:
    """The PDF to write and what it is: a stored version's, or a draft rendered now."""
    story_session = session.get(StorySession, session_id)
    if story_session is None:
        raise AppError(f"There is no session with id {session_id}.")
    recap = session.exec(select(Recap).where(Recap.session_id == session_id)).first()
    if recap is None:
        raise AppError(f"Session {session_id} has no recap yet: write one first.")
    versions = select(RecapVersion).where(RecapVersion.recap_id == recap.id)
    if number is not None:
        version = session.exec(versions.where(RecapVersion.number == number)).first()
        if version is None:
            latest = f"the latest is {recap.latest_version}" if recap.latest_version else "none yet"
            raise AppError(
                f"Session {session_id}'s recap has no version {number} "
                f"(approved versions: {latest})."
            )
    else:
        version = session.exec(versions.order_by(col(RecapVersion.number).desc())).first()
    if version is not None:
        return ensure_pdf(session, version), f"version {version.number}"
    document = build_document(session, story_session=story_session, recap=recap)
    return render_pdf(recap_pdf_html(document)), "unapproved draft"
