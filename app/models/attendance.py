from datetime import datetime
from enum import StrEnum

from sqlalchemy import LargeBinary
from sqlmodel import Field, Index, SQLModel, UniqueConstraint

from app.models.base import enum_type, instant_field, utcnow


class AttendanceSource(StrEnum):
    check_in = "check_in"
    manual = "manual"
    zoom = "zoom"
    teams = "teams"
    meet = "meet"
    webex = "webex"
    csv = "csv"


class AttendanceImport(SQLModel, table=True):
    """One uploaded report; `report_json` keeps what the importer decided and warned about."""

    __tablename__ = "attendance_import"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="story_session.id", index=True, ondelete="CASCADE")
    source: AttendanceSource = Field(sa_type=enum_type(AttendanceSource))
    format: str = Field(max_length=60)
    filename: str = Field(max_length=255)
    sha256: str = Field(max_length=64)
    report_json: str = Field(default="{}")
    undo_json: str = Field(default="{}")
    """What removing the import puts back: the rows it replaced and the values it changed."""
    created_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = instant_field(default_factory=utcnow)


class HeldImport(SQLModel, table=True):
    """An uploaded report held for the organizer's confirmation, nothing of it imported yet.

    Its times fall far from the session's, so it may be another session's report; the bytes
    are kept until `expires_at` so that "Import anyway" needs no second upload.
    """

    __tablename__ = "held_attendance_import"

    token: str = Field(primary_key=True, max_length=64)
    session_id: int = Field(foreign_key="story_session.id", index=True, ondelete="CASCADE")
    filename: str = Field(max_length=255)
    date_order: str = Field(max_length=10)
    data: bytes = Field(sa_type=LargeBinary)
    preview_json: str = Field(default="{}")
    created_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = instant_field(default_factory=utcnow)
    expires_at: datetime = instant_field(index=True)


class Attendance(SQLModel, table=True):
    """One person (or one unmatched attendee) in one session.

    Level and department are copied from the directory at import time, so history stays
    true after promotions and reorganisations.
    """

    __table_args__ = (
        UniqueConstraint("session_id", "person_id", name="uq_attendance_session_id_person_id"),
        # Covers the dashboards' per-session counts, so SQLite reads the index, not the rows.
        Index(
            "ix_attendance_session_id_attended_level_id_person_id",
            "session_id",
            "attended",
            "level_id",
            "person_id",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="story_session.id", index=True, ondelete="CASCADE")
    person_id: int | None = Field(
        default=None, foreign_key="person.id", index=True, ondelete="SET NULL"
    )
    import_id: int | None = Field(
        default=None, foreign_key="attendance_import.id", index=True, ondelete="SET NULL"
    )
    source: AttendanceSource = Field(sa_type=enum_type(AttendanceSource))
    raw_name: str = Field(default="", max_length=300)
    raw_email: str = Field(default="", max_length=320)
    first_join: datetime | None = instant_field(default=None, nullable=True)
    last_leave: datetime | None = instant_field(default=None, nullable=True)
    minutes_present: int = 0
    attended: bool = Field(default=False, index=True)
    """Present at least the configured minimum when imported."""
    level_id: int | None = Field(default=None, foreign_key="level.id", index=True)
    department: str = Field(default="", max_length=200)
    external: bool = False
    """An unmatched attendee the organizer confirmed is not an employee."""


class PendingCheckIn(SQLModel, table=True):
    """A self check-in the organizer has not accepted yet: it counts nowhere until then.

    Kept apart from `Attendance`, so no count has to know about it; accepting one turns it
    into an attendance row (source check-in) and deletes it.
    """

    __tablename__ = "pending_check_in"
    __table_args__ = (
        UniqueConstraint(
            "session_id", "person_id", name="uq_pending_check_in_session_id_person_id"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="story_session.id", ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    checked_in_at: datetime = instant_field(default_factory=utcnow)
