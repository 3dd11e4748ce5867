"""`storyroom serve` as an operator runs it: several web processes, each one logging."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from app.config import get_settings


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_with_two_processes_logs_requests_from_each_as_json(tmp_path: Path) -> None:
    # /healthz needs no database: the processes only have to start and answer.
    port = _free_port()
    env = {
        **os.environ,
        "STORYROOM_ENVIRONMENT": "production",
        "STORYROOM_SECRET_KEY": get_settings().secret_key * 4,
        "STORYROOM_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
        "STORYROOM_VAR_DIR": str(tmp_path),
        "STORYROOM_QUEUE_URL": "",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--workers", "2", "--port", str(port)],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        answered = 0
        while answered < 20 and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                    answered += 1
            except OSError:
                time.sleep(0.2)
        assert answered == 20
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        _, stderr = server.communicate(timeout=30)

    lines = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    requests = [line for line in lines if line.get("route") == "/healthz"]
    assert len(requests) == 20, stderr[-2000:]
    assert {line["status"] for line in requests} == {200}
    assert all(line["request_id"] != "-" for line in requests)
