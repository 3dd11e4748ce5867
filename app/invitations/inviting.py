"""Inviting: one invitation and one email per new invitee, and updates when a session changes.

Every email is a Delivery row queued in the caller's transaction; the dedup keys make each
message exist once (`invite:<session>:<email>:<sequence>`, `cancel:…`), so inviting twice or
saving a session twice never sends anything twice. The session hooks register on import.
"""

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from app.audit import service as audit
from app.db import id_of
from app.errors import Conflict
from app.invitations.audience import resolve_audience
from app.invitations.schemas import Audience, InviteResult
from app.kit.words import counted
from app.mail import outbox
from app.models import (
    Delivery,
    DeliveryKind,
    Invitation,
    Rsvp,
    Series,
    SessionStatus,
    StorySession,
    utcnow,
)
from app.story_sessions import hooks


def _check_invitable(story_session: StorySession, now: datetime) -> None:
    if story_session.status is not SessionStatus.scheduled:
        raise Conflict(
            f"This session is {story_session.status.value}: only scheduled sessions take "
            "invitations."
        )
    if story_session.starts_at <= now:
        raise Conflict("This session has already started: invitations are for sessions to come.")


def upcoming_sessions(
    session: Session, series: Series, *, now: datetime | None = None
) -> list[StorySession]:
    """The series' scheduled sessions that have not started, soonest first."""
    return list(
        session.exec(
            select(StorySession)
            .where(
                StorySession.series_id == series.id,
                StorySession.status == SessionStatus.scheduled,
                col(StorySession.starts_at) > (now or utcnow()),
            )
            .order_by(col(StorySession.starts_at), col(StorySession.id))
        ).all()
    )


def delivery(
    invitation: Invitation,
    story_session: StorySession,
    *,
    kind: DeliveryKind,
    key: str,
    **payload: Any,
) -> Delivery:
    return Delivery(
        kind=kind,
        dedup_key=key,
        to_email=invitation.email,
        to_name=invitation.name,
        person_id=invitation.person_id,
        session_id=story_session.id,
        payload={"invitation_id": invitation.id, **payload},
    )


def _invitation_email(
    invitation: Invitation, story_session: StorySession, *, update: bool = False
) -> Delivery:
    sequence = story_session.sequence
    key = f"invite:{story_session.id}:{invitation.email}:{sequence}"
    return delivery(
        invitation,
        story_session,
        kind=DeliveryKind.invitation,
        key=key,
        sequence=sequence,
        update=update,
    )


def invite(
    session: Session,
    *,
    story_sessions: Sequence[StorySession],
    audience: Audience,
    dry_run: bool = False,
    now: datetime | None = None,
) -> InviteResult:
    """Invite the audience to each session: one invitation and one email per new invitee.

    Whoever is acting through `session` is recorded as having invited them."""
    now = now or utcnow()
    if not story_sessions:
        raise Conflict("There is no upcoming session to invite to.")
    for story_session in story_sessions:
        _check_invitable(story_session, now)
    invitees = resolve_audience(session, audience)
    by_id = {s.id: s for s in story_sessions}
    invited_before: set[tuple[int, str]] = set()
    emails = [invitee.email for invitee in invitees]
    for start in range(0, len(emails), 500):
        invited_before.update(
            session.exec(
                select(Invitation.session_id, Invitation.email).where(
                    col(Invitation.session_id).in_(list(by_id)),
                    col(Invitation.email).in_(emails[start : start + 500]),
                )
            ).all()
        )
    fresh = [
        (story_session, invitee)
        for story_session in story_sessions
        for invitee in invitees
        if (story_session.id, invitee.email) not in invited_before
    ]
    if not dry_run and fresh:
        invited_by = audit.actor_of(session).user_id
        invitations = [
            (
                story_session,
                Invitation(
                    session_id=id_of(story_session),
                    person_id=invitee.person_id,
                    email=invitee.email,
                    name=invitee.name,
                    invited_at=now,
                    invited_by_id=invited_by,
                ),
            )
            for story_session, invitee in fresh
        ]
        session.add_all([invitation for _, invitation in invitations])
        session.flush()
        outbox.enqueue(session, (_invitation_email(i, s) for s, i in invitations))
        invited = Counter(id_of(story_session) for story_session, _ in fresh)
        for story_session in story_sessions:
            if count := invited[id_of(story_session)]:
                audit.record(
                    session,
                    action="invited",
                    entity="story_session",
                    entity_id=story_session.id,
                    summary=f"Invited {counted(count, 'person', 'people')} "
                    f"to the session “{story_session.title}”",
                )
    return InviteResult(
        sessions=len(story_sessions),
        audience=len(invitees),
        invited=len(fresh),
        already_invited=len(story_sessions) * len(invitees) - len(fresh),
        dry_run=dry_run,
    )


def _invitations(session: Session, session_id: int | None, *conditions: Any) -> list[Invitation]:
    return list(
        session.exec(
            select(Invitation)
            .where(Invitation.session_id == session_id, *conditions)
            .order_by(col(Invitation.id))
        ).all()
    )


@hooks.on_calendar_change
def send_updates(session: Session, story_session: StorySession) -> int:
    """After a change invitees should see (SEQUENCE raised): an updated invitation to everyone
    who has not declined. Returns how many emails were queued."""
    if story_session.status is not SessionStatus.scheduled:
        return 0
    invitations = _invitations(session, story_session.id, Invitation.rsvp != Rsvp.declined)
    added = outbox.enqueue(
        session, (_invitation_email(i, story_session, update=True) for i in invitations)
    )
    return len(added)


@hooks.on_cancel
def send_cancellations(session: Session, story_session: StorySession) -> int:
    """After a session is cancelled: METHOD:CANCEL to every invitee. Returns how many."""
    sequence = story_session.sequence
    added = outbox.enqueue(
        session,
        (
            delivery(
                invitation,
                story_session,
                kind=DeliveryKind.cancellation,
                key=f"cancel:{story_session.id}:{invitation.email}:{sequence}",
                sequence=sequence,
            )
            for invitation in _invitations(session, story_session.id)
        ),
    )
    if added:
        audit.record(
            session,
            action="invitations_cancelled",
            entity="story_session",
            entity_id=story_session.id,
            summary=f"Sent the cancellation of “{story_session.title}” "
            f"to {counted(len(added), 'person', 'people')}",
        )
    return len(added)
