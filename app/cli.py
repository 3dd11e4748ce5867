"""The `storyroom` command: run, serve, worker, db, users, tokens, import, demo."""

import os
import secrets
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from app.config import get_settings

if TYPE_CHECKING:
    from sqlmodel import Session

    from app.models import Role, User

app = typer.Typer(no_args_is_help=True, help="Storyroom: customer-story sessions and recaps.")
db_app = typer.Typer(no_args_is_help=True, help="Database schema and maintenance.")
users_app = typer.Typer(no_args_is_help=True, help="User accounts.")
tokens_app = typer.Typer(no_args_is_help=True, help="API bearer tokens.")
import_app = typer.Typer(no_args_is_help=True, help="Import files.")
recap_app = typer.Typer(no_args_is_help=True, help="Session recaps.")
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")
app.add_typer(import_app, name="import")
app.add_typer(recap_app, name="recap")

console = Console()
err = Console(stderr=True)
SERVERS = {"run", "serve", "worker"}


@app.callback()
def _audit_as_cli(ctx: typer.Context) -> None:
    # What a command changes is audited as done by "cli"; servers audit their own users.
    if ctx.invoked_subcommand in SERVERS:
        return
    from app.audit.service import CLI, current_actor

    token = current_actor.set(CLI)
    ctx.call_on_close(lambda: current_actor.reset(token))


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


@users_app.command("create")
def users_create(
    email: str,
    role: Annotated[str, typer.Option(help="admin, organizer or viewer")] = "organizer",
    password: Annotated[str | None, typer.Option(help="Default: generated and printed")] = None,
    name: str = "",
) -> None:
    """Create a user account."""
    from app.auth import service
    from app.db import open_session
    from app.errors import AppError

    role_value = _parse_role(role)
    generated = password is None
    password = password or service.new_password()
    with open_session() as session:
        try:
            service.create_user(session, email=email, password=password, role=role_value, name=name)
        except AppError as exc:
            err.print(f"[red]{exc.detail}[/red]")
            raise typer.Exit(1) from None
        session.commit()
    console.print(f"Created {role_value.value} {email.lower()}")
    if generated:
        console.print(f"Password: [bold]{password}[/bold]")


def _parse_role(role: str) -> "Role":
    from app.models import Role

    try:
        return Role(role)
    except ValueError:
        err.print(f"[red]Unknown role {role!r}: use admin, organizer or viewer.[/red]")
        raise typer.Exit(2) from None


def _change_user(email: str, change: Callable[["Session", "User"], str]) -> None:
    """Apply `change` to the account at EMAIL and commit, or say why not and exit 1."""
    from app.auth import service
    from app.db import open_session
    from app.errors import AppError

    with open_session() as session:
        user = service.get_user_by_email(session, email)
        if user is None:
            err.print(f"[red]No user with the email {email}.[/red]")
            raise typer.Exit(1)
        try:
            done = change(session, user)
        except AppError as exc:
            err.print(f"[red]{exc.detail}[/red]")
            raise typer.Exit(1) from None
        session.commit()
    console.print(done)


@users_app.command("list")
def users_list() -> None:
    """Every account: email, role, whether it is active, last sign-in."""
    from rich.table import Table
    from sqlmodel import col, select

    from app.db import open_session
    from app.models import User

    table = Table("Email", "Name", "Role", "Status", "Last sign-in (UTC)")
    with open_session() as session:
        for user in session.exec(select(User).order_by(col(User.email))):
            last = user.last_login_at.strftime("%Y-%m-%d %H:%M") if user.last_login_at else "never"
            status = "active" if user.active else "disabled"
            table.add_row(user.email, user.name, user.role.value, status, last)
    console.print(table)


@users_app.command("enable")
def users_enable(email: str) -> None:
    """Let the account at EMAIL sign in again (its old sign-ins and API tokens stay ended)."""
    from app.auth import service

    def enable(session: "Session", user: "User") -> str:
        service.update_user(session, user=user, changes={"active": True})
        return f"Enabled {user.email}"

    _change_user(email, enable)


@users_app.command("disable")
def users_disable(email: str) -> None:
    """Stop the account at EMAIL: it is signed out everywhere and its API tokens are revoked."""
    from app.auth import service

    def disable(session: "Session", user: "User") -> str:
        service.update_user(session, user=user, changes={"active": False})
        return f"Disabled {user.email}: signed out everywhere, API tokens revoked"

    _change_user(email, disable)


@users_app.command("set-role")
def users_set_role(
    email: str, role: Annotated[str, typer.Argument(help="admin, organizer or viewer")]
) -> None:
    """Give the account at EMAIL another role."""
    from app.auth import service

    role_value = _parse_role(role)

    def set_role(session: "Session", user: "User") -> str:
        service.update_user(session, user=user, changes={"role": role_value})
        return f"{user.email} is now {role_value.value}"

    _change_user(email, set_role)


@users_app.command("reset-password")
def users_reset_password(
    email: str,
    password: Annotated[str | None, typer.Option(help="Default: generated and printed")] = None,
) -> None:
    """Give the account at EMAIL a new password and end its sign-ins."""
    from app.auth import service

    def reset(session: "Session", user: "User") -> str:
        new = service.reset_password(session, user=user, password=password)
        done = f"Reset the password of {user.email}; its sign-ins have ended"
        return done if password is not None else f"{done}\nPassword: [bold]{new}[/bold]"

    _change_user(email, reset)


@tokens_app.command("create")
def tokens_create(email: str, name: str = "cli") -> None:
    """Create an API token for EMAIL and print it once."""
    from app.auth import service
    from app.db import open_session

    with open_session() as session:
        user = service.get_user_by_email(session, email)
        if user is None:
            err.print(f"[red]No user with the email {email}.[/red]")
            raise typer.Exit(1)
        _, plain = service.issue_token(session, user=user, name=name)
        session.commit()
    console.print(plain)


@import_app.command("people")
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
    from app.people.cli import run_import

    status = run_import(
        file,
        deactivate_missing=deactivate_missing,
        skip_bad_rows=skip_bad_rows,
        console=console,
        err=err,
    )
    if status:
        raise typer.Exit(status)


@import_app.command("attendance")
def import_attendance(
    session_id: Annotated[int, typer.Argument(help="The session's id")],
    file: Annotated[Path, typer.Argument(help="The platform's attendance report")],
    date_order: Annotated[
        str, typer.Option(help="auto, dmy or mdy: only needed when dates are ambiguous")
    ] = "auto",
) -> None:
    """Import a session's attendance report (Zoom, Teams, Meet, Webex or a plain CSV)."""
    from app.attendance.cli import run_import

    raise typer.Exit(run_import(session_id, file, date_order=date_order, console=console, err=err))


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
    from app.recaps.cli import render_to_file

    raise typer.Exit(render_to_file(session_id, output, version=version, console=console, err=err))


@app.command()
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


def _observe(*, fresh_metrics: bool) -> None:
    """Logging for a long-running process, and the metrics directory its processes share.

    Must run before anything imports prometheus_client: it reads the directory at import.
    """
    from app.system.logs import configure_logging

    settings = get_settings()
    configure_logging(json_lines=settings.json_logs)
    directory = Path(
        os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(settings.var_dir / "metrics"))
    )
    directory.mkdir(parents=True, exist_ok=True)
    if fresh_metrics:  # counters start again with the service, not with an old run's files
        for stale in directory.glob("*.db"):
            stale.unlink()


@app.command()
def worker(
    workers: Annotated[int, typer.Option(help="Jobs run at once")] = 2,
    worker_type: Annotated[
        str, typer.Option(help="thread, or process for CPU-bound jobs")
    ] = "thread",
) -> None:
    """Run the background worker (jobs and periodic tasks)."""
    _observe(fresh_metrics=False)
    from app.worker import huey, load_tasks

    load_tasks()
    consumer = huey.create_consumer(workers=workers, worker_type=worker_type, periodic=True)
    consumer.run()


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: Annotated[int, typer.Option(help="Web processes")] = 1,
) -> None:
    """Serve the web app (production: several processes, see app.system.serve)."""
    _observe(fresh_metrics=True)
    from app.system.logs import logging_config
    from app.system.serve import serve as serve_web

    settings = get_settings()
    if settings.metrics_port:
        from prometheus_client import start_http_server

        from app.system.metrics import scrape_registry

        start_http_server(settings.metrics_port, addr=host, registry=scrape_registry())
    # The logging config is applied again in each web process: they start fresh.
    serve_web(
        host=host,
        port=port,
        workers=workers,
        log_config=logging_config(json_lines=settings.json_logs),
    )


def _ensure_admin() -> str:
    """On a laptop: one admin account whose password is kept under var/ so it can be shown again."""
    from app.auth import service
    from app.db import open_session
    from app.models import Role

    settings = get_settings()
    email = "admin@storyroom.local"
    password_file = settings.var_dir / "admin-password.txt"
    with open_session() as session:
        if service.get_user_by_email(session, email) is None:
            password = secrets.token_urlsafe(12)
            service.create_user(
                session, email=email, password=password, role=Role.admin, name="Admin"
            )
            session.commit()
            password_file.write_text(password)
            password_file.chmod(0o600)
    password = password_file.read_text().strip() if password_file.exists() else "(set by you)"
    return f"{email} / {password}"


@app.command()
def run(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Development: migrate, load the demo on an empty database, then serve web + worker."""
    _observe(fresh_metrics=True)
    db_upgrade("head")
    from app.demo import load_demo_if_empty

    if summary := load_demo_if_empty():
        console.print(f"Loaded the demo organisation: {summary}.")
    login = _ensure_admin()
    console.rule("[bold]Storyroom")
    console.print(f"Open http://{host}:{port}  ·  sign in as [bold]{login}[/bold]")
    console.print("Ctrl-C stops the web server and the worker.")
    worker_process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "worker"], env=os.environ.copy()
    )
    try:
        import uvicorn

        uvicorn.run(
            "app.main:create_app",
            factory=True,
            host=host,
            port=port,
            log_config=None,
            access_log=False,
        )
    finally:
        worker_process.send_signal(signal.SIGINT)
        try:
            worker_process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker_process.kill()


if __name__ == "__main__":
    app()
