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
from app.dashboards import csv_export, service
from app.dashboards.dependencies import parse_page_filters
from app.dashboards.engagement import LADDER, STAGE_LABELS, rules_text
from app.dashboards.ladder import QUARTERS_SHOWN
from app.dashboards.schemas import (
    DashboardFilters,
    DashboardLevel,
    DepartmentsPage,
    FunnelReport,
    LevelsReport,
    Overview,
    StageUpdate,
    View,
)
from app.db import SessionDep
from app.deps import Pagination
from app.errors import AppError, Invalid
from app.kit.charts import Bar, Chart, Line, horizontal_bars, rate_lines
from app.kit.forms import form_failed
from app.kit.paging import Pager, pager
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
        return form_failed(session, request, template, {**base, "period": ""}, error)
    return templates.TemplateResponse(
        request, template, {**base, **body, "period": _period(filters)}
    )


def _pager(request: Request, offset: int, total: int) -> Pager:
    return pager(request, Pagination(limit=PAGE_SIZE, offset=offset), total)


def _csv(text: str, name: str) -> Response:
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="storyroom-{name}.csv"'},
    )


def _lines(levels: list[DashboardLevel], rates: list[dict[str, float]]) -> list[Line]:
    """One line per level with people, the executive levels drawn heavier."""
    return [
        Line(
            level.name,
            level.color,
            [point.get(level.key) for point in rates],
            width=3.0 if level.is_executive else 2.0,
        )
        for level in levels
        if any(level.key in point for point in rates)
    ]


def _rate_charts(
    chart_id: str,
    title: str,
    desc: str,
    labels: list[str],
    lines: list[Line],
    marker: tuple[int, str] | None = None,
) -> dict[str, Chart]:
    """The same chart twice: for a wide screen (and the PDF), and for a phone."""
    return {
        "chart": rate_lines(
            chart_id=chart_id, title=title, desc=desc, labels=labels, lines=lines, marker=marker
        ),
        "narrow_chart": rate_lines(
            chart_id=f"{chart_id}-narrow",
            title=title,
            desc=desc,
            labels=labels,
            lines=lines,
            width=320,
            height=300,
            marker=marker,
        ),
    }


def _percent(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.0%}" if value >= 0.1 or value == 0 else f"{value:.1%}"


# -- overview --------------------------------------------------------------------------------


def _overview_charts(report: Overview) -> dict[str, Chart]:
    first = report.first_recap_session_at
    marker = next(
        (
            (i, "First recap sent")
            for i, s in enumerate(report.sessions)
            if first and s.starts_at >= first
        ),
        None,
    )
    return _rate_charts(
        "trend",
        "Share of each level at each session",
        "One line per level: the people who came at that level as a share of the level's "
        "people at the session, on a 0–100 % scale.",
        [f"{s.starts_at:%d %b %y}" for s in report.sessions],
        _lines(report.levels, [s.rates for s in report.sessions]),
        marker,
    )


def _parse(request: Request) -> DashboardFilters:
    return parse_page_filters(**_raw(request))


@router.get("")
def overview_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """The overview: leaders first, then each level's share of each session, and the funnel."""

    def build(filters: DashboardFilters) -> dict[str, Any]:
        report = service.overview(session, filters=filters)
        return {
            "report": report,
            "percent": _percent,
            **_overview_charts(report),
        }

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


def _levels_charts(report: LevelsReport) -> dict[str, Chart]:
    when = "today" if report.view == "today" else "at the time"
    return _rate_charts(
        "levels",
        f"Share of each level per month, by level {when}",
        "One line per level: over the month's sessions, the people who came at that level as "
        "a share of the level's people, on a 0–100 % scale.",
        [date.fromisoformat(f"{m.month}-01").strftime("%b %y") for m in report.months],
        _lines(report.levels, [m.rates for m in report.months]),
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
        return {"report": report, "percent": _percent, **_levels_charts(report)}

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
            "pager": _pager(request, offset, report.total),
            "never": never,
            "stage_labels": STAGE_LABELS,
            "rules": rules_text(),
            "quarters_shown": QUARTERS_SHOWN,
        }

    return _render(
        request,
        session,
        user,
        "pages/dashboards/leaders.html",
        build,
        tab="leaders",
        include_directors=include,
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


def _directors(value: str) -> bool:
    return value in ("1", "on", "yes", "true")


@router.get("/leaders/grid")
def leader_grid_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    directors: Annotated[str, Query(max_length=5)] = "",
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    """Leaders × sessions: invited, accepted, attended, read the recap; never-attended first."""
    include = _directors(directors)

    def build(filters: DashboardFilters) -> dict[str, Any]:
        report = service.leader_grid(
            session, filters=filters, include_directors=include, limit=PAGE_SIZE, offset=offset
        )
        return {
            "report": report,
            "pager": _pager(request, offset, report.total),
            "percent": _percent,
        }

    return _render(
        request,
        session,
        user,
        "pages/dashboards/grid.html",
        build,
        tab="grid",
        include_directors=include,
        keep={"directors": "1" if include else ""},
    )


@router.get("/leaders/grid/export.csv")
def leader_grid_csv(
    request: Request, session: SessionDep, directors: Annotated[str, Query(max_length=5)] = ""
) -> Response:
    """Every leader × session held, one row per cell, as CSV."""
    report = service.leader_grid(
        session,
        filters=_parse(request),
        include_directors=_directors(directors),
        limit=1_000_000,
        offset=0,
    )
    return _csv(csv_export.leader_grid_csv(report), "leader-grid")


def _funnel_chart(report: FunnelReport) -> Chart:
    overall = report.overall
    stages = [
        ("Invited", overall.invited, 1.0 if overall.invited else None),
        ("Accepted", overall.accepted, overall.accepted_rate),
        ("Attended", overall.attended, overall.attended_rate),
        ("Read the recap", overall.read, overall.read_rate),
    ]
    return horizontal_bars(
        chart_id="funnel",
        title="Invited → accepted → attended → read",
        desc="Of the invitations to the sessions held: how many were accepted, how many of "
        "the people invited came, and how many read the recap.",
        bars=[
            Bar(f"{name} · {count:,}", rate or 0.0, _percent(rate)) for name, count, rate in stages
        ]
        if overall.invited
        else [],
        max_value=1.0,
    )


@router.get("/funnel")
def funnel_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    """Invited → accepted → attended → read, per level and per session."""

    def build(filters: DashboardFilters) -> dict[str, Any]:
        report = service.funnel(session, filters=filters, limit=PAGE_SIZE, offset=offset)
        return {
            "report": report,
            "pager": _pager(request, offset, report.total),
            "chart": _funnel_chart(report),
            "percent": _percent,
        }

    return _render(
        request,
        session,
        user,
        "pages/dashboards/funnel.html",
        build,
        tab="funnel",
    )


@router.get("/funnel/export.csv")
def funnel_csv(request: Request, session: SessionDep) -> Response:
    """The funnel overall, per level and per session held, as CSV."""
    report = service.funnel(session, filters=_parse(request), limit=1_000_000, offset=0)
    return _csv(csv_export.funnel_csv(report), "funnel")


STAGE_FORM = "pages/dashboards/stage_form.html"


def _stage_form(request: Request, user: User, person: Any, values: dict[str, str]) -> Response:
    return templates.TemplateResponse(request, STAGE_FORM, _stage_context(user, person, values))


def _stage_context(user: User, person: Any, values: dict[str, str]) -> dict[str, Any]:
    return {
        "user": user,
        "person": person,
        "values": values,
        "stages": [(stage.value, STAGE_LABELS[stage]) for stage in LADDER],
        "rules": rules_text(),
    }


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
    return _stage_form(request, user, person, values)


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
        return form_failed(
            session,
            request,
            STAGE_FORM,
            _stage_context(user, person, values),
            f"Choose a stage from the list ({choices}), or leave it empty.",
        )
    service.set_leader_stage(
        session,
        person=person,
        override_stage=update.override_stage,
        target_stage=update.target_stage,
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
        return {
            "report": report,
            "pager": _pager(request, offset, report.total),
            "chart": _departments_chart(report),
            "percent": _percent,
        }

    return _render(
        request,
        session,
        user,
        "pages/dashboards/departments.html",
        build,
        tab="departments",
    )


@router.get("/departments/export.csv")
def departments_csv(request: Request, session: SessionDep) -> Response:
    """Every department's participation as CSV."""
    report = service.departments(session, filters=_parse(request), limit=1_000_000)
    return _csv(csv_export.departments_csv(report), "departments")
