"""The dashboard's themes view, a theme's page, and merging one theme into another."""

from html import escape
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlmodel import Session

from app.auth.dependencies import CurrentUser
from app.config import get_settings
from app.dashboards import themes
from app.dashboards.pages import _render
from app.dashboards.schemas import DashboardFilters
from app.dashboards.themes import MergeRequest, ThemeBucket, ThemeDetail, ThemeSummary
from app.db import SessionDep
from app.deps import IdPath
from app.errors import AppError, Invalid
from app.kit.charts import BAR_COLOR, GRID
from app.kit.forms import form_failed
from app.kit.money import format_amount
from app.models import User
from app.templating import templates

router = APIRouter()

VIEW = "pages/dashboards/themes.html"
PAGE = "pages/dashboards/theme.html"
NOTICES = {
    "merged": "Merged: the sessions, quotes, action items and commitments of the other theme "
    "are now filed under this one.",
}
BAR_WIDTH = 8
BAR_GAP = 3
SPARK_HEIGHT = 28


def spark(timeline: list[ThemeBucket], *, top: int, name: str) -> str:
    """A strip of small bars, one per month or quarter: the sessions that raised the theme.

    `top` is the tallest bar's count across the page, so strips compare with each other.
    """
    if not timeline:
        return ""
    width = len(timeline) * (BAR_WIDTH + BAR_GAP) - BAR_GAP
    said = ", ".join(f"{b.label}: {b.sessions}" for b in timeline if b.sessions) or "none"
    label = f"Sessions that raised “{name}”, per period ({said})"
    parts = [
        f'<svg class="theme-spark" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'width="{width}" height="{SPARK_HEIGHT}" viewBox="0 0 {width} {SPARK_HEIGHT}" '
        f'aria-label="{escape(label)}"><title>{escape(label)}</title>'
    ]
    for i, bucket in enumerate(timeline):
        x = i * (BAR_WIDTH + BAR_GAP)
        if bucket.sessions:
            height = max(3.0, SPARK_HEIGHT * bucket.sessions / max(top, 1))
            parts.append(
                f'<rect x="{x}" y="{SPARK_HEIGHT - height:.1f}" width="{BAR_WIDTH}" '
                f'height="{height:.1f}" rx="1" fill="{BAR_COLOR}"><title>'
                f"{escape(bucket.label)}: {bucket.sessions}</title></rect>"
            )
        else:
            parts.append(
                f'<rect x="{x}" y="{SPARK_HEIGHT - 2}" width="{BAR_WIDTH}" height="2" '
                f'fill="{GRID}"/>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _sparks(summaries: list[ThemeSummary]) -> dict[int, str]:
    top = max((b.sessions for s in summaries for b in s.timeline), default=0)
    return {s.id: spark(s.timeline, top=top, name=s.name) for s in summaries}


def _money(value: int | None) -> str:
    return format_amount(value, get_settings().currency)


@router.get("/dashboard/themes", response_class=HTMLResponse)
def themes_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """Every theme raised in the period, most frequent recently first."""

    def build(filters: DashboardFilters) -> dict[str, Any]:
        report = themes.themes_report(session, filters=filters)
        return {"report": report, "sparks": _sparks(report.themes), "money": _money}

    return _render(request, session, user, VIEW, build, tab="themes")


def _page_context(request: Request, session: Session, user: User, theme_id: int) -> dict[str, Any]:
    detail: ThemeDetail = themes.theme_detail(session, theme_id=theme_id)
    return {
        "user": user,
        "theme": detail,
        "spark": spark(
            detail.timeline,
            top=max((b.sessions for b in detail.timeline), default=0),
            name=detail.name,
        ),
        "targets": themes.merge_targets(session, theme_id=theme_id) if user.role.can_write else [],
        "money": _money,
        "flash": NOTICES.get(request.query_params.get("done", ""), ""),
    }


@router.get("/themes/{theme_id}", response_class=HTMLResponse)
def theme_page(
    request: Request, session: SessionDep, user: CurrentUser, theme_id: IdPath
) -> Response:
    """One theme across sessions: when it came up, what was said, what is being done."""
    return templates.TemplateResponse(
        request, PAGE, _page_context(request, session, user, theme_id)
    )


class MergeForm(BaseModel):
    into: str = ""


@router.post("/themes/{theme_id}/merge", response_class=HTMLResponse)
def merge_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    theme_id: IdPath,
    form: Annotated[MergeForm, Form()],
) -> Response:
    """Merge this theme into the one chosen, then show that one."""
    try:
        try:
            target = MergeRequest.model_validate({"into": form.into.strip() or None})
        except ValidationError as exc:
            raise Invalid("Choose the theme to merge this one into.") from exc
        merged = themes.merge(session, theme_id=theme_id, into=target.into)
    except AppError as error:
        return form_failed(
            session, request, PAGE, lambda: _page_context(request, session, user, theme_id), error
        )
    return RedirectResponse(f"/themes/{merged.id}?done=merged", status_code=303)
