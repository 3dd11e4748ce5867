"""Pages for inviting an audience; public RSVP pages and calendar feeds (signed / secret)."""

import re
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ValidationError
from sqlmodel import Session, col, select

from app.auth.dependencies import CurrentUser
from app.db import SessionDep
from app.deps import IdPath
from app.errors import AppError
from app.invitations import calendars, inviting, rsvps
from app.invitations.schemas import Audience, InviteResult
from app.kit.forms import form_failed
from app.models import DistributionList, Rsvp, Series, StorySession, User
from app.people.levels import get_levels
from app.people.service import departments
from app.story_sessions.dependencies import ValidSeries, ValidSession
from app.templating import templates

router = APIRouter(include_in_schema=False)
personal_router = APIRouter(include_in_schema=False)
public_router = APIRouter(prefix="/p", include_in_schema=False)

INVITE = "pages/invitations/invite.html"
RSVP = "pages/invitations/rsvp.html"
ADDRESS_SEPARATORS = re.compile(r"[\s,;]+")
SESSION_PANEL_ROWS = 200
"""How many invitees the session page lists (the counts cover everyone)."""


class InviteForm(BaseModel):
    """What the invite form posts; `step` is "preview" (count only) or "send"."""

    emails: str = ""
    levels: list[str] = []
    departments: list[str] = []
    list_ids: list[int] = []
    step: str = "preview"

    def audience(self) -> Audience:
        emails = [e for e in ADDRESS_SEPARATORS.split(self.emails) if e]
        return Audience(
            emails=emails,
            levels=self.levels,
            departments=self.departments,
            list_ids=self.list_ids,
        )


def _invite_page(
    request: Request,
    session: Session,
    user: User,
    *,
    target: StorySession | Series,
    story_sessions: list[StorySession],
    form: InviteForm,
    result: InviteResult | None = None,
) -> Response:
    return templates.TemplateResponse(
        request,
        INVITE,
        _invite_context(session, user, target, story_sessions, form=form, result=result),
    )


def _invite_context(
    session: Session,
    user: User,
    target: StorySession | Series,
    story_sessions: list[StorySession],
    *,
    form: InviteForm,
    result: InviteResult | None = None,
) -> dict[str, Any]:
    is_series = isinstance(target, Series)
    lists = session.exec(select(DistributionList).order_by(col(DistributionList.name))).all()
    return {
        "user": user,
        "target": target,
        "is_series": is_series,
        "back_url": f"/{'series' if is_series else 'sessions'}/{target.id}",
        "story_sessions": story_sessions,
        "levels": get_levels(session),
        "departments": departments(session),
        "lists": lists,
        "form": form,
        "result": result,
    }


def _invite(
    request: Request,
    session: Session,
    user: User,
    *,
    target: StorySession | Series,
    story_sessions: list[StorySession],
    form: InviteForm,
) -> Response:
    try:
        result = inviting.invite(
            session,
            story_sessions=story_sessions,
            audience=form.audience(),
            dry_run=form.step != "send",
        )
    except (ValidationError, AppError) as exc:
        message = (
            "; ".join(str(error["msg"]) for error in exc.errors())
            if isinstance(exc, ValidationError)
            else str(exc.detail)
        )
        return form_failed(
            session,
            request,
            INVITE,
            lambda: _invite_context(session, user, target, story_sessions, form=form),
            message,
            status_code=exc.status_code if isinstance(exc, AppError) else 422,
        )
    if not result.dry_run:
        form = InviteForm()
    return _invite_page(
        request,
        session,
        user,
        target=target,
        story_sessions=story_sessions,
        form=form,
        result=result,
    )


@router.get("/sessions/{session_id}/invite", response_class=HTMLResponse)
def invite_session_page(
    request: Request, session: SessionDep, user: CurrentUser, story_session: ValidSession
) -> Response:
    """Choose who to invite to one session."""
    return _invite_page(
        request,
        session,
        user,
        target=story_session,
        story_sessions=[story_session],
        form=InviteForm(),
    )


@router.post("/sessions/{session_id}/invite", response_class=HTMLResponse)
def invite_session(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    story_session: ValidSession,
    form: Annotated[InviteForm, Form()],
) -> Response:
    """Count who the choice reaches, or send the invitations."""
    return _invite(
        request,
        session,
        user,
        target=story_session,
        story_sessions=[story_session],
        form=form,
    )


@router.get("/series/{series_id}/invite", response_class=HTMLResponse)
def invite_series_page(
    request: Request, session: SessionDep, user: CurrentUser, series: ValidSeries
) -> Response:
    """Choose who to invite to every upcoming session of a series."""
    return _invite_page(
        request,
        session,
        user,
        target=series,
        story_sessions=inviting.upcoming_sessions(session, series),
        form=InviteForm(),
    )


@router.post("/series/{series_id}/invite", response_class=HTMLResponse)
def invite_series(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    series: ValidSeries,
    form: Annotated[InviteForm, Form()],
) -> Response:
    """Count who the choice reaches, or send the invitations to the series' upcoming sessions."""
    return _invite(
        request,
        session,
        user,
        target=series,
        story_sessions=inviting.upcoming_sessions(session, series),
        form=form,
    )


def session_panel(session: Session, story_session: StorySession) -> dict[str, Any]:
    """What the session page shows about invitations: the answers and who gave them."""
    assert story_session.id is not None
    rows, total = rsvps.list_invitations(
        session, story_session=story_session, limit=SESSION_PANEL_ROWS
    )
    return {
        "counts": rsvps.rsvp_counts(session, session_ids=[story_session.id])[story_session.id],
        "rows": rows,
        "total": total,
    }


# -- calendar feeds --------------------------------------------------------------------------


def _calendar_page(
    request: Request, session: Session, user: User, *, token: str | None = None
) -> Response:
    assert user.id is not None
    series = session.exec(select(Series).order_by(col(Series.title))).all()
    return templates.TemplateResponse(
        request,
        "pages/invitations/calendar.html",
        {
            "user": user,
            "feed": calendars.active_feed(session, user=user),
            "url": calendars.feed_url(token) if token else None,
            "series": series,
            "series_url": (
                calendars.feed_url(token).removesuffix("sessions.ics") + "series/"
                if token
                else None
            ),
        },
    )


@router.get("/calendar", response_class=HTMLResponse)
def calendar_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """Your calendar feed: subscribe to every session from Outlook, Google or Apple Calendar."""
    return _calendar_page(request, session, user)


@personal_router.post("/calendar/feed", response_class=HTMLResponse)
def create_feed(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """Create (or replace) the feed address, and show it this once."""
    _, token = calendars.create_feed(session, user=user)
    return _calendar_page(request, session, user, token=token)


@personal_router.post("/calendar/feed/revoke", response_class=HTMLResponse)
def revoke_feed(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """Turn the feed off."""
    calendars.revoke_feed(session, user=user)
    return _calendar_page(request, session, user)


def _ics(body: bytes, filename: str) -> Response:
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={
            "Content-Disposition": f'inline; filename="{filename}"',
            "Cache-Control": "private, max-age=300",
        },
    )


@public_router.get("/calendar/{token}/sessions.ics")
def sessions_feed(session: SessionDep, token: str) -> Response:
    """Every session from 90 days ago on (the secret in the path is the authorization)."""
    calendars.feed_for_token(session, token)
    return _ics(calendars.feed_calendar(session), "storyroom-sessions.ics")


@public_router.get("/calendar/{token}/series/{series_id}.ics")
def series_feed(session: SessionDep, token: str, series_id: IdPath) -> Response:
    """One series' sessions from 90 days ago on."""
    calendars.feed_for_token(session, token)
    return _ics(calendars.feed_calendar(session, series_id=series_id), f"series-{series_id}.ics")


# -- RSVP (public: the signed link is the authorization) -------------------------------------


def _rsvp_page(
    request: Request,
    session: Session,
    token: str,
    *,
    selected: Rsvp | None,
    done: bool = False,
) -> Response:
    return templates.TemplateResponse(
        request, RSVP, _rsvp_context(session, token, selected=selected, done=done)
    )


def _rsvp_context(
    session: Session, token: str, *, selected: Rsvp | None, done: bool = False
) -> dict[str, Any]:
    invitation, story_session = rsvps.invitation_for_token(session, token)
    return {
        "invitation": invitation,
        "story_session": story_session,
        "customer": calendars.customer_name(session, story_session),
        "token": token,
        "answers": [(answer, rsvps.ANSWER_LABELS[answer]) for answer in rsvps.ANSWERS],
        "selected": selected,
        "done": done,
    }


@public_router.get("/rsvp/{token}", response_class=HTMLResponse)
def rsvp_form(request: Request, session: SessionDep, token: str, answer: str = "") -> Response:
    """Show the choices, the one from the link pre-selected. A GET records nothing: mail
    scanners open every link in a message."""
    invitation, _ = rsvps.invitation_for_token(session, token)
    choice = Rsvp(answer) if answer in {a.value for a in rsvps.ANSWERS} else None
    current = invitation.rsvp if invitation.rsvp is not Rsvp.needs_action else None
    return _rsvp_page(request, session, token, selected=choice or current)


@public_router.post("/rsvp/{token}", response_class=HTMLResponse)
def rsvp(
    request: Request,
    session: SessionDep,
    token: str,
    answer: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Record the answer."""
    invitation, _ = rsvps.invitation_for_token(session, token)
    try:
        choice = Rsvp(answer)
        rsvps.record_rsvp(session, invitation, answer=choice)
    except (ValueError, AppError) as exc:
        message = exc.detail if isinstance(exc, AppError) else "Choose yes, maybe or no."
        code = exc.status_code if isinstance(exc, AppError) else 422
        return form_failed(
            session,
            request,
            RSVP,
            lambda: _rsvp_context(session, token, selected=None),
            str(message),
            status_code=code,
        )
    return _rsvp_page(request, session, token, selected=choice, done=True)
