"""Commitment pages: the organizer's list for a session, the panels on the session and person
pages, and the two public pages behind signed links (make one; close one)."""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlmodel import Session, col, select

from app.auth.dependencies import CurrentUser
from app.commitments import links, queries, recording
from app.commitments.dependencies import ValidCommitment
from app.commitments.schemas import (
    CommitmentAnswer,
    CommitmentCreate,
    CommitmentUpdateCreate,
)
from app.db import SessionDep
from app.errors import AppError, Invalid
from app.kit.forms import Errors, form_failed
from app.models import (
    ActionItem,
    Attendance,
    Commitment,
    CommitmentStatus,
    Person,
    SessionStatus,
    StorySession,
    User,
    utcnow,
)
from app.people.service import not_erased
from app.story_sessions.dependencies import ValidSession
from app.templating import templates

router = APIRouter(include_in_schema=False)
public_router = APIRouter(prefix="/p", include_in_schema=False)

PANEL_ROWS = 20
PICKER_PEOPLE = 500
"""Attendees offered by the person picker; anyone else in the directory is typed by email."""
QUESTION = "What will you or your team do about what you heard?"
LABELS = {
    "text": "What you will do",
    "due_on": "Due date",
    "action_item_id": "Action item",
    "theme_id": "Theme",
    "person_email": "Person",
    "person_id": "Person",
    "note": "Sentence",
    "status": "Status",
}
NOTICES = {
    "recorded": "Commitment recorded.",
    "updated": "Update added.",
}
STATUS_LABELS = {
    CommitmentStatus.open: "Open",
    CommitmentStatus.done: "Done",
    CommitmentStatus.dropped: "Dropped",
}


def _errors(exc: ValidationError | AppError) -> Errors:
    """A refused form's messages: by field for input errors, one sentence for the rest."""
    if isinstance(exc, recording.FieldInvalid):
        return {exc.field: str(exc.detail)}
    if isinstance(exc, AppError):
        return [str(exc.detail)]
    errors: dict[str, str] = {}
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else ""
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] == "string_too_long":
            message = f"Keep it under {error['ctx']['max_length']:,} characters."
        elif error["type"] == "string_too_short":
            message = "Write it in a sentence: it cannot be empty."
        elif name == "due_on":
            message = "Give a date such as 2027-03-31."
        errors.setdefault(name or "form", message)
    return errors


def _options(session: Session, story_session: StorySession) -> dict[str, Any]:
    """What a commitment may answer: the session's action items and its recap's themes."""
    items = session.exec(
        select(ActionItem)
        .where(ActionItem.session_id == story_session.id)
        .order_by(col(ActionItem.id))
    ).all()
    return {"action_items": items, "themes": recording.session_themes(session, story_session)}


# -- panels on other domains' pages ----------------------------------------------------------


def session_panel(session: Session, story_session: StorySession) -> dict[str, Any]:
    """What the session page shows about commitments: the newest, and counts by status."""
    rows, total = queries.session_commitments(session, story_session, limit=PANEL_ROWS)
    return {
        "rows": rows,
        "total": total,
        "counts": queries.status_counts(session, session_id=story_session.id),
        "people": _attendees(session, story_session),
        "question": QUESTION,
        "can_record": story_session.status is not SessionStatus.cancelled
        and story_session.starts_at <= utcnow(),
        **_options(session, story_session),
    }


def person_panel(session: Session, person: Person) -> dict[str, Any]:
    """What the person page shows: their commitments across sessions, newest first."""
    rows, total = queries.person_commitments(session, person, limit=PANEL_ROWS)
    return {
        "rows": rows,
        "total": total,
        "counts": queries.status_counts(session, person_id=person.id),
    }


# -- the organizer's page for a session ------------------------------------------------------

MANAGE = "pages/commitments/session.html"


def _attendees(session: Session, story_session: StorySession) -> list[Person]:
    return list(
        session.exec(
            select(Person)
            .join(Attendance, col(Attendance.person_id) == Person.id)
            .where(Attendance.session_id == story_session.id, not_erased())
            .distinct()
            .order_by(col(Person.name), col(Person.id))
            .limit(PICKER_PEOPLE)
        ).all()
    )


def _manage_context(
    request: Request,
    session: Session,
    user: User,
    story_session: StorySession,
    *,
    typed: dict[str, str] | None = None,
    typed_update: dict[str, str] | None = None,
) -> dict[str, Any]:
    rows = queries.session_commitment_details(session, story_session)
    return {
        "user": user,
        "s": story_session,
        "rows": rows,
        "counts": queries.status_counts(session, session_id=story_session.id),
        "people": _attendees(session, story_session),
        "typed": typed or {},
        "typed_update": typed_update or {},
        "labels": LABELS,
        "status_labels": STATUS_LABELS,
        "question": QUESTION,
        "flash": NOTICES.get(request.query_params.get("done", ""), ""),
        **_options(session, story_session),
    }


@router.get("/sessions/{session_id}/commitments", response_class=HTMLResponse)
def session_commitments_page(
    request: Request, session: SessionDep, user: CurrentUser, story_session: ValidSession
) -> Response:
    """Every commitment made after a session, with its updates; record one, update or close."""
    return templates.TemplateResponse(
        request, MANAGE, _manage_context(request, session, user, story_session)
    )


class AnswerForm(BaseModel):
    """What the owner writes behind their link."""

    text: str = ""
    action_item_id: str = ""
    theme_id: str = ""
    due_on: str = ""


class RecordForm(AnswerForm):
    """The same, recorded by an organizer for someone in the directory."""

    person_email: str = ""


@router.post("/sessions/{session_id}/commitments", response_class=HTMLResponse)
def record_commitment_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    story_session: ValidSession,
    form: Annotated[RecordForm, Form()],
) -> Response:
    """Record what an attendee said they will do (the organizer is kept as its recorder)."""
    try:
        data = CommitmentCreate.model_validate(
            {
                "person_email": form.person_email.strip() or None,
                "text": form.text,
                "action_item_id": form.action_item_id or None,
                "theme_id": form.theme_id or None,
                "due_on": form.due_on or None,
            }
        )
        recording.record_commitment(session, story_session, data=data)
    except (ValidationError, AppError) as exc:
        return form_failed(
            session,
            request,
            MANAGE,
            lambda: _manage_context(request, session, user, story_session, typed=form.model_dump()),
            _errors(exc),
            status_code=exc.status_code if isinstance(exc, AppError) else 422,
        )
    return RedirectResponse(f"/sessions/{story_session.id}/commitments?done=recorded", 303)


class UpdateForm(BaseModel):
    note: str = ""
    status: str = ""


@router.post("/commitments/{commitment_id}/updates", response_class=HTMLResponse)
def add_update_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    commitment: ValidCommitment,
    form: Annotated[UpdateForm, Form()],
) -> Response:
    """Add a sentence on a commitment's progress, optionally closing or reopening it."""
    story_session = session.get(StorySession, commitment.session_id)
    assert story_session is not None
    try:
        data = CommitmentUpdateCreate.model_validate(
            {"note": form.note, "status": form.status or None}
        )
        recording.add_commitment_update(session, commitment, data=data)
    except (ValidationError, AppError) as exc:
        typed = {"id": str(commitment.id), **form.model_dump()}
        return form_failed(
            session,
            request,
            MANAGE,
            lambda: _manage_context(request, session, user, story_session, typed_update=typed),
            _errors(exc),
            status_code=exc.status_code if isinstance(exc, AppError) else 422,
        )
    return RedirectResponse(
        f"/sessions/{story_session.id}/commitments?done=updated#commitment-{commitment.id}", 303
    )


# -- public: the owner's own links -----------------------------------------------------------

PUBLIC_FORM = "pages/commitments/public_form.html"
CLOSE = "pages/commitments/close.html"


def _link_error(request: Request, session: Session, exc: AppError) -> Response:
    return form_failed(
        session, request, "pages/commitments/link_error.html", {"message": str(exc.detail)}, exc
    )


def _public_context(
    session: Session,
    person: Person,
    story_session: StorySession,
    token: str,
    *,
    typed: dict[str, str] | None = None,
    made: bool = False,
) -> dict[str, Any]:
    mine = session.exec(
        select(Commitment)
        .where(Commitment.session_id == story_session.id, Commitment.person_id == person.id)
        .order_by(col(Commitment.created_at), col(Commitment.id))
    ).all()
    return {
        "person": person,
        "s": story_session,
        "token": token,
        "question": QUESTION,
        "mine": mine,
        "made": made,
        "typed": typed or {},
        "labels": LABELS,
        **_options(session, story_session),
    }


@public_router.get("/commit/{token}", response_class=HTMLResponse)
def commitment_form(request: Request, session: SessionDep, token: str) -> Response:
    """The owner's form: what they will do about the session. Opening it records nothing."""
    try:
        person, story_session = links.open_commitment_link(session, token=token)
    except AppError as exc:
        return _link_error(request, session, exc)
    return templates.TemplateResponse(
        request, PUBLIC_FORM, _public_context(session, person, story_session, token)
    )


@public_router.post("/commit/{token}", response_class=HTMLResponse)
def make_commitment(
    request: Request, session: SessionDep, token: str, form: Annotated[AnswerForm, Form()]
) -> Response:
    """Save the owner's commitment; the page then lists theirs and offers another."""
    try:
        person, story_session = links.open_commitment_link(session, token=token)
    except AppError as exc:
        return _link_error(request, session, exc)
    try:
        data = CommitmentAnswer.model_validate(
            {
                "text": form.text,
                "action_item_id": form.action_item_id or None,
                "theme_id": form.theme_id or None,
                "due_on": form.due_on or None,
            }
        )
        recording.make_commitment(session, story_session, person=person, data=data)
    except (ValidationError, AppError) as exc:
        return form_failed(
            session,
            request,
            PUBLIC_FORM,
            lambda: _public_context(session, person, story_session, token, typed=form.model_dump()),
            _errors(exc),
            status_code=exc.status_code if isinstance(exc, AppError) else 422,
        )
    return templates.TemplateResponse(
        request, PUBLIC_FORM, _public_context(session, person, story_session, token, made=True)
    )


def _close_context(
    session: Session, commitment: Commitment, token: str, status: str, *, note: str = ""
) -> dict[str, Any]:
    story_session = session.get(StorySession, commitment.session_id)
    return {
        "c": commitment,
        "s": story_session,
        "token": token,
        "status": status if status in ("done", "dropped") else "done",
        "note": note,
        "status_labels": STATUS_LABELS,
        "updates": queries.commitment_detail(session, commitment).updates,
    }


@public_router.get("/commitments/close/{token}", response_class=HTMLResponse)
def close_form(request: Request, session: SessionDep, token: str, status: str = "done") -> Response:
    """Ask for the sentence before closing: mail scanners follow links, people press buttons."""
    try:
        commitment = links.open_close_link(session, token=token)
    except AppError as exc:
        return _link_error(request, session, exc)
    return templates.TemplateResponse(
        request, CLOSE, _close_context(session, commitment, token, status[:20])
    )


class CloseForm(BaseModel):
    status: str = "done"
    note: str = ""


@public_router.post("/commitments/close/{token}", response_class=HTMLResponse)
def close_commitment(
    request: Request, session: SessionDep, token: str, form: Annotated[CloseForm, Form()]
) -> Response:
    """Close the commitment as done or dropped, with the owner's sentence."""
    try:
        commitment = links.open_close_link(session, token=token)
    except AppError as exc:
        return _link_error(request, session, exc)
    try:
        status = CommitmentStatus(form.status) if form.status in ("done", "dropped") else None
        if status is None:
            raise Invalid("Choose whether it is done or dropped.")
        recording.close_commitment(session, commitment, status=status, note=form.note)
    except (ValidationError, AppError) as exc:
        return form_failed(
            session,
            request,
            CLOSE,
            lambda: _close_context(session, commitment, token, form.status, note=form.note),
            _errors(exc),
            status_code=exc.status_code if isinstance(exc, AppError) else 422,
        )
    return templates.TemplateResponse(
        request, CLOSE, {**_close_context(session, commitment, token, form.status), "closed": True}
    )
