"""The database engine and the per-request session (commit on success, rollback on error)."""

from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy import Connection, Engine, event
from sqlmodel import Session, create_engine

from app.config import get_settings


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout and foreign keys (shared by processes)."""
    if url.startswith("sqlite"):
        database = url.split(":///", 1)[-1]
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The sqlite3 module delays BEGIN until the first write, which breaks savepoints (a
    # release before any write would commit for real); SQLAlchemy emits BEGIN itself instead.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN")


@lru_cache
def get_engine() -> Engine:
    return make_engine(get_settings().database_url)


_bind: Engine | Connection | None = None


def bind_sessions(bind: Engine | Connection | None) -> None:
    """Point every new session at `bind` (tests hand in a connection inside a transaction)."""
    global _bind
    _bind = bind


def open_session() -> Session:
    """A session for requests, jobs and the CLI; whoever opens it commits it."""
    # With a connection already in a transaction, commits become savepoints (tests roll back).
    return Session(
        _bind or get_engine(), expire_on_commit=False, join_transaction_mode="create_savepoint"
    )


def get_session() -> Iterator[Session]:
    """One session per request: committed once when the route succeeds, else rolled back."""
    with open_session() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


SessionDep = Annotated[Session, Depends(get_session)]
