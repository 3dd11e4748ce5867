"""Pages for following up with storytellers, and the public page where they reply."""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlmodel import Session, col, select

from app.auth.dependencies import CurrentUser
from app.db import SessionDep, id_of
from app.errors import AppError
from app.follow_ups import letters, replies
from app.follow_ups.dependencies import ValidFollowUp
from app.follow_ups.schemas import FollowUpCreate, FollowUpPatch, ReplyCreate
from app.kit.forms import form_failed
from app.models import Consent, FollowUp, RecapVersion, SessionSpeaker, StorySession, User
from app.recaps.builder import attribution, customer_name
from app.recaps.editing import get_recap
from app.story_sessions.dependencies import ValidSession
from app.templating import templates

router = APIRouter(include_in_schema=False)
public_router = APIRouter(prefix="/p", include_in_schema=False)

FOLLOW_UP = "pages/follow_ups/follow_up.html"
REPLY = "pages/follow_ups/reply.html"
LABELS = {"subject": "Subject", "body": "Letter", "speaker_email": "Storyteller's email"}
HISTORY_ROWS = 20


def _message(error: Any) -> str:
    return str(error["msg"]).removeprefix("Value error, ")


def _field_errors(exc: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else "form"
        errors.setdefault(name, _message(error))
    return errors


# -- the session page's panel ----------------------------------------------------------------


def session_panel(session: Session, story_session: StorySession) -> dict[str, Any]:
    """What the session page shows of its follow-ups: storytellers, letters and replies."""
    recap = get_recap(session, story_session=story_session)
    speakers = list(
        session.exec(
            select(SessionSpeaker)
            .where(SessionSpeaker.session_id == id_of(story_session))
            .order_by(col(SessionSpeaker.id))
        )
    )
    drafts = {
        f.speaker_id: f
        for f in session.exec(
            select(FollowUp).where(
                FollowUp.session_id == id_of(story_session), col(FollowUp.sent_at).is_(None)
            )
        )
    }
    follow_ups, total = letters.list_follow_ups(
        session, story_session=story_session, limit=HISTORY_ROWS
    )
    return {
        "approved": recap is not None and recap.latest_version > 0,
        "speakers": [(speaker, drafts.get(id_of(speaker))) for speaker in speakers],
        "follow_ups": follow_ups,
        "total": total,
        "replies": replies.session_replies(session, story_session=story_session),
    }


def replied_sessions(session: Session, session_ids: list[int]) -> set[int]:
    """Which of the listed sessions have a storyteller's reply: a marker on the session list."""
    return letters.replied_sessions(session, session_ids)


# -- organizer pages -------------------------------------------------------------------------


class StartForm(BaseModel):
    speaker_id: str = ""


class LetterForm(BaseModel):
    subject: str = ""
    body: str = ""
    speaker_email: str = ""


def _letter_context(
    session: Session,
    user: User,
    follow_up: FollowUp,
    *,
    form: LetterForm | None = None,
    notice: str = "",
) -> dict[str, Any]:
    [view] = letters.describe(session, [follow_up])
    story_session = session.get_one(StorySession, follow_up.session_id)
    history, _ = letters.list_follow_ups(session, story_session=story_session, limit=HISTORY_ROWS)
    answers, total = replies.replies_to(session, follow_up=follow_up, limit=100)
    return {
        "user": user,
        "f": view,
        "s": story_session,
        "form": form
        or LetterForm(subject=view.subject, body=view.body, speaker_email=view.speaker_email),
        "history": [h for h in history if h.id != view.id],
        "replies": answers,
        "reply_total": total,
        "labels": LABELS,
        "notice": notice,
        "errors": {},
    }


def _letter_page(
    request: Request, session: Session, user: User, follow_up: FollowUp, notice: str = ""
) -> Response:
    return templates.TemplateResponse(
        request, FOLLOW_UP, _letter_context(session, user, follow_up, notice=notice)
    )


def _to_letter(follow_up: FollowUp, notice: str = "") -> RedirectResponse:
    query = f"?done={notice}" if notice else ""
    return RedirectResponse(f"/follow-ups/{follow_up.id}{query}", status_code=303)


NOTICES = {
    "saved": "Saved. Send it when it reads right.",
    "sent": "Sent. Their reply will show here and on the session page.",
    "redrafted": "Written again from the recap and the latest progress.",
}


@router.post("/sessions/{session_id}/follow-ups", response_class=HTMLResponse)
def start_follow_up_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    story_session: ValidSession,
    form: Annotated[StartForm, Form()],
) -> Response:
    """Open the storyteller's draft, writing it from the approved recap if there is none.
    A refusal (no approved recap, no speaker) is the error page, naming what to do."""
    speaker_id = int(form.speaker_id) if form.speaker_id.isdigit() else None
    speaker = letters.choose_speaker(session, story_session, speaker_id)
    follow_up = letters.open_draft(session, speaker) or letters.create_follow_up(
        session, story_session, data=FollowUpCreate(speaker_id=id_of(speaker))
    )
    return _to_letter(follow_up)


@router.get("/follow-ups/{follow_up_id}", response_class=HTMLResponse)
def follow_up_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    follow_up: ValidFollowUp,
    done: str = "",
) -> Response:
    """The letter to the storyteller: edit and send a draft, read a sent one and its replies."""
    return _letter_page(request, session, user, follow_up, NOTICES.get(done, ""))


def _refused(
    request: Request,
    session: Session,
    user: User,
    follow_up: FollowUp,
    error: AppError | dict[str, str],
    form: LetterForm | None = None,
) -> Response:
    follow_up_id = id_of(follow_up)

    def context() -> dict[str, Any]:
        return _letter_context(session, user, session.get_one(FollowUp, follow_up_id), form=form)

    return form_failed(session, request, FOLLOW_UP, context, error)


@router.post("/follow-ups/{follow_up_id}", response_class=HTMLResponse)
def save_follow_up_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    follow_up: ValidFollowUp,
    form: Annotated[LetterForm, Form()],
) -> Response:
    """Save the draft's subject, letter and the storyteller's address."""
    try:
        data = FollowUpPatch.model_validate(form.model_dump())
        letters.update_follow_up(session, follow_up, data=data)
    except ValidationError as exc:
        return _refused(request, session, user, follow_up, _field_errors(exc), form)
    except AppError as exc:
        return _refused(request, session, user, follow_up, exc, form)
    return _to_letter(follow_up, "saved")


@router.post("/follow-ups/{follow_up_id}/send", response_class=HTMLResponse)
def send_follow_up_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    follow_up: ValidFollowUp,
    form: Annotated[LetterForm, Form()],
) -> Response:
    """Save what is typed, then send it; a second click finds it sent and sends nothing."""
    if follow_up.sent_at is not None:
        return _to_letter(follow_up, "sent")
    try:
        data = FollowUpPatch.model_validate(form.model_dump())
        letters.update_follow_up(session, follow_up, data=data)
        letters.send_follow_up(session, follow_up)
    except ValidationError as exc:
        return _refused(request, session, user, follow_up, _field_errors(exc), form)
    except AppError as exc:
        return _refused(request, session, user, follow_up, exc, form)
    return _to_letter(follow_up, "sent")


@router.post("/follow-ups/{follow_up_id}/redraft", response_class=HTMLResponse)
def redraft_follow_up_page(
    request: Request, session: SessionDep, user: CurrentUser, follow_up: ValidFollowUp
) -> Response:
    """Write the draft again from the recap and the progress made since."""
    try:
        letters.redraft(session, follow_up)
    except AppError as exc:
        return _refused(request, session, user, follow_up, exc)
    return _to_letter(follow_up, "redrafted")


# -- the storyteller's reply (public: the signed link is the authorization) -----------------


class ReplyForm(BaseModel):
    helped: str = ""
    text: str = ""
    may_quote: str = ""


def _reply_context(
    session: Session, token: str, *, form: ReplyForm | None = None, done: bool = False
) -> dict[str, Any]:
    follow_up, story_session, speaker = replies.follow_up_for_token(session, token)
    customer = customer_name(session, story_session.customer_id)
    earlier, _ = replies.replies_to(session, follow_up=follow_up, limit=10)
    version = session.get(RecapVersion, follow_up.recap_version_id or 0)
    company = str(version.document.get("company_name", "")) if version is not None else ""
    return {
        **({"company_name": company} if company else {}),
        "follow_up": follow_up,
        "story_session": story_session,
        "speaker": speaker,
        "customer": customer,
        "quoted_as": attribution(speaker, customer) if speaker.consent is not Consent.none else "",
        "token": token,
        "ratings": list(replies.HELPED_LABELS.items()),
        "form": form or ReplyForm(),
        "earlier": earlier,
        "done": done,
        "errors": {},
    }


@public_router.get("/follow-up/{token}", response_class=HTMLResponse)
def reply_form(request: Request, session: SessionDep, token: str) -> Response:
    """The storyteller's reply form. A GET records nothing: mail scanners open every link."""
    return templates.TemplateResponse(request, REPLY, _reply_context(session, token))


@public_router.post("/follow-up/{token}", response_class=HTMLResponse)
def reply(
    request: Request,
    session: SessionDep,
    token: str,
    form: Annotated[ReplyForm, Form()],
) -> Response:
    """Store the storyteller's reply: their words, their rating, and whether we may quote it."""
    follow_up, _story_session, _speaker = replies.follow_up_for_token(session, token)
    try:
        data = ReplyCreate.model_validate(
            {
                "helped": form.helped or None,
                "text": form.text,
                "may_quote": form.may_quote in {"on", "yes", "true", "1"},
            }
        )
        replies.record_reply(session, follow_up, data=data)
    except ValidationError as exc:
        errors = {
            name: "Choose one of the five answers." if name == "helped" else message
            for name, message in _field_errors(exc).items()
        }
        return form_failed(
            session, request, REPLY, lambda: _reply_context(session, token, form=form), errors
        )
    except AppError as exc:
        return form_failed(
            session, request, REPLY, lambda: _reply_context(session, token, form=form), exc
        )
    return templates.TemplateResponse(request, REPLY, _reply_context(session, token, done=True))
