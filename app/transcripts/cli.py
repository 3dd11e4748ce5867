"""`storyroom import transcript SESSION FILE`: a transcript or chat from a terminal.

Commands import what they use when they run (see app/system/cli.py).
"""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

if TYPE_CHECKING:
    from app.transcripts.schemas import TranscriptImportRead

console = Console()
err = Console(stderr=True)


def import_transcript(
    session_id: Annotated[int, typer.Argument(help="The session's id")],
    file: Annotated[Path, typer.Argument(help="The transcript or chat file")],
) -> None:
    """Import a session's transcript or chat (Zoom, Teams, Meet, or subtitles)."""
    raise typer.Exit(run_import(session_id, file, console=console, err=err))


def run_import(session_id: int, path: Path, *, console: Console, err: Console) -> int:
    """Import FILE into the session in one transaction, print what it holds, return the exit
    status."""
    from app.db import open_session
    from app.errors import AppError
    from app.models import StorySession
    from app.transcripts.importing import import_transcript

    try:
        data = path.read_bytes()
    except OSError as exc:
        err.print(f"[red]Cannot read {escape(str(path))}: {exc.strerror}.[/red]")
        return 2
    with open_session() as session:
        story_session = session.get(StorySession, session_id) if 0 < session_id < 2**31 else None
        if story_session is None:
            err.print(f"[red]There is no session with id {session_id}.[/red]")
            return 1
        try:
            imported = import_transcript(
                session, story_session=story_session, data=data, filename=path.name, user=None
            )
        except AppError as exc:
            session.rollback()
            err.print(f"[red]{escape(str(exc.detail))}[/red]", highlight=False)
            return 1
        session.commit()
    print_import(imported, console=console)
    return 0


def print_import(imported: "TranscriptImportRead", *, console: Console) -> None:
    """The format, the counts, each speaker and who they are, then warnings."""
    from app.kit.words import counted
    from app.templating import clock

    if imported.unchanged:
        console.print("[yellow]This exact file was imported before; nothing changed.[/yellow]")
    console.print(
        f"[bold]{escape(imported.format_label)}[/bold] ({escape(imported.filename)})",
        highlight=False,
    )
    console.print(
        f"{counted(imported.cue_count, 'cue')} · {counted(len(imported.speakers), 'speaker')} · "
        f"{clock(imported.duration_seconds)}",
        highlight=False,
    )
    table = Table("Speaker", "Who", "Cues", "Spoken")
    for speaker in imported.speakers:
        who = speaker.who or speaker.match.value
        if speaker.who:
            who = f"{who} ({speaker.match.value})"
        # Names come from the file: shown as written, never read as Rich markup.
        table.add_row(
            escape(speaker.label),
            escape(who),
            str(speaker.cue_count),
            clock(speaker.seconds_spoken),
        )
    console.print(table)
    for line in imported.warnings:
        console.print(f"[yellow]! {escape(line)}[/yellow]", highlight=False)
