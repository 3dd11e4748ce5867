"""Storytellers' replies quoted in the next digest: with their consent, once each.

A reply is quoted when the storyteller ticked "may quote" and their session consent allows
quoting (named, company only or anonymous, attributed accordingly; "not at all" is never
quoted). The first digest made after the reply quotes it and records itself on the reply, so
no later digest, to any list, quotes it again.
"""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.db import id_of
from app.follow_ups.replies import helped_label
from app.follow_ups.schemas import DigestReply
from app.models import (
    Consent,
    Digest,
    FollowUp,
    FollowUpReply,
    SessionSpeaker,
    StorySession,
)
from app.recaps.builder import attribution, customer_name

REPLIES_IN_DIGEST = 5
"""The oldest replies first; any more wait for the next digest."""


def replies_to_quote(session: Session, *, until: datetime) -> list[DigestReply]:
    """The replies the next digest may quote (not yet quoted, sent by `until`), oldest first."""
    rows = session.exec(
        select(FollowUpReply, SessionSpeaker, StorySession)
        .join(FollowUp, col(FollowUp.id) == FollowUpReply.follow_up_id)
        .join(SessionSpeaker, col(SessionSpeaker.id) == FollowUp.speaker_id)
        .join(StorySession, col(StorySession.id) == FollowUp.session_id)
        .where(
            col(FollowUpReply.may_quote).is_(True),
            col(FollowUpReply.quoted_in_digest_id).is_(None),
            col(FollowUpReply.text) != "",
            col(FollowUpReply.created_at) <= until,
            col(SessionSpeaker.consent) != Consent.none,
        )
        .order_by(col(FollowUpReply.created_at), col(FollowUpReply.id))
        .limit(REPLIES_IN_DIGEST)
    ).all()
    return [
        DigestReply(
            reply_id=id_of(reply),
            session_title=story_session.title,
            text=reply.text,
            attribution=attribution(speaker, customer_name(session, story_session.customer_id)),
            helped=reply.helped,
            helped_label=helped_label(reply.helped),
        )
        for reply, speaker, story_session in rows
    ]


def mark_quoted(session: Session, *, digest: Digest, replies: Sequence[DigestReply]) -> int:
    """Record that `digest` quoted these replies (those no other digest claimed first)."""
    ids = [reply.reply_id for reply in replies]
    if not ids:
        return 0
    result = session.execute(
        update(FollowUpReply)
        .where(col(FollowUpReply.id).in_(ids), col(FollowUpReply.quoted_in_digest_id).is_(None))
        .values(quoted_in_digest_id=id_of(digest))
        .execution_options(synchronize_session="fetch")
    )
    count: int = result.rowcount  # type: ignore[attr-defined]
    return count
