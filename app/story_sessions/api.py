"""Sessions and series over the JSON API."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from fastapi.responses import Response

from app.auth.dependencies import CurrentUser
from app.db import SessionDep
from app.deps import Page, PaginationDep
from app.story_sessions import service
from app.story_sessions.dependencies import ValidSeries, ValidSession
from app.story_sessions.schemas import (
    SeriesCreate,
    SeriesCreated,
    SeriesDetail,
    SeriesRead,
    SessionCreate,
    SessionFilters,
    SessionRead,
    SessionUpdate,
)

router = APIRouter(tags=["sessions"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No session or series with this id."}
}
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"description": "The session's status does not allow this."}
}


@router.get("/sessions")
def list_sessions(
    session: SessionDep, filters: Annotated[SessionFilters, Query()], page: PaginationDep
) -> Page[SessionRead]:
    """Sessions matching the filters: upcoming soonest first, otherwise latest first."""
    rows, total = service.list_sessions(
        session, filters=filters, limit=page.limit, offset=page.offset
    )
    return Page(
        items=service.describe_sessions(session, rows),
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.post("/sessions", status_code=status.HTTP_201_CREATED)
def create_session(session: SessionDep, user: CurrentUser, body: SessionCreate) -> SessionRead:
    """Schedule a session, or record one that already happened with `status: completed`."""
    story_session = service.create_session(session, data=body)
    return service.describe_session(session, story_session)


@router.get(
    "/sessions/{session_id}.ics",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}, **NOT_FOUND},
)
def session_ics(session: SessionDep, story_session: ValidSession) -> Response:
    """The session as an iCalendar file (same UID on every download; SEQUENCE rises on change)."""
    return ics_response(service.session_ics(session, story_session), story_session.id)


@router.get("/sessions/{session_id}", responses=NOT_FOUND)
def read_session(session: SessionDep, story_session: ValidSession) -> SessionRead:
    """One session with its customer and speakers."""
    return service.describe_session(session, story_session)


@router.patch("/sessions/{session_id}", responses={**NOT_FOUND, **CONFLICT})
def update_session(
    session: SessionDep, story_session: ValidSession, body: SessionUpdate
) -> SessionRead:
    """Change a session; `speakers` replaces the list. Cancelled or completed: description and
    series only."""
    service.update_session(session, story_session, data=body)
    return service.describe_session(session, story_session)


@router.delete("/sessions/{session_id}", responses={**NOT_FOUND, **CONFLICT})
def cancel_session(session: SessionDep, story_session: ValidSession) -> SessionRead:
    """Cancel a session: its status becomes `cancelled` and the row stays."""
    service.cancel_session(session, story_session)
    return service.describe_session(session, story_session)


@router.post("/sessions/{session_id}/complete", responses={**NOT_FOUND, **CONFLICT})
def complete_session(session: SessionDep, story_session: ValidSession) -> SessionRead:
    """Mark a session that has started as completed."""
    service.complete_session(session, story_session)
    return service.describe_session(session, story_session)


@router.get("/series", tags=["series"])
def list_series(session: SessionDep, page: PaginationDep) -> Page[SeriesRead]:
    """Every series, the newest first."""
    rows, total = service.list_series(session, limit=page.limit, offset=page.offset)
    return Page(
        items=service.describe_series(session, rows),
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.post("/series", status_code=status.HTTP_201_CREATED, tags=["series"])
def create_series(session: SessionDep, user: CurrentUser, body: SeriesCreate) -> SeriesCreated:
    """Create a series and schedule its future sessions (past occurrences are skipped)."""
    series, skipped = service.create_series(session, data=body)
    detail = service.series_detail(session, series)
    return SeriesCreated.model_validate({**dict(detail), "skipped_past": skipped})


@router.get("/series/{series_id}", tags=["series"], responses=NOT_FOUND)
def read_series(session: SessionDep, series: ValidSeries) -> SeriesDetail:
    """One series with all its sessions."""
    return service.series_detail(session, series)


@router.delete("/series/{series_id}", tags=["series"], responses=NOT_FOUND)
def cancel_series(session: SessionDep, series: ValidSeries) -> SeriesDetail:
    """Cancel every session of the series that has not started yet."""
    service.cancel_series(session, series)
    return service.series_detail(session, series)


def ics_response(body: bytes, session_id: int | None) -> Response:
    """An .ics download named after the session."""
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="session-{session_id}.ics"'},
    )
