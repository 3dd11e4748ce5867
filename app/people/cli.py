"""`storyroom import people FILE`: the directory import from a terminal."""

from pathlib import Path

from rich.console import Console
from rich.table import Table

from app.db import open_session
from app.errors import AppError
from app.people.importer import import_people, rejected_report
from app.people.schemas import ImportReport


def run_import(
    path: Path, *, deactivate_missing: bool, skip_bad_rows: bool, console: Console, err: Console
) -> int:
    """Import FILE in one transaction, print the report, and return the exit status."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        err.print(f"[red]Cannot read {path}: {exc.strerror}.[/red]")
        return 2
    with open_session() as session:
        try:
            report = import_people(
                session,
                data=data,
                deactivate_missing=deactivate_missing,
                skip_bad_rows=skip_bad_rows,
            )
        except AppError as exc:
            session.rollback()
            rejected = rejected_report(exc)
            if rejected is not None:
                print_report(rejected, console=err)
                err.print("[red]Nothing was imported: fix these rows or use --skip-bad-rows.[/red]")
            else:
                err.print(f"[red]{exc.detail}[/red]")
            return 1
        session.commit()
    print_report(report, console=console)
    return 0


def print_report(report: ImportReport, *, console: Console) -> None:
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
