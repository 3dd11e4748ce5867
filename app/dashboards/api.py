"""The dashboards' figures as JSON: the same view models the pages render."""

from typing import Annotated

from fastapi import APIRouter, Query

from app.auth.dependencies import CurrentUser
from app.dashboards import service
from app.dashboards.dependencies import ApiFilters
from app.dashboards.schemas import (
    DepartmentsPage,
    FunnelReport,
    LeaderGrid,
    LeadersPage,
    LevelsReport,
    Overview,
    StageRead,
    StageUpdate,
    View,
)
from app.db import SessionDep
from app.deps import PaginationDep
from app.people.dependencies import ValidPerson

router = APIRouter(prefix="/dashboard", tags=["dashboards"])


@router.get("/overview")
def overview(session: SessionDep, filters: ApiFilters) -> Overview:
    """Sessions held, attendees, unique people, executive participation and the trend."""
    return service.overview(session, filters=filters)


@router.get("/levels")
def levels(
    session: SessionDep,
    filters: ApiFilters,
    view: Annotated[
        View, Query(description="as_it_was: the level at each session; today: the level now.")
    ] = "as_it_was",
) -> LevelsReport:
    """Attendance per level, in total and by month: as it was, or by today's level."""
    return service.levels_report(session, filters=filters, view=view)


@router.get("/leaders")
def leaders(
    session: SessionDep,
    filters: ApiFilters,
    page: PaginationDep,
    include_directors: Annotated[bool, Query(description="Directors too.")] = False,
    never_attended: Annotated[bool, Query(description="Only those who never came.")] = False,
) -> LeadersPage:
    """Leaders at executive levels: sessions attended, signals and engagement stage."""
    return service.leaders(
        session,
        filters=filters,
        include_directors=include_directors,
        never_attended=never_attended,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/leaders/grid")
def leader_grid(
    session: SessionDep,
    filters: ApiFilters,
    page: PaginationDep,
    include_directors: Annotated[bool, Query(description="Directors too.")] = False,
) -> LeaderGrid:
    """Leaders × sessions held (invited, accepted, attended, read), never-attended first."""
    return service.leader_grid(
        session,
        filters=filters,
        include_directors=include_directors,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/funnel")
def funnel(session: SessionDep, filters: ApiFilters, page: PaginationDep) -> FunnelReport:
    """Invited → accepted → attended → read: per level, and per session held (newest first)."""
    return service.funnel(session, filters=filters, limit=page.limit, offset=page.offset)


@router.put("/leaders/{person_id}/stage")
def set_leader_stage(
    session: SessionDep, person: ValidPerson, body: StageUpdate, user: CurrentUser
) -> StageRead:
    """Override a leader's engagement stage and set a target (null clears either)."""
    return service.set_leader_stage(
        session,
        person=person,
        override_stage=body.override_stage,
        target_stage=body.target_stage,
    )


@router.get("/departments")
def departments(session: SessionDep, filters: ApiFilters, page: PaginationDep) -> DepartmentsPage:
    """Participation rate (unique attendees ÷ headcount) per department and level."""
    return service.departments(session, filters=filters, limit=page.limit, offset=page.offset)
