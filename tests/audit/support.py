"""Reading the audit log back in tests."""

from sqlmodel import Session, col, select

from app.models import AuditEntry


def entries_about(db: Session, entity: str, entity_id: int | None = None) -> list[AuditEntry]:
    """The entries about one entity (or one kind of entity), oldest first."""
    query = select(AuditEntry).where(AuditEntry.entity == entity)
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == entity_id)
    return list(db.exec(query.order_by(col(AuditEntry.id))).all())


def all_entries_text(db: Session) -> str:
    """Every entry's summary and changes as one string, to look for what must never be there."""
    rows = db.exec(select(AuditEntry)).all()
    return "\n".join(f"{row.summary} {row.changes}" for row in rows)
