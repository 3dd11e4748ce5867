"""Follow-up letters to storytellers: drafted from the approved recap, edited, then sent once.

A draft is written from the session's latest approved recap version. The organizer may edit
its subject and body until it is sent; sending queues one Delivery (dedup key
"follow_up:<id>", so a second click never sends a second letter) and freezes the letter.
A later draft for the same storyteller can be started once the earlier one is sent, e.g.
after more progress: the session lists them all.
"""

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, func, select

from app.audit import service as audit
from app.db import id_of
from app.errors import Conflict, Invalid, NotFound
from app.follow_ups import drafting
from app.follow_ups.schemas import FollowUpCreate, FollowUpPatch, FollowUpRead
from app.mail import outbox
from app.models import (
    Delivery,
    DeliveryKind,
    FollowUp,
    FollowUpReply,
    Recap,
    RecapVersion,
    SessionSpeaker,
    StorySession,
    User,
    utcnow,
)
from app.recaps.approval import get_version
from app.recaps.editing import get_recap

AUDITED = ("subject", "body")


def approved_recap(session: Session, story_session: StorySession) -> tuple[Recap, RecapVersion]:
    """The session's recap and its latest approved version, or a 409 saying what to do."""
    recap = get_recap(session, story_session=story_session)
    if recap is None or recap.latest_version == 0:
        raise Conflict(
            f"The recap of “{story_session.title}” has not been approved yet: approve it first, "
            "so the letter tells the storyteller what the company agreed it heard."
        )
    return recap, get_version(session, story_session=story_session, number=recap.latest_version)


def _speakers(session: Session, story_session: StorySession) -> list[SessionSpeaker]:
    return list(
        session.exec(
            select(SessionSpeaker)
            .where(SessionSpeaker.session_id == id_of(story_session))
            .order_by(col(SessionSpeaker.id))
        )
    )


def choose_speaker(
    session: Session, story_session: StorySession, speaker_id: int | None
) -> SessionSpeaker:
    """The storyteller named, or the session's only one (or only one with an address)."""
    speakers = _speakers(session, story_session)
    if speaker_id is not None:
        for speaker in speakers:
            if speaker.id == speaker_id:
                return speaker
        raise Invalid(
            f"Speaker {speaker_id} did not speak at “{story_session.title}”: choose one of its "
            "speakers (GET /api/v1/sessions/{id} lists them)."
        )
    if not speakers:
        raise Conflict(
            f"“{story_session.title}” has no storyteller yet: add the customer's speaker (and "
            "their email) on the session's edit page."
        )
    with_address = [speaker for speaker in speakers if speaker.email]
    if len(speakers) == 1:
        return speakers[0]
    if len(with_address) == 1:
        return with_address[0]
    names = ", ".join(f"{speaker.name} ({speaker.id})" for speaker in speakers)
    raise Invalid(f"“{story_session.title}” has several speakers: send speaker_id, one of {names}.")


def open_draft(session: Session, speaker: SessionSpeaker) -> FollowUp | None:
    """The storyteller's unsent follow-up, if one is being written."""
    return session.exec(
        select(FollowUp).where(
            FollowUp.speaker_id == id_of(speaker), col(FollowUp.sent_at).is_(None)
        )
    ).first()


def _author(session: Session) -> User | None:
    user_id = audit.actor_of(session).user_id
    return session.get(User, user_id) if user_id is not None else None


def create_follow_up(
    session: Session, story_session: StorySession, *, data: FollowUpCreate
) -> FollowUp:
    """A new draft to one storyteller, written from the approved recap unless text is given."""
    speaker = choose_speaker(session, story_session, data.speaker_id)
    recap, version = approved_recap(session, story_session)
    draft = open_draft(session, speaker)
    if draft is not None:
        raise Conflict(
            f"There is already a draft to {speaker.name} (follow-up {draft.id}): edit or send "
            "it before starting another."
        )
    follow_up = FollowUp(
        session_id=id_of(story_session),
        speaker_id=id_of(speaker),
        recap_version_id=id_of(version),
        subject=data.subject or drafting.draft_subject(story_session),
        body=data.body
        or drafting.draft_body(
            session,
            story_session=story_session,
            speaker=speaker,
            recap=recap,
            version=version,
            author=_author(session),
        ),
    )
    session.add(follow_up)
    session.flush()
    audit.record(
        session,
        action="created",
        entity="follow_up",
        entity_id=follow_up.id,
        summary=f"Drafted a follow-up to {speaker.name} on “{story_session.title}”",
        changes=audit.created(follow_up, ("speaker_id", "recap_version_id", "subject")),
    )
    return follow_up


def get_follow_up(session: Session, *, follow_up_id: int) -> FollowUp:
    follow_up = session.get(FollowUp, follow_up_id)
    if follow_up is None:
        raise NotFound(f"There is no follow-up with id {follow_up_id}.")
    return follow_up


def _check_draft(follow_up: FollowUp) -> None:
    if follow_up.sent_at is not None:
        raise Conflict(
            "This follow-up was sent and can no longer change: start a new one to write again."
        )


def update_follow_up(session: Session, follow_up: FollowUp, *, data: FollowUpPatch) -> FollowUp:
    """Change a draft's subject or body; a sent letter stays as it was sent."""
    _check_draft(follow_up)
    changes = data.model_dump(exclude_unset=True)
    for name, value in changes.items():
        if value is None:
            raise Invalid(f"The {name.replace('_', ' ')} cannot be null: leave it out to keep it.")
    email = changes.pop("speaker_email", None)
    if email is not None:
        set_storyteller_email(session, session.get_one(SessionSpeaker, follow_up.speaker_id), email)
    with audit.recording(
        session,
        follow_up,
        AUDITED,
        entity="follow_up",
        summary=lambda fields: f"Edited the follow-up “{follow_up.subject}” ({fields})",
    ):
        for name, value in changes.items():
            setattr(follow_up, name, value)
        session.add(follow_up)
        session.flush()
    return follow_up


def set_storyteller_email(session: Session, speaker: SessionSpeaker, email: str) -> None:
    """Where the storyteller's letters go (already checked and lower-case); audited."""
    with audit.recording(
        session,
        speaker,
        ("email",),
        entity="session_speaker",
        summary=lambda _fields: f"Changed {speaker.name}'s email for follow-ups",
    ):
        speaker.email = email
        session.add(speaker)
        session.flush()


def redraft(session: Session, follow_up: FollowUp) -> FollowUp:
    """Write a draft's subject and body again from the recap and the progress made since."""
    _check_draft(follow_up)
    story_session = session.get_one(StorySession, follow_up.session_id)
    speaker = session.get_one(SessionSpeaker, follow_up.speaker_id)
    recap, version = approved_recap(session, story_session)
    with audit.recording(
        session,
        follow_up,
        (*AUDITED, "recap_version_id"),
        entity="follow_up",
        summary=lambda fields: f"Redrafted the follow-up to {speaker.name} ({fields})",
    ):
        follow_up.recap_version_id = id_of(version)
        follow_up.subject = drafting.draft_subject(story_session)
        follow_up.body = drafting.draft_body(
            session,
            story_session=story_session,
            speaker=speaker,
            recap=recap,
            version=version,
            author=_author(session),
        )
        session.add(follow_up)
        session.flush()
    return follow_up


def send_follow_up(
    session: Session, follow_up: FollowUp, *, now: datetime | None = None
) -> Delivery:
    """Queue the letter to the storyteller's address and freeze it; refused (409) if it was
    sent, if the storyteller has no address, or if the recap is no longer approved."""
    _check_draft(follow_up)
    story_session = session.get_one(StorySession, follow_up.session_id)
    speaker = session.get_one(SessionSpeaker, follow_up.speaker_id)
    if not speaker.email:
        raise Conflict(
            f"{speaker.name} has no email address: add it to the session's speakers "
            "(Edit the session), then send."
        )
    _recap, version = approved_recap(session, story_session)
    now = now or utcnow()
    actor = audit.actor_of(session)
    delivery = Delivery(
        kind=DeliveryKind.follow_up,
        dedup_key=f"follow_up:{id_of(follow_up)}",
        to_email=speaker.email,
        to_name=speaker.name,
        session_id=story_session.id,
        follow_up_id=follow_up.id,
        next_attempt_at=now,
        created_at=now,
    )
    added = outbox.enqueue(session, [delivery])
    with audit.recording(
        session,
        follow_up,
        ("sent_at", "recap_version_id"),
        entity="follow_up",
        action="sent",
        summary=lambda _fields: f"Sent the follow-up “{follow_up.subject}” to {speaker.email}",
    ):
        follow_up.sent_at = now
        follow_up.sent_by_id = actor.user_id
        follow_up.recap_version_id = id_of(version)
        session.add(follow_up)
        session.flush()
    if added:
        return added[0]
    # Only an earlier send made this key, and it froze the letter: found for completeness.
    return session.exec(select(Delivery).where(Delivery.dedup_key == delivery.dedup_key)).one()


def describe(session: Session, follow_ups: Sequence[FollowUp]) -> list[FollowUpRead]:
    """Follow-ups as the API and pages show them (a few queries whatever the count)."""
    ids = [id_of(f) for f in follow_ups]
    if not ids:
        return []
    speakers = {
        id_of(s): s
        for s in session.exec(
            select(SessionSpeaker).where(
                col(SessionSpeaker.id).in_({f.speaker_id for f in follow_ups})
            )
        )
    }
    titles = dict(
        session.exec(
            select(StorySession.id, StorySession.title).where(
                col(StorySession.id).in_({f.session_id for f in follow_ups})
            )
        ).all()
    )
    versions = dict(
        session.exec(
            select(RecapVersion.id, RecapVersion.number).where(
                col(RecapVersion.id).in_({f.recap_version_id for f in follow_ups})
            )
        ).all()
    )
    senders = {
        id_of(u): u.name or u.email
        for u in session.exec(
            select(User).where(col(User.id).in_({f.sent_by_id for f in follow_ups}))
        )
    }
    deliveries = dict(
        session.exec(
            select(Delivery.follow_up_id, Delivery.status).where(
                col(Delivery.follow_up_id).in_(ids)
            )
        ).all()
    )
    replies = dict(
        session.exec(
            select(FollowUpReply.follow_up_id, func.count())
            .where(col(FollowUpReply.follow_up_id).in_(ids))
            .group_by(col(FollowUpReply.follow_up_id))
        ).all()
    )
    result = []
    for follow_up in follow_ups:
        speaker = speakers[follow_up.speaker_id]
        status = deliveries.get(follow_up.id)
        result.append(
            FollowUpRead(
                id=id_of(follow_up),
                session_id=follow_up.session_id,
                session_title=titles.get(follow_up.session_id, ""),
                speaker_id=id_of(speaker),
                speaker_name=speaker.name,
                speaker_email=speaker.email,
                speaker_consent=speaker.consent,
                recap_version=versions.get(follow_up.recap_version_id),
                subject=follow_up.subject,
                body=follow_up.body,
                status="sent" if follow_up.sent_at else "draft",
                sent_at=follow_up.sent_at,
                sent_by=senders.get(follow_up.sent_by_id, "") if follow_up.sent_by_id else "",
                delivery_status=str(status) if status is not None else None,
                created_at=follow_up.created_at,
                updated_at=follow_up.updated_at,
                replies=replies.get(id_of(follow_up), 0),
            )
        )
    return result


def list_follow_ups(
    session: Session, *, story_session: StorySession, limit: int = 50, offset: int = 0
) -> tuple[list[FollowUpRead], int]:
    """The session's follow-ups, newest first, and how many there are."""
    condition = FollowUp.session_id == id_of(story_session)
    total = session.exec(select(func.count()).select_from(FollowUp).where(condition)).one()
    rows = session.exec(
        select(FollowUp)
        .where(condition)
        .order_by(col(FollowUp.created_at).desc(), col(FollowUp.id).desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return describe(session, rows), total


def replied_sessions(session: Session, session_ids: Sequence[int]) -> set[int]:
    """Which of these sessions have a storyteller's reply (for a marker in lists)."""
    if not session_ids:
        return set()
    return set(
        session.exec(
            select(FollowUp.session_id)
            .join(FollowUpReply, col(FollowUpReply.follow_up_id) == FollowUp.id)
            .where(col(FollowUp.session_id).in_(list(session_ids)))
            .distinct()
        )
    )
