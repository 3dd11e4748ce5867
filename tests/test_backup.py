"""`storyroom db backup` / `db restore`: online SQLite copies, and PostgreSQL's own tools."""

import shutil
import sqlite3
import threading
from contextlib import closing
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from typer.testing import CliRunner

from app.cli import app as cli
from app.config import Settings, get_settings
from app.db import alembic_config, migrate
from app.system import cli as cli_module

runner = CliRunner()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite Storyroom database at head, built once and copied by each test."""
    path = tmp_path_factory.mktemp("backup-template") / "storyroom.db"
    migrate(f"sqlite:///{path}")
    return path


@pytest.fixture
def database(template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh copy of the template, configured as the CLI's database."""
    path = tmp_path / "live.db"
    shutil.copy(template, path)
    _configure(monkeypatch, f"sqlite:///{path}")
    return path


def _configure(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    settings: Settings = get_settings().model_copy(update={"database_url": url})
    monkeypatch.setattr(cli_module, "get_settings", lambda: settings)


def _customers(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as connection:
        return [row[0] for row in connection.execute("SELECT name FROM customer ORDER BY id")]


def _add_customers(path: Path, *names: str) -> None:
    with closing(sqlite3.connect(path)) as connection, connection:
        connection.executemany(
            "INSERT INTO customer (name, created_at, updated_at) "
            "VALUES (?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
            [(name,) for name in names],
        )


def test_backup_while_another_connection_writes_is_consistent(
    database: Path, tmp_path: Path
) -> None:
    before = [f"before-{number}" for number in range(500)]
    _add_customers(database, *before)
    with closing(sqlite3.connect(database)) as connection:
        # Big enough that the copy takes many pages while the writer commits.
        connection.execute("CREATE TABLE ballast (data BLOB)")
        connection.executemany("INSERT INTO ballast VALUES (randomblob(4000))", [()] * 2000)
        connection.commit()
    target = tmp_path / "copy.db"
    with Writing(database):
        result = runner.invoke(cli, ["db", "backup", str(target)])
    assert result.exit_code == 0, result.output
    assert f"Backed up to {target}" in result.output
    with closing(sqlite3.connect(target)) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        names = [row[0] for row in copy.execute("SELECT name FROM customer ORDER BY id")]
    assert names[:500] == before
    assert all(name.startswith("during-") for name in names[500:])
    assert not (tmp_path / "copy.db.partial").exists()


class Writing:
    """Keep a writer committing for the duration of a `with` block."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.stop = threading.Event()
        self.started = threading.Event()
        self.thread = threading.Thread(target=self._write, daemon=True)

    def _write(self) -> None:
        with closing(sqlite3.connect(self.path, timeout=30)) as connection:
            number = 0
            while not self.stop.is_set():
                with connection:
                    connection.execute(
                        "INSERT INTO customer (name, created_at, updated_at) "
                        "VALUES (?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
                        (f"during-{number}",),
                    )
                number += 1
                self.started.set()

    def __enter__(self) -> None:
        self.thread.start()
        assert self.started.wait(10), "the writer never committed"

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        self.thread.join(10)
        assert _customers(self.path)[-1].startswith("during-")


def test_backup_refuses_an_existing_file(database: Path, tmp_path: Path) -> None:
    target = tmp_path / "taken.db"
    target.write_text("keep me")
    result = runner.invoke(cli, ["db", "backup", str(target)])
    assert result.exit_code == 1
    assert f"{target} already exists; choose a new file name." in result.output
    assert target.read_text() == "keep me"


def test_restore_brings_back_rows_deleted_after_the_backup(database: Path, tmp_path: Path) -> None:
    _add_customers(database, "Acme Logistics", "Globex")
    target = tmp_path / "backup.db"
    assert runner.invoke(cli, ["db", "backup", str(target)]).exit_code == 0
    with closing(sqlite3.connect(database)) as connection, connection:
        connection.execute("DELETE FROM customer WHERE name = 'Globex'")
    assert _customers(database) == ["Acme Logistics"]

    result = runner.invoke(cli, ["db", "restore", str(target), "--yes"])

    assert result.exit_code == 0, result.output
    assert f"Restored {database} from {target}" in result.output
    assert "storyroom db upgrade" not in result.output
    assert _customers(database) == ["Acme Logistics", "Globex"]
    with closing(sqlite3.connect(database)) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def test_restore_of_an_older_schema_says_to_upgrade(database: Path, tmp_path: Path) -> None:
    script = ScriptDirectory.from_config(alembic_config(f"sqlite:///{database}"))
    head = script.get_revision(script.get_current_head() or "head")
    assert head is not None
    assert isinstance(head.down_revision, str)
    old = tmp_path / "old.db"
    shutil.copy(database, old)
    with closing(sqlite3.connect(old)) as connection, connection:
        connection.execute("UPDATE alembic_version SET version_num = ?", (head.down_revision,))

    result = runner.invoke(cli, ["db", "restore", str(old), "--yes"])

    assert result.exit_code == 0, result.output
    assert f"at schema {head.down_revision}, older than this code's {head.revision}" in (
        result.output
    )
    assert "run `storyroom db upgrade` before starting Storyroom" in result.output


def test_restore_refuses_without_yes(database: Path, tmp_path: Path) -> None:
    target = tmp_path / "backup.db"
    assert runner.invoke(cli, ["db", "backup", str(target)]).exit_code == 0
    _add_customers(database, "Added after")

    result = runner.invoke(cli, ["db", "restore", str(target)])

    assert result.exit_code == 1
    assert f"This replaces everything in {database} with {target}." in result.output
    assert "run again with --yes" in result.output
    assert _customers(database) == ["Added after"]


def test_restore_refuses_a_text_file(database: Path, tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database\n" * 100)
    result = runner.invoke(cli, ["db", "restore", str(notes), "--yes"])
    assert result.exit_code == 1
    assert f"{notes} is not an SQLite database" in result.output


def test_restore_refuses_a_missing_file(database: Path, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.db"
    result = runner.invoke(cli, ["db", "restore", str(missing), "--yes"])
    assert result.exit_code == 1
    assert f"There is no file at {missing}." in result.output


def test_restore_refuses_an_sqlite_file_that_is_not_storyroom(
    database: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other.db"
    with closing(sqlite3.connect(other)) as connection:
        connection.execute("CREATE TABLE things (id INTEGER)")
    result = runner.invoke(cli, ["db", "restore", str(other), "--yes"])
    assert result.exit_code == 1
    assert "is an SQLite database but not a Storyroom one" in result.output


@pytest.mark.parametrize("command", [["backup", "out.dump"], ["restore", "in.dump", "--yes"]])
def test_postgresql_is_refused_with_the_pg_commands(
    command: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _configure(monkeypatch, "postgresql+psycopg://story:s3cret-pw@db.internal:5433/storyroom")
    result = runner.invoke(cli, ["db", *command])
    assert result.exit_code == 1
    expected = "--host=db.internal --port=5433 --username=story --dbname=storyroom"
    assert f"pg_dump -Fc {expected} --file=storyroom.dump" in result.output
    assert f"pg_restore --clean --if-exists --no-owner {expected} storyroom.dump" in result.output
    assert "Point-in-Time Recovery" in result.output
    assert "s3cret-pw" not in result.output
