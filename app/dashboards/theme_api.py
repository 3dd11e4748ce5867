"""Themes across sessions as JSON: the dashboard's themes view, one theme, and merging two."""

from typing import Any

from fastapi import APIRouter

from app.dashboards import themes
from app.dashboards.dependencies import ApiFilters
from app.dashboards.themes import MergeRead, MergeRequest, ThemeDetail, ThemesReport
from app.db import SessionDep
from app.deps import IdPath

router = APIRouter(tags=["themes"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No theme with this id."}}
MERGE_REFUSED: dict[int | str, dict[str, Any]] = {
    404: {"description": "No theme with this id."},
    409: {"description": "A theme cannot be merged into itself."},
    422: {"description": "No theme to merge into with the id given."},
}


@router.get("/dashboard/themes", tags=["dashboards"])
def themes_view(session: SessionDep, filters: ApiFilters) -> ThemesReport:
    """Each theme raised in the period: its sessions over time, how often recently, quotes,
    action items and commitments filed under it, and the levels that heard it."""
    return themes.themes_report(session, filters=filters)


@router.get("/themes/{theme_id}", responses=NOT_FOUND)
def read_theme(session: SessionDep, theme_id: IdPath) -> ThemeDetail:
    """One theme: its sessions, quotes (following consent), action items, commitments,
    the levels that heard it and its figures."""
    return themes.theme_detail(session, theme_id=theme_id)


@router.post("/themes/{theme_id}/merge", responses=MERGE_REFUSED)
def merge_theme(session: SessionDep, theme_id: IdPath, body: MergeRequest) -> MergeRead:
    """Merge this theme into another: its recaps, action items and commitments move there,
    figures are summed, and this theme is deleted."""
    return themes.merge(session, theme_id=theme_id, into=body.into)
