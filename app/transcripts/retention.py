"""Retention: transcripts and chats are personal data, kept only as long as configured.

`STORYROOM_TRANSCRIPT_RETENTION_DAYS` after a session ends, its transcript and chat go with
their speakers and cues (the foreign keys cascade). What a recap took from them stays: a
quote keeps its text and timestamps (its `transcript_id` becomes empty), a chat question in
"Questions from the room" keeps its text (its `cue_id` becomes empty).
"""

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.audit import service as audit
from app.config import get_settings
from app.db import id_of
from app.kit.words import counted
from app.models import StorySession, Transcript, TranscriptKind


def drop_expired_transcripts(session: Session, *, now: datetime, days: int | None = None) -> int:
    """Delete the transcripts and chats of sessions that ended more than `days` (by default
    the configured retention) ago; 0 keeps them all. Returns how many were deleted."""
    days = get_settings().transcript_retention_days if days is None else days
    if days <= 0:
        return 0
    cutoff = now - timedelta(days=days)
    # Filter on start in SQL (start <= end), then on start + duration here: portable SQL.
    candidates = session.exec(
        select(Transcript.id, Transcript.kind, StorySession)
        .join(StorySession, col(StorySession.id) == Transcript.session_id)
        .where(col(StorySession.starts_at) < cutoff)
        .order_by(col(StorySession.id), col(Transcript.id))
    ).all()
    expired = [(tid, kind, story) for tid, kind, story in candidates if story.ends_at < cutoff]
    if not expired:
        return 0
    kinds: dict[int, list[str]] = {}
    for _, kind, story in expired:
        kinds.setdefault(id_of(story), []).append(TranscriptKind(kind).value)
    session.execute(delete(Transcript).where(col(Transcript.id).in_([t for t, _, _ in expired])))
    # Written through Core, cascaded by the database: what the session had loaded is stale.
    session.expire_all()
    for session_id, dropped in kinds.items():
        what = " and ".join(sorted(dropped, reverse=True))  # "transcript and chat"
        audit.record(
            session,
            action="retention",
            entity="session",
            entity_id=session_id,
            summary=f"Deleted the {what} of session #{session_id}: it ended more than "
            f"{counted(days, 'day')} ago (STORYROOM_TRANSCRIPT_RETENTION_DAYS)",
        )
    session.flush()
    return len(expired)
