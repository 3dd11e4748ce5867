"""`storyroom import attendance SESSION FILE`: a platform report from a terminal.

Commands import what they use when they run (see app/system/cli.py).
"""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, get_args

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from app.attendance.schemas import ImportReport

console = Console()
err = Console(stderr=True)


def import_attendance(
    session_id: Annotated[int, typer.Argument(help="The session's id")],
    file: Annotated[Path, typer.Argument(help="The platform's attendance report")],
    date_order: Annotated[
        str, typer.Option(help="auto, dmy or mdy: only needed when dates are ambiguous")
    ] = "auto",
    yes: Annotated[
        bool,
        typer.Option(
            "--yes",
            "-y",
            help="Import even when the report's times are far from the session's",
        ),
    ] = False,
) -> None:
    """Import a session's attendance report (Zoom, Teams, Meet, Webex or a plain CSV)."""
    raise typer.Exit(
        run_import(session_id, file, date_order=date_order, confirm=yes, console=console, err=err)
    )


def run_import(
    session_id: int,
    path: Path,
    *,
    date_order: str,
    confirm: bool = False,
    console: Console,
    err: Console,
) -> int:
    """Import FILE into the session in one transaction, print the report, return the exit status."""
    from app.attendance.previews import OutsideSession
    from app.attendance.service import DateOrder, import_report
    from app.db import open_session
    from app.errors import AppError
    from app.models import StorySession

    if date_order not in get_args(DateOrder):
        err.print(f"[red]--date-order must be auto, dmy or mdy, not {date_order!r}.[/red]")
        return 2
    try:
        data = path.read_bytes()
    except OSError as exc:
        err.print(f"[red]Cannot read {path}: {exc.strerror}.[/red]")
        return 2
    with open_session() as session:
        story_session = session.get(StorySession, session_id)
        if story_session is None:
            err.print(f"[red]There is no session with id {session_id}.[/red]")
            return 1
        try:
            report = import_report(
                session,
                story_session=story_session,
                data=data,
                filename=path.name,
                date_order=date_order,  # type: ignore[arg-type]
                confirm=confirm,
            )
        except OutsideSession as exc:
            session.rollback()
            err.print(f"[yellow]{exc.preview.explanation}[/yellow]")
            err.print(
                f"Nothing was imported ({exc.preview.people_found:,} people, "
                f"{exc.preview.matched:,} matched). Check that this is the report of session "
                f"{session_id}, or run again with --yes to import it anyway."
            )
            return 1
        except AppError as exc:
            session.rollback()
            err.print(f"[red]{exc.detail}[/red]")
            return 1
        session.commit()
    print_report(report, console=console)
    return 0


def print_report(report: "ImportReport", *, console: Console) -> None:
    """The format, the counts, attendance per level, then decisions and warnings."""
    if report.repeated:
        console.print("[yellow]This exact file was imported before; nothing changed.[/yellow]")
    console.print(f"[bold]{report.format_label}[/bold] ({report.encoding})")
    console.print(
        f"{report.rows_read:,} rows · {report.people_found:,} people · "
        f"matched [green]{report.matched:,}[/green] · unmatched {report.unmatched:,} · "
        f"attended (≥ {report.min_minutes} min) [bold]{report.attended:,}[/bold]"
    )
    table = Table("Level", "Attended")
    for count in report.per_level:
        table.add_row(count.level.name, str(count.attended))
    console.print(table)
    for line in report.decisions:
        console.print(f"· {line}")
    for line in report.warnings:
        console.print(f"[yellow]! {line}[/yellow]")
