"""RSVPs: the signed links invitees answer with, their answers, and the counts of them."""

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case
from sqlmodel import Session, col, func, select

from app.audit import service as audit
from app.config import get_settings
from app.db import id_of
from app.errors import Conflict, Invalid, NotFound
from app.invitations.schemas import RsvpCounts
from app.kit.signing import sign, unsign
from app.models import Invitation, Rsvp, SessionStatus, StorySession, utcnow

RSVP_PURPOSE = "rsvp"
ANSWERS = (Rsvp.accepted, Rsvp.tentative, Rsvp.declined)
ANSWER_LABELS = {Rsvp.accepted: "Yes", Rsvp.tentative: "Maybe", Rsvp.declined: "No"}


# -- reading invitations ---------------------------------------------------------------------


def list_invitations(
    session: Session,
    *,
    story_session: StorySession,
    rsvp: Rsvp | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Invitation], int]:
    """One page of a session's invitations by name, and how many match."""
    session_id = id_of(story_session)
    conditions: list[Any] = [Invitation.session_id == session_id]
    if rsvp is not None:
        conditions.append(Invitation.rsvp == rsvp)
    total = session.exec(select(func.count()).select_from(Invitation).where(*conditions)).one()
    rows = session.exec(
        select(Invitation)
        .where(*conditions)
        .order_by(col(Invitation.name), col(Invitation.email))
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), total


def rsvp_counts(session: Session, *, session_ids: Iterable[int]) -> dict[int, RsvpCounts]:
    """Per session: how many were invited and how each answered (sessions with none: zeros)."""
    ids = list(session_ids)
    counts = {session_id: RsvpCounts() for session_id in ids}
    if not ids:
        return counts
    rows = session.exec(
        select(Invitation.session_id, Invitation.rsvp, func.count())
        .where(col(Invitation.session_id).in_(ids))
        .group_by(col(Invitation.session_id), col(Invitation.rsvp))
    ).all()
    for session_id, answer, count in rows:
        setattr(counts[session_id], Rsvp(answer).value, count)
        counts[session_id].invited += count
    return counts


def rsvp_counts_by_person(
    session: Session, person_ids: Sequence[int], start: datetime, end: datetime
) -> dict[int, tuple[int, int]]:
    """Per person: (invitations received, accepted) for sessions starting in [start, end)."""
    if not person_ids:
        return {}
    accepted = case((col(Invitation.rsvp) == Rsvp.accepted, 1), else_=0)
    rows = session.exec(
        select(Invitation.person_id, func.count(), func.sum(accepted))
        .join(StorySession, col(StorySession.id) == Invitation.session_id)
        .where(
            col(Invitation.person_id).in_(list(person_ids)),
            col(StorySession.starts_at) >= start,
            col(StorySession.starts_at) < end,
        )
        .group_by(col(Invitation.person_id))
    ).all()
    return {pid: (int(total), int(yes or 0)) for pid, total, yes in rows if pid is not None}


# -- RSVP links ------------------------------------------------------------------------------


def rsvp_url(invitation: Invitation, story_session: StorySession, answer: Rsvp | None) -> str:
    """The signed link to answer `invitation`; it stops working a while after the session."""
    expires_at = story_session.ends_at + timedelta(days=get_settings().rsvp_link_days)
    token = sign(RSVP_PURPOSE, invitation.id, expires_at=expires_at)
    query = f"?answer={answer.value}" if answer is not None else ""
    return f"{get_settings().base_url.rstrip('/')}/p/rsvp/{token}{query}"


def rsvp_links(invitation: Invitation, story_session: StorySession) -> dict[Rsvp, str]:
    """One link per answer, labelled as the email shows them."""
    return {answer: rsvp_url(invitation, story_session, answer) for answer in ANSWERS}


def invitation_for_token(session: Session, token: str) -> tuple[Invitation, StorySession]:
    """The invitation (and its session) an RSVP link is for: valid, unexpired, still there."""
    invitation_id = unsign(RSVP_PURPOSE, token)
    invitation = (
        session.get(Invitation, invitation_id)
        if isinstance(invitation_id, int) and not isinstance(invitation_id, bool)
        else None
    )
    if invitation is None:
        raise NotFound("This invitation no longer exists. Ask the organizer for a new one.")
    return invitation, session.get_one(StorySession, invitation.session_id)


def record_rsvp(
    session: Session, invitation: Invitation, *, answer: Rsvp, now: datetime | None = None
) -> Invitation:
    """Record an invitee's answer (the latest one counts); a new answer is audited."""
    if answer not in ANSWERS:
        raise Invalid("Answer yes, maybe or no.")
    story_session = session.get_one(StorySession, invitation.session_id)
    if story_session.status is SessionStatus.cancelled:
        raise Conflict("This session was cancelled: there is nothing to answer.")
    before = invitation.rsvp
    invitation.rsvp = answer
    invitation.responded_at = now or utcnow()
    session.add(invitation)
    session.flush()
    if answer is not before:
        audit.record(
            session,
            action="answered",
            entity="invitation",
            entity_id=invitation.id,
            summary=f"{invitation.email} answered “{ANSWER_LABELS[answer]}” to the invitation to "
            f"“{story_session.title}”",
            changes={"rsvp": [before, answer]},
        )
    return invitation
