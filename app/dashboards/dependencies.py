"""The dashboards' filters, read from the query string (API: typed; pages: form strings)."""

from datetime import date
from typing import Annotated

from fastapi import Depends, Query
from pydantic import ValidationError

from app.dashboards.schemas import DashboardFilters
from app.deps import MAX_ID
from app.errors import Invalid


def api_filters(
    start: Annotated[date | None, Query(description="First day of the period (UTC).")] = None,
    end: Annotated[date | None, Query(description="Last day of the period (UTC).")] = None,
    series_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Only this series.")
    ] = None,
    department: Annotated[
        str | None, Query(max_length=200, description="Only this department.")
    ] = None,
    level: Annotated[str | None, Query(max_length=40, description="Only this level key.")] = None,
) -> DashboardFilters:
    return DashboardFilters(
        start=start,
        end=end,
        series_id=series_id,
        department=department or None,
        level=level or None,
    )


def parse_page_filters(
    start: str = "", end: str = "", series_id: str = "", department: str = "", level: str = ""
) -> DashboardFilters:
    """The filter form's fields, where an empty field means "all" (a 422 names a bad one)."""
    try:
        return DashboardFilters.model_validate(
            {
                "start": start.strip() or None,
                "end": end.strip() or None,
                "series_id": series_id.strip() or None,
                "department": department or None,
                "level": level.strip() or None,
            }
        )
    except ValidationError as exc:
        fields = "; ".join(
            f"{error['loc'][0]}: {error['input']} is not "
            f"{'a date like 2026-03-31' if error['loc'][0] in ('start', 'end') else 'a number'}"
            for error in exc.errors()
        )
        raise Invalid(f"Some filters are not valid: {fields}.") from exc


ApiFilters = Annotated[DashboardFilters, Depends(api_filters)]
