"""`storyroom import people FILE`: the directory import from a terminal.

Commands import what they use when they run (see app/system/cli.py).
"""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from app.people.schemas import ImportReport

console = Console()
err = Console(stderr=True)


def import_people(
    file: Annotated[Path, typer.Argument(help="The HR export, as CSV")],
    deactivate_missing: Annotated[
        bool, typer.Option("--deactivate-missing", help="Deactivate people not in the file")
    ] = False,
    skip_bad_rows: Annotated[
        bool, typer.Option("--skip-bad-rows", help="Import the good rows, report the bad ones")
    ] = False,
) -> None:
    """Import the employee directory from an HR CSV export (all rows, or none)."""
    status = run_import(
        file,
        deactivate_missing=deactivate_missing,
        skip_bad_rows=skip_bad_rows,
        console=console,
        err=err,
    )
    if status:
        raise typer.Exit(status)


def run_import(
    path: Path, *, deactivate_missing: bool, skip_bad_rows: bool, console: Console, err: Console
) -> int:
    """Import FILE in one transaction, print the report, and return the exit status."""
    from app.db import open_session
    from app.errors import AppError
    from app.people import importer

    try:
        data = path.read_bytes()
    except OSError as exc:
        err.print(f"[red]Cannot read {path}: {exc.strerror}.[/red]")
        return 2
    with open_session() as session:
        try:
            report = importer.import_people(
                session,
                data=data,
                deactivate_missing=deactivate_missing,
                skip_bad_rows=skip_bad_rows,
            )
        except AppError as exc:
            session.rollback()
            rejected = importer.rejected_report(exc)
            if rejected is not None:
                print_report(rejected, console=err)
                err.print("[red]Nothing was imported: fix these rows or use --skip-bad-rows.[/red]")
            else:
                err.print(f"[red]{exc.detail}[/red]")
            return 1
        session.commit()
    print_report(report, console=console)
    return 0


def print_report(report: "ImportReport", *, console: Console) -> None:
    """The counts, then one line per error."""
    console.print(
        f"[bold]{report.rows:,}[/bold] rows · created [green]{report.created:,}[/green] · "
        f"updated {report.updated:,} · unchanged {report.unchanged:,} · "
        f"deactivated {report.deactivated:,}"
        + (f" · skipped [yellow]{report.skipped:,}[/yellow]" if report.skipped else "")
    )
    if report.errors:
        table = Table("Line", "Column", "Problem", title=f"{len(report.errors)} errors")
        for error in report.errors:
            table.add_row(str(error.line), error.column or "", error.message)
        console.print(table)
