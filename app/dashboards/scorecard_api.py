"""The quarterly programme scorecard as JSON: the document the page and the PDF show."""

from typing import Annotated, Any

from fastapi import APIRouter, Query

from app.dashboards.scorecard import ScorecardDocument, build_scorecard, parse_quarter
from app.db import SessionDep

router = APIRouter(prefix="/dashboard", tags=["dashboards"])

INVALID_QUARTER: dict[int | str, dict[str, Any]] = {
    422: {"description": "The quarter is not written like 2026-Q4, or has not begun yet."}
}


@router.get("/scorecard", responses=INVALID_QUARTER)
def scorecard(
    session: SessionDep,
    quarter: Annotated[
        str,
        Query(
            max_length=10,
            description="A calendar quarter (UTC) such as 2026-Q4; default: the current one, "
            "so far.",
        ),
    ] = "",
) -> ScorecardDocument:
    """Sessions held, people reached, executive participation and its trend, recaps read by
    level, action items, commitments, themes and the figures recorded, for one quarter."""
    return build_scorecard(session, quarter=parse_quarter(quarter))
