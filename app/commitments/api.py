"""Commitments over the JSON API: made after a session, changed, followed up, per person."""

from typing import Any

from fastapi import APIRouter, status

from app.commitments import queries, recording
from app.commitments.dependencies import ValidCommitment
from app.commitments.schemas import (
    CommitmentCreate,
    CommitmentDetail,
    CommitmentPatch,
    CommitmentRead,
    CommitmentUpdateCreate,
    CommitmentUpdateRead,
)
from app.db import SessionDep
from app.deps import Page, PaginationDep
from app.people.dependencies import ValidPerson
from app.story_sessions.dependencies import ValidSession

router = APIRouter(tags=["commitments"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No session, person or commitment with this id."}
}
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"description": "The session was cancelled or has not taken place yet."}
}
INVALID: dict[int | str, dict[str, Any]] = {
    422: {
        "description": "Refused input: empty text or over 1,000 characters, a due date in the "
        "past, a person not in the directory, an action item or theme of another session, "
        "more than 20 commitments by one person about one session…"
    }
}


@router.get("/sessions/{session_id}/commitments", responses=NOT_FOUND)
def list_session_commitments(
    session: SessionDep, story_session: ValidSession, page: PaginationDep
) -> Page[CommitmentRead]:
    """What people committed to after this session, newest first."""
    items, total = queries.session_commitments(
        session, story_session, limit=page.limit, offset=page.offset
    )
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.post(
    "/sessions/{session_id}/commitments",
    status_code=status.HTTP_201_CREATED,
    responses={**NOT_FOUND, **CONFLICT, **INVALID},
)
def create_commitment(
    session: SessionDep, story_session: ValidSession, body: CommitmentCreate
) -> CommitmentDetail:
    """Record what someone in the directory said they will do (you are kept as its recorder)."""
    commitment = recording.record_commitment(session, story_session, data=body)
    return queries.commitment_detail(session, commitment)


@router.get("/commitments/{commitment_id}", responses=NOT_FOUND)
def read_commitment(session: SessionDep, commitment: ValidCommitment) -> CommitmentDetail:
    """One commitment with all its updates, newest first."""
    return queries.commitment_detail(session, commitment)


@router.patch("/commitments/{commitment_id}", responses={**NOT_FOUND, **INVALID})
def update_commitment(
    session: SessionDep, commitment: ValidCommitment, body: CommitmentPatch
) -> CommitmentDetail:
    """Change the words, due date, ties or status (a status change is dated as an update)."""
    recording.update_commitment(session, commitment, data=body)
    return queries.commitment_detail(session, commitment)


@router.post(
    "/commitments/{commitment_id}/updates",
    status_code=status.HTTP_201_CREATED,
    responses={**NOT_FOUND, **INVALID},
)
def add_commitment_update(
    session: SessionDep, commitment: ValidCommitment, body: CommitmentUpdateCreate
) -> CommitmentUpdateRead:
    """Add a dated sentence on its progress, optionally closing it as done or dropped."""
    update = recording.add_commitment_update(session, commitment, data=body)
    detail = queries.commitment_detail(session, commitment)
    return next(u for u in detail.updates if u.id == update.id)


@router.get("/people/{person_id}/commitments", responses=NOT_FOUND)
def list_person_commitments(
    session: SessionDep, person: ValidPerson, page: PaginationDep
) -> Page[CommitmentRead]:
    """What this person committed to, across sessions, newest first."""
    items, total = queries.person_commitments(session, person, limit=page.limit, offset=page.offset)
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)
