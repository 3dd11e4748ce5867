"""`storyroom recap render SESSION -o recap.pdf`.

Commands import what they use when they run (see app/system/cli.py).
"""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

if TYPE_CHECKING:
    from sqlmodel import Session

recap_app = typer.Typer(no_args_is_help=True, help="Session recaps.")
console = Console()
err = Console(stderr=True)


@recap_app.command("render")
def recap_render(
    session_id: int,
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the PDF")] = Path(
        "recap.pdf"
    ),
    version: Annotated[
        int | None, typer.Option(help="An approved version (default: the latest, else the draft)")
    ] = None,
) -> None:
    """Render SESSION's recap to a PDF file."""
    raise typer.Exit(render_to_file(session_id, output, version=version, console=console, err=err))


def render_to_file(
    session_id: int, output: Path, *, version: int | None, console: Console, err: Console
) -> int:
    """Write the recap's PDF to OUTPUT and return the exit status."""
    from app.db import open_session
    from app.errors import AppError
    from app.recaps.render import ensure_pdf, render_pdf

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
    session: "Session", session_id: int, number: int | None
) -> tuple[int | None, str, str]:
    """What to render: an approved version (by id; its PDF is kept) or else the draft's HTML."""
    from sqlmodel import col, select

    from app.errors import AppError
    from app.models import Recap, RecapVersion, StorySession
    from app.recaps.builder import build_document
    from app.recaps.render import recap_pdf_html

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
