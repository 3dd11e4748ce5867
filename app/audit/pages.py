"""The audit log page (admins only)."""

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from app.audit import service
from app.auth.dependencies import AdminUser
from app.db import SessionDep
from app.deps import MAX_ID, PaginationDep
from app.errors import Invalid
from app.kit.paging import pager
from app.templating import templates

router = APIRouter(include_in_schema=False)


def _day(value: str, name: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise Invalid(f"{name} must be a date like 2026-11-24, not {value!r}.") from None


def _entity_id(value: str) -> int | None:
    if not value.strip():
        return None
    if not value.strip().isdigit() or not 0 < int(value) <= MAX_ID:
        raise Invalid(f"The id must be a whole number, not {value!r}.")
    return int(value)


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    session: SessionDep,
    user: AdminUser,
    page: PaginationDep,
    entity: Annotated[str, Query(max_length=40)] = "",
    entity_id: Annotated[str, Query(max_length=12)] = "",
    actor: Annotated[str, Query(max_length=320)] = "",
    action: Annotated[str, Query(max_length=32)] = "",
    since: Annotated[str, Query(max_length=10)] = "",
    until: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    """Who did what and when, newest first; days are UTC and `until` includes its day."""
    first_day, last_day = _day(since, "From"), _day(until, "To")
    entries, total = service.list_entries(
        session,
        entity=entity or None,
        entity_id=_entity_id(entity_id),
        actor=actor or None,
        action=action or None,
        since=datetime.combine(first_day, time(), UTC) if first_day else None,
        until=datetime.combine(last_day + timedelta(days=1), time(), UTC) if last_day else None,
        limit=page.limit,
        offset=page.offset,
    )
    return templates.TemplateResponse(
        request,
        "pages/audit/list.html",
        {
            "user": user,
            "entries": entries,
            "total": total,
            "filters": {
                "entity": entity,
                "entity_id": entity_id,
                "actor": actor,
                "action": action,
                "since": since,
                "until": until,
            },
            "entities": service.entities(session),
            "actions": service.actions(session),
            "pager": pager(request, page, total),
        },
    )
