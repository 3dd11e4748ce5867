"""Customers, sessions and series: the one place their rules live (API and pages call these)."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from app.audit import service as audit
from app.db import id_of
from app.errors import Conflict, Invalid, NotFound
from app.models import (
    Attendance,
    Customer,
    Level,
    Person,
    Series,
    SessionSpeaker,
    SessionStatus,
    StorySession,
    utcnow,
)
from app.story_sessions import hooks, ics, recurrence
from app.story_sessions.schemas import (
    SeriesCreate,
    SeriesDetail,
    SeriesRead,
    SessionCreate,
    SessionFilters,
    SessionRead,
    SessionUpdate,
    SpeakerIn,
    SpeakerRead,
    When,
)

# A change to any of these is news for people who have the session in their calendar.
CALENDAR_FIELDS = ("title", "starts_at", "duration_minutes", "timezone", "platform", "join_url")
SERIES_AUDIT_FIELDS = (
    "title",
    "rrule",
    "first_start_local",
    "duration_minutes",
    "timezone",
    "platform",
    "join_url",
)


# Customers


def get_or_create_customer(session: Session, *, name: str) -> Customer:
    """The customer with this name (compared case-insensitively), created if new."""
    name = " ".join(name.split())
    existing = session.exec(
        select(Customer).where(func.lower(Customer.name) == name.lower()).order_by(col(Customer.id))
    ).first()
    if existing is not None:
        return existing
    customer = Customer(name=name)
    try:
        # Another request may create the same name at the same moment: the unique index decides.
        with session.begin_nested():
            session.add(customer)
    except IntegrityError:
        return session.exec(select(Customer).where(Customer.name == name)).one()
    return customer


def _customer_id(session: Session, name: str | None) -> int | None:
    if not name:
        return None
    return get_or_create_customer(session, name=name).id


def _check_host(session: Session, host_id: int | None) -> None:
    if host_id is not None and session.get(Person, host_id) is None:
        raise Invalid(f"There is no person with id {host_id} to host this session.")


def host_of(session: Session, story_session: StorySession) -> Person | None:
    """The person hosting the session, if one is set."""
    return session.get(Person, story_session.host_id) if story_session.host_id else None


# Sessions


def get_session(session: Session, *, session_id: int) -> StorySession:
    """The session with this id, or 404."""
    story_session = session.get(StorySession, session_id)
    if story_session is None:
        raise NotFound(f"There is no session with id {session_id}.")
    return story_session


class StartInPast(Invalid):
    """A scheduled start that has passed (the session form offers to record it as held)."""


class StartInFuture(Invalid):
    """A completed session that has not started yet."""


def _check_start(
    starts_at: datetime, *, status: SessionStatus, now: datetime, creating: bool = True
) -> None:
    if status is SessionStatus.completed and starts_at > now:
        raise StartInFuture(
            f"A completed session must have started already; starts_at {starts_at.isoformat()} "
            "is in the future. Schedule it instead."
        )
    if status is SessionStatus.scheduled and starts_at < now:
        if creating:
            raise StartInPast(
                f"starts_at {starts_at.isoformat()} is in the past. Choose a later time, or "
                'create it with "status": "completed" to record a session that already happened.'
            )
        raise StartInPast(
            f"starts_at {starts_at.isoformat()} is in the past: a scheduled session cannot move "
            "into the past. Choose a later time."
        )


def _check_series(session: Session, series_id: int | None) -> None:
    if series_id is not None and session.get(Series, series_id) is None:
        raise Invalid(f"There is no series with id {series_id} to add this session to.")


def _replace_speakers(session: Session, session_id: int, speakers: Sequence[SpeakerIn]) -> None:
    # A speaker sent by id, or else by the name of a current one, is changed in place: their
    # id stays what quotes and API clients hold, and their quotes are not deleted with them.
    current = {
        s.id: s
        for s in session.exec(
            select(SessionSpeaker)
            .where(SessionSpeaker.session_id == session_id)
            .order_by(col(SessionSpeaker.id))
        )
    }
    sent_ids = [s.id for s in speakers if s.id is not None]
    for speaker_id in sent_ids:
        if speaker_id not in current:
            raise Invalid(
                f"Speaker {speaker_id} is not a speaker of this session: send the id of one "
                "of its speakers (as the session's speakers list them), or none for a new one."
            )
        if sent_ids.count(speaker_id) > 1:
            raise Invalid(f"Speaker {speaker_id} is listed twice: list each speaker once.")
    unclaimed = [s for s in current.values() if s.id not in sent_ids]
    for speaker in speakers:
        fields = speaker.model_dump(exclude={"id"})
        row = current[speaker.id] if speaker.id is not None else None
        if row is None:
            named = [s for s in unclaimed if s.name.casefold() == speaker.name.casefold()]
            if not named:
                session.add(SessionSpeaker(session_id=session_id, **fields))
                continue
            row = named[0]
            unclaimed.remove(row)
        row.sqlmodel_update(fields)
        session.add(row)
    for old in unclaimed:
        session.delete(old)


def create_session(
    session: Session, *, data: SessionCreate, now: datetime | None = None
) -> StorySession:
    """Schedule a session (or record a completed one) with its customer and speakers; whoever
    is acting through `session` is its organizer."""
    _check_start(data.starts_at, status=data.status, now=now or utcnow())
    _check_host(session, data.host_id)
    _check_series(session, data.series_id)
    story_session = StorySession(
        title=data.title,
        description=data.description,
        customer_id=_customer_id(session, data.customer),
        starts_at=data.starts_at,
        timezone=data.timezone,
        duration_minutes=data.duration_minutes,
        platform=data.platform,
        join_url=data.join_url,
        recording_url=data.recording_url,
        host_id=data.host_id,
        organizer_id=audit.actor_of(session).user_id,
        series_id=data.series_id,
        status=data.status,
    )
    session.add(story_session)
    session.flush()
    _replace_speakers(session, id_of(story_session), data.speakers)
    session.flush()
    audit.record(
        session,
        action="created",
        entity="story_session",
        entity_id=story_session.id,
        summary=f"Created the {story_session.status.value} session “{story_session.title}”",
        changes=audit.created(story_session, CALENDAR_FIELDS),
    )
    return story_session


def update_session(
    session: Session,
    story_session: StorySession,
    *,
    data: SessionUpdate,
    now: datetime | None = None,
) -> StorySession:
    """Change a session; a cancelled or completed one only takes a new description, series or
    recording link."""
    changes = data.changes()
    if story_session.status is not SessionStatus.scheduled:
        # The recording exists only once the session took place, so it may be added then.
        refused = sorted(set(changes) - {"description", "series_id", "recording_url"})
        if refused:
            raise Conflict(
                f"This session is {story_session.status.value}: only its description, series "
                f"and recording link can change (refused: {', '.join(refused)})."
            )
    starts_at = changes.get("starts_at")
    if starts_at is not None and starts_at != story_session.starts_at:
        _check_start(starts_at, status=SessionStatus.scheduled, now=now or utcnow(), creating=False)
    if "host_id" in changes:
        _check_host(session, changes["host_id"])
    if "series_id" in changes:
        _check_series(session, changes["series_id"])
    with audit.recording(
        session,
        story_session,
        CALENDAR_FIELDS,
        entity="story_session",
        summary=lambda fields: f"Changed the session “{story_session.title}”: {fields}",
    ) as change:
        for name, value in changes.items():
            if name == "customer":
                story_session.customer_id = _customer_id(session, value)
            elif name == "speakers":
                _replace_speakers(session, id_of(story_session), value)
            else:
                setattr(story_session, name, value)
        calendar_changed = bool(change.changes)
        if calendar_changed:
            story_session.sequence += 1
        session.add(story_session)
        session.flush()
        change.also.update(set(changes) - set(CALENDAR_FIELDS))
    if calendar_changed:
        hooks.calendar_changed(session, story_session)
    return story_session


def cancel_session(session: Session, story_session: StorySession) -> StorySession:
    """Cancel a scheduled session (the row stays); cancelling twice changes nothing."""
    if story_session.status is SessionStatus.completed:
        raise Conflict("This session is completed: a session that happened cannot be cancelled.")
    if story_session.status is SessionStatus.scheduled:
        story_session.status = SessionStatus.cancelled
        story_session.sequence += 1
        session.add(story_session)
        session.flush()
        audit.record(
            session,
            action="cancelled",
            entity="story_session",
            entity_id=story_session.id,
            summary=f"Cancelled the session “{story_session.title}”",
            changes={"status": [SessionStatus.scheduled, SessionStatus.cancelled]},
        )
        hooks.cancelled(session, story_session)
    return story_session


def complete_session(
    session: Session, story_session: StorySession, *, now: datetime | None = None
) -> StorySession:
    """Mark a session that has started as completed; completing twice changes nothing."""
    if story_session.status is SessionStatus.cancelled:
        raise Conflict("This session is cancelled: a cancelled session cannot be completed.")
    if story_session.starts_at > (now or utcnow()):
        raise Conflict(
            f"This session starts at {story_session.starts_at.isoformat()}: it can be marked "
            "completed once it has started."
        )
    if story_session.status is SessionStatus.scheduled:
        story_session.status = SessionStatus.completed
        session.add(story_session)
        session.flush()
        audit.record(
            session,
            action="completed",
            entity="story_session",
            entity_id=story_session.id,
            summary=f"Marked the session “{story_session.title}” completed",
            changes={"status": [SessionStatus.scheduled, SessionStatus.completed]},
        )
    return story_session


def _filter_conditions(filters: SessionFilters, now: datetime) -> list[Any]:
    conditions: list[Any] = []
    if filters.when is When.upcoming:
        conditions.append(col(StorySession.starts_at) >= now)
    elif filters.when is When.past:
        conditions.append(col(StorySession.starts_at) < now)
    if filters.status is not None:
        conditions.append(StorySession.status == filters.status)
    if filters.series_id is not None:
        conditions.append(StorySession.series_id == filters.series_id)
    if filters.customer and filters.customer.strip():
        needle = filters.customer.strip().lower()
        matching = select(Customer.id).where(
            func.lower(Customer.name).contains(needle, autoescape=True)
        )
        conditions.append(col(StorySession.customer_id).in_(matching))
    if filters.q and filters.q.strip():
        conditions.append(
            func.lower(StorySession.title).contains(filters.q.strip().lower(), autoescape=True)
        )
    if filters.starts_after is not None:
        conditions.append(col(StorySession.starts_at) >= filters.starts_after)
    if filters.starts_before is not None:
        conditions.append(col(StorySession.starts_at) < filters.starts_before)
    return conditions


def list_sessions(
    session: Session,
    *,
    filters: SessionFilters,
    limit: int,
    offset: int,
    now: datetime | None = None,
) -> tuple[list[StorySession], int]:
    """One page of sessions matching `filters`, and how many match in all."""
    conditions = _filter_conditions(filters, now or utcnow())
    total = session.exec(select(func.count()).select_from(StorySession).where(*conditions)).one()
    query = select(StorySession).where(*conditions)
    if filters.when is When.upcoming:
        query = query.order_by(col(StorySession.starts_at).asc(), col(StorySession.id).asc())
    else:
        query = query.order_by(col(StorySession.starts_at).desc(), col(StorySession.id).desc())
    rows = session.exec(query.limit(limit).offset(offset)).all()
    return list(rows), total


def _customer_names(session: Session, ids: set[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.exec(select(Customer.id, Customer.name).where(col(Customer.id).in_(wanted)))
    return {customer_id: name for customer_id, name in rows if customer_id is not None}


def describe_sessions(
    session: Session, story_sessions: Sequence[StorySession]
) -> list[SessionRead]:
    """Sessions as response models; customers, speakers and attendance in three queries."""
    ids = [s.id for s in story_sessions if s.id is not None]
    customers = _customer_names(session, {s.customer_id for s in story_sessions})
    attendance = _attendance_counts(session, ids)
    speakers: dict[int, list[SpeakerRead]] = {i: [] for i in ids}
    if ids:
        rows = session.exec(
            select(SessionSpeaker)
            .where(col(SessionSpeaker.session_id).in_(ids))
            .order_by(col(SessionSpeaker.id))
        )
        for speaker in rows:
            speakers[speaker.session_id].append(SpeakerRead.model_validate(speaker))
    result = []
    for s in story_sessions:
        assert s.id is not None
        result.append(
            SessionRead(
                id=s.id,
                title=s.title,
                description=s.description,
                customer_id=s.customer_id,
                customer=customers.get(s.customer_id) if s.customer_id else None,
                speakers=speakers[s.id],
                starts_at=s.starts_at,
                starts_local=s.starts_at.astimezone(ZoneInfo(s.timezone)),
                ends_at=s.ends_at,
                timezone=s.timezone,
                duration_minutes=s.duration_minutes,
                platform=s.platform,
                join_url=s.join_url,
                recording_url=s.recording_url,
                host_id=s.host_id,
                organizer_id=s.organizer_id,
                series_id=s.series_id,
                status=s.status,
                sequence=s.sequence,
                attended=attendance.get(s.id, (0, 0))[0],
                executives_attended=attendance.get(s.id, (0, 0))[1],
                created_at=s.created_at,
                updated_at=s.updated_at,
            )
        )
    return result


def _attendance_counts(session: Session, ids: list[int]) -> dict[int, tuple[int, int]]:
    """Per session: (people counted as attended, of them at executive levels at the time)."""
    if not ids:
        return {}
    executive = case((col(Level.is_executive), 1), else_=0)
    rows = session.exec(
        select(Attendance.session_id, func.count(), func.sum(executive))
        .join(Level, col(Level.id) == Attendance.level_id)
        .where(col(Attendance.session_id).in_(ids), col(Attendance.attended))
        .group_by(col(Attendance.session_id))
    ).all()
    return {session_id: (int(total), int(execs or 0)) for session_id, total, execs in rows}


def describe_session(session: Session, story_session: StorySession) -> SessionRead:
    """One session as a response model."""
    return describe_sessions(session, [story_session])[0]


def session_ics(session: Session, story_session: StorySession) -> bytes:
    """The session as an iCalendar file."""
    customer = (
        session.get(Customer, story_session.customer_id) if story_session.customer_id else None
    )
    return ics.session_calendar(story_session, customer=customer.name if customer else None)


def recent_timezone(session: Session, *, organizer_id: int | None) -> str | None:
    """The timezone of the organizer's latest scheduled session: a sensible form default."""
    if organizer_id is None:
        return None
    return session.exec(
        select(StorySession.timezone)
        .where(StorySession.organizer_id == organizer_id)
        .order_by(col(StorySession.created_at).desc(), col(StorySession.id).desc())
        .limit(1)
    ).first()


# Series


def get_series(session: Session, *, series_id: int) -> Series:
    """The series with this id, or 404."""
    series = session.get(Series, series_id)
    if series is None:
        raise NotFound(f"There is no series with id {series_id}.")
    return series


def create_series(
    session: Session, *, data: SeriesCreate, now: datetime | None = None
) -> tuple[Series, int]:
    """Create a series and schedule its future sessions; return it and how many were past.

    Whoever is acting through `session` organizes it and its sessions."""
    now = now or utcnow()
    organizer_id = audit.actor_of(session).user_id
    starts = recurrence.expand(
        data.rrule, first_start_local=data.first_start_local, timezone=data.timezone
    )
    future = [start for start in starts if start >= now]
    if not future:
        raise Invalid(
            f"All {len(starts)} occurrences of this rule are in the past: nothing to schedule. "
            "Move the first start later."
        )
    _check_host(session, data.host_id)
    series = Series(
        title=data.title,
        description=data.description,
        rrule=recurrence.normalize_rule(data.rrule),
        timezone=data.timezone,
        first_start_local=data.first_start_local,
        duration_minutes=data.duration_minutes,
        platform=data.platform,
        join_url=data.join_url,
        host_id=data.host_id,
        organizer_id=organizer_id,
        customer_id=_customer_id(session, data.customer),
    )
    session.add(series)
    session.flush()
    for start in future:
        session.add(
            StorySession(
                title=series.title,
                description=series.description,
                customer_id=series.customer_id,
                series_id=series.id,
                starts_at=start,
                timezone=series.timezone,
                duration_minutes=series.duration_minutes,
                platform=series.platform,
                join_url=series.join_url,
                host_id=series.host_id,
                organizer_id=organizer_id,
            )
        )
    session.flush()
    audit.record(
        session,
        action="created",
        entity="series",
        entity_id=series.id,
        summary=f"Created the series “{series.title}” with {len(future)} scheduled sessions",
        changes=audit.created(series, SERIES_AUDIT_FIELDS),
    )
    return series, len(starts) - len(future)


def series_rule_starts(series: Series) -> set[datetime] | None:
    """Every start the series' rule makes (past ones too), or None if the rule cannot expand."""
    try:
        return set(
            recurrence.expand(
                series.rrule, first_start_local=series.first_start_local, timezone=series.timezone
            )
        )
    except Invalid:
        return None


def series_summary(series: Series) -> str:
    """The series' repeat rule in one sentence."""
    return recurrence.summary(
        series.rrule, first_start_local=series.first_start_local, timezone=series.timezone
    )


def series_sessions(session: Session, *, series_id: int) -> list[StorySession]:
    """A series' sessions, in order."""
    return list(
        session.exec(
            select(StorySession)
            .where(StorySession.series_id == series_id)
            .order_by(col(StorySession.starts_at), col(StorySession.id))
        ).all()
    )


def cancel_series(session: Session, series: Series, *, now: datetime | None = None) -> int:
    """Cancel the series' sessions that have not started; return how many."""
    upcoming = session.exec(
        select(StorySession).where(
            StorySession.series_id == series.id,
            StorySession.status == SessionStatus.scheduled,
            col(StorySession.starts_at) > (now or utcnow()),
        )
    ).all()
    for story_session in upcoming:
        cancel_session(session, story_session)
    audit.record(
        session,
        action="cancelled",
        entity="series",
        entity_id=series.id,
        summary=f"Cancelled the series “{series.title}”: {len(upcoming)} upcoming sessions",
    )
    return len(upcoming)


def list_series(session: Session, *, limit: int, offset: int) -> tuple[list[Series], int]:
    """One page of series, the newest first, and how many there are."""
    total = session.exec(select(func.count()).select_from(Series)).one()
    rows = session.exec(
        select(Series)
        .order_by(col(Series.created_at).desc(), col(Series.id).desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), total


def describe_series(
    session: Session, series_list: Sequence[Series], *, now: datetime | None = None
) -> list[SeriesRead]:
    """Series as response models, with session counts and the next start."""
    now = now or utcnow()
    ids = [s.id for s in series_list if s.id is not None]
    counts: dict[int, int] = {}
    scheduled: dict[int, int] = {}
    next_start: dict[int, datetime] = {}
    if ids:
        in_ids = col(StorySession.series_id).in_(ids)
        for series_id, count in session.exec(
            select(StorySession.series_id, func.count())
            .where(in_ids)
            .group_by(col(StorySession.series_id))
        ):
            counts[series_id or 0] = count
        for series_id, count in session.exec(
            select(StorySession.series_id, func.count())
            .where(in_ids, StorySession.status == SessionStatus.scheduled)
            .group_by(col(StorySession.series_id))
        ):
            scheduled[series_id or 0] = count
        for series_id, first in session.exec(
            select(StorySession.series_id, func.min(StorySession.starts_at))
            .where(
                in_ids,
                StorySession.status == SessionStatus.scheduled,
                col(StorySession.starts_at) >= now,
            )
            .group_by(col(StorySession.series_id))
        ):
            next_start[series_id or 0] = first
    customers = _customer_names(session, {s.customer_id for s in series_list})
    result = []
    for s in series_list:
        assert s.id is not None
        result.append(
            SeriesRead(
                id=s.id,
                title=s.title,
                description=s.description,
                rrule=s.rrule,
                timezone=s.timezone,
                first_start_local=s.first_start_local,
                duration_minutes=s.duration_minutes,
                platform=s.platform,
                join_url=s.join_url,
                host_id=s.host_id,
                organizer_id=s.organizer_id,
                customer_id=s.customer_id,
                customer=customers.get(s.customer_id) if s.customer_id else None,
                session_count=counts.get(s.id, 0),
                scheduled_count=scheduled.get(s.id, 0),
                next_starts_at=next_start.get(s.id),
                created_at=s.created_at,
            )
        )
    return result


def series_detail(session: Session, series: Series, *, now: datetime | None = None) -> SeriesDetail:
    """A series with every one of its sessions."""
    assert series.id is not None
    summary = describe_series(session, [series], now=now)[0]
    sessions = describe_sessions(session, series_sessions(session, series_id=series.id))
    return SeriesDetail.model_validate({**dict(summary), "sessions": sessions})
