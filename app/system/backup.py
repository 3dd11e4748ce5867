"""Online backup and restore of the SQLite database; PostgreSQL has its own tools."""

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

SQLITE_HEADER = b"SQLite format 3\x00"
BACKUP_PAGES_PER_STEP = -1
"""All pages in one step: a single read transaction, so the copy is one consistent snapshot
(in WAL mode writers carry on meanwhile; copying in steps would restart on every write)."""


class BackupError(Exception):
    """A backup or restore refused, with a message the operator can act on."""


@dataclass(frozen=True)
class RestoreCheck:
    revision: str
    head: str

    @property
    def behind(self) -> bool:
        return self.revision != self.head


def sqlite_path(url: str) -> Path:
    """The database file of a SQLite URL; for PostgreSQL, a BackupError naming its tools."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        raise BackupError(postgres_advice(url))
    if backend != "sqlite" or not parsed.database or parsed.database == ":memory:":
        raise BackupError(f"Backups work on a SQLite file or PostgreSQL, not on {backend!r}.")
    return Path(parsed.database)


def postgres_advice(url: str) -> str:
    """The pg_dump and pg_restore commands for this database (never with its password)."""
    parsed = make_url(url)
    options = []
    if parsed.host:
        options.append(f"--host={parsed.host}")
    if parsed.port:
        options.append(f"--port={parsed.port}")
    if parsed.username:
        options.append(f"--username={parsed.username}")
    connect = " ".join([*options, f"--dbname={parsed.database or 'storyroom'}"])
    return (
        "The database is PostgreSQL: back it up and restore it with PostgreSQL's own tools "
        "(the password is read from PGPASSWORD or ~/.pgpass):\n"
        f"  pg_dump -Fc {connect} --file=storyroom.dump\n"
        f"  pg_restore --clean --if-exists --no-owner {connect} storyroom.dump\n"
        "For point-in-time recovery, archive the write-ahead log (see the PostgreSQL manual, "
        '"Continuous Archiving and Point-in-Time Recovery").'
    )


def _integrity(connection: sqlite3.Connection) -> str:
    rows = connection.execute("PRAGMA integrity_check").fetchall()
    return "; ".join(str(row[0]) for row in rows[:5])


def backup(url: str, target: Path) -> int:
    """Copy the live database to `target` (a new file) while the app keeps writing; its size."""
    source_path = sqlite_path(url)
    if not source_path.is_file():
        raise BackupError(f"There is no database at {source_path}; nothing to back up.")
    if target.exists():
        raise BackupError(f"{target} already exists; choose a new file name.")
    if not target.parent.is_dir():
        raise BackupError(f"The folder {target.parent} does not exist.")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        with (
            closing(sqlite3.connect(source_path, timeout=30)) as source,
            closing(sqlite3.connect(partial)) as copy,
        ):
            source.backup(copy, pages=BACKUP_PAGES_PER_STEP)
            # One self-contained file, with no -wal beside it to forget when copying it away.
            copy.execute("PRAGMA journal_mode=DELETE")
            result = _integrity(copy)
        if result != "ok":
            raise BackupError(f"The copy failed its integrity check: {result}")
        partial.rename(target)
    finally:
        partial.unlink(missing_ok=True)
    return target.stat().st_size


def check_backup(source: Path, head: str, known: set[str]) -> RestoreCheck:
    """That `source` is an undamaged Storyroom SQLite database this code can use."""
    if not source.exists():
        raise BackupError(f"There is no file at {source}.")
    if not source.is_file():
        raise BackupError(f"{source} is not a file.")
    with source.open("rb") as file:
        if file.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise BackupError(
                f"{source} is not an SQLite database (made by `storyroom db backup`)."
            )
    with closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)) as connection:
        try:
            result = _integrity(connection)
            has_version = connection.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
            ).fetchone()
            revision = (
                connection.execute("SELECT version_num FROM alembic_version").fetchone()
                if has_version
                else None
            )
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{source} cannot be read as an SQLite database: {exc}.") from None
    if result != "ok":
        raise BackupError(f"{source} is damaged (integrity check: {result}); it was not restored.")
    if revision is None:
        raise BackupError(
            f"{source} is an SQLite database but not a Storyroom one (it has no schema version)."
        )
    if revision[0] not in known:
        raise BackupError(
            f"{source} was made by a newer Storyroom (schema {revision[0]}); "
            "restore it with that version."
        )
    return RestoreCheck(revision=str(revision[0]), head=head)


def restore(url: str, source: Path) -> None:
    """Replace the configured database's content with `source`, through the backup API."""
    target = sqlite_path(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    with (
        closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)) as backup_file,
        closing(sqlite3.connect(target, timeout=30)) as database,
    ):
        backup_file.backup(database, pages=BACKUP_PAGES_PER_STEP)
        result = _integrity(database)
    if result != "ok":
        raise BackupError(f"The restored database failed its integrity check: {result}")
