"""The database engine and the per-request session (commit on success, rollback on error)."""

import logging
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

from anyio import CancelScope, CapacityLimiter, Semaphore, to_thread
from fastapi import Depends, FastAPI, Request
from sqlalchemy import Connection, Engine, Table, event, insert
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session, SQLModel, col, create_engine, select

from app.config import get_settings

if TYPE_CHECKING:
    from alembic.config import Config

INSERT_BATCH = 5000
POOL_SIZE, POOL_OVERFLOW = 10, 20
"""PostgreSQL connections a process keeps open, and may open beyond them when busy."""
ALEMBIC_INI = Path(__file__).resolve().parent.parent / "alembic.ini"

log = logging.getLogger(__name__)


def table_of(model: type[SQLModel]) -> Table:
    """A model's table, for Core statements (typed, unlike `Model.__table__`)."""
    return SQLModel.metadata.tables[str(model.__tablename__)]


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout and foreign keys (shared by processes).

    PostgreSQL connections run without JIT: the dashboards' and the scorecard's aggregates
    pass `jit_above_cost`, and compiling them costs more than running them (187 ms against
    11 ms for the executive-participation query at 100,000 people, bench/README.md).
    """
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
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=POOL_SIZE,
        max_overflow=POOL_OVERFLOW,
        connect_args={"options": "-c jit=off"},
        **kwargs,
    )


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
    # IMMEDIATE takes the write lock up front, so concurrent requests (and the worker) wait
    # on the busy timeout; a deferred transaction that reads, then writes after another
    # connection committed, fails at once with "database is locked". PostgreSQL is for scale.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


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


Job = tuple[Callable[..., object], tuple[int, ...]]
_JOBS = "storyroom.after_commit"


def after_commit(session: Session, task: Callable[..., object], *ids: int) -> None:
    """Queue `task(*ids)` once this session's transaction commits, so the job sees its rows.

    Forgotten if the transaction, or the savepoint it was asked in, rolls back; asked again
    with the same ids in the same transaction, it is queued once.
    """
    if not session.in_transaction():
        session.begin()
    transaction = session.get_nested_transaction() or session.get_transaction()
    assert transaction is not None
    pending: dict[SessionTransaction, dict[Job, None]] = session.info.setdefault(_JOBS, {})
    pending.setdefault(transaction, {})[(task, ids)] = None


@event.listens_for(OrmSession, "after_commit")
def _queue_committed(session: OrmSession) -> None:
    pending: dict[SessionTransaction, dict[Job, None]] | None = session.info.get(_JOBS)
    if not pending:
        return
    # Fired for a savepoint's release too; the transaction committing is still the current one.
    committed = session.get_nested_transaction() or session.get_transaction()
    jobs = pending.pop(committed, None) if committed is not None else None
    if not jobs:
        return
    if committed is not None and committed.parent is not None:
        pending.setdefault(committed.parent, {}).update(jobs)
        return
    for task, ids in jobs:
        try:
            task(*ids)
        except Exception:
            # The rows are committed; each job's periodic sweep finds what a lost job left.
            name = getattr(task, "name", getattr(task, "__name__", repr(task)))
            log.warning("could not queue %s%s after the commit", name, ids, exc_info=True)


@event.listens_for(OrmSession, "after_transaction_end")
def _forget_ended(session: OrmSession, transaction: SessionTransaction) -> None:
    # Committed jobs were passed on by _queue_committed; what is left here was rolled back.
    pending: dict[SessionTransaction, dict[Job, None]] | None = session.info.get(_JOBS)
    if pending:
        pending.pop(transaction, None)


def install_session_turns(app: FastAPI) -> None:
    """Give the app its `max_active_requests` turns, which `get_session` takes one of."""
    app.state.database_turns = Semaphore(get_settings().max_active_requests)


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per request: committed once when the route succeeds, else rolled back.

    A web process works on at most `max_active_requests` sessions at once (the turns of
    `install_session_turns`); other requests
    wait for a turn, first come first served, holding nothing. A session holds a pooled
    connection from its first query to its commit, and its synchronous steps (queries, the
    route, response validation) each take a thread of AnyIO's pool in turn. Unbounded, a burst
    of 120 connections took all 40 threads of a process with requests waiting for one of the
    30 connections, while the requests holding those waited for a thread to give them back:
    the process stopped answering. With fewer turns than connections and threads, a request
    with a turn always finds both; and a few at a time, the rest queued in order, finish
    sooner than two dozen taking turns at the GIL. The turn is taken once the body has been
    read (FastAPI reads a declared body before solving dependencies), so a slow upload
    holds no turn.

    `async`, so that opening it (no I/O) costs no hop to a thread; the commit or rollback runs
    in a thread of its own, never waiting for a free one of the pool.
    """
    async with request.app.state.database_turns:
        session = open_session()
        try:
            yield session
        except BaseException:
            with CancelScope(shield=True):
                await to_thread.run_sync(_finish, session, False, limiter=CapacityLimiter(1))
            raise
        with CancelScope(shield=True):
            await to_thread.run_sync(_finish, session, True, limiter=CapacityLimiter(1))


def _finish(session: Session, commit: bool) -> None:
    with session:
        if commit:
            session.commit()
        else:
            session.rollback()


# scope="function": commit before the response goes out, so a client never sees success for
# a write that then failed, and a redirect never lands before the data it shows.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def alembic_config(url: str) -> "Config":
    """Alembic's configuration for the database at `url` (migrations are the only schema)."""
    from alembic.config import Config

    config = Config(str(ALEMBIC_INI))
    config.set_main_option("sqlalchemy.url", url)
    config.attributes["configure_logger"] = False
    return config


def migrate(url: str, revision: str = "head") -> None:
    """Upgrade the database at `url` to `revision`."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)


@lru_cache
def code_revisions() -> tuple[str, frozenset[str]]:
    """The newest migration this code ships, and all of them (read once per process)."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(get_settings().database_url))
    return script.get_current_head() or "", frozenset(r.revision for r in script.walk_revisions())


def schema_lag(revisions: set[str]) -> str | None:
    """Why the database schema is too old for this code, or None when it can serve it.

    A schema newer than the code is fine: in a rolling upgrade the new release migrates first
    (additively) while the old processes keep serving, so they must stay ready.
    """
    head, known = code_revisions()
    if revisions == {head} or (revisions and not revisions & known):
        return None
    return f"at {', '.join(sorted(revisions)) or 'none'}, code needs {head}"


def insert_many(session: Session, table: Table, rows: Iterable[Mapping[str, Any]]) -> None:
    """Insert plain rows (all with the same keys) with one executemany per batch.

    SQLAlchemy's general insert path rebuilds the parameters of every row through several
    layers; for imports of tens of thousands of rows that costs more than the database does.
    Here each column's bind processor is looked up once and applied directly, and the rows
    are consumed in batches, so a generator never has to be held in memory whole.
    """
    iterator = iter(rows)
    first = next(iterator, None)
    if first is None:
        return
    connection = session.connection()
    dialect = connection.dialect
    columns = [column for column in table.columns if column.key in first]
    compiled = insert(table).compile(dialect=dialect, column_keys=[c.key for c in columns])
    processors = {c.key: c.type.bind_processor(dialect) for c in columns}
    keys = list(compiled.positiontup or []) if compiled.positional else list(processors)
    pairs = [(key, processors[key]) for key in keys]

    def bind(row: Mapping[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
        values = [convert(row[key]) if convert else row[key] for key, convert in pairs]
        return tuple(values) if compiled.positional else dict(zip(keys, values, strict=True))

    sql = str(compiled)
    batch = [bind(first)] + [bind(row) for row in islice(iterator, INSERT_BATCH - 1)]
    while batch:
        connection.exec_driver_sql(sql, batch)
        batch = [bind(row) for row in islice(iterator, INSERT_BATCH)]


Row = TypeVar("Row", bound=SQLModel)


def by_id(session: Session, model: type[Row], ids: Iterable[int | None]) -> dict[int, Row]:
    """The rows of `model` with these ids, keyed by id: one query, none when there are none."""
    wanted = {id_ for id_ in ids if id_ is not None}
    if not wanted:
        return {}
    rows = session.exec(select(model).where(col(model.id).in_(wanted)))  # type: ignore[attr-defined]
    return {row.id: row for row in rows}  # type: ignore[attr-defined]


def id_of(row: SQLModel) -> int:
    """The primary key of a row that has been added and flushed.

    SQLModel types `id` as `int | None` because a new row has none until it is flushed. A
    caller that holds a loaded row uses this rather than `row.id or 0`, which would quietly
    write 0 (a foreign key to nothing) if the row were not flushed yet.
    """
    id_ = getattr(row, "id", None)
    if not isinstance(id_, int):
        raise RuntimeError(f"{type(row).__name__} has no id yet: add it and flush first")
    return id_
