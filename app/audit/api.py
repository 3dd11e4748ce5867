"""The audit log over the JSON API (admins only)."""

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

from app.audit import service
from app.audit.schemas import AuditEntryRead
from app.auth.dependencies import AdminUser
from app.db import SessionDep
from app.deps import MAX_ID, Page, PaginationDep

router = APIRouter(tags=["audit"])


@router.get("/audit")
def list_audit_entries(
    session: SessionDep,
    _: AdminUser,
    page: PaginationDep,
    entity: Annotated[
        str | None, Query(max_length=40, description="e.g. story_session, recap, user.")
    ] = None,
    entity_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    actor: Annotated[
        str | None, Query(max_length=320, description='A user\'s email, or "system".')
    ] = None,
    action: Annotated[
        str | None, Query(max_length=32, description="e.g. created, changed, approved.")
    ] = None,
    since: Annotated[
        AwareDatetime | None,
        Query(description="Entries at or after this instant (with an offset)."),
    ] = None,
    until: Annotated[
        AwareDatetime | None, Query(description="Entries before this instant (with an offset).")
    ] = None,
) -> Page[AuditEntryRead]:
    """Who created, changed, approved, sent or deleted what, and when; the newest first."""
    rows, total = service.list_entries(
        session,
        entity=entity,
        entity_id=entity_id,
        actor=actor,
        action=action,
        since=since,
        until=until,
        limit=page.limit,
        offset=page.offset,
    )
    return Page(
        items=[AuditEntryRead.model_validate(row) for row in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )
