from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, Index, SQLModel, UniqueConstraint

from app.models.base import Timestamped, enum_type, instant_field, utcnow


class Level(SQLModel, table=True):
    """An organisational level; `position` orders them, the most senior first."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=80, unique=True)
    position: int
    is_executive: bool = False
    title_pattern: str = Field(default="", max_length=500)
    """A case-insensitive regular expression over job titles that infers this level."""


class Person(Timestamped, table=True):
    # The directory is listed by name, a page at a time: read in order, not sorted whole.
    __table_args__ = (Index("ix_person_name_id", "name", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True)
    """Stored lower-case: emails are matched case-insensitively."""
    name: str = Field(max_length=200)
    title: str = Field(default="", max_length=200)
    department: str = Field(default="", max_length=200, index=True)
    employee_id: str | None = Field(default=None, max_length=100, unique=True)
    manager_id: int | None = Field(
        default=None, foreign_key="person.id", index=True, ondelete="SET NULL"
    )
    level_id: int = Field(foreign_key="level.id", index=True)
    active: bool = True


class AliasKind(StrEnum):
    email = "email"
    name = "name"


class PersonAlias(SQLModel, table=True):
    """Another email or display name that identifies a person in attendance reports."""

    __tablename__ = "person_alias"
    __table_args__ = (
        UniqueConstraint("kind", "normalized", name="uq_person_alias_kind_normalized"),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    kind: AliasKind = Field(sa_type=enum_type(AliasKind))
    value: str = Field(max_length=320)
    normalized: str = Field(max_length=320)
    created_at: datetime = instant_field(default_factory=utcnow)
