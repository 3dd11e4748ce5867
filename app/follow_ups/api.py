"""Storyteller follow-ups over the JSON API: drafts, editing, sending, and the replies."""

from typing import Any

from fastapi import APIRouter, status

from app.db import SessionDep
from app.deps import Page, PaginationDep
from app.follow_ups import letters, replies
from app.follow_ups.dependencies import ValidFollowUp
from app.follow_ups.schemas import FollowUpCreate, FollowUpPatch, FollowUpRead, ReplyRead
from app.story_sessions.dependencies import ValidSession

router = APIRouter(tags=["follow-ups"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No session or follow-up with this id."}
}
CREATE_ERRORS: dict[int | str, dict[str, Any]] = {
    **NOT_FOUND,
    409: {
        "description": "The recap is not approved yet, the session has no speaker, or a draft "
        "to this storyteller is already being written."
    },
    422: {"description": "The speaker is not one of the session's, or several could be meant."},
}
EDIT_ERRORS: dict[int | str, dict[str, Any]] = {
    **NOT_FOUND,
    409: {"description": "The follow-up was sent: a sent letter stays as it was sent."},
    422: {"description": "An empty or too long subject (200) or body (20,000 characters)."},
}
SEND_ERRORS: dict[int | str, dict[str, Any]] = {
    **NOT_FOUND,
    409: {
        "description": "Already sent, the storyteller has no email address, or the session's "
        "recap has no approved version."
    },
}


@router.get("/sessions/{session_id}/follow-ups", responses=NOT_FOUND)
def list_follow_ups(
    session: SessionDep, story_session: ValidSession, page: PaginationDep
) -> Page[FollowUpRead]:
    """The session's follow-ups to its storytellers, newest first: drafts and sent letters."""
    items, total = letters.list_follow_ups(
        session, story_session=story_session, limit=page.limit, offset=page.offset
    )
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.post(
    "/sessions/{session_id}/follow-ups",
    status_code=status.HTTP_201_CREATED,
    responses=CREATE_ERRORS,
)
def create_follow_up(
    session: SessionDep, story_session: ValidSession, body: FollowUpCreate
) -> FollowUpRead:
    """Start a draft to a storyteller, written from the approved recap's action items and
    their progress (or with the subject and body sent)."""
    follow_up = letters.create_follow_up(session, story_session, data=body)
    return letters.describe(session, [follow_up])[0]


@router.get("/follow-ups/{follow_up_id}", responses=NOT_FOUND)
def read_follow_up(session: SessionDep, follow_up: ValidFollowUp) -> FollowUpRead:
    """One follow-up: its letter, whom it is to, and whether it was sent."""
    return letters.describe(session, [follow_up])[0]


@router.patch("/follow-ups/{follow_up_id}", responses=EDIT_ERRORS)
def update_follow_up(
    session: SessionDep, follow_up: ValidFollowUp, body: FollowUpPatch
) -> FollowUpRead:
    """Edit a draft's subject or body; absent fields stay."""
    letters.update_follow_up(session, follow_up, data=body)
    return letters.describe(session, [follow_up])[0]


@router.post("/follow-ups/{follow_up_id}/send", responses=SEND_ERRORS)
def send_follow_up(session: SessionDep, follow_up: ValidFollowUp) -> FollowUpRead:
    """Send the letter to the storyteller's address, with their signed reply link; it can no
    longer change afterwards."""
    letters.send_follow_up(session, follow_up)
    return letters.describe(session, [follow_up])[0]


@router.get("/follow-ups/{follow_up_id}/replies", responses=NOT_FOUND)
def list_replies(
    session: SessionDep, follow_up: ValidFollowUp, page: PaginationDep
) -> Page[ReplyRead]:
    """What the storyteller answered through their link, newest first."""
    items, total = replies.replies_to(
        session, follow_up=follow_up, limit=page.limit, offset=page.offset
    )
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)
