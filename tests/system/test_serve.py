"""`storyroom serve` as an operator runs it: several web processes, each one logging."""

import gc
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from app.config import get_settings
from app.system import serve

CONNECTIONS = 40


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _env(tmp_path: Path) -> dict[str, str]:
    # /healthz needs no database: the processes only have to start and answer.
    return {
        **os.environ,
        "STORYROOM_ENVIRONMENT": "production",
        "STORYROOM_SECRET_KEY": get_settings().secret_key * 4,
        "STORYROOM_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
        "STORYROOM_VAR_DIR": str(tmp_path),
        "STORYROOM_QUEUE_URL": "",
    }


class Served:
    stderr = ""


@contextmanager
def serving(tmp_path: Path, port: int, *, workers: int) -> Iterator[Served]:
    """`storyroom serve` running and answering; stopped with SIGTERM, its stderr kept."""
    served = Served()
    server = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--workers", str(workers), "--port", str(port)],
        env=_env(tmp_path),
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not _answers(port):
            assert time.monotonic() < deadline, "serve did not answer within 60 s"
            assert server.poll() is None, server.communicate()[1][-2000:]
            time.sleep(0.2)
        time.sleep(1)  # every process listening, not just the first
        yield served
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        _, served.stderr = server.communicate(timeout=60)


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
            return True
    except OSError:
        return False


def _request_lines(served: Served) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in served.stderr.splitlines() if line.startswith("{")]
    return [line for line in lines if line.get("route") == "/healthz"]


def test_serve_with_two_processes_logs_requests_from_each_as_json(tmp_path: Path) -> None:
    port = _free_port()
    with serving(tmp_path, port, workers=2) as server:
        for _ in range(20):
            assert _answers(port)
    requests = _request_lines(server)[-20:]
    assert len(requests) == 20, server.stderr[-2000:]
    assert {line["status"] for line in requests} == {200}
    assert all(line["request_id"] != "-" for line in requests)


def test_serve_spreads_a_burst_of_connections_over_its_processes(tmp_path: Path) -> None:
    # uvicorn's own --workers shares one listening socket, and the process that wakes first
    # accepts every waiting connection: a burst of 50 went 49 to one process, 1 to the other.
    port = _free_port()
    with serving(tmp_path, port, workers=2) as server:
        connections = [socket.socket() for _ in range(CONNECTIONS)]
        for connection in connections:  # all at once, as a pool opens them: none waits to connect
            connection.setblocking(False)
            connection.connect_ex(("127.0.0.1", port))
        for connection in connections:
            connection.setblocking(True)
            connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        for connection in connections:
            assert connection.recv(4096).startswith(b"HTTP/1.1 200")
            connection.close()
    # The requests on the burst's connections, not the readiness checks before them.
    served_by = Counter(line["pid"] for line in _request_lines(server)[-CONNECTIONS:])
    assert len(served_by) == 2, served_by
    # The kernel hashes each connection to a process: fewer than 8 of 40 has odds of 1e-5.
    assert min(served_by.values()) >= 8, served_by


def test_serve_refuses_a_port_that_is_taken(tmp_path: Path) -> None:
    port = _free_port()
    with serving(tmp_path, port, workers=2):
        second = subprocess.run(
            [sys.executable, "-m", "app.cli", "serve", "--workers", "2", "--port", str(port)],
            env=_env(tmp_path),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert second.returncode != 0
    assert f"Cannot serve on 127.0.0.1:{port}" in second.stderr


def test_a_web_process_builds_the_app_and_freezes_it_before_serving(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Full collections walking the app's long-lived objects took 120-260 ms every few seconds
    # under load: they were the slowest 1 % of responses.
    seen: dict[str, object] = {}

    class Server:
        started = True

        def __init__(self, config: uvicorn.Config) -> None:
            self.config = config

        def run(self, sockets: object = None) -> None:
            seen.update(loaded=self.config.loaded, frozen=gc.get_freeze_count())

    monkeypatch.setattr(uvicorn, "Server", Server)
    options = {
        "host": "127.0.0.1",
        "port": _free_port(),
        "factory": True,
        "app": serve.APP,
        "log_config": None,
    }
    try:
        serve._web_process(options, reuse_port=False)
    finally:
        gc.unfreeze()
    assert seen["loaded"] is True
    assert isinstance(seen["frozen"], int)
    assert seen["frozen"] > 100_000
