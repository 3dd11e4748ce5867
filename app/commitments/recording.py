"""Making, changing and closing commitments: by their owner's link or by an organizer."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, func, select

from app.audit import service as audit
from app.commitments.schemas import (
    CommitmentAnswer,
    CommitmentCreate,
    CommitmentPatch,
    CommitmentUpdateCreate,
)
from app.db import id_of
from app.errors import Conflict, Invalid
from app.mail.addresses import normalize_email
from app.models import (
    ActionItem,
    Commitment,
    CommitmentStatus,
    CommitmentUpdate,
    Person,
    Recap,
    RecapTheme,
    SessionStatus,
    StorySession,
    Theme,
    utcnow,
)
from app.people.service import is_erased, person_by_email


class FieldInvalid(Invalid):
    """Refused input that belongs to one field: forms show it beside that field."""

    def __init__(self, detail: str, *, field: str) -> None:
        super().__init__(detail)
        self.field = field


MAX_PER_PERSON = 20
"""Commitments one person may make about one session: more is a form being replayed."""
AUDIT_FIELDS = ("text", "due_on", "status", "action_item_id", "theme_id")
STATUS_NOTES = {
    CommitmentStatus.open: "Reopened.",
    CommitmentStatus.done: "Marked done.",
    CommitmentStatus.dropped: "Dropped.",
}
"""The note recorded when a status changes without one, so every change is dated."""


def session_today(story_session: StorySession, now: datetime) -> date:
    """Today where the session took place: due dates are read in its timezone."""
    return now.astimezone(ZoneInfo(story_session.timezone)).date()


def check_due(due_on: date | None, today: date) -> None:
    if due_on is not None and due_on < today:
        raise FieldInvalid(
            f"The due date {due_on.isoformat()} is in the past; choose today "
            f"({today.isoformat()}) or later.",
            field="due_on",
        )


def _check_session(story_session: StorySession, now: datetime) -> None:
    if story_session.status is SessionStatus.cancelled:
        raise Conflict(f"“{story_session.title}” was cancelled: there is nothing to commit to.")
    if story_session.starts_at > now:
        raise Conflict(
            f"“{story_session.title}” has not taken place yet: commitments come after it."
        )


def _check_action_item(session: Session, story_session: StorySession, item_id: int) -> None:
    item = session.get(ActionItem, item_id)
    if item is None or item.session_id != story_session.id:
        raise FieldInvalid(
            f"Action item {item_id} is not one of the action items of “{story_session.title}”.",
            field="action_item_id",
        )


def session_themes(session: Session, story_session: StorySession) -> list[Theme]:
    """The themes of the session's recap, which a commitment may answer."""
    return list(
        session.exec(
            select(Theme)
            .join(RecapTheme, col(RecapTheme.theme_id) == Theme.id)
            .join(Recap, col(Recap.id) == RecapTheme.recap_id)
            .where(Recap.session_id == story_session.id)
            .order_by(col(Theme.key))
        ).all()
    )


def _check_theme(session: Session, story_session: StorySession, theme_id: int) -> None:
    if theme_id not in {id_of(theme) for theme in session_themes(session, story_session)}:
        raise FieldInvalid(
            f"Theme {theme_id} is not one of the themes of “{story_session.title}”.",
            field="theme_id",
        )


def _check_answer(session: Session, story_session: StorySession, data: CommitmentAnswer) -> None:
    if data.action_item_id is not None:
        _check_action_item(session, story_session, data.action_item_id)
    if data.theme_id is not None:
        _check_theme(session, story_session, data.theme_id)


def make_commitment(
    session: Session,
    story_session: StorySession,
    *,
    person: Person,
    data: CommitmentAnswer,
    now: datetime | None = None,
) -> Commitment:
    """Record what `person` will do about `story_session`, as they said it (through their link,
    or recorded by the signed-in organizer, who is then kept as `recorded_by_id`)."""
    now = now or utcnow()
    _check_session(story_session, now)
    if is_erased(person):
        raise Invalid("This person was erased from the directory and cannot commit to anything.")
    check_due(data.due_on, session_today(story_session, now))
    _check_answer(session, story_session, data)
    count = session.exec(
        select(func.count()).where(
            Commitment.session_id == story_session.id, Commitment.person_id == person.id
        )
    ).one()
    if count >= MAX_PER_PERSON:
        raise Invalid(
            f"{person.name} already has {count} commitments about “{story_session.title}”, "
            f"the most one person can make about a session ({MAX_PER_PERSON})."
        )
    commitment = Commitment(
        session_id=id_of(story_session),
        person_id=id_of(person),
        text=data.text,
        action_item_id=data.action_item_id,
        theme_id=data.theme_id,
        due_on=data.due_on,
        created_at=now,
        recorded_by_id=audit.actor_of(session).user_id,
    )
    session.add(commitment)
    session.flush()
    audit.record(
        session,
        action="created",
        entity="commitment",
        entity_id=id_of(commitment),
        summary=f"Commitment #{commitment.id} by {person.name} after “{story_session.title}”",
        changes=audit.created(commitment, AUDIT_FIELDS),
    )
    return commitment


def directory_person(
    session: Session, *, person_id: int | None, person_email: str | None
) -> Person:
    """The person named by id or work email, who must be in the directory."""
    if person_id is not None:
        person = session.get(Person, person_id)
        if person is None:
            raise FieldInvalid(
                f"There is no person with id {person_id} in the directory.", field="person_id"
            )
        return person
    person = person_by_email(session, person_email or "")
    if person is None:
        raise FieldInvalid(
            f"No one in the directory has the email {normalize_email(person_email or '')}. "
            "Commitments are made by people in the directory: check the spelling.",
            field="person_email",
        )
    return person


def record_commitment(
    session: Session,
    story_session: StorySession,
    *,
    data: CommitmentCreate,
    now: datetime | None = None,
) -> Commitment:
    """An organizer records what someone in the directory committed to after the session."""
    person = directory_person(session, person_id=data.person_id, person_email=data.person_email)
    answer = CommitmentAnswer.model_validate(
        data.model_dump(include=set(CommitmentAnswer.model_fields))
    )
    return make_commitment(session, story_session, person=person, data=answer, now=now)


def _set_status(
    session: Session,
    commitment: Commitment,
    status: CommitmentStatus,
    *,
    note: str,
    now: datetime,
) -> CommitmentUpdate:
    """Change the status (setting or clearing `closed_at`) and record it as a dated update."""
    commitment.status = status
    commitment.closed_at = None if status is CommitmentStatus.open else now
    update = CommitmentUpdate(
        commitment_id=id_of(commitment),
        note=note,
        status=status,
        created_at=now,
        author_id=audit.actor_of(session).user_id,
    )
    session.add_all([commitment, update])
    return update


def update_commitment(
    session: Session,
    commitment: Commitment,
    *,
    data: CommitmentPatch,
    now: datetime | None = None,
) -> Commitment:
    """Change a commitment's words, due date, ties or status; a new due date is not past."""
    now = now or utcnow()
    story_session = session.get(StorySession, commitment.session_id)
    assert story_session is not None
    _check_answer(
        session,
        story_session,
        CommitmentAnswer.model_construct(
            text="", action_item_id=data.action_item_id, theme_id=data.theme_id, due_on=None
        ),
    )
    with audit.recording(
        session,
        commitment,
        AUDIT_FIELDS,
        entity="commitment",
        summary=lambda fields: f"Commitment #{commitment.id}: changed {fields}",
    ):
        if data.text is not None:
            commitment.text = data.text
        if data.clear_due_on:
            commitment.due_on = None
        elif data.due_on is not None and data.due_on != commitment.due_on:
            check_due(data.due_on, session_today(story_session, now))
            commitment.due_on = data.due_on
        if data.clear_links:
            commitment.action_item_id = None
            commitment.theme_id = None
        if data.action_item_id is not None:
            commitment.action_item_id = data.action_item_id
        if data.theme_id is not None:
            commitment.theme_id = data.theme_id
        if data.status is not None and data.status is not commitment.status:
            _set_status(session, commitment, data.status, note=STATUS_NOTES[data.status], now=now)
        session.add(commitment)
        session.flush()
    return commitment


def add_commitment_update(
    session: Session,
    commitment: Commitment,
    *,
    data: CommitmentUpdateCreate,
    now: datetime | None = None,
) -> CommitmentUpdate:
    """Record progress on a commitment in a sentence, optionally changing its status."""
    now = now or utcnow()
    with audit.recording(
        session,
        commitment,
        ("status",),
        entity="commitment",
        summary=lambda fields: f"Commitment #{commitment.id}: changed {fields} with an update",
    ):
        if data.status is not None and data.status is not commitment.status:
            update = _set_status(session, commitment, data.status, note=data.note, now=now)
        else:
            update = CommitmentUpdate(
                commitment_id=id_of(commitment),
                note=data.note,
                created_at=now,
                author_id=audit.actor_of(session).user_id,
            )
            session.add(update)
        session.flush()
    return update


def close_commitment(
    session: Session,
    commitment: Commitment,
    *,
    status: CommitmentStatus,
    note: str,
    now: datetime | None = None,
) -> CommitmentUpdate:
    """The owner closes their open commitment as done or dropped, saying how in a sentence."""
    if status is CommitmentStatus.open:
        raise FieldInvalid("Choose whether it is done or dropped.", field="status")
    if commitment.status is not CommitmentStatus.open:
        raise Conflict(f"This commitment is already {commitment.status.value}: nothing changed.")
    data = CommitmentUpdateCreate(note=note.strip() or STATUS_NOTES[status], status=status)
    return add_commitment_update(session, commitment, data=data, now=now)
