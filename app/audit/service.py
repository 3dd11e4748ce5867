"""Recording and reading the audit log.

`record` adds an entry to the caller's session, so it commits or rolls back with the change
it describes; `recording` wraps a change to a loaded object and records what it changed. The
actor is whoever the request signed in as (`app.auth.dependencies.current_user` calls
`act_as`), else the label a CLI command or worker job set with `acting_as`, else "system".
"""

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import Enum
from typing import Any

from sqlmodel import Session, col, func, select

from app.db import id_of
from app.models import AuditEntry, User, utcnow
from app.system.logs import request_id

MAX_SUMMARY = 1000
SECRET_WORDS = ("password", "secret", "token", "hash")
"""A field whose name holds one of these is never written to an entry, whatever a caller sends."""


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    label: str


SYSTEM = Actor(None, "system")
CLI = Actor(None, "cli")
WORKER = Actor(None, "worker")

current_actor: ContextVar[Actor | None] = ContextVar("audit_actor", default=None)
# The request's user is kept on its database session rather than in `current_actor`: FastAPI
# runs sync dependencies and routes in separate worker threads, each with a copy of the
# context, so a contextvar set while resolving the user would not reach the route.
_SESSION_KEY = "audit_actor"


def act_as(session: Session, user: User) -> None:
    """Entries written through this session are by `user`."""
    session.info[_SESSION_KEY] = Actor(user.id, user.email)


@contextmanager
def acting_as(actor: Actor | User) -> Iterator[None]:
    """Entries written in this block, through any session, are by `actor` (CLI, jobs, tests)."""
    token = current_actor.set(Actor(actor.id, actor.email) if isinstance(actor, User) else actor)
    try:
        yield
    finally:
        current_actor.reset(token)


def actor_of(session: Session) -> Actor:
    """Who is acting through this session."""
    given = session.info.get(_SESSION_KEY)
    return given if isinstance(given, Actor) else current_actor.get() or SYSTEM


def jsonable(value: Any) -> Any:
    """A value as it can be stored in JSON and shown back: instants in ISO 8601, enums by value."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list | tuple | set):
        return [jsonable(item) for item in value]
    return str(value)


def snapshot(obj: object, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of `fields` on `obj`, to compare with a later snapshot."""
    return {field: getattr(obj, field) for field in fields}


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """{field: [before, after]} for every field of `before` whose value differs in `after`."""
    return {
        field: [jsonable(old), jsonable(after.get(field))]
        for field, old in before.items()
        if old != after.get(field)
    }


def _is_secret(field: str) -> bool:
    lowered = field.lower()
    return any(word in lowered for word in SECRET_WORDS)


def record(
    session: Session,
    *,
    action: str,
    entity: str,
    entity_id: int | None,
    summary: str,
    changes: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Add an entry to the log, in the caller's transaction."""
    actor = actor_of(session)
    current_request = request_id.get()
    entry = AuditEntry(
        at=utcnow(),
        actor_id=actor.user_id,
        actor=actor.label,
        action=action,
        entity=entity,
        entity_id=entity_id,
        summary=summary if len(summary) <= MAX_SUMMARY else summary[: MAX_SUMMARY - 1] + "…",
        changes={
            field: [jsonable(value) for value in pair]
            for field, pair in (changes or {}).items()
            if not _is_secret(field)
        },
        request_id=None if current_request == "-" else current_request,
    )
    session.add(entry)
    return entry


@dataclass
class Change:
    """A change `recording` is watching: the block may read what changed so far, rename the
    action, or name fields the snapshot does not hold."""

    obj: Any
    fields: tuple[str, ...]
    action: str
    before: dict[str, Any]
    also: set[str] = field(default_factory=set)
    """Fields changed outside the snapshot (a list of speakers): named in the summary only."""

    @property
    def changes(self) -> dict[str, list[Any]]:
        """{field: [before, now]} for the snapshot's fields that differ now."""
        return diff(self.before, snapshot(self.obj, self.fields))


@contextmanager
def recording(
    session: Session,
    obj: Any,
    fields: Iterable[str],
    *,
    entity: str,
    summary: Callable[[str], str],
    action: str = "changed",
) -> Iterator[Change]:
    """Snapshot `fields` of a loaded `obj`, run the block, and record what it changed.

    One entry if any field changed (or the block named one in `change.also`), none if
    nothing did or the block raised. `summary` is called at the end, with the changed
    fields' names (sorted, comma-separated), so it can name the object as it now is.
    """
    fields = tuple(fields)
    change = Change(obj=obj, fields=fields, action=action, before=snapshot(obj, fields))
    yield change
    changes = change.changes
    names = sorted(set(changes) | change.also)
    if names:
        record(
            session,
            action=change.action,
            entity=entity,
            entity_id=id_of(obj),
            summary=summary(", ".join(names)),
            changes=changes,
        )


def created(obj: object, fields: Iterable[str]) -> dict[str, list[Any]]:
    """{field: [None, value]} for a new object's key fields that have a value."""
    return {f: [None, jsonable(v)] for f, v in snapshot(obj, fields).items() if v not in (None, "")}


def list_entries(
    session: Session,
    *,
    entity: str | None = None,
    entity_id: int | None = None,
    actor: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int,
    offset: int,
) -> tuple[list[AuditEntry], int]:
    """One page of entries, newest first, and how many match the filters in all."""
    conditions: list[Any] = []
    if entity:
        conditions.append(AuditEntry.entity == entity)
    if entity_id is not None:
        conditions.append(AuditEntry.entity_id == entity_id)
    if actor:
        conditions.append(func.lower(AuditEntry.actor) == actor.strip().lower())
    if action:
        conditions.append(AuditEntry.action == action)
    if since is not None:
        conditions.append(col(AuditEntry.at) >= since)
    if until is not None:
        conditions.append(col(AuditEntry.at) < until)
    total = session.exec(select(func.count()).select_from(AuditEntry).where(*conditions)).one()
    rows = session.exec(
        select(AuditEntry)
        .where(*conditions)
        .order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), total


def entities(session: Session) -> list[str]:
    """The kinds of thing the log has entries about, for a filter's choices."""
    return sorted(session.exec(select(AuditEntry.entity).distinct()).all())


def actions(session: Session) -> list[str]:
    """The actions the log has entries for, for a filter's choices."""
    return sorted(session.exec(select(AuditEntry.action).distinct()).all())
