"""`storyroom demo`: load the demo organisation into the database.

Commands import what they use when they run (see app/system/cli.py).
"""

from typing import Annotated

import typer
from rich.console import Console

console = Console()
err = Console(stderr=True)


def demo(
    force: Annotated[
        bool, typer.Option("--force", help="Load even though the directory already has people")
    ] = False,
) -> None:
    """Load the demo organisation, Northwind Outfitters (demo), into the database."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from app.db import open_session
    from app.demo import STEP_COUNT, load_demo, people_count
    from app.errors import AppError

    with open_session() as session:
        existing = people_count(session)
        if existing and not force:
            people = f"{existing:,} {'person' if existing == 1 else 'people'}"
            err.print(
                f"[red]The directory already has {people}; the demo is meant for an empty "
                "database. Run `storyroom demo --force` to add it beside them.[/red]"
            )
            raise typer.Exit(1)
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
        with Progress(*columns, console=console, transient=True) as progress:
            task = progress.add_task("Loading the demo", total=STEP_COUNT)
            try:
                summary = load_demo(
                    session,
                    progress=lambda done: progress.update(task, advance=1, description=done),
                )
            except AppError as exc:
                err.print(f"[red]{exc.detail}[/red]")
                raise typer.Exit(1) from None
        session.commit()
    console.print(f"[green]Loaded {summary}.[/green]")
