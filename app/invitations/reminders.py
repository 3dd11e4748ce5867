"""Reminders before each session, to the invitees who have not declined, once each."""

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from app.config import get_settings
from app.db import id_of
from app.invitations.inviting import delivery
from app.mail import outbox
from app.models import DeliveryKind, Invitation, Rsvp, SessionStatus, StorySession, utcnow


def queue_reminders(
    session: Session, *, now: datetime | None = None, offsets: Sequence[int] | None = None
) -> int:
    """Queue the reminders now due; return how many were new.

    A session gets the reminder of the latest offset that has passed, to each invitee who has
    not declined, once (`remind:<session>:<offset>:<email>`). A session created after an
    offset's moment skips that reminder: it was news already.
    """
    now = now or utcnow()
    minutes = sorted(set(get_settings().reminder_offsets_minutes if offsets is None else offsets))
    if not minutes:
        return 0
    soon = session.exec(
        select(StorySession).where(
            StorySession.status == SessionStatus.scheduled,
            col(StorySession.starts_at) > now,
            col(StorySession.starts_at) <= now + timedelta(minutes=minutes[-1]),
        )
    ).all()
    due: dict[int, tuple[StorySession, int]] = {}
    for story_session in soon:
        offset = next(m for m in minutes if story_session.starts_at - timedelta(minutes=m) <= now)
        if story_session.created_at <= story_session.starts_at - timedelta(minutes=offset):
            due[id_of(story_session)] = (story_session, offset)
    if not due:
        return 0
    invitations = session.exec(
        select(Invitation).where(
            col(Invitation.session_id).in_(list(due)), Invitation.rsvp != Rsvp.declined
        )
    ).all()
    deliveries = []
    for invitation in invitations:
        story_session, offset = due[invitation.session_id]
        deliveries.append(
            delivery(
                invitation,
                story_session,
                kind=DeliveryKind.session_reminder,
                key=f"remind:{invitation.session_id}:{offset}:{invitation.email}",
                offset_minutes=offset,
            )
        )
    added = outbox.enqueue(session, deliveries)
    return len(added)
