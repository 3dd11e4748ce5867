"""A person's history with the programme, and how often each person came.

Read straight from the tables (app.models): the people domain sits below sessions,
attendance, recaps and invitations, so it uses none of their services. The figures count as
the dashboards do over all time — invitations, recaps and action items of sessions that were
not cancelled, attendance at sessions held (completed) — so a leader's stage, computed from
them by app.dashboards.person_stage, is the one /dashboard/leaders shows.
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime

from sqlalchemy import ColumnElement, Subquery, func, select
from sqlmodel import Session

from app.db import id_of, table_of
from app.models import (
    ActionItem,
    ActionStatus,
    Attendance,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    Invitation,
    Person,
    Recap,
    RecapVersion,
    Rsvp,
    SessionStatus,
    StorySession,
)
from app.people.schemas import (
    AttendanceTotal,
    HistoryActionItem,
    HistorySession,
    HistorySummary,
    PersonHistory,
)

_ATTENDANCE = table_of(Attendance)
_SESSION = table_of(StorySession)
_INVITATION = table_of(Invitation)
_DELIVERY = table_of(Delivery)
_VERSION = table_of(RecapVersion)
_RECAP = table_of(Recap)
_ACTION = table_of(ActionItem)


def _counted() -> list[ColumnElement[bool]]:
    """Attendance that counts: attended, at a session held."""
    return [_ATTENDANCE.c.attended.is_(True), _SESSION.c.status == SessionStatus.completed]


def attended_totals(*conditions: ColumnElement[bool]) -> Subquery:
    """(person_id, sessions_attended, last_attended_at) per person: one aggregate.

    Joined to story_session by its primary key and grouped on attendance.person_id (indexed);
    `conditions` narrow the attendance rows read (to a page's people, say).
    """
    return (
        select(
            _ATTENDANCE.c.person_id,
            func.count().label("sessions_attended"),
            func.max(_SESSION.c.starts_at).label("last_attended_at"),
        )
        .select_from(_ATTENDANCE.join(_SESSION, _SESSION.c.id == _ATTENDANCE.c.session_id))
        .where(_ATTENDANCE.c.person_id.is_not(None), *_counted(), *conditions)
        .group_by(_ATTENDANCE.c.person_id)
        .subquery("attended_totals")
    )


def attendance_totals(session: Session, *, person_ids: Sequence[int]) -> dict[int, AttendanceTotal]:
    """Sessions attended and the last one, for these people (absent: never came), in one query."""
    if not person_ids:
        return {}
    totals = attended_totals(_ATTENDANCE.c.person_id.in_(sorted(set(person_ids))))
    rows = session.connection().execute(select(*totals.c)).all()
    return {
        person_id: AttendanceTotal(sessions_attended=count, last_attended_at=last)
        for person_id, count, last in rows
    }


def person_history(
    session: Session, *, person: Person, today: datetime | None = None
) -> PersonHistory:
    """Every session the person was invited to, came to or was sent the recap of, newest
    first; their action items; and the figures (no stage: see app.dashboards.person_stage)."""
    person_id = id_of(person)
    connection = session.connection()
    invitations = {
        session_id: (rsvp, responded_at)
        for session_id, rsvp, responded_at in connection.execute(
            select(_INVITATION.c.session_id, _INVITATION.c.rsvp, _INVITATION.c.responded_at)
            .where(_INVITATION.c.person_id == person_id)
            .order_by(_INVITATION.c.id)
        )
    }
    presence = {
        session_id: (attended, minutes)
        for session_id, attended, minutes in connection.execute(
            select(
                _ATTENDANCE.c.session_id,
                _ATTENDANCE.c.attended,
                _ATTENDANCE.c.minutes_present,
            ).where(_ATTENDANCE.c.person_id == person_id)
        )
    }
    sent = _DELIVERY.join(_VERSION, _VERSION.c.id == _DELIVERY.c.recap_version_id).join(
        _RECAP, _RECAP.c.id == _VERSION.c.recap_id
    )
    recaps = {
        session_id: (delivered, read)
        for session_id, delivered, read in connection.execute(
            select(
                _RECAP.c.session_id,
                func.min(_DELIVERY.c.sent_at),
                func.min(_DELIVERY.c.read_at),
            )
            .select_from(sent)
            .where(
                _DELIVERY.c.person_id == person_id,
                _DELIVERY.c.kind == DeliveryKind.recap,
                _DELIVERY.c.status == DeliveryStatus.sent,
            )
            .group_by(_RECAP.c.session_id)
        )
    }
    session_ids = set(invitations) | set(presence) | set(recaps)
    stories = (
        connection.execute(
            select(
                _SESSION.c.id,
                _SESSION.c.title,
                _SESSION.c.starts_at,
                _SESSION.c.timezone,
                _SESSION.c.status,
            )
            .where(_SESSION.c.id.in_(session_ids))
            .order_by(_SESSION.c.starts_at.desc(), _SESSION.c.id.desc())
        ).all()
        if session_ids
        else []
    )
    rows = []
    for session_id, title, starts_at, timezone, status in stories:
        rsvp, responded_at = invitations.get(session_id, (None, None))
        attended, minutes = presence.get(session_id, (False, None))
        delivered, read = recaps.get(session_id, (None, None))
        rows.append(
            HistorySession(
                session_id=session_id,
                title=title,
                starts_at=starts_at,
                timezone=timezone,
                status=status,
                invited=session_id in invitations,
                rsvp=rsvp,
                responded_at=responded_at,
                present=session_id in presence,
                attended=bool(attended),
                minutes_present=minutes,
                recap_delivered_at=delivered,
                recap_read_at=read,
            )
        )
    items, counted = _action_items(session, person_id, (today or datetime.now(UTC)).date())
    return PersonHistory(
        person_id=person_id,
        summary=_summary(rows, counted),
        sessions=rows,
        action_items=items,
    )


def _action_items(
    session: Session, person_id: int, today: date
) -> tuple[list[HistoryActionItem], list[HistoryActionItem]]:
    """The person's action items, and those that count (of sessions not cancelled)."""
    query = (
        select(
            _ACTION.c.id,
            _ACTION.c.description,
            _ACTION.c.session_id,
            _SESSION.c.title,
            _ACTION.c.due_on,
            _ACTION.c.status,
            _ACTION.c.done_at,
            _SESSION.c.status,
        )
        .select_from(_ACTION.join(_SESSION, _SESSION.c.id == _ACTION.c.session_id))
        .where(_ACTION.c.owner_id == person_id)
        # Still to do first, the soonest due first; then the done ones, the latest first.
        .order_by(
            (_ACTION.c.status == ActionStatus.done),
            _ACTION.c.due_on.is_(None),
            _ACTION.c.due_on,
            _ACTION.c.done_at.desc(),
            _ACTION.c.id,
        )
    )
    items, counted = [], []
    for (
        item_id,
        description,
        session_id,
        title,
        due_on,
        status,
        done_at,
        held,
    ) in session.connection().execute(query):
        item = HistoryActionItem(
            id=item_id,
            description=description,
            session_id=session_id,
            session_title=title,
            due_on=due_on,
            status=status,
            overdue=status != ActionStatus.done and due_on is not None and due_on < today,
            done_at=done_at,
        )
        items.append(item)
        if held != SessionStatus.cancelled:
            counted.append(item)
    return items, counted


def _summary(rows: list[HistorySession], items: list[HistoryActionItem]) -> HistorySummary:
    live = [row for row in rows if row.status != SessionStatus.cancelled]
    invited = [row for row in live if row.invited]
    attended = [row for row in live if row.attended and row.status == SessionStatus.completed]
    received = [row for row in live if row.recap_delivered_at is not None]
    return HistorySummary(
        invited=len(invited),
        accepted=sum(row.rsvp == Rsvp.accepted for row in invited),
        declined=sum(row.rsvp == Rsvp.declined for row in invited),
        tentative=sum(row.rsvp == Rsvp.tentative for row in invited),
        no_answer=sum(row.rsvp == Rsvp.needs_action for row in invited),
        attended=len(attended),
        minutes_attended=sum(row.minutes_present or 0 for row in attended),
        last_attended_at=max((row.starts_at for row in attended), default=None),
        recaps_received=len(received),
        recaps_read=sum(row.recap_read_at is not None for row in received),
        action_items_owned=len(items),
        action_items_done=sum(item.status == ActionStatus.done for item in items),
        action_items_overdue=sum(item.overdue for item in items),
    )
