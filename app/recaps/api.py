"""Recaps over the JSON API: authoring, approval, versions and their PDFs."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from fastapi.responses import JSONResponse, Response
from sqlmodel import Session

from app.db import SessionDep
from app.deps import IdPath, Page, PaginationDep
from app.errors import Conflict
from app.models import RecapStatus, RecapVersion, StorySession
from app.recaps import action_items, approval, questions, quotes, themes, working_copy
from app.recaps.dependencies import ValidActionItem
from app.recaps.document import RecapDocument
from app.recaps.editing import get_recap
from app.recaps.schemas import (
    ActionItemCreate,
    ActionItemDetail,
    ActionItemFilters,
    ActionItemPatch,
    ActionItemRead,
    ActionUpdateCreate,
    ActionUpdateRead,
    QuestionCreate,
    QuestionRead,
    QuoteCreate,
    QuoteRead,
    QuoteUpdate,
    RecapListItem,
    RecapRead,
    RecapUpdate,
    ThemeFigures,
    ThemeRead,
    VersionRead,
)
from app.story_sessions.dependencies import ValidSession

router = APIRouter(tags=["recaps"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No session, quote, version, action item or theme with this id."}
}
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"description": "The session was cancelled, or the recap is already approved as is."}
}
INVALID: dict[int | str, dict[str, Any]] = {
    422: {
        "description": "Refused input: a summary over 100,000 characters, a speaker who did "
        "not consent, more than 50 quotes or 100 action items, a due date in the past…"
    }
}
PDF_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "The version's PDF."},
    409: {"description": "The PDF is being rendered; try again in a minute."},
    **NOT_FOUND,
}


@router.get("/recaps")
def list_recaps(
    session: SessionDep, page: PaginationDep, status: RecapStatus | None = None
) -> Page[RecapListItem]:
    """Every recap, the most recent session first; filter by status."""
    items, total = working_copy.list_recaps(
        session, status=status, limit=page.limit, offset=page.offset
    )
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/sessions/{session_id}/recap", responses=NOT_FOUND)
def read_recap(session: SessionDep, story_session: ValidSession) -> RecapRead:
    """The session's working recap (an empty draft until the first edit)."""
    return working_copy.describe_recap(session, story_session=story_session)


@router.put("/sessions/{session_id}/recap", responses={**NOT_FOUND, **CONFLICT, **INVALID})
def update_recap(session: SessionDep, story_session: ValidSession, body: RecapUpdate) -> RecapRead:
    """Save the summary (Markdown) and themes; an approved recap becomes a draft again."""
    working_copy.update_recap(session, story_session=story_session, data=body)
    return working_copy.describe_recap(session, story_session=story_session)


@router.get("/sessions/{session_id}/recap/preview", responses=NOT_FOUND)
def preview_recap(session: SessionDep, story_session: ValidSession) -> RecapDocument:
    """The recap document as it would be approved now (version 0: not approved)."""
    return approval.preview_document(session, story_session=story_session)


@router.post(
    "/sessions/{session_id}/recap/approve",
    status_code=status.HTTP_201_CREATED,
    responses={**NOT_FOUND, **CONFLICT},
)
def approve_recap(session: SessionDep, story_session: ValidSession) -> VersionRead:
    """Approve the recap: freeze it as the next version and queue its PDF."""
    version = approval.approve_recap(session, story_session=story_session)
    return _version_read(session, story_session, version)


def _version_read(
    session: Session, story_session: StorySession, version: RecapVersion
) -> VersionRead:
    return next(
        v
        for v in approval.list_versions(session, story_session=story_session)
        if v.number == version.number
    )


@router.get("/sessions/{session_id}/recap/versions", responses=NOT_FOUND)
def list_versions(
    session: SessionDep, story_session: ValidSession, page: PaginationDep
) -> Page[VersionRead]:
    """Every approved version, newest first."""
    versions = approval.list_versions(session, story_session=story_session)
    return Page(
        items=versions[page.offset : page.offset + page.limit],
        total=len(versions),
        limit=page.limit,
        offset=page.offset,
    )


def pdf_response(session: Session, story_session: StorySession, version: RecapVersion) -> Response:
    """The version's stored PDF, or 409 (after queueing its render) when it is not made yet."""
    from app.recaps.render import pdf_for_version
    from app.recaps.tasks import schedule_pdf

    pdf = pdf_for_version(session, version)
    if pdf is None:
        # Answered, not raised: raising would roll back the request and drop the render job.
        schedule_pdf(session, version)
        detail = f"Version {version.number} of this recap is being rendered, try again in a minute."
        if version.render_error:
            detail += f" The last attempt failed: {version.render_error}"
        return JSONResponse({"detail": detail}, 409, headers={"Retry-After": "60"})
    filename = f"recap-session-{story_session.id}-v{version.number}.pdf"
    return Response(
        pdf.content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get(
    "/sessions/{session_id}/recap/versions/{number}.pdf",
    response_class=Response,
    responses=PDF_RESPONSES,
)
def version_pdf(session: SessionDep, story_session: ValidSession, number: IdPath) -> Response:
    """The PDF of one version: the same bytes for every download and every recipient."""
    version = approval.get_version(session, story_session=story_session, number=number)
    return pdf_response(session, story_session, version)


@router.get("/sessions/{session_id}/recap.pdf", response_class=Response, responses=PDF_RESPONSES)
def latest_pdf(session: SessionDep, story_session: ValidSession) -> Response:
    """The PDF of the latest approved version."""
    recap = get_recap(session, story_session=story_session)
    if recap is None or recap.latest_version == 0:
        raise Conflict(f"The recap of “{story_session.title}” has not been approved yet.")
    version = approval.get_version(
        session, story_session=story_session, number=recap.latest_version
    )
    return pdf_response(session, story_session, version)


@router.get("/sessions/{session_id}/recap/versions/{number}", responses=NOT_FOUND)
def read_version(session: SessionDep, story_session: ValidSession, number: IdPath) -> RecapDocument:
    """One approved version's document, exactly as it was frozen."""
    version = approval.get_version(session, story_session=story_session, number=number)
    return approval.version_document(version)


# -- quotes -----------------------------------------------------------------------------------


@router.get("/sessions/{session_id}/recap/quotes", responses=NOT_FOUND)
def list_quotes(session: SessionDep, story_session: ValidSession) -> list[QuoteRead]:
    """The recap's quotes in order (at most 50)."""
    return quotes.list_quotes(session, story_session=story_session)


def _quote_read(session: Session, story_session: StorySession, quote_id: int | None) -> QuoteRead:
    return next(
        q for q in quotes.list_quotes(session, story_session=story_session) if q.id == quote_id
    )


@router.post(
    "/sessions/{session_id}/recap/quotes",
    status_code=status.HTTP_201_CREATED,
    responses={**NOT_FOUND, **CONFLICT, **INVALID},
)
def add_quote(session: SessionDep, story_session: ValidSession, body: QuoteCreate) -> QuoteRead:
    """Quote a speaker of the session, typed or picked from a transcript (`cues`: consecutive
    cues of one storyteller); their consent decides the attribution."""
    quote = quotes.add_quote(session, story_session=story_session, data=body)
    return _quote_read(session, story_session, quote.id)


@router.patch("/sessions/{session_id}/recap/quotes/{quote_id}", responses={**NOT_FOUND, **INVALID})
def update_quote(
    session: SessionDep, story_session: ValidSession, quote_id: IdPath, body: QuoteUpdate
) -> QuoteRead:
    """Change a quote's text, speaker or position."""
    quotes.update_quote(session, story_session=story_session, quote_id=quote_id, data=body)
    return _quote_read(session, story_session, quote_id)


@router.delete(
    "/sessions/{session_id}/recap/quotes/{quote_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=NOT_FOUND,
)
def delete_quote(session: SessionDep, story_session: ValidSession, quote_id: IdPath) -> None:
    """Remove a quote from the recap."""
    quotes.delete_quote(session, story_session=story_session, quote_id=quote_id)


# -- questions from the room ------------------------------------------------------------------


@router.get("/sessions/{session_id}/recap/questions", responses=NOT_FOUND)
def list_questions(session: SessionDep, story_session: ValidSession) -> list[QuestionRead]:
    """The questions asked in the chat that the recap lists (at most 20)."""
    return questions.list_questions(session, story_session=story_session)


@router.post(
    "/sessions/{session_id}/recap/questions",
    status_code=status.HTTP_201_CREATED,
    responses={**NOT_FOUND, **CONFLICT, **INVALID},
)
def add_question(
    session: SessionDep, story_session: ValidSession, body: QuestionCreate
) -> QuestionRead:
    """Add a question asked in the session's chat under "Questions from the room"."""
    question = questions.add_question(session, story_session=story_session, data=body)
    return next(
        q
        for q in questions.list_questions(session, story_session=story_session)
        if q.id == question.id
    )


@router.delete(
    "/sessions/{session_id}/recap/questions/{question_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=NOT_FOUND,
)
def delete_question(session: SessionDep, story_session: ValidSession, question_id: IdPath) -> None:
    """Remove a question from the recap."""
    questions.delete_question(session, story_session=story_session, question_id=question_id)


# -- themes -----------------------------------------------------------------------------------


@router.get("/themes")
def list_themes(
    session: SessionDep,
    page: PaginationDep,
    prefix: Annotated[str, Query(max_length=80, description="Suggest themes starting so.")] = "",
) -> Page[ThemeRead]:
    """Themes used by recaps, most used first; `prefix` turns it into suggestions."""
    items, total = themes.list_themes(session, prefix=prefix, limit=page.limit, offset=page.offset)
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.patch("/themes/{theme_id}", responses={**NOT_FOUND, **INVALID})
def set_theme_figures(session: SessionDep, theme_id: IdPath, body: ThemeFigures) -> ThemeRead:
    """Record a theme's customers affected and revenue at risk (null clears; not negative)."""
    theme = themes.get_theme(session, theme_id=theme_id)
    return themes.set_theme_figures(session, theme=theme, data=body)


# -- action items -----------------------------------------------------------------------------


@router.get("/action-items", tags=["action items"])
def list_action_items(
    session: SessionDep, filters: Annotated[ActionItemFilters, Query()], page: PaginationDep
) -> Page[ActionItemRead]:
    """Action items across sessions: overdue first, then by due date."""
    items, total = action_items.list_action_items(
        session, filters=filters, limit=page.limit, offset=page.offset
    )
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.post(
    "/sessions/{session_id}/action-items",
    status_code=status.HTTP_201_CREATED,
    tags=["action items"],
    responses={**NOT_FOUND, **CONFLICT, **INVALID},
)
def create_action_item(
    session: SessionDep, story_session: ValidSession, body: ActionItemCreate
) -> ActionItemDetail:
    """Record what the company will do about this session (at most 100 per session)."""
    item = action_items.create_action_item(session, story_session=story_session, data=body)
    return action_items.action_item_detail(session, item=item)


@router.get("/action-items/{item_id}", tags=["action items"], responses=NOT_FOUND)
def read_action_item(session: SessionDep, item: ValidActionItem) -> ActionItemDetail:
    """One action item with all its updates, newest first."""
    return action_items.action_item_detail(session, item=item)


@router.patch("/action-items/{item_id}", tags=["action items"], responses={**NOT_FOUND, **INVALID})
def update_action_item(
    session: SessionDep, item: ValidActionItem, body: ActionItemPatch
) -> ActionItemDetail:
    """Change the description, owner, due date or status (a status change is dated)."""
    action_items.update_action_item(session, item=item, data=body)
    return action_items.action_item_detail(session, item=item)


@router.post(
    "/action-items/{item_id}/updates",
    status_code=status.HTTP_201_CREATED,
    tags=["action items"],
    responses={**NOT_FOUND, **INVALID},
)
def add_action_update(
    session: SessionDep, item: ValidActionItem, body: ActionUpdateCreate
) -> ActionUpdateRead:
    """Add a dated progress note, optionally changing the status (done sets `done_at`)."""
    update = action_items.add_action_update(session, item=item, data=body)
    detail = action_items.action_item_detail(session, item=item)
    return next(u for u in detail.updates if u.id == update.id)


@router.delete(
    "/action-items/{item_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["action items"],
    responses=NOT_FOUND,
)
def delete_action_item(session: SessionDep, item: ValidActionItem) -> None:
    """Remove an action item recorded by mistake."""
    action_items.delete_action_item(session, item=item)
