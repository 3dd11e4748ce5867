"""The `storyroom` command: accounts and tokens (committed in their own session), how the
command loads, and what `run` and `serve` tell and link to."""

import os
import signal
import socket
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from app import cli as app_cli
from app.auth.security import token_digest, verify_password
from app.cli import app as cli
from app.config import get_settings
from app.db import make_engine, migrate
from app.models import ApiToken, Role, User, utcnow
from app.system import serve as serve_module
from tests.audit.support import entries_about
from tests.factories import create_person, create_user

runner = CliRunner()


def test_users_create_with_a_password(db: Session) -> None:
    result = runner.invoke(
        cli,
        ["users", "create", "Maria@Example.com", "--role", "viewer", "--password", "a long secret"],
    )
    assert result.exit_code == 0, result.output
    assert "Created viewer maria@example.com" in result.output
    user = db.exec(select(User).where(User.email == "maria@example.com")).one()
    assert user.role is Role.viewer
    assert verify_password("a long secret", user.password_hash)


def test_users_create_generates_and_prints_a_password(db: Session) -> None:
    result = runner.invoke(cli, ["users", "create", "lee@example.com", "--role", "admin"])
    assert result.exit_code == 0, result.output
    password = result.output.split("Password: ", 1)[1].split()[0]
    user = db.exec(select(User).where(User.email == "lee@example.com")).one()
    assert verify_password(password, user.password_hash)


def test_users_create_refuses_an_unknown_role_and_a_taken_email(db: Session) -> None:
    bad_role = runner.invoke(cli, ["users", "create", "x@example.com", "--role", "owner"])
    assert bad_role.exit_code == 2
    assert "Unknown role 'owner'" in bad_role.output
    create_user(db, email="taken@example.com")
    taken = runner.invoke(
        cli, ["users", "create", "TAKEN@example.com", "--password", "long enough!"]
    )
    assert taken.exit_code == 1
    assert "already exists" in taken.output


def test_tokens_create_prints_a_token_that_is_stored_hashed(db: Session) -> None:
    user = create_user(db, email="api@example.com")
    result = runner.invoke(cli, ["tokens", "create", "api@example.com"])
    assert result.exit_code == 0, result.output
    plain = result.output.strip()
    assert plain.startswith("sr_")
    stored = db.exec(select(ApiToken).where(ApiToken.user_id == user.id)).one()
    assert stored.token_hash == token_digest(plain)
    assert plain not in stored.token_hash


def test_tokens_create_for_an_unknown_user_exits_1(db: Session) -> None:
    result = runner.invoke(cli, ["tokens", "create", "ghost@example.com"])
    assert result.exit_code == 1
    assert "No user with the email ghost@example.com." in result.output


def test_users_list_shows_every_account_with_role_and_status(db: Session) -> None:
    create_user(db, email="ana@example.com", role=Role.admin)
    create_user(db, email="bo@example.com", role=Role.viewer).active = False
    db.flush()
    result = runner.invoke(cli, ["users", "list"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    rows = [line.split() for line in result.output.splitlines() if "@example.com" in line]
    assert [[cell for cell in row if cell.isalnum() or "@" in cell] for row in rows] == [
        ["ana@example.com", "ana", "admin", "active", "never"],
        ["bo@example.com", "bo", "viewer", "disabled", "never"],
    ]


def test_users_disable_enable_and_set_role_are_audited_as_cli(db: Session) -> None:
    user = create_user(db, email="bo@example.com", role=Role.organizer)
    generation = user.session_generation

    disabled = runner.invoke(cli, ["users", "disable", "BO@example.com"])
    enabled = runner.invoke(cli, ["users", "enable", "bo@example.com"])
    promoted = runner.invoke(cli, ["users", "set-role", "bo@example.com", "admin"])

    assert disabled.output == "Disabled bo@example.com: signed out everywhere, API tokens revoked\n"
    assert enabled.output == "Enabled bo@example.com\n"
    assert promoted.output == "bo@example.com is now admin\n"
    db.refresh(user)
    assert (user.active, user.role) == (True, Role.admin)
    assert user.session_generation == generation + 1
    rows = entries_about(db, "user", user.id)
    assert [(row.actor, row.action, row.changes) for row in rows] == [
        ("cli", "disabled", {"active": [True, False]}),
        ("cli", "enabled", {"active": [False, True]}),
        ("cli", "changed", {"role": ["organizer", "admin"]}),
    ]


def test_users_commands_refuse_the_last_admin_an_unknown_role_and_email(db: Session) -> None:
    create_user(db, email="root@example.com", role=Role.admin)

    last = runner.invoke(cli, ["users", "disable", "root@example.com"])
    demote = runner.invoke(cli, ["users", "set-role", "root@example.com", "viewer"])
    bad_role = runner.invoke(cli, ["users", "set-role", "root@example.com", "owner"])
    ghost = runner.invoke(cli, ["users", "enable", "ghost@example.com"])

    assert last.exit_code == 1
    assert "root@example.com is the only active admin." in last.output
    assert demote.exit_code == 1
    assert bad_role.exit_code == 2
    assert "Unknown role 'owner'" in bad_role.output
    assert ghost.exit_code == 1
    assert "No user with the email ghost@example.com." in ghost.output
    root = db.exec(select(User).where(User.email == "root@example.com")).one()
    db.refresh(root)
    assert (root.active, root.role) == (True, Role.admin)


def test_users_reset_password_prints_a_generated_one_and_ends_sign_ins(db: Session) -> None:
    user = create_user(db, email="bo@example.com")
    generation = user.session_generation

    result = runner.invoke(cli, ["users", "reset-password", "bo@example.com"])

    assert result.exit_code == 0, result.output
    assert "Reset the password of bo@example.com; its sign-ins have ended" in result.output
    password = result.output.split("Password: ", 1)[1].split()[0]
    db.refresh(user)
    assert verify_password(password, user.password_hash)
    assert user.session_generation == generation + 1
    assert [(row.actor, row.action) for row in entries_about(db, "user", user.id)] == [
        ("cli", "reset")
    ]


def test_users_reset_password_takes_one_and_refuses_a_short_one(db: Session) -> None:
    user = create_user(db, email="bo@example.com")

    given = runner.invoke(
        cli, ["users", "reset-password", "bo@example.com", "--password", "chosen with care"]
    )
    short = runner.invoke(cli, ["users", "reset-password", "bo@example.com", "--password", "x"])

    assert given.output == "Reset the password of bo@example.com; its sign-ins have ended\n"
    assert short.exit_code == 1
    assert "The password must have at least 10 characters." in short.output
    db.refresh(user)
    assert verify_password("chosen with care", user.password_hash)


def test_the_cli_loads_a_domain_only_when_its_command_runs() -> None:
    # The servers set up the metrics directory before anything imports prometheus_client.
    script = (
        "import sys, app.cli\n"
        "print(sorted(m for m in sys.modules if m == 'prometheus_client' or m.startswith("
        "('app.demo', 'app.people', 'app.recaps', 'app.system.metrics'))))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    assert loaded.strip() == "[]"
    listed = runner.invoke(cli, ["--help"], env={"COLUMNS": "200"})
    names = [line.split()[1] for line in listed.output.splitlines() if line.startswith("│ ")]
    commands = ["demo", "worker", "serve", "run", "db", "users", "tokens", "import", "recap"]
    assert names[-len(commands) :] == commands


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """`storyroom serve` up to the web server, which records the base URL links would use."""
    seen: list[str] = []
    monkeypatch.setenv("STORYROOM_LISTEN_URL", "")  # restored after the test
    monkeypatch.delenv("STORYROOM_BASE_URL", raising=False)
    monkeypatch.setattr(app_cli, "_observe", lambda fresh_metrics: None)
    monkeypatch.setattr(serve_module, "serve", lambda **_: seen.append(get_settings().base_url))
    get_settings.cache_clear()
    yield seen
    get_settings.cache_clear()


def test_serve_points_links_at_its_host_and_port(served: list[str]) -> None:
    result = runner.invoke(cli, ["serve", "--port", "9123"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["serve", "--host", "0.0.0.0", "--port", "9124"])  # noqa: S104
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["serve", "--host", "storyroom.lan", "--port", "80"])
    assert result.exit_code == 0, result.output
    assert served == [
        "http://127.0.0.1:9123",
        "http://127.0.0.1:9124",
        "http://storyroom.lan:80",
    ]
    assert os.environ["STORYROOM_LISTEN_URL"] == "http://storyroom.lan:80"  # for the worker


def test_serve_keeps_a_configured_base_url(
    served: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STORYROOM_BASE_URL", "https://stories.example.com")
    result = runner.invoke(cli, ["serve", "--port", "9123"])
    assert result.exit_code == 0, result.output
    assert served == ["https://stories.example.com"]


def _call(
    url: str, *, token: str = "", form: dict[str, str] | None = None, json: Any = None
) -> Any:
    """A JSON API call to a server running in another process."""
    import json as json_module

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = None
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
    elif json is not None:
        data = json_module.dumps(json).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data, headers)  # noqa: S310 (http://127.0.0.1 only)
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
        return json_module.loads(answer.read())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_run_prints_the_login_on_one_line_after_startup_and_links_use_its_port(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'storyroom.db'}"
    migrate(url)
    engine = make_engine(url)
    with Session(engine) as session:  # someone in the directory: no demo to wait for
        create_person(session)
        session.commit()
    engine.dispose()
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"STORYROOM_BASE_URL", "STORYROOM_LISTEN_URL", "PROMETHEUS_MULTIPROC_DIR"}
    }
    env |= {
        "STORYROOM_VAR_DIR": str(tmp_path),
        "STORYROOM_DATABASE_URL": url,
        "STORYROOM_QUEUE_URL": f"sqlite:///{tmp_path / 'queue.db'}",
        "COLUMNS": "40",  # narrower than the login: it must not wrap
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "run", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    signed_in = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            if line.startswith("Sign in as "):
                signed_in.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert signed_in.wait(90), "\n".join(lines)
        password = (tmp_path / "admin-password.txt").read_text().strip()
        login = lines.index(f"Sign in as admin@storyroom.local / {password}")
        assert lines[login - 1] == f"Open http://127.0.0.1:{port}"
        assert [n for n, line in enumerate(lines) if "alembic" in line][-1] < login
        before = "\n".join(lines[:login])
        assert "Uvicorn running on" in before
        assert "Huey consumer started" in before
        assert "The following commands are available" in before
        base = f"http://127.0.0.1:{port}"
        form = {"username": "admin@storyroom.local", "password": password}
        token = _call(f"{base}/api/v1/auth/token", form=form)["access_token"]
        created = _call(
            f"{base}/api/v1/sessions",
            token=token,
            json={
                "title": "Acme tells",
                "customer": "Acme",
                "starts_at": (utcnow() + timedelta(days=1)).isoformat(),
                "timezone": "Europe/Paris",
                "duration_minutes": 45,
                "platform": "zoom",
                "join_url": "https://zoom.example.com/j/42",
            },
        )
        link = _call(f"{base}/api/v1/sessions/{created['id']}/check-in-link", token=token)
        assert link["url"].startswith(f"{base}/p/check-in/")
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
        reader.join(timeout=5)
