"""Organizer pages for writing, previewing and approving recaps, and following action items."""

from typing import Annotated, Any
from urllib.parse import parse_qs, urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlmodel import Session, col, select

from app.auth.dependencies import CurrentUser
from app.config import get_settings
from app.db import SessionDep, id_of
from app.deps import IdPath, Pagination, PaginationDep
from app.errors import AppError
from app.kit.forms import form_failed
from app.kit.money import format_amount
from app.kit.paging import pager
from app.models import (
    ActionStatus,
    Consent,
    RecapStatus,
    RecapVersion,
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
    update_action_item,
)
from app.recaps.approval import (
    approve_recap,
    editor_preview,
    get_version,
    list_versions,
    preview_document,
    recap_state,
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
    ActionItemPatch,
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
ACTION_ITEMS = "pages/recaps/action_items.html"
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
    "customers_affected": "Customers affected",
    "revenue_at_risk": "Revenue at risk",
    "revenue_saved": "Revenue saved",
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


class SummaryForm(BaseModel):
    summary: str = ""
    theme: list[str] = []
    action: str = "save"


EDITOR = "pages/recaps/editor.html"


class Typed(BaseModel):
    """What was typed in the editor's other forms, shown again when one is refused."""

    quote: dict[str, str] = {}
    """The new quote's speaker_id and text."""
    quote_edits: dict[int, str] = {}
    """A quote's edited text, by the quote's id."""
    item: dict[str, str] = {}
    """The new action item's description, owner_email and due_on."""
    updates: dict[int, dict[str, str]] = {}
    """An action item's progress note and status, by the item's id."""
    figures: dict[int, dict[str, str]] = {}
    """An action item's figures, by the item's id."""


def _editor(
    request: Request,
    session: Session,
    user: User,
    story_session: StorySession,
    *,
    form: SummaryForm | None = None,
    confirm_approve: bool = False,
) -> Response:
    """The editor: forms on the left, the recap as it would be approved on the right."""
    context = _editor_context(
        session, user, story_session, form=form, confirm_approve=confirm_approve
    )
    return templates.TemplateResponse(request, EDITOR, context)


def _editor_context(
    session: Session,
    user: User,
    story_session: StorySession,
    *,
    form: SummaryForm | None = None,
    typed: Typed | None = None,
    confirm_approve: bool = False,
) -> dict[str, Any]:
    from app.distribution.sending import default_audience

    recap = describe_recap(session, story_session=story_session)
    state = recap_state(recap)
    confirm = confirm_approve and recap.id is not None and not state.frozen
    themes = form.theme if form else recap.themes
    draft = (
        DraftChanges(summary=form.summary, themes=[t for t in themes if t.strip()])
        if form
        else None
    )
    try:
        document = editor_preview(session, story_session=story_session, state=state, draft=draft)
        preview = _render_html(document)
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
    return {
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
        "state": state,
        "unsaved": draft is not None,
        "confirm_approve": confirm,
        # Who gets it once sent (the lists the send page ticks), shown before approving.
        "audience": default_audience(session, story_session=story_session) if confirm else None,
        "typed": typed or Typed(),
        "today": local_day(utcnow(), story_session.timezone).isoformat(),
        "max_quotes": MAX_QUOTES,
        "figure_fields": [(name, LABELS[name]) for name in FIGURE_ORDER],
        "currency": get_settings().currency,
        "money": format_amount,
    }


def _back(story_session: StorySession, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"/sessions/{story_session.id}/recap{anchor}", status_code=303)


def _refused(
    request: Request,
    session: Session,
    user: User,
    story_session: StorySession,
    exc: ValidationError | AppError,
    form: SummaryForm | None = None,
    typed: Typed | None = None,
) -> Response:
    """Bad input changes nothing: roll back, then show the editor with what went wrong and
    what was typed."""
    return form_failed(
        session,
        request,
        EDITOR,
        lambda: _editor_context(session, user, story_session, form=form, typed=typed),
        _message(exc),
        status_code=exc.status_code if isinstance(exc, AppError) else 422,
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
    return templates.TemplateResponse(
        request,
        "pages/recaps/list.html",
        {
            "user": user,
            "recaps": rows,
            "total": total,
            "status": status.value if status else "",
            "statuses": list(RecapStatus),
            "pager": pager(request, page, total),
        },
    )


# -- the editor -------------------------------------------------------------------------------


@router.get("/sessions/{session_id}/recap", response_class=HTMLResponse)
def editor_page(
    request: Request, session: SessionDep, user: CurrentUser, story_session: ValidSession
) -> Response:
    """Write the recap (organizers) or read it as it stands (viewers); `?approve=confirm`
    asks to confirm the approval, showing who the recap will go to."""
    confirm = request.query_params.get("approve") == "confirm" and user.role.can_write
    return _editor(request, session, user, story_session, confirm_approve=confirm)


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
        typed = Typed(quote=form.model_dump())
        return _refused(request, session, user, story_session, exc, typed=typed)
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
        typed = Typed(quote_edits={quote_id: form.text})
        return _refused(request, session, user, story_session, exc, typed=typed)
    return _back(story_session, "#quotes")


@router.post("/sessions/{session_id}/recap/quotes/{quote_id}/delete")
def delete_quote_page(
    session: SessionDep, story_session: ValidSession, quote_id: IdPath
) -> Response:
    """Remove a quote."""
    delete_quote(session, story_session=story_session, quote_id=quote_id)
    return _back(story_session, "#quotes")


FIGURE_ORDER = ("customers_affected", "revenue_at_risk", "revenue_saved")


class ActionItemForm(BaseModel):
    description: str = ""
    owner_email: str = ""
    due_on: str = ""
    theme: str = ""
    """An existing theme's name (offered as you type) or a new one; empty for none."""
    customers_affected: str = ""
    revenue_at_risk: str = ""
    revenue_saved: str = ""

    def figures(self) -> dict[str, str | None]:
        """The figure fields, an empty one meaning none recorded."""
        return {name: (getattr(self, name).strip() or None) for name in FIGURE_ORDER}


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
                "theme": form.theme.strip() or None,
                **form.figures(),
            }
        )
        create_action_item(session, story_session=story_session, data=data)
    except (ValidationError, AppError) as exc:
        typed = Typed(item=form.model_dump())
        return _refused(request, session, user, story_session, exc, typed=typed)
    return _back(story_session, "#action-items")


@router.post("/action-items/{item_id}/figures", response_class=HTMLResponse)
def set_figures_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    item: ValidActionItem,
    form: Annotated[ActionItemForm, Form()],
) -> Response:
    """Record an action item's figures (customers affected, revenue at risk or saved)."""
    story_session = session.get(StorySession, item.session_id)
    assert story_session is not None
    try:
        data = ActionItemPatch.model_validate(form.figures())
        update_action_item(session, item=item, data=data)
    except (ValidationError, AppError) as exc:
        typed = Typed(figures={id_of(item): form.model_dump()})
        return _refused(request, session, user, story_session, exc, typed=typed)
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
        # Shown again where it was typed: the session's recap editor or the action items.
        typed = Typed(updates={id_of(item): {"note": form.note, "status": form.status}})
        story_session = session.get(StorySession, item.session_id)
        if story_session and target.startswith(f"/sessions/{item.session_id}/recap"):
            return _refused(request, session, user, story_session, exc, typed=typed)
        show = parse_qs(urlsplit(target).query).get("show", ["open"])[0]
        return form_failed(
            session,
            request,
            ACTION_ITEMS,
            lambda: (
                _action_items_context(
                    request, session, user, show, Pagination(limit=50, offset=0), here=target
                )
                | {"typed": typed}
            ),
            _message(exc),
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


PDF_REFRESH_SECONDS = 5
RENDER_AGAIN_EVERY = 12
"""Refreshes of a waiting page between asking for the render again (a minute): a lost job
does not leave the page waiting forever, and a page left open does not queue one every 5 s."""


def pdf_waiting(
    request: Request,
    session: Session,
    version: RecapVersion,
    *,
    url: str,
    title: str,
    user: User | None = None,
    back: tuple[str, str] | None = None,
) -> Response:
    """The page a browser gets while the version's PDF is being made: it refreshes itself
    (`url`?waited=n) until the PDF is there and `url` serves it, or says why it failed."""
    from app.recaps.tasks import schedule_pdf

    raw = request.query_params.get("waited", "0")
    waited = min(int(raw), 10_000) if raw.isdigit() else 0
    # A failure is reported to a page that has waited for this render, not one just arriving.
    failed = version.render_error if waited else ""
    if not failed and waited % RENDER_AGAIN_EVERY == 0:
        if version.render_error:
            version.render_error = ""  # tried again: a new failure says so again
            session.add(version)
        schedule_pdf(session, version)  # answered, not raised, so the job is committed
    back_url, back_label = back or ("", "")
    context = {
        "user": user,
        "title": title,
        "seconds": PDF_REFRESH_SECONDS,
        "refresh_url": "" if failed else f"{url}?waited={waited + 1}",
        "retry_url": url,
        "error": failed,
        "back_url": back_url,
        "back_label": back_label,
    }
    if failed:
        return templates.TemplateResponse(request, PDF_WAITING, context, status_code=422)
    return templates.TemplateResponse(
        request,
        PDF_WAITING,
        context,
        status_code=202,
        headers={"Retry-After": str(PDF_REFRESH_SECONDS)},
    )


PDF_WAITING = "pages/pdf_waiting.html"


@router.get("/sessions/{session_id}/recap/versions/{number}.pdf")
def version_pdf_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    story_session: ValidSession,
    number: IdPath,
) -> Response:
    """Download a version's PDF, or wait on a page that refreshes itself until it is made."""
    from app.recaps.render import pdf_for_version

    version = get_version(session, story_session=story_session, number=number)
    pdf = pdf_for_version(session, version)
    if pdf is None:
        return pdf_waiting(
            request,
            session,
            version,
            url=request.url.path,
            title=f"Version {number} of the recap of “{story_session.title}”",
            user=user,
            back=(f"/sessions/{story_session.id}/recap/versions/{number}", "Back to the version"),
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
    here = str(request.url.path) + (f"?{request.url.query}" if request.url.query else "")
    show = request.query_params.get("show", "open")
    return templates.TemplateResponse(
        request, ACTION_ITEMS, _action_items_context(request, session, user, show, page, here=here)
    )


def _action_items_context(
    request: Request, session: Session, user: User, show: str, page: Pagination, *, here: str
) -> dict[str, Any]:
    filters = ActionItemFilters(
        open=None if show == "all" else show != "done",
        overdue=True if show == "overdue" else None,
    )
    items, total = list_action_items(session, filters=filters, limit=page.limit, offset=page.offset)
    return {
        "user": user,
        "items": items,
        "total": total,
        "show": show,
        "status_labels": STATUS_LABELS,
        "here": here,
        "pager": pager(request, page, total, path="/action-items"),
        "typed": Typed(),
    }
