"""Organizer pages for writing, previewing and approving recaps, and following action items."""

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlmodel import Session, col, select

from app.auth.dependencies import CurrentUser
from app.db import SessionDep
from app.deps import IdPath, PaginationDep
from app.errors import AppError
from app.models import (
    ActionStatus,
    Consent,
    RecapStatus,
    SessionSpeaker,
    StorySession,
    User,
    utcnow,
)
from app.recaps.action_items import (
    STATUS_NOTES,
    add_action_update,
    create_action_item,
    list_action_items,
)
from app.recaps.approval import (
    approve_recap,
    get_version,
    list_versions,
    preview_document,
    version_document,
)
from app.recaps.builder import DraftChanges, local_day
from app.recaps.dependencies import ValidActionItem
from app.recaps.editing import get_recap
from app.recaps.quotes import MAX_QUOTES, add_quote, delete_quote, update_quote
from app.recaps.schemas import (
    MAX_THEMES,
    ActionItemCreate,
    ActionItemFilters,
    ActionUpdateCreate,
    QuoteCreate,
    QuoteUpdate,
    RecapUpdate,
)
from app.recaps.themes import list_themes
from app.recaps.working_copy import describe_recap, list_recaps, update_recap
from app.story_sessions.dependencies import ValidSession
from app.templating import templates

router = APIRouter(include_in_schema=False)

STATUS_LABELS = {
    ActionStatus.open: "Open",
    ActionStatus.in_progress: "In progress",
    ActionStatus.done: "Done",
}
BLANK_THEMES = 2
"""Empty theme fields offered below the recap's themes."""


def _render_html(document: Any) -> str:
    from app.recaps.render import render_recap_html

    return render_recap_html(document)


LABELS = {
    "summary": "Summary",
    "theme": "Theme",
    "text": "Quote",
    "speaker_id": "Speaker",
    "description": "Action",
    "owner_email": "Owner",
    "due_on": "Due date",
    "note": "Update",
}


def _message(exc: ValidationError | AppError) -> str:
    if isinstance(exc, AppError):
        return str(exc.detail)
    parts = []
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else ""
        text = str(error["msg"]).removeprefix("Value error, ")
        parts.append(f"{LABELS.get(name, name.capitalize())}: {text}" if name else text)
    return "; ".join(parts)


def _page_url(request: Request, **changes: Any) -> str:
    params = dict(request.query_params)
    params.update({key: str(value) for key, value in changes.items()})
    return f"{request.url.path}?{urlencode(params)}"


class SummaryForm(BaseModel):
    summary: str = ""
    theme: list[str] = []
    action: str = "save"


def _editor(
    request: Request,
    session: Session,
    user: User,
    story_session: StorySession,
    *,
    form: SummaryForm | None = None,
    error: str = "",
    flash: str = "",
    status_code: int = 200,
) -> Response:
    """The editor: forms on the left, the recap as it would be approved on the right."""
    recap = describe_recap(session, story_session=story_session)
    themes = form.theme if form else recap.themes
    draft = (
        DraftChanges(summary=form.summary, themes=[t for t in themes if t.strip()])
        if form
        else None
    )
    try:
        preview = _render_html(preview_document(session, story_session=story_session, draft=draft))
    except ValueError:  # an oversize draft summary: the error above says so
        preview = ""
    speakers = session.exec(
        select(SessionSpeaker)
        .where(SessionSpeaker.session_id == story_session.id)
        .order_by(col(SessionSpeaker.id))
    ).all()
    items, _ = list_action_items(
        session, filters=ActionItemFilters(session_id=story_session.id), limit=500
    )
    suggestions, _ = list_themes(session, limit=200)
    return templates.TemplateResponse(
        request,
        "pages/recaps/editor.html",
        {
            "user": user,
            "s": story_session,
            "recap": recap,
            "summary": form.summary if form else recap.summary,
            "themes": [*themes, *[""] * BLANK_THEMES][: max(len(themes), MAX_THEMES)],
            "theme_suggestions": [t.name for t in suggestions],
            "speakers": speakers,
            "quotable": [sp for sp in speakers if sp.consent is not Consent.none],
            "items": items,
            "status_labels": STATUS_LABELS,
            "preview": preview,
            "error": error,
            "flash": flash,
            "today": local_day(utcnow(), story_session.timezone).isoformat(),
            "max_quotes": MAX_QUOTES,
        },
        status_code=status_code,
    )


def _back(story_session: StorySession, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"/sessions/{story_session.id}/recap{anchor}", status_code=303)


def _refused(
    request: Request,
    session: Session,
    user: User,
    story_session: StorySession,
    exc: ValidationError | AppError,
    form: SummaryForm | None = None,
) -> Response:
    """Bad input changes nothing: roll back, then show the editor with what went wrong."""
    session.rollback()
    status_code = exc.status_code if isinstance(exc, AppError) else 422
    return _editor(
        request,
        session,
        user,
        story_session,
        form=form,
        error=_message(exc),
        status_code=status_code,
    )


# -- the list ---------------------------------------------------------------------------------


@router.get("/recaps", response_class=HTMLResponse)
def recaps_page(
    request: Request, session: SessionDep, user: CurrentUser, page: PaginationDep
) -> Response:
    """Every recap with its status, latest version and session date."""
    raw = request.query_params.get("status", "")
    status = RecapStatus(raw) if raw in RecapStatus.__members__ else None
    rows, total = list_recaps(session, status=status, limit=page.limit, offset=page.offset)
    end = page.offset + len(rows)
    return templates.TemplateResponse(
        request,
        "pages/recaps/list.html",
        {
            "user": user,
            "recaps": rows,
            "total": total,
            "status": status.value if status else "",
            "statuses": list(RecapStatus),
            "first": page.offset + 1 if rows else 0,
            "last": end,
            "prev_url": _page_url(request, offset=max(page.offset - page.limit, 0))
            if page.offset
            else None,
            "next_url": _page_url(request, offset=end) if end < total else None,
        },
    )


# -- the editor -------------------------------------------------------------------------------


@router.get("/sessions/{session_id}/recap", response_class=HTMLResponse)
def editor_page(
    request: Request, session: SessionDep, user: CurrentUser, story_session: ValidSession
) -> Response:
    """Write the recap (organizers) or read it as it stands (viewers)."""
    return _editor(request, session, user, story_session)


@router.post("/sessions/{session_id}/recap", response_class=HTMLResponse)
def save_summary_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    story_session: ValidSession,
    form: Annotated[SummaryForm, Form()],
) -> Response:
    """Save the summary and themes, or (the "Preview" button) show them without saving."""
    themes = [t for t in form.theme if t.strip()]
    try:
        data = RecapUpdate(summary=form.summary, themes=themes)
    except ValidationError as exc:
        return _refused(request, session, user, story_session, exc, form)
    if form.action == "preview":
        return _editor(request, session, user, story_session, form=form)
    try:
        update_recap(session, story_session=story_session, data=data)
    except AppError as exc:
        return _refused(request, session, user, story_session, exc, form)
    return _back(story_session)


@router.post("/sessions/{session_id}/recap/preview", response_class=HTMLResponse)
def preview_fragment(
    session: SessionDep,
    _: CurrentUser,
    story_session: ValidSession,
    form: Annotated[SummaryForm, Form()],
) -> HTMLResponse:
    """The recap body with the unsaved summary and themes (for the editor's live preview)."""
    try:
        data = RecapUpdate(summary=form.summary, themes=[t for t in form.theme if t.strip()])
    except ValidationError as exc:
        return HTMLResponse(f'<p class="error">{_escape(_message(exc))}</p>', status_code=422)
    draft = DraftChanges(summary=data.summary, themes=data.themes)
    document = preview_document(session, story_session=story_session, draft=draft)
    return HTMLResponse(_render_html(document))


def _escape(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


@router.post("/sessions/{session_id}/recap/approve", response_class=HTMLResponse)
def approve_page(
    request: Request, session: SessionDep, user: CurrentUser, story_session: ValidSession
) -> Response:
    """Approve the recap as its next version; the PDF is rendered in the background."""
    try:
        version = approve_recap(session, story_session=story_session)
    except AppError as exc:
        return _refused(request, session, user, story_session, exc)
    return RedirectResponse(
        f"/sessions/{story_session.id}/recap/versions/{version.number}", status_code=303
    )


class QuoteForm(BaseModel):
    speaker_id: str = ""
    text: str = ""


@router.post("/sessions/{session_id}/recap/quotes", response_class=HTMLResponse)
def add_quote_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    story_session: ValidSession,
    form: Annotated[QuoteForm, Form()],
) -> Response:
    """Add a quote from one of the session's speakers."""
    try:
        data = QuoteCreate.model_validate({"speaker_id": form.speaker_id or 0, "text": form.text})
        add_quote(session, story_session=story_session, data=data)
    except (ValidationError, AppError) as exc:
        return _refused(request, session, user, story_session, exc)
    return _back(story_session, "#quotes")


@router.post("/sessions/{session_id}/recap/quotes/{quote_id}", response_class=HTMLResponse)
def edit_quote_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    story_session: ValidSession,
    quote_id: IdPath,
    form: Annotated[QuoteForm, Form()],
) -> Response:
    """Change a quote's text."""
    try:
        data = QuoteUpdate.model_validate({"text": form.text})
        update_quote(session, story_session=story_session, quote_id=quote_id, data=data)
    except (ValidationError, AppError) as exc:
        return _refused(request, session, user, story_session, exc)
    return _back(story_session, "#quotes")


@router.post("/sessions/{session_id}/recap/quotes/{quote_id}/delete")
def delete_quote_page(
    session: SessionDep, story_session: ValidSession, quote_id: IdPath
) -> Response:
    """Remove a quote."""
    delete_quote(session, story_session=story_session, quote_id=quote_id)
    return _back(story_session, "#quotes")


class ActionItemForm(BaseModel):
    description: str = ""
    owner_email: str = ""
    due_on: str = ""


@router.post("/sessions/{session_id}/recap/action-items", response_class=HTMLResponse)
def add_action_item_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    story_session: ValidSession,
    form: Annotated[ActionItemForm, Form()],
) -> Response:
    """Record an action item for this session."""
    try:
        data = ActionItemCreate.model_validate(
            {
                "description": form.description,
                "owner_email": form.owner_email or None,
                "due_on": form.due_on or None,
            }
        )
        create_action_item(session, story_session=story_session, data=data)
    except (ValidationError, AppError) as exc:
        return _refused(request, session, user, story_session, exc)
    return _back(story_session, "#action-items")


class UpdateForm(BaseModel):
    note: str = ""
    status: str = ""
    next: str = ""


def _safe_next(value: str, default: str) -> str:
    # Only paths on this site: never an open redirect.
    return value if value.startswith("/") and not value.startswith("//") else default


@router.post("/action-items/{item_id}/updates", response_class=HTMLResponse)
def add_update_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    item: ValidActionItem,
    form: Annotated[UpdateForm, Form()],
) -> Response:
    """Add a progress note to an action item, optionally changing its status."""
    target = _safe_next(form.next, "/action-items")
    note = form.note.strip() or (
        STATUS_NOTES.get(ActionStatus(form.status), "")
        if form.status in ActionStatus.__members__
        else ""
    )
    try:
        data = ActionUpdateCreate.model_validate({"note": note, "status": form.status or None})
        add_action_update(session, item=item, data=data)
    except (ValidationError, AppError) as exc:
        session.rollback()
        return templates.TemplateResponse(
            request,
            "pages/error.html",
            {"status_code": 422, "message": _message(exc), "user": user},
            status_code=422,
        )
    return RedirectResponse(target, status_code=303)


# -- versions ---------------------------------------------------------------------------------


@router.get("/sessions/{session_id}/recap/versions", response_class=HTMLResponse)
def versions_page(
    request: Request, session: SessionDep, user: CurrentUser, story_session: ValidSession
) -> Response:
    """Every approved version of the recap."""
    return templates.TemplateResponse(
        request,
        "pages/recaps/versions.html",
        {
            "user": user,
            "s": story_session,
            "recap": get_recap(session, story_session=story_session),
            "versions": list_versions(session, story_session=story_session),
        },
    )


@router.get("/sessions/{session_id}/recap/versions/{number}.pdf")
def version_pdf_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    story_session: ValidSession,
    number: IdPath,
) -> Response:
    """Download a version's PDF (or learn that it is still being rendered)."""
    from app.recaps.render import pdf_for_version
    from app.recaps.tasks import schedule_pdf

    version = get_version(session, story_session=story_session, number=number)
    pdf = pdf_for_version(session, version)
    if pdf is None:
        schedule_pdf(session, version)  # returned, not raised, so the job is committed
        return templates.TemplateResponse(
            request,
            "pages/error.html",
            {
                "user": user,
                "status_code": 409,
                "message": f"Version {number} of this recap is being rendered, "
                "try again in a minute.",
            },
            status_code=409,
            headers={"Retry-After": "60"},
        )
    return Response(
        pdf.content,
        media_type="application/pdf",
        headers={
            "Content-Disposition": (
                f'attachment; filename="recap-session-{story_session.id}-v{number}.pdf"'
            )
        },
    )


@router.get("/sessions/{session_id}/recap/versions/{number}", response_class=HTMLResponse)
def version_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    story_session: ValidSession,
    number: IdPath,
) -> Response:
    """One approved version, read-only, exactly as it was frozen."""
    version = get_version(session, story_session=story_session, number=number)
    document = version_document(version)
    return templates.TemplateResponse(
        request,
        "pages/recaps/version.html",
        {
            "user": user,
            "s": story_session,
            "version": version,
            "recap": get_recap(session, story_session=story_session),
            "body": _render_html(document),
        },
    )


# -- action items across sessions -------------------------------------------------------------


@router.get("/action-items", response_class=HTMLResponse)
def action_items_page(
    request: Request, session: SessionDep, user: CurrentUser, page: PaginationDep
) -> Response:
    """Open action items across sessions, overdue first; add an update or close them."""
    show = request.query_params.get("show", "open")
    filters = ActionItemFilters(
        open=None if show == "all" else show != "done",
        overdue=True if show == "overdue" else None,
    )
    items, total = list_action_items(session, filters=filters, limit=page.limit, offset=page.offset)
    end = page.offset + len(items)
    return templates.TemplateResponse(
        request,
        "pages/recaps/action_items.html",
        {
            "user": user,
            "items": items,
            "total": total,
            "show": show,
            "status_labels": STATUS_LABELS,
            "here": str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
            "first": page.offset + 1 if items else 0,
            "last": end,
            "prev_url": _page_url(request, offset=max(page.offset - page.limit, 0))
            if page.offset
            else None,
            "next_url": _page_url(request, offset=end) if end < total else None,
        },
    )
