"""Dashboard pages: overview, by level, leaders, departments — each with filters and CSV."""

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from app.auth.dependencies import CurrentUser
from app.charts import Bar, Chart, Series, horizontal_bars, stacked_bars
from app.dashboards import csv_export, service
from app.dashboards.dependencies import parse_page_filters
from app.dashboards.engagement import LADDER, STAGE_LABELS, rules_text
from app.dashboards.schemas import (
    DashboardFilters,
    DashboardLevel,
    DepartmentsPage,
    LevelsReport,
    Overview,
    StageUpdate,
    View,
)
from app.db import SessionDep
from app.errors import AppError, Invalid
from app.models import EngagementStage, User
from app.people.dependencies import ValidPerson
from app.templating import templates

router = APIRouter(prefix="/dashboard")

PAGE_SIZE = 50
FILTER_KEYS = ("start", "end", "series_id", "department", "level")
Raw = dict[str, str]


def _raw(request: Request) -> Raw:
    """The filter form's fields as typed, kept to fill the form again."""
    return {key: request.query_params.get(key, "")[:200] for key in FILTER_KEYS}


def _query(raw: Raw, **extra: object) -> str:
    params = {key: value for key, value in raw.items() if value}
    params.update({key: str(value) for key, value in extra.items() if value not in (None, "")})
    return f"?{urlencode(params)}" if params else ""


def _day(value: date) -> str:
    return f"{value.day} {value:%b %Y}"


def _period(filters: DashboardFilters) -> str:
    if filters.start and filters.end:
        return f"{_day(filters.start)} – {_day(filters.end)}"
    if filters.start:
        return f"Since {_day(filters.start)}"
    if filters.end:
        return f"Until {_day(filters.end)}"
    return "All sessions to date"


def _render(
    request: Request,
    session: Session,
    user: User,
    template: str,
    build: Callable[[DashboardFilters], dict[str, Any]],
    **context: Any,
) -> Response:
    """Render one dashboard; bad filters re-render the form with the message (4xx)."""
    raw = _raw(request)
    base: dict[str, Any] = {
        "user": user,
        "raw": raw,
        "query": _query(raw, **context.pop("keep", {})),
        "options": service.filter_options(session),
        **context,
    }
    try:
        filters = parse_page_filters(**raw)
        body = build(filters)
    except AppError as error:
        return templates.TemplateResponse(
            request,
            template,
            {**base, "error": error.detail, "period": ""},
            status_code=error.status_code,
        )
    return templates.TemplateResponse(
        request, template, {**base, **body, "period": _period(filters)}
    )


def _csv(text: str, name: str) -> Response:
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="storyroom-{name}.csv"'},
    )


def _series(levels: list[DashboardLevel], counts: list[dict[str, int]]) -> list[Series]:
    """One chart layer per level that has anyone in it, most senior at the bottom."""
    layers = [
        Series(level.name, level.color, [count.get(level.key, 0) for count in counts])
        for level in levels
    ]
    return [layer for layer in layers if any(layer.values)]


def _percent(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.0%}" if value >= 0.1 or value == 0 else f"{value:.1%}"


# -- overview --------------------------------------------------------------------------------


def _overview_chart(report: Overview) -> Chart:
    labels = [f"{s.starts_at:%d %b %y}" for s in report.sessions]
    return stacked_bars(
        chart_id="trend",
        title="Attendees per session, by level at the time",
        desc="One bar per session held in the period, stacked by the attendees' level.",
        labels=labels,
        series=_series(report.levels, [s.by_level for s in report.sessions]),
    )


def _parse(request: Request) -> DashboardFilters:
    return parse_page_filters(**_raw(request))


@router.get("")
def overview_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """The overview: headline figures and the per-session trend by level."""

    def build(filters: DashboardFilters) -> dict[str, Any]:
        report = service.overview(session, filters=filters)
        return {"report": report, "chart": _overview_chart(report), "percent": _percent}

    return _render(request, session, user, "pages/dashboards/overview.html", build, tab="overview")


@router.get("/export.csv")
def overview_csv(request: Request, session: SessionDep) -> Response:
    """The overview's sessions table as CSV."""
    report = service.overview(session, filters=_parse(request))
    return _csv(csv_export.overview_csv(report), "sessions")


# -- by level --------------------------------------------------------------------------------


def _view(value: str) -> View:
    if value in ("", "as_it_was"):
        return "as_it_was"
    if value == "today":
        return "today"
    raise Invalid(f"The view {value!r} does not exist; choose as_it_was or today.")


def _levels_chart(report: LevelsReport) -> Chart:
    when = "today" if report.view == "today" else "at the time"
    labels = [date.fromisoformat(f"{m.month}-01").strftime("%b %y") for m in report.months]
    return stacked_bars(
        chart_id="levels",
        title=f"Attendees per month, by level {when}",
        desc="One bar per month with sessions, stacked by level.",
        labels=labels,
        series=_series(report.levels, [m.by_level for m in report.months]),
    )


@router.get("/levels")
def levels_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    view: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """Attendance per level over time: as it was at each session, or by today's level."""

    def build(filters: DashboardFilters) -> dict[str, Any]:
        report = service.levels_report(session, filters=filters, view=_view(view))
        return {"report": report, "chart": _levels_chart(report), "percent": _percent}

    return _render(
        request,
        session,
        user,
        "pages/dashboards/levels.html",
        build,
        tab="levels",
        view=view or "as_it_was",
        view_urls={
            key: "/dashboard/levels" + _query(_raw(request), view=key)
            for key in ("as_it_was", "today")
        },
        keep={"view": view},
    )


@router.get("/levels/export.csv")
def levels_csv(
    request: Request, session: SessionDep, view: Annotated[str, Query(max_length=20)] = ""
) -> Response:
    """The by-level table as CSV."""
    report = service.levels_report(session, filters=_parse(request), view=_view(view))
    return _csv(csv_export.levels_csv(report), f"levels-{report.view}")


# -- leaders ---------------------------------------------------------------------------------


@router.get("/leaders")
def leaders_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    directors: Annotated[str, Query(max_length=5)] = "",
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    """Leaders' participation and engagement stage, and who never attended."""
    include = directors in ("1", "on", "yes", "true")

    def build(filters: DashboardFilters) -> dict[str, Any]:
        report, never = service.leaders_and_absentees(
            session, filters=filters, include_directors=include, limit=PAGE_SIZE, offset=offset
        )
        return {
            "report": report,
            "never": never,
            "stage_labels": STAGE_LABELS,
            "rules": rules_text(),
        }

    return _render(
        request,
        session,
        user,
        "pages/dashboards/leaders.html",
        build,
        tab="leaders",
        include_directors=include,
        offset=offset,
        page_size=PAGE_SIZE,
        keep={"directors": "1" if include else ""},
    )


@router.get("/leaders/export.csv")
def leaders_csv(
    request: Request, session: SessionDep, directors: Annotated[str, Query(max_length=5)] = ""
) -> Response:
    """Every leader, with signals and stage, as CSV."""
    report = service.leaders(
        session,
        filters=_parse(request),
        include_directors=directors in ("1", "on", "yes", "true"),
        limit=1_000_000,
    )
    return _csv(csv_export.leaders_csv(report.items), "leaders")


def _stage_form(
    request: Request,
    session: Session,
    user: User,
    person: Any,
    values: dict[str, str],
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    return templates.TemplateResponse(
        request,
        "pages/dashboards/stage_form.html",
        {
            "user": user,
            "person": person,
            "values": values,
            "error": error,
            "stages": [(stage.value, STAGE_LABELS[stage]) for stage in LADDER],
            "rules": rules_text(),
        },
        status_code=status_code,
    )


@router.get("/leaders/{person_id}/stage")
def stage_form(
    request: Request, session: SessionDep, user: CurrentUser, person: ValidPerson
) -> Response:
    """The form to override a leader's stage and set a target."""
    current = service.get_leader_stage(session, person=person)
    values = {
        "override_stage": current.override_stage.value
        if current and current.override_stage
        else "",
        "target_stage": current.target_stage.value if current and current.target_stage else "",
    }
    return _stage_form(request, session, user, person, values)


@router.post("/leaders/{person_id}/stage")
def save_stage(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    person: ValidPerson,
    override_stage: Annotated[str, Form(max_length=40)] = "",
    target_stage: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Save the override and target stage, then back to the leaders."""
    values = {"override_stage": override_stage, "target_stage": target_stage}
    try:
        update = StageUpdate.model_validate({key: value or None for key, value in values.items()})
    except ValidationError:
        choices = ", ".join(stage.value for stage in EngagementStage)
        return _stage_form(
            request,
            session,
            user,
            person,
            values,
            error=f"Choose a stage from the list ({choices}), or leave it empty.",
            status_code=422,
        )
    service.set_leader_stage(
        session,
        person=person,
        override_stage=update.override_stage,
        target_stage=update.target_stage,
        user_id=user.id,
    )
    return RedirectResponse("/dashboard/leaders", status_code=303)


# -- departments -----------------------------------------------------------------------------


def _departments_chart(report: DepartmentsPage) -> Chart:
    return horizontal_bars(
        chart_id="departments",
        title="Participation rate by department",
        desc="Unique attendees as a share of each department's headcount today.",
        bars=[
            Bar(row.department, row.participation_rate or 0.0, _percent(row.participation_rate))
            for row in report.items
        ],
        max_value=max([1.0, *(row.participation_rate or 0.0 for row in report.items)]),
    )


@router.get("/departments")
def departments_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    """Participation rate per department and level."""

    def build(filters: DashboardFilters) -> dict[str, Any]:
        report = service.departments(session, filters=filters, limit=PAGE_SIZE, offset=offset)
        return {"report": report, "chart": _departments_chart(report), "percent": _percent}

    return _render(
        request,
        session,
        user,
        "pages/dashboards/departments.html",
        build,
        tab="departments",
        offset=offset,
        page_size=PAGE_SIZE,
    )


@router.get("/departments/export.csv")
def departments_csv(request: Request, session: SessionDep) -> Response:
    """Every department's participation as CSV."""
    report = service.departments(session, filters=_parse(request), limit=1_000_000)
    return _csv(csv_export.departments_csv(report), "departments")
