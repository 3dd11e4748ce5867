"""A real deployment on loopback: PostgreSQL, Redis, `storyroom serve` and `storyroom worker`.

Each context manager starts real processes in their own process group and always cleans up:
the group is stopped (SIGTERM, then SIGKILL), the database dropped. Shared by the scale test
(`tests/scale/`) and the load benchmarks.

- `database(name)` creates `name` on the local PostgreSQL, migrates it and yields its URL.
- `web(url, port=…, workers=2)` serves it and yields the base URL once `/readyz` answers 200.
- `worker(url, …)` runs `storyroom worker` processes that can be SIGKILLed and restarted.
- `smtp(port)` runs an SMTP sink in a subprocess (stop it to simulate "SMTP down") that
  appends one JSON line per accepted message to a file, read back with `SmtpSink.received()`.

Every process gets `stack_env()`: production settings, a fixed secret key, the queue on
Redis db 4 and a var directory (logs, metrics) of its own per database under the temp dir.
One stack at a time: the queue on Redis db 4 is shared by every process that uses it.
"""

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
QUEUE_URL = os.environ.get("STORYROOM_STACK_QUEUE_URL", "redis://127.0.0.1:6379/4")
SECRET_KEY = "stack-secret-key-for-loopback-deployments-only-0123456789abcdef"  # noqa: S105
STORYROOM = [sys.executable, "-m", "app.cli"]
ROOT = Path(__file__).resolve().parent.parent


def free_ports(count: int, first: int = 8100, last: int = 8199) -> list[int]:
    """`count` ports in [first, last] on 127.0.0.1 that nothing listens on now."""
    import socket

    found: list[int] = []
    for port in range(first, last + 1):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        found.append(port)
        if len(found) == count:
            return found
    raise RuntimeError(f"fewer than {count} free ports in {first}–{last}")


def var_dir(database_url: str) -> Path:
    """Logs and metrics of every process serving this database."""
    name = urlsplit(database_url).path.lstrip("/") or "default"
    path = Path(tempfile.gettempdir()) / f"storyroom-stack-{name}"
    path.mkdir(parents=True, exist_ok=True)
    return path


def stack_env(database_url: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of every process of the stack: production settings, README style."""
    directory = var_dir(database_url)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("STORYROOM_") and key != "PROMETHEUS_MULTIPROC_DIR"
    }
    env.update(
        STORYROOM_ENVIRONMENT="production",
        STORYROOM_DATABASE_URL=database_url,
        STORYROOM_QUEUE_URL=QUEUE_URL,
        STORYROOM_SECRET_KEY=SECRET_KEY,
        STORYROOM_VAR_DIR=str(directory),
        STORYROOM_MAIL_FROM="Storyroom <storyroom@stack.example>",
        PROMETHEUS_MULTIPROC_DIR=str(directory / "metrics"),
    )
    env.update(extra or {})
    return env


def storyroom(database_url: str, *args: str, env: dict[str, str] | None = None) -> str:
    """Run one `storyroom` command against the database; its stdout (raises on failure)."""
    done = subprocess.run(
        [*STORYROOM, *args],
        env=stack_env(database_url, env),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"storyroom {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def api_token(database_url: str, email: str, *, role: str = "admin") -> str:
    """A user with this role and a bearer token for the API, made through the CLI."""
    storyroom(database_url, "users", "create", email, "--role", role, "--password", SECRET_KEY)
    return storyroom(database_url, "tokens", "create", email).strip()


def enqueue(database_url: str, task: str) -> None:
    """Queue a task (`module:function`, e.g. a periodic job) for the stack's workers to run."""
    module, _, function = task.partition(":")
    code = (
        "import importlib\n"
        "from app.worker import load_tasks\n"
        "load_tasks()\n"
        f"getattr(importlib.import_module({module!r}), {function!r})()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=stack_env(database_url),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"could not queue {task}:\n{done.stderr}")


@contextlib.contextmanager
def database(name: str) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database; dropped (connections and all) afterwards."""
    if not name.startswith(("storyroom_scale", "storyroom_tput")):
        raise ValueError(f"stack databases are named storyroom_scale*/_tput*, not {name!r}")
    _drop(name)
    with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = PG_URL.format(name=name)
    try:
        storyroom(url, "db", "upgrade")
        yield url
    finally:
        _drop(name)
        shutil.rmtree(var_dir(url), ignore_errors=True)


def _drop(name: str) -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@dataclass
class Process:
    """One started command in a process group of its own, its output in a log file."""

    args: list[str]
    env: dict[str, str]
    log_path: Path
    popen: subprocess.Popen[bytes] | None = None
    _log: IO[bytes] | None = None

    def start(self) -> None:
        self._log = self.log_path.open("ab")
        self.popen = subprocess.Popen(
            self.args,
            env=self.env,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL the whole group at once: a crash, no chance to finish anything."""
        self._signal(signal.SIGKILL)
        self._reap(timeout=10)

    def stop(self, timeout: float = 10) -> None:
        """SIGTERM the group, SIGKILL what is left after `timeout`."""
        self._signal(signal.SIGTERM)
        if not self._reap(timeout=timeout):
            self.kill()

    def _signal(self, sig: signal.Signals) -> None:
        if self.popen is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, sig)

    def _reap(self, *, timeout: float) -> bool:
        if self.popen is None:
            return True
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return False
        # Children of the group may outlive its leader for a moment; make sure they are gone.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        if self._log is not None:
            self._log.close()
            self._log = None
        return True

    def tail(self, lines: int = 40) -> str:
        """The end of the process's output, for an error message."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def wait_ready(base_url: str, *, timeout: float = 60, process: Process | None = None) -> None:
    """Poll `/readyz` until it answers 200; raise with the process's output otherwise."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if process is not None and not process.alive:
            raise RuntimeError(f"{process.args} exited early:\n{process.tail()}")
        try:
            with urllib.request.urlopen(f"{base_url}/readyz", timeout=5) as response:  # noqa: S310
                if response.status == 200:
                    return
        except urllib.error.HTTPError as exc:
            last = f"{exc.code} {exc.read()[:300]!r}"
        except OSError as exc:
            last = repr(exc)
        time.sleep(0.2)
    tail = process.tail() if process is not None else ""
    raise TimeoutError(f"{base_url}/readyz not ready after {timeout:.0f} s: {last}\n{tail}")


@contextlib.contextmanager
def web(
    database_url: str, *, port: int, workers: int = 2, env: dict[str, str] | None = None
) -> Iterator[str]:
    """`storyroom serve --workers N --port P` on 127.0.0.1; yields the base URL once ready."""
    base_url = f"http://127.0.0.1:{port}"
    extra = {"STORYROOM_BASE_URL": base_url, **(env or {})}
    process = Process(
        args=[
            *STORYROOM,
            *("serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)),
        ],
        env=stack_env(database_url, extra),
        log_path=var_dir(database_url) / f"web-{port}.log",
    )
    with answering(process, base_url) as ready:
        yield ready


@contextlib.contextmanager
def answering(process: Process, base_url: str) -> Iterator[str]:
    """Start a web `process`, yield `base_url` once it is ready, and stop it afterwards."""
    process.start()
    try:
        wait_ready(base_url, process=process)
        yield base_url
    finally:
        process.stop()


@dataclass
class Workers:
    """`storyroom worker` processes: each can be SIGKILLed and started again."""

    processes: list[Process] = field(default_factory=list)

    def kill(self, index: int | None = None) -> None:
        """SIGKILL one worker process (by index) or all of them."""
        for process in self._chosen(index):
            process.kill()

    def start(self, index: int | None = None) -> None:
        """Start one (or every) worker process that is not running."""
        for process in self._chosen(index):
            if not process.alive:
                process.start()

    def restart(self, index: int | None = None) -> None:
        """SIGKILL, then start again: a crash and a supervisor bringing it back."""
        self.kill(index)
        self.start(index)

    def stop(self) -> None:
        for process in self.processes:
            process.stop()

    @property
    def alive(self) -> list[bool]:
        return [process.alive for process in self.processes]

    def _chosen(self, index: int | None) -> list[Process]:
        return self.processes if index is None else [self.processes[index]]


@contextlib.contextmanager
def worker(
    database_url: str,
    *,
    processes: int = 2,
    workers: int = 2,
    worker_type: str = "thread",
    smtp_url: str = "",
    base_url: str = "http://127.0.0.1:8100",
    env: dict[str, str] | None = None,
) -> Iterator[Workers]:
    """`processes` × `storyroom worker --workers W --worker-type T`, sending to `smtp_url`."""
    extra = {"STORYROOM_BASE_URL": base_url, "STORYROOM_SMTP_URL": smtp_url, **(env or {})}
    handle = Workers(
        [
            Process(
                args=[
                    *STORYROOM,
                    *("worker", "--workers", str(workers), "--worker-type", worker_type),
                ],
                env=stack_env(database_url, extra),
                log_path=var_dir(database_url) / f"worker-{index}.log",
            )
            for index in range(processes)
        ]
    )
    handle.start()
    try:
        time.sleep(1)
        for process in handle.processes:
            if not process.alive:
                raise RuntimeError(f"a worker exited at start:\n{process.tail()}")
        yield handle
    finally:
        handle.stop()


@dataclass
class SmtpSink:
    """An SMTP server on 127.0.0.1 in a subprocess; every accepted message is one JSON line."""

    port: int
    path: Path
    process: Process | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = Process(
            args=[sys.executable, "-m", "bench.stack", "smtp-sink", str(self.port), str(self.path)],
            env=dict(os.environ),
            log_path=self.path.with_suffix(".log"),
        )
        self.process.start()
        _wait_port(self.port, self.process)

    def stop(self) -> None:
        """Down: connections are refused until `start()`; what was received is kept.

        SIGTERM, so a message is never recorded without its "250" having been sent.
        """
        if self.process is not None:
            self.process.stop()
            self.process = None

    def received(self) -> list[dict[str, Any]]:
        """Each accepted message: `to` (envelope recipients), `message_id`, `subject`."""
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text().splitlines() if line]


@contextlib.contextmanager
def smtp(port: int) -> Iterator[SmtpSink]:
    """A loopback SMTP sink on `port`, stopped afterwards."""
    directory = Path(tempfile.mkdtemp(prefix="storyroom-smtp-"))
    sink = SmtpSink(port=port, path=directory / "received.jsonl")
    sink.start()
    try:
        yield sink
    finally:
        sink.stop()
        shutil.rmtree(directory, ignore_errors=True)


def _wait_port(port: int, process: Process, timeout: float = 30) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not process.alive:
            raise RuntimeError(f"the SMTP sink exited:\n{process.tail()}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.1)
    raise TimeoutError(f"no SMTP server on port {port} after {timeout:.0f} s")


def _serve_sink(port: int, path: Path) -> None:
    """The sink's process: record each message (appended before the 250 reply) until SIGTERM."""
    from email import message_from_bytes, policy

    from aiosmtpd.controller import Controller

    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
            message = message_from_bytes(envelope.original_content, policy=policy.default)
            line = {
                "to": [address.lower() for address in envelope.rcpt_tos],
                "message_id": str(message.get("Message-ID", "")),
                "subject": str(message.get("Subject", "")),
            }
            # One write per message on an O_APPEND descriptor: a SIGKILL keeps whole lines.
            os.write(fd, (json.dumps(line) + "\n").encode())
            return "250 Message accepted"

    # Signals wait for sigwait here (the server's thread inherits the mask): on SIGTERM the
    # server stops between messages, never between recording one and replying "250".
    stopping = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, stopping)
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        signal.sigwait(stopping)
    finally:
        controller.stop()
        os.close(fd)


if __name__ == "__main__" and sys.argv[1:2] == ["smtp-sink"]:
    _serve_sink(int(sys.argv[2]), Path(sys.argv[3]))
