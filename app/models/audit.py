"""The audit log: who created, changed, approved, sent or deleted what, and when."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index
from sqlmodel import Field, SQLModel

from app.models.base import instant_field, utcnow


class AuditEntry(SQLModel, table=True):
    """One thing someone did, written in the same transaction as the change itself."""

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_entity", "entity", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = instant_field(default_factory=utcnow, index=True)
    actor_id: int | None = Field(
        default=None, foreign_key="user.id", index=True, ondelete="SET NULL"
    )
    actor: str = Field(max_length=320)
    """The user's email as it was then, or "system", "worker" or "cli"."""
    action: str = Field(max_length=32)
    entity: str = Field(max_length=40)
    entity_id: int | None = None
    summary: str = Field(max_length=1000)
    changes: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    """{field: [before, after]} for key fields only; never secrets."""
    request_id: str | None = Field(default=None, max_length=64)
