"""The storyteller's reply: their signed link, what they answer, and reading the answers.

The link in the letter is signed for its own purpose and carries the follow-up's id; it works
for REPLY_LINK_DAYS after the letter was sent. Opening it changes nothing (mail scanners open
every link). Each answer sent is a reply of its own, as answering an email twice would be:
the organizer sees them all, newest first; the same answer sent twice (a double click) is kept
once.
"""

from datetime import datetime, timedelta

from sqlmodel import Session, col, func, select

from app.audit import service as audit
from app.config import get_settings
from app.db import id_of
from app.errors import Conflict, Invalid, NotFound
from app.follow_ups.schemas import ReplyCreate, ReplyRead
from app.kit.signing import sign, unsign
from app.models import FollowUp, FollowUpReply, SessionSpeaker, StorySession, utcnow

REPLY_PURPOSE = "follow-up-reply"
REPLY_LINK_DAYS = 60
"""Long enough for a customer to come back to the letter after a holiday; short enough that
an old letter forwarded around is not a standing door into the company."""
HELPED_LABELS = {
    1: "It did not help",
    2: "It helped a little",
    3: "It helped somewhat",
    4: "It helped a lot",
    5: "It made a real difference",
}


def helped_label(value: int | None) -> str:
    return HELPED_LABELS.get(value, "No rating") if value is not None else "No rating"


def reply_link_expires(follow_up: FollowUp) -> datetime:
    return (follow_up.sent_at or utcnow()) + timedelta(days=REPLY_LINK_DAYS)


def reply_url(follow_up: FollowUp) -> str:
    """The storyteller's signed link to answer `follow_up`."""
    token = sign(REPLY_PURPOSE, id_of(follow_up), expires_at=reply_link_expires(follow_up))
    return f"{get_settings().base_url.rstrip('/')}/p/follow-up/{token}"


def follow_up_for_token(
    session: Session, token: str
) -> tuple[FollowUp, StorySession, SessionSpeaker]:
    """The sent follow-up a reply link is for, its session and storyteller, or a clear refusal."""
    follow_up_id = unsign(REPLY_PURPOSE, token)
    follow_up = (
        session.get(FollowUp, follow_up_id)
        if isinstance(follow_up_id, int) and not isinstance(follow_up_id, bool)
        else None
    )
    if follow_up is None or follow_up.sent_at is None:
        raise NotFound("This letter no longer exists. Reply to the email instead.")
    story_session = session.get_one(StorySession, follow_up.session_id)
    speaker = session.get_one(SessionSpeaker, follow_up.speaker_id)
    return follow_up, story_session, speaker


def record_reply(
    session: Session, follow_up: FollowUp, *, data: ReplyCreate, now: datetime | None = None
) -> FollowUpReply:
    """Store the storyteller's answer; the same answer as their latest is not stored twice."""
    if follow_up.sent_at is None:
        raise Conflict("This letter has not been sent, so there is nothing to reply to.")
    if data.helped is None and not data.text:
        raise Invalid("Rate whether it helped, or write a few words, before sending.")
    latest = session.exec(
        select(FollowUpReply)
        .where(FollowUpReply.follow_up_id == id_of(follow_up))
        .order_by(col(FollowUpReply.created_at).desc(), col(FollowUpReply.id).desc())
    ).first()
    if latest is not None and (latest.helped, latest.text, latest.may_quote) == (
        data.helped,
        data.text,
        data.may_quote,
    ):
        return latest
    reply = FollowUpReply(
        follow_up_id=id_of(follow_up),
        helped=data.helped,
        text=data.text,
        may_quote=data.may_quote,
        created_at=now or utcnow(),
    )
    session.add(reply)
    session.flush()
    audit.record(
        session,
        action="replied",
        entity="follow_up",
        entity_id=follow_up.id,
        summary=f"The storyteller replied to “{follow_up.subject}”: {helped_label(data.helped)}"
        + ("; may be quoted" if data.may_quote else ""),
        changes=audit.created(reply, ("helped", "may_quote")),
    )
    return reply


def reply_read(reply: FollowUpReply) -> ReplyRead:
    return ReplyRead(
        id=id_of(reply),
        follow_up_id=reply.follow_up_id,
        helped=reply.helped,
        helped_label=helped_label(reply.helped),
        text=reply.text,
        may_quote=reply.may_quote,
        created_at=reply.created_at,
        quoted_in_digest_id=reply.quoted_in_digest_id,
    )


def replies_to(
    session: Session, *, follow_up: FollowUp, limit: int = 50, offset: int = 0
) -> tuple[list[ReplyRead], int]:
    """One follow-up's replies, newest first, and how many there are."""
    condition = FollowUpReply.follow_up_id == id_of(follow_up)
    total = session.exec(select(func.count()).select_from(FollowUpReply).where(condition)).one()
    rows = session.exec(
        select(FollowUpReply)
        .where(condition)
        .order_by(col(FollowUpReply.created_at).desc(), col(FollowUpReply.id).desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return [reply_read(reply) for reply in rows], total


def session_replies(
    session: Session, *, story_session: StorySession
) -> list[tuple[ReplyRead, FollowUp, SessionSpeaker]]:
    """Every reply to the session's follow-ups, newest first, with its letter and storyteller."""
    rows = session.exec(
        select(FollowUpReply, FollowUp, SessionSpeaker)
        .join(FollowUp, col(FollowUp.id) == FollowUpReply.follow_up_id)
        .join(SessionSpeaker, col(SessionSpeaker.id) == FollowUp.speaker_id)
        .where(FollowUp.session_id == id_of(story_session))
        .order_by(col(FollowUpReply.created_at).desc(), col(FollowUpReply.id).desc())
    ).all()
    return [(reply_read(reply), follow_up, speaker) for reply, follow_up, speaker in rows]
