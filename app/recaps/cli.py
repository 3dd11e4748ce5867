"""`storyroom recap render SESSION -o recap.pdf`."""

from pathlib import Path

from rich.console import Console
from sqlmodel import Session, col, select

from app.db import open_session
from app.errors import AppError
from app.models import Recap, RecapVersion, StorySession
from app.recaps.builder import build_document
from app.recaps.render import ensure_pdf, recap_pdf_html, render_pdf


def render_to_file(
    session_id: int, output: Path, *, version: int | None, console: Console, err: Console
) -> int:
    """Write the recap's PDF to OUTPUT and return the exit status."""
    try:
        with open_session() as session:
            version_id, html, what = _what_to_render(session, session_id, version)
        # Rendered with the session closed: on SQLite a transaction would hold the write lock.
        pdf = ensure_pdf(version_id) if version_id is not None else render_pdf(html)
    except AppError as exc:
        err.print(f"[red]{exc.detail}[/red]")
        return 1
    try:
        output.write_bytes(pdf.content)
    except OSError as exc:
        err.print(f"[red]Cannot write {output}: {exc.strerror}.[/red]")
        return 2
    pages = f"{pdf.pages} page{'' if pdf.pages == 1 else 's'}"
    console.print(f"Wrote {output} ({what}, {pages}, {len(pdf.content) / 1024:,.0f} KB)")
    return 0


def _what_to_render(
    session: Session, session_id: int, number: int | None
) -> tuple[int | None, str, str]:
    """What to render: an approved version (by id; its PDF is kept) or else the draft's HTML."""
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
        return version.id, "", f"version {version.number}"
    document = build_document(session, story_session=story_session, recap=recap)
    return None, recap_pdf_html(document), "unapproved draft"
