"""The scorecard page, its PDF, and the form that records a theme's figures."""

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError

from app.auth.dependencies import CurrentUser
from app.config import get_settings
from app.dashboards.scorecard import (
    build_scorecard,
    parse_quarter,
    quarter_code,
    quarter_of,
    scorecard_context,
    scorecard_pdf_html,
)
from app.db import SessionDep
from app.deps import IdPath
from app.errors import AppError, Invalid
from app.kit.forms import form_failed
from app.models import utcnow
from app.recaps.schemas import ThemeFigures
from app.recaps.themes import get_theme, set_theme_figures
from app.templating import templates

router = APIRouter(prefix="/dashboard")

PAGE = "pages/dashboards/scorecard.html"
THEME_FORM = "pages/dashboards/theme_figures.html"
RECENT_QUARTERS = 8
QuarterQuery = Annotated[str, Query(max_length=40)]


def _recent_quarters() -> list[str]:
    """The current quarter and the seven before it, newest first (the picker's options)."""
    quarter = quarter_of(utcnow())
    labels = []
    for _ in range(RECENT_QUARTERS):
        labels.append(quarter_code(quarter))
        quarter = quarter.previous()
    return labels


@router.get("/scorecard", response_class=HTMLResponse)
def scorecard_page(
    request: Request, session: SessionDep, user: CurrentUser, quarter: QuarterQuery = ""
) -> Response:
    """The quarter's programme scorecard; a bad quarter shows the picker again with why."""
    base = {
        "user": user,
        "tab": "scorecard",
        "typed_quarter": quarter,
        "quarters": _recent_quarters(),
    }
    try:
        doc = build_scorecard(session, quarter=parse_quarter(quarter))
    except AppError as error:
        return form_failed(session, request, PAGE, base, error)
    return templates.TemplateResponse(request, PAGE, {**base, **scorecard_context(doc)})


@router.get("/scorecard.pdf", response_class=Response)
def scorecard_pdf(session: SessionDep, quarter: QuarterQuery = "") -> Response:
    """The scorecard as a PDF, drawn from the same charts as the page."""
    from app.recaps.render import render_pdf

    doc = build_scorecard(session, quarter=parse_quarter(quarter))
    # Nothing was written: end the read before the render, so no transaction waits on it.
    session.rollback()
    pdf = render_pdf(scorecard_pdf_html(doc), subject="scorecard")
    name = f"{get_settings().company_name} scorecard {doc.quarter}"
    filename = "".join(c if c.isalnum() else "-" for c in name).strip("-") + ".pdf"
    return Response(
        pdf.content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


class ThemeFiguresForm(BaseModel):
    customers_affected: str = ""
    revenue_at_risk: str = ""
    quarter: str = ""


def _theme_context(
    theme_id: int, name: str, typed: dict[str, str], user: object
) -> dict[str, object]:
    return {
        "user": user,
        "tab": "scorecard",
        "theme_id": theme_id,
        "theme_name": name,
        "typed": typed,
        "currency": get_settings().currency,
    }


@router.get("/scorecard/themes/{theme_id}", response_class=HTMLResponse)
def theme_figures_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    theme_id: IdPath,
    quarter: QuarterQuery = "",
) -> Response:
    """The figures an organizer records against a theme (customers affected, revenue at risk)."""
    theme = get_theme(session, theme_id=theme_id)
    typed = {
        "customers_affected": ""
        if theme.customers_affected is None
        else str(theme.customers_affected),
        "revenue_at_risk": "" if theme.revenue_at_risk is None else str(theme.revenue_at_risk),
        "quarter": quarter,
    }
    return templates.TemplateResponse(
        request, THEME_FORM, _theme_context(theme_id, theme.name, typed, user)
    )


@router.post("/scorecard/themes/{theme_id}", response_class=HTMLResponse)
def save_theme_figures(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    theme_id: IdPath,
    form: Annotated[ThemeFiguresForm, Form()],
) -> Response:
    """Save a theme's figures (empty clears one), then back to the scorecard."""
    theme = get_theme(session, theme_id=theme_id)
    name = theme.name
    try:
        quarter = quarter_code(parse_quarter(form.quarter)) if form.quarter else ""
        data = ThemeFigures.model_validate(
            {
                "customers_affected": form.customers_affected.strip() or None,
                "revenue_at_risk": form.revenue_at_risk.strip() or None,
            }
        )
        set_theme_figures(session, theme=theme, data=data)
    except ValidationError as exc:
        labels = {"customers_affected": "Customers affected", "revenue_at_risk": "Revenue at risk"}
        message = "; ".join(
            f"{labels.get(str(error['loc'][0]), error['loc'][0])}: {error['msg']}"
            for error in exc.errors()
        )
        context = _theme_context(theme_id, name, form.model_dump(), user)
        return form_failed(session, request, THEME_FORM, context, Invalid(message))
    except AppError as error:
        context = _theme_context(theme_id, name, form.model_dump(), user)
        return form_failed(session, request, THEME_FORM, context, error)
    target = "/dashboard/scorecard" + (f"?quarter={quarter}" if quarter else "") + "#themes"
    return RedirectResponse(target, status_code=303)
