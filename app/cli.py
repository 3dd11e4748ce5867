"""The `storyroom` command: the root app, its servers (run, serve, worker) and every domain's
commands (db, users, tokens, import, recap, demo), each defined beside its domain.

A domain's commands are imported when they are used: `storyroom worker` must not load the
demo (or anything else that imports prometheus_client) before `_observe` has set up the
metrics directory, and `storyroom users list` needs no PDF renderer.
"""

import importlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import typer
from rich.console import Console
from typer._click.core import Command, Context
from typer.core import TyperGroup

from app.config import get_settings, listen_url

if TYPE_CHECKING:
    import uvicorn


class DomainCommands(TyperGroup):
    """A command group whose `lazy` commands ("name": "module:attribute", a Typer app or a
    command function) are imported the first time they are listed or run; `order` is how
    help lists the commands."""

    lazy: ClassVar[dict[str, str]] = {}
    order: ClassVar[tuple[str, ...]] = ()

    def list_commands(self, ctx: Context) -> list[str]:
        names = [
            *super().list_commands(ctx),
            *(name for name in self.lazy if name not in self.commands),
        ]
        return sorted(
            names,
            key=lambda name: self.order.index(name) if name in self.order else len(self.order),
        )

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        if cmd_name in self.lazy and cmd_name not in self.commands:
            self.add_command(_load(self.lazy[cmd_name], cmd_name), cmd_name)
        return super().get_command(ctx, cmd_name)


def _load(spec: str, name: str) -> Command:
    module, attribute = spec.split(":")
    found: Any = getattr(importlib.import_module(module), attribute)
    if isinstance(found, typer.Typer):
        command: Command = typer.main.get_group(found)
    else:
        single = typer.Typer(add_completion=False)
        single.command()(found)
        command = typer.main.get_command(single)
    command.name = name
    return command


class _Root(DomainCommands):
    lazy: ClassVar[dict[str, str]] = {
        "db": "app.system.cli:db_app",
        "users": "app.auth.cli:users_app",
        "tokens": "app.auth.cli:tokens_app",
        "recap": "app.recaps.cli:recap_app",
        "demo": "app.demo.cli:demo",
    }
    order = ("demo", "worker", "serve", "run", "db", "users", "tokens", "import", "recap")


class _Imports(DomainCommands):
    lazy: ClassVar[dict[str, str]] = {
        "people": "app.people.cli:import_people",
        "attendance": "app.attendance.cli:import_attendance",
        "transcript": "app.transcripts.cli:import_transcript",
    }


app = typer.Typer(
    cls=_Root, no_args_is_help=True, help="Storyroom: customer-story sessions and recaps."
)
import_app = typer.Typer(cls=_Imports, no_args_is_help=True, help="Import files.")
app.add_typer(import_app, name="import")

console = Console()
SERVERS = {"run", "serve", "worker"}
WORKER_READY_ENV = "STORYROOM_WORKER_READY_FILE"
"""`storyroom run` has its worker touch this file once started, to print its banner below."""
READY_TIMEOUT = 30


@app.callback()
def _audit_as_cli(ctx: typer.Context) -> None:
    # What a command changes is audited as done by "cli"; servers audit their own users.
    if ctx.invoked_subcommand in SERVERS:
        return
    from app.audit.service import CLI, current_actor

    token = current_actor.set(CLI)
    ctx.call_on_close(lambda: current_actor.reset(token))


def _serve_at(host: str, port: int) -> str:
    """Links (emails, QR codes, RSVP, feeds) point at this server unless STORYROOM_BASE_URL
    says otherwise; the environment carries it to the worker and the web processes."""
    url = listen_url(host, port)
    os.environ["STORYROOM_LISTEN_URL"] = url
    get_settings.cache_clear()
    return url


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
    if ready := os.environ.pop(WORKER_READY_ENV, ""):

        def tell_run() -> None:
            Path(ready).touch()

        huey.on_startup()(tell_run)

    consumer = huey.create_consumer(workers=workers, worker_type=worker_type, periodic=True)
    consumer.run()


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: Annotated[int, typer.Option(help="Web processes")] = 1,
) -> None:
    """Serve the web app (production: several processes, see app.system.serve)."""
    _serve_at(host, port)
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


@app.command()
def run(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Development: migrate, load the demo on an empty database, then serve web + worker."""
    url = _serve_at(host, port)
    _observe(fresh_metrics=True)
    from app.auth.cli import ensure_admin
    from app.demo import load_demo_if_empty
    from app.system.cli import db_upgrade

    db_upgrade("head")
    if summary := load_demo_if_empty():
        console.print(f"Loaded the demo organisation: {summary}.")
    login = ensure_admin()
    ready = get_settings().var_dir / "worker-ready"
    ready.unlink(missing_ok=True)
    worker_process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "worker"],
        env={**os.environ, WORKER_READY_ENV: str(ready)},
    )
    try:
        import uvicorn

        config = uvicorn.Config(
            "app.main:create_app",
            factory=True,
            host=host,
            port=port,
            log_config=None,
            access_log=False,
        )
        server = uvicorn.Server(config)
        announce = threading.Thread(
            target=_announce, args=(server, worker_process, ready, url, login), daemon=True
        )
        announce.start()
        server.run()
    finally:
        worker_process.send_signal(signal.SIGINT)
        try:
            worker_process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker_process.kill()
        ready.unlink(missing_ok=True)


def _announce(
    server: "uvicorn.Server",
    worker_process: "subprocess.Popen[bytes]",
    ready: Path,
    url: str,
    login: str,
) -> None:
    """Where to go and how to sign in, once the web server and the worker have started: below
    their startup lines, one line each (never wrapped) so the password can be copied."""
    deadline = time.monotonic() + READY_TIMEOUT
    while not server.started or not (ready.exists() or worker_process.poll() is not None):
        if server.should_exit:
            return
        if server.started and time.monotonic() > deadline:
            break
        time.sleep(0.05)
    console.rule("[bold]Storyroom")
    console.print(f"Open {url}", soft_wrap=True, highlight=False)
    console.print(f"Sign in as [bold]{login}[/bold]", soft_wrap=True, highlight=False)
    console.print("Ctrl-C stops the web server and the worker.", soft_wrap=True)


if __name__ == "__main__":
    app()
