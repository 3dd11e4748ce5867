"""Invitations, RSVPs and calendar feeds over the JSON API."""

from typing import Any

from fastapi import APIRouter, status

from app.auth.dependencies import CurrentUser
from app.db import SessionDep
from app.deps import PaginationDep
from app.invitations import calendars, inviting, rsvps
from app.invitations.schemas import (
    CalendarFeedRead,
    InvitationPage,
    InvitationRead,
    InviteRequest,
    InviteResult,
)
from app.models import Rsvp, User
from app.story_sessions.dependencies import ValidSeries, ValidSession

router = APIRouter(tags=["invitations"])
personal_router = APIRouter(tags=["calendar"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No session or series with this id."}
}
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"description": "The session is not scheduled, has started, or the series has none."}
}


@router.post(
    "/sessions/{session_id}/invitations",
    status_code=status.HTTP_200_OK,
    responses={**NOT_FOUND, **CONFLICT},
)
def invite_to_session(
    session: SessionDep, user: CurrentUser, story_session: ValidSession, body: InviteRequest
) -> InviteResult:
    """Invite people, levels, departments or lists: one email each to those not yet invited."""
    return inviting.invite(
        session,
        story_sessions=[story_session],
        audience=body,
        dry_run=body.dry_run,
    )


@router.post(
    "/series/{series_id}/invitations", tags=["series"], responses={**NOT_FOUND, **CONFLICT}
)
def invite_to_series(
    session: SessionDep, user: CurrentUser, series: ValidSeries, body: InviteRequest
) -> InviteResult:
    """Invite the audience to every upcoming session of the series."""
    return inviting.invite(
        session,
        story_sessions=inviting.upcoming_sessions(session, series),
        audience=body,
        dry_run=body.dry_run,
    )


@router.get("/sessions/{session_id}/invitations", responses=NOT_FOUND)
def list_invitations(
    session: SessionDep,
    story_session: ValidSession,
    page: PaginationDep,
    rsvp: Rsvp | None = None,
) -> InvitationPage:
    """Who is invited and how they answered, by name; `counts` covers every invitation."""
    assert story_session.id is not None
    rows, total = rsvps.list_invitations(
        session, story_session=story_session, rsvp=rsvp, limit=page.limit, offset=page.offset
    )
    return InvitationPage(
        items=[InvitationRead.model_validate(row) for row in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
        counts=rsvps.rsvp_counts(session, session_ids=[story_session.id])[story_session.id],
    )


def _feed_read(session: SessionDep, user: User, url: str | None = None) -> CalendarFeedRead:
    feed = calendars.active_feed(session, user=user)
    if feed is None:
        return CalendarFeedRead(active=False)
    return CalendarFeedRead(
        active=True, created_at=feed.created_at, last_used_at=feed.last_used_at, url=url
    )


@router.get("/calendar-feed", tags=["calendar"])
def read_calendar_feed(session: SessionDep, user: CurrentUser) -> CalendarFeedRead:
    """Whether you have a calendar feed (its address was shown once, when it was created)."""
    return _feed_read(session, user)


@personal_router.post("/calendar-feed", status_code=status.HTTP_201_CREATED)
def create_calendar_feed(session: SessionDep, user: CurrentUser) -> CalendarFeedRead:
    """A new secret feed address (the previous one stops working). Keep `url`: it is shown
    only now."""
    _, token = calendars.create_feed(session, user=user)
    return _feed_read(session, user, url=calendars.feed_url(token))


@personal_router.delete("/calendar-feed")
def revoke_calendar_feed(session: SessionDep, user: CurrentUser) -> CalendarFeedRead:
    """Stop your feed working: calendars subscribed to it stop updating."""
    calendars.revoke_feed(session, user=user)
    return _feed_read(session, user)
