"""Removing an import: its rows go, and what it replaced or changed comes back as it was.

An import deletes the rows of an earlier report from the same platform and adds minutes to
rows it finds already there (marked by hand, checked in, another platform's report). `Undo`
keeps both with the import (`AttendanceImport.undo_json`), so `remove_import` can put the
session back: the figures every dashboard computes from the rows are then what they were.
"""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy import select as select_columns  # typed for any number of columns
from sqlmodel import Session, col, func, select

from app.attendance.schemas import ImportListed, RemovedImport
from app.audit import service as audit
from app.db import id_of, insert_many, table_of
from app.errors import NotFound
from app.models import Attendance, AttendanceImport, AttendanceSource, StorySession, User

_KEPT = (
    "person_id",
    "import_id",
    "source",
    "raw_name",
    "raw_email",
    "first_join",
    "last_leave",
    "minutes_present",
    "attended",
    "level_id",
    "department",
    "external",
)
"""The columns of a replaced row kept to put it back (its session is the import's)."""
_CHANGED = ("first_join", "last_leave", "minutes_present", "attended")
"""What an import may change on a row it did not make (see `service._enrich`)."""
_INSTANTS = {"first_join", "last_leave"}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value.value if isinstance(value, AttendanceSource) else value


def _typed(name: str, value: Any) -> Any:
    if value is not None and name in _INSTANTS:
        return datetime.fromisoformat(value)
    return AttendanceSource(value) if name == "source" else value


class Undo:
    """What one import replaced and changed, collected while it runs."""

    def __init__(self, replaced: list[list[Any]]) -> None:
        self.replaced = replaced
        self.changed: list[dict[str, Any]] = []

    @classmethod
    def replacing(cls, session: Session, *, session_id: int, source: AttendanceSource) -> "Undo":
        """Keep the rows an import of `source` is about to delete (read as plain rows)."""
        rows = table_of(Attendance).c
        query = select_columns(*(rows[name] for name in _KEPT)).where(
            rows.session_id == session_id, rows.source == source
        )
        found = session.connection().execute(query.order_by(rows.id)).all()
        return cls([[_plain(value) for value in row] for row in found])

    @contextmanager
    def changing(self, row: Attendance) -> Iterator[None]:
        """Note the values of a row the import did not make, before and after it changes them."""
        before = {name: _plain(getattr(row, name)) for name in _CHANGED}
        yield
        after = {name: _plain(getattr(row, name)) for name in _CHANGED}
        if after != before:
            self.changed.append({"id": row.id, "before": before, "after": after})

    def dump(self) -> str:
        return json.dumps({"replaced": self.replaced, "changed": self.changed})


def get_import(
    session: Session, *, story_session: StorySession, import_id: int
) -> AttendanceImport:
    """One of the session's imports, or 404."""
    record = session.get(AttendanceImport, import_id) if 0 < import_id < 2**31 else None
    if record is None or record.session_id != story_session.id:
        raise NotFound(
            f"Session {story_session.id} has no attendance import {import_id}: it may have "
            "been removed already."
        )
    return record


def remove_import(
    session: Session, *, story_session: StorySession, record: AttendanceImport
) -> RemovedImport:
    """Delete an import and its rows; put back the rows it replaced and the values it changed.

    Only its own rows go: rows marked by hand, checked in or from another import stay, with
    the minutes this import added to them taken away again (unless changed since)."""
    session_id = id_of(story_session)
    undo = json.loads(record.undo_json or "{}")
    deleted = session.exec(
        delete(Attendance).where(
            col(Attendance.session_id) == session_id, col(Attendance.import_id) == record.id
        )
    ).rowcount
    reverted = 0
    for change in undo.get("changed", []):
        row = session.get(Attendance, change["id"])
        if row is None or row.session_id != session_id:
            continue
        after, before = change["after"], change["before"]
        # A value changed since (by hand, by a later import) is someone else's: it stays.
        names = [name for name in _CHANGED if _plain(getattr(row, name)) == after[name]]
        for name in names:
            setattr(row, name, _typed(name, before[name]))
        reverted += bool(names)
    restored = _restore(session, session_id=session_id, replaced=undo.get("replaced", []))
    audit.record(
        session,
        action="removed",
        entity="attendance_import",
        entity_id=record.id,
        summary=f"Removed the import of {record.filename} from the attendance of "
        f"“{story_session.title}”: {deleted or 0} rows deleted, {restored} earlier rows put "
        f"back, {reverted} rows returned to their minutes before it",
    )
    filename = record.filename
    session.delete(record)
    session.flush()
    return RemovedImport(
        filename=filename, deleted=deleted or 0, restored=restored, reverted=reverted
    )


def _restore(session: Session, *, session_id: int, replaced: list[list[Any]]) -> int:
    """Put back the rows an import replaced, as they were (with new ids).

    Rows of an import removed since stay gone, and a person who has a row in the session
    again (marked by hand since) keeps that one."""
    if not replaced:
        return 0
    imports = set(
        session.exec(
            select(AttendanceImport.id).where(AttendanceImport.session_id == session_id)
        ).all()
    )
    present = set(
        session.exec(
            select(Attendance.person_id).where(
                Attendance.session_id == session_id, col(Attendance.person_id).is_not(None)
            )
        ).all()
    )
    rows = []
    for values in replaced:
        row = {name: _typed(name, value) for name, value in zip(_KEPT, values, strict=True)}
        if row["import_id"] is not None and row["import_id"] not in imports:
            continue
        if row["person_id"] is not None and row["person_id"] in present:
            continue
        present.add(row["person_id"])
        rows.append(row | {"session_id": session_id})
    insert_many(session, table_of(Attendance), iter(rows))
    return len(rows)


def list_imports(session: Session, *, story_session: StorySession) -> list[ImportListed]:
    """The session's imports, newest first, with who made them and how many rows are theirs."""
    session_id = id_of(story_session)
    counts = dict(
        session.exec(
            select(Attendance.import_id, func.count())
            .where(Attendance.session_id == session_id, col(Attendance.import_id).is_not(None))
            .group_by(col(Attendance.import_id))
        ).all()
    )
    found = session.exec(
        select(AttendanceImport, User.email)
        .join(User, col(User.id) == AttendanceImport.created_by_id, isouter=True)
        .where(AttendanceImport.session_id == session_id)
        .order_by(col(AttendanceImport.id).desc())
    ).all()
    listed = []
    for record, email in found:
        # Only the label is needed, and reports stored by older releases lack newer fields.
        stored = json.loads(record.report_json or "{}")
        listed.append(
            ImportListed(
                id=id_of(record),
                filename=record.filename,
                format_label=str(stored.get("format_label", "")),
                source=record.source,
                created_at=record.created_at,
                created_by=email or "",
                rows=counts.get(record.id, 0),
            )
        )
    return listed
