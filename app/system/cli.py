"""`storyroom db …`: the schema (upgrade, downgrade) and SQLite backups (backup, restore).

Commands import what they use when they run: `storyroom` loads every domain's commands, and
nothing may import prometheus_client before `app.cli` has set up its metrics directory.
"""

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from app.config import get_settings

db_app = typer.Typer(no_args_is_help=True, help="Database schema and maintenance.")
console = Console()


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply migrations up to REVISION (default: the latest)."""
    from app.db import migrate

    migrate(get_settings().database_url, revision)
    console.print(f"[green]Database at {revision}[/green]")


@db_app.command("downgrade")
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION ("base" empties the database)."""
    from alembic import command
    from app.db import alembic_config

    command.downgrade(alembic_config(get_settings().database_url), revision)
    console.print(f"Database at {revision}")


@db_app.command("backup")
def db_backup(
    path: Annotated[Path, typer.Argument(help="The new file to write the copy to.")],
) -> None:
    """Copy the SQLite database to PATH, safely while Storyroom keeps running."""
    from app.system.backup import BackupError, backup

    try:
        size = backup(get_settings().database_url, path)
    except BackupError as exc:
        typer.secho(str(exc), fg="red", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Backed up to {path} ({size:,} bytes)")


@db_app.command("restore")
def db_restore(
    path: Annotated[Path, typer.Argument(help="A file made by `storyroom db backup`.")],
    yes: Annotated[bool, typer.Option("--yes", help="Really replace the current data.")] = False,
) -> None:
    """Replace the SQLite database's content with the backup at PATH."""
    from alembic.script import ScriptDirectory

    from app.db import alembic_config
    from app.system.backup import BackupError, check_backup, restore, sqlite_path

    url = get_settings().database_url
    try:
        target = sqlite_path(url)
        script = ScriptDirectory.from_config(alembic_config(url))
        known = {revision.revision for revision in script.walk_revisions()}
        check = check_backup(path, script.get_current_head() or "", known)
        if not yes:
            raise BackupError(
                f"This replaces everything in {target} with {path}. Stop Storyroom's web and "
                "worker processes, then run again with --yes."
            )
        restore(url, path)
    except BackupError as exc:
        typer.secho(str(exc), fg="red", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Restored {target} from {path}")
    if check.behind:
        typer.echo(
            f"The backup is at schema {check.revision}, older than this code's {check.head}: "
            "run `storyroom db upgrade` before starting Storyroom."
        )
