"""Reading commitments: for a session, for a person, one with its updates, latest updates."""

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, func, select

from app.commitments.recording import session_today
from app.commitments.schemas import (
    CommitmentDetail,
    CommitmentRead,
    CommitmentUpdateRead,
    PersonRef,
)
from app.db import by_id, id_of
from app.models import (
    ActionItem,
    Commitment,
    CommitmentStatus,
    CommitmentUpdate,
    Level,
    Person,
    StorySession,
    Theme,
    User,
    utcnow,
)


def latest_updates(session: Session, commitment_ids: Sequence[int]) -> dict[int, CommitmentUpdate]:
    """The newest update of each commitment that has one."""
    if not commitment_ids:
        return {}
    rows = session.exec(
        select(CommitmentUpdate)
        .where(col(CommitmentUpdate.commitment_id).in_(list(commitment_ids)))
        .order_by(col(CommitmentUpdate.created_at).desc(), col(CommitmentUpdate.id).desc())
    ).all()
    latest: dict[int, CommitmentUpdate] = {}
    for update in rows:
        latest.setdefault(update.commitment_id, update)
    return latest


def is_overdue(commitment: Commitment, story_session: StorySession, now: datetime) -> bool:
    return (
        commitment.status is CommitmentStatus.open
        and commitment.due_on is not None
        and commitment.due_on < session_today(story_session, now)
    )


def _authors(session: Session, user_ids: Sequence[int | None]) -> dict[int, str]:
    return {id_: user.name or user.email for id_, user in by_id(session, User, user_ids).items()}


def _update_read(update: CommitmentUpdate, authors: dict[int, str]) -> CommitmentUpdateRead:
    return CommitmentUpdateRead(
        id=id_of(update),
        note=update.note,
        status=update.status,
        created_at=update.created_at,
        author=authors.get(update.author_id, "") if update.author_id is not None else "",
    )


def describe_commitments(
    session: Session, *, commitments: Sequence[Commitment], now: datetime | None = None
) -> list[CommitmentRead]:
    """Commitments with their owner, level, session, ties and latest update (a few queries)."""
    now = now or utcnow()
    latest = latest_updates(session, [id_of(c) for c in commitments])
    owners = by_id(session, Person, (c.person_id for c in commitments))
    levels = by_id(session, Level, (p.level_id for p in owners.values()))
    stories = by_id(session, StorySession, (c.session_id for c in commitments))
    items = by_id(session, ActionItem, (c.action_item_id for c in commitments))
    themes = by_id(session, Theme, (c.theme_id for c in commitments))
    authors = _authors(
        session,
        [c.recorded_by_id for c in commitments] + [u.author_id for u in latest.values()],
    )
    result = []
    for commitment in commitments:
        owner = owners[commitment.person_id]
        level = levels.get(owner.level_id)
        story = stories[commitment.session_id]
        item = items.get(commitment.action_item_id) if commitment.action_item_id else None
        theme = themes.get(commitment.theme_id) if commitment.theme_id else None
        update = latest.get(id_of(commitment))
        result.append(
            CommitmentRead(
                id=id_of(commitment),
                session_id=commitment.session_id,
                session_title=story.title,
                session_starts_at=story.starts_at,
                owner=PersonRef(
                    id=id_of(owner),
                    name=owner.name,
                    email=owner.email,
                    level=level.name if level else "",
                ),
                text=commitment.text,
                action_item_id=commitment.action_item_id,
                action_item=item.description if item else "",
                theme_id=commitment.theme_id,
                theme=theme.name if theme else "",
                due_on=commitment.due_on,
                status=commitment.status,
                overdue=is_overdue(commitment, story, now),
                created_at=commitment.created_at,
                closed_at=commitment.closed_at,
                recorded_by=authors.get(commitment.recorded_by_id, "")
                if commitment.recorded_by_id is not None
                else "",
                latest_update=_update_read(update, authors) if update else None,
            )
        )
    return result


def commitment_detail(session: Session, commitment: Commitment) -> CommitmentDetail:
    """One commitment with every update, newest first."""
    updates = session.exec(
        select(CommitmentUpdate)
        .where(CommitmentUpdate.commitment_id == commitment.id)
        .order_by(col(CommitmentUpdate.created_at).desc(), col(CommitmentUpdate.id).desc())
    ).all()
    authors = _authors(session, [u.author_id for u in updates])
    (read,) = describe_commitments(session, commitments=[commitment])
    return CommitmentDetail(
        **read.model_dump(), updates=[_update_read(update, authors) for update in updates]
    )


def session_commitment_details(
    session: Session, story_session: StorySession
) -> list[CommitmentDetail]:
    """Every commitment of a session with all its updates, newest commitment first."""
    rows = session.exec(
        select(Commitment)
        .where(Commitment.session_id == story_session.id)
        .order_by(col(Commitment.created_at).desc(), col(Commitment.id).desc())
    ).all()
    ids = [id_of(row) for row in rows]
    updates = (
        session.exec(
            select(CommitmentUpdate)
            .where(col(CommitmentUpdate.commitment_id).in_(ids))
            .order_by(col(CommitmentUpdate.created_at).desc(), col(CommitmentUpdate.id).desc())
        ).all()
        if ids
        else []
    )
    authors = _authors(session, [u.author_id for u in updates])
    by_commitment: dict[int, list[CommitmentUpdateRead]] = {id_: [] for id_ in ids}
    for update in updates:
        by_commitment[update.commitment_id].append(_update_read(update, authors))
    return [
        CommitmentDetail(**read.model_dump(), updates=by_commitment[read.id])
        for read in describe_commitments(session, commitments=rows)
    ]


def _page(
    session: Session, condition: object, *, limit: int, offset: int
) -> tuple[list[CommitmentRead], int]:
    total = session.exec(select(func.count()).select_from(Commitment).where(condition)).one()  # type: ignore[arg-type]
    rows = session.exec(
        select(Commitment)
        .where(condition)  # type: ignore[arg-type]
        .order_by(col(Commitment.created_at).desc(), col(Commitment.id).desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return describe_commitments(session, commitments=rows), total


def session_commitments(
    session: Session, story_session: StorySession, *, limit: int = 50, offset: int = 0
) -> tuple[list[CommitmentRead], int]:
    """The commitments made after a session, newest first, and how many there are."""
    return _page(session, Commitment.session_id == story_session.id, limit=limit, offset=offset)


def person_commitments(
    session: Session, person: Person, *, limit: int = 50, offset: int = 0
) -> tuple[list[CommitmentRead], int]:
    """A person's commitments across sessions, newest first, and how many there are."""
    return _page(session, Commitment.person_id == person.id, limit=limit, offset=offset)


def status_counts(
    session: Session, *, session_id: int | None = None, person_id: int | None = None
) -> dict[str, int]:
    """How many commitments of a session (or a person) are open, done and dropped."""
    query = select(Commitment.status, func.count()).group_by(col(Commitment.status))
    if session_id is not None:
        query = query.where(Commitment.session_id == session_id)
    if person_id is not None:
        query = query.where(Commitment.person_id == person_id)
    counts = {status.value: 0 for status in CommitmentStatus}
    for status, count in session.exec(query).all():
        counts[CommitmentStatus(status).value] = count
    return counts
