"""The dashboards' aggregate queries (SQLAlchemy Core): every count is made by the database.

Each function runs exactly one statement whatever the amount of data, so a page's number of
queries is fixed (tests/dashboards guard it). Sessions count when they are completed and
started in the period; attendance counts when `attended` is true.

Filter values are bound parameters (`_params`), so a statement depends only on which filters
are set: the cheap, frequent ones are built once per combination and reused, which skips
SQLAlchemy's per-call construction and cache-key work (most of their cost).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    String,
    and_,
    bindparam,
    case,
    cast,
    distinct,
    exists,
    func,
    literal,
    select,
    union_all,
)
from sqlmodel import Session

from app.db import table_of
from app.models import (
    ActionItem,
    ActionStatus,
    Attendance,
    Commitment,
    CommitmentStatus,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    Digest,
    DistributionList,
    Invitation,
    LeaderStage,
    Level,
    Person,
    Recap,
    RecapVersion,
    Rsvp,
    Series,
    SessionStatus,
    StorySession,
    Transcript,
    TranscriptCue,
    TranscriptKind,
    TranscriptSpeaker,
)

ATTENDANCE = table_of(Attendance)
PERSON = table_of(Person)
LEVEL = table_of(Level)
SESSION = table_of(StorySession)
SERIES = table_of(Series)
LEADER_STAGE = table_of(LeaderStage)
INVITATION = table_of(Invitation)
DELIVERY = table_of(Delivery)
RECAP = table_of(Recap)
RECAP_VERSION = table_of(RecapVersion)
ACTION_ITEM = table_of(ActionItem)
COMMITMENT = table_of(Commitment)
DIGEST = table_of(Digest)
LIST = table_of(DistributionList)
REPORT = PERSON.alias("report")
"""A leader's direct report (person.manager_id is the leader)."""
TRANSCRIPT = table_of(Transcript)
SPEAKER = table_of(TranscriptSpeaker)
CUE = table_of(TranscriptCue)


Shape = tuple[bool, bool, bool, bool, bool]
"""Which of a scope's five filters are set."""


@dataclass(frozen=True)
class Scope:
    """Filters resolved to what SQL needs: instants, ids."""

    start: date | None = None
    end: date | None = None
    series_id: int | None = None
    department: str | None = None
    level_id: int | None = None

    def shape(self) -> Shape:
        """Which filters are set: all a statement depends on (the values are parameters)."""
        return (
            self.start is not None,
            self.end is not None,
            self.series_id is not None,
            self.department is not None,
            self.level_id is not None,
        )


def _instant(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _params(scope: Scope) -> dict[str, Any]:
    """The scope's values for the statements' bound parameters (unused ones are ignored)."""
    return {
        "period_start": None if scope.start is None else _instant(scope.start),
        "period_end": None if scope.end is None else _instant(scope.end + timedelta(days=1)),
        "series_id": scope.series_id,
        "department": scope.department,
        "level_id": scope.level_id,
    }


def _scope_of(shape: Shape) -> Scope:
    """A stand-in scope with the given filters set; only its shape is used to build SQL."""
    start, end, series, department, level = shape
    day = date.min
    return Scope(
        start=day if start else None,
        end=day if end else None,
        series_id=0 if series else None,
        department="" if department else None,
        level_id=0 if level else None,
    )


def held(scope: Scope) -> list[ColumnElement[bool]]:
    """Conditions on story_session for a session held in the period."""
    conditions: list[ColumnElement[bool]] = [SESSION.c.status == SessionStatus.completed]
    if scope.start is not None:
        conditions.append(SESSION.c.starts_at >= bindparam("period_start"))
    if scope.end is not None:
        conditions.append(SESSION.c.starts_at < bindparam("period_end"))
    if scope.series_id is not None:
        conditions.append(SESSION.c.series_id == bindparam("series_id"))
    return conditions


def _attended(scope: Scope, *, today: bool = False) -> list[ColumnElement[bool]]:
    """Conditions on attendance (and person, for today's level) for a counted attendee."""
    conditions: list[ColumnElement[bool]] = [ATTENDANCE.c.attended.is_(True)]
    if scope.department is not None:
        conditions.append(ATTENDANCE.c.department == bindparam("department"))
    if scope.level_id is not None:
        level = PERSON.c.level_id if today else ATTENDANCE.c.level_id
        conditions.append(level == bindparam("level_id"))
    return conditions


def _attendance_in(scope: Scope, *, today: bool = False) -> Select[int]:
    """FROM attendance JOIN story_session (and person for today's level), filtered."""
    joined = ATTENDANCE.join(SESSION, SESSION.c.id == ATTENDANCE.c.session_id)
    if today:
        joined = joined.outerjoin(PERSON, PERSON.c.id == ATTENDANCE.c.person_id)
    return (
        select(literal(1)).select_from(joined).where(*held(scope), *_attended(scope, today=today))
    )


def levels(session: Session) -> Sequence[Row[int, str, str, bool]]:
    """Every level (id, key, name, is_executive), the most senior first."""
    query = select(LEVEL.c.id, LEVEL.c.key, LEVEL.c.name, LEVEL.c.is_executive).order_by(
        LEVEL.c.position, LEVEL.c.id
    )
    return session.connection().execute(query).all()


@cache
def _held_sessions_query(shape: Shape) -> Select[int, str, datetime, str]:
    return (
        select(SESSION.c.id, SESSION.c.title, SESSION.c.starts_at, SESSION.c.timezone)
        .where(*held(_scope_of(shape)))
        .order_by(SESSION.c.starts_at, SESSION.c.id)
    )


def held_sessions(session: Session, scope: Scope) -> Sequence[Row[int, str, datetime, str]]:
    """Sessions held in the period (id, title, starts_at, timezone), oldest first."""
    query = _held_sessions_query(scope.shape())
    return session.connection().execute(query, _params(scope)).all()


def unique_people(session: Session, scope: Scope) -> int:
    """Distinct directory people among the attendees."""
    # People with an attendance, rather than count(DISTINCT person_id): SQLite probes the
    # person_id index instead of sorting every attendance row (PostgreSQL plans both alike).
    came = _attendance_in(scope).where(ATTENDANCE.c.person_id == PERSON.c.id).exists()
    query = select(func.count()).select_from(PERSON).where(came)
    return int(session.connection().execute(query, _params(scope)).scalar_one())


def level_totals(
    session: Session, scope: Scope, *, today: bool = False
) -> Sequence[Row[int | None, int, int, int]]:
    """(level id, attendances, distinct people, of whom counted in today's headcount) per level.

    The last figure is the attendees at that level who are also active at it today (in the
    department filtered on): the overlap of the two groups a level's population joins.
    """
    level = PERSON.c.level_id if today else ATTENDANCE.c.level_id
    joined = ATTENDANCE.join(SESSION, SESSION.c.id == ATTENDANCE.c.session_id).outerjoin(
        PERSON, PERSON.c.id == ATTENDANCE.c.person_id
    )
    overlap = case((and_(*_counted_today(scope), PERSON.c.level_id == level), PERSON.c.id))
    query = (
        select(level, func.count(), func.count(distinct(ATTENDANCE.c.person_id)))
        .add_columns(func.count(distinct(overlap)))
        .select_from(joined)
        .where(*held(scope), *_attended(scope, today=today))
        .group_by(level)
    )
    return session.connection().execute(query, _params(scope)).all()


def _counted_today(scope: Scope) -> list[ColumnElement[bool]]:
    """Conditions on person for someone in today's headcount of the filtered department."""
    conditions: list[ColumnElement[bool]] = [PERSON.c.active.is_(True)]
    if scope.department is not None:
        conditions.append(PERSON.c.department == bindparam("department"))
    return conditions


def session_level_people(
    session: Session, scope: Scope, *, today: bool = False
) -> Sequence[Row[int, str, int | None, int, int]]:
    """(session id, kind, level id, attendees, people): each level's share of each session.

    Kind `came`: attendees (matched or not) and the directory people among them, by the
    view's level (at the time, or today). Kind `counted`: of the attendees, those in today's
    headcount, by today's level (both figures alike). A level's people at a session are those
    who came at that level plus today's headcount who did not come: came + headcount −
    counted, never fewer than came.
    """
    level = PERSON.c.level_id if today else ATTENDANCE.c.level_id
    came = (
        _attendance_in(scope, today=today)
        .with_only_columns(
            ATTENDANCE.c.session_id,
            literal("came", String),
            level,
            func.count(),
            func.count(ATTENDANCE.c.person_id),
        )
        .group_by(ATTENDANCE.c.session_id, level)
    )
    joined = ATTENDANCE.join(SESSION, SESSION.c.id == ATTENDANCE.c.session_id).join(
        PERSON, PERSON.c.id == ATTENDANCE.c.person_id
    )
    counted = (
        select(
            ATTENDANCE.c.session_id,
            literal("counted", String),
            PERSON.c.level_id,
            func.count(),
            func.count(),
        )
        .select_from(joined)
        .where(*held(scope), ATTENDANCE.c.attended.is_(True), *_active_people(scope))
        .group_by(ATTENDANCE.c.session_id, PERSON.c.level_id)
    )
    query = union_all(came, counted)
    return session.connection().execute(query, _params(scope)).all()


def _active_people(scope: Scope) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [PERSON.c.active.is_(True)]
    if scope.department is not None:
        conditions.append(PERSON.c.department == bindparam("department"))
    if scope.level_id is not None:
        conditions.append(PERSON.c.level_id == bindparam("level_id"))
    return conditions


def executive_participation(session: Session, scope: Scope) -> tuple[int, int]:
    """(active people at executive levels today, how many of them attended in the period).

    Department and level filters apply to the person as they are today.
    """
    query = _executive_participation_query(scope.shape())
    total, attended = session.connection().execute(query, _params(scope)).one()
    return int(total), int(attended)


@cache
def _executive_participation_query(shape: Shape) -> Select[int, int]:
    scope = _scope_of(shape)
    came = exists(
        select(literal(1))
        .select_from(ATTENDANCE.join(SESSION, SESSION.c.id == ATTENDANCE.c.session_id))
        .where(
            ATTENDANCE.c.person_id == PERSON.c.id,
            ATTENDANCE.c.attended.is_(True),
            *held(scope),
        )
    )
    return (
        select(func.count(), func.count().filter(came))
        .select_from(PERSON.join(LEVEL, LEVEL.c.id == PERSON.c.level_id))
        .where(LEVEL.c.is_executive.is_(True), *_active_people(scope))
    )


def headcount(session: Session, scope: Scope) -> Sequence[Row[str, int, int]]:
    """(department, level id, active people) today."""
    query = (
        select(PERSON.c.department, PERSON.c.level_id, func.count())
        .where(*_active_people(scope))
        .group_by(PERSON.c.department, PERSON.c.level_id)
    )
    return session.connection().execute(query, _params(scope)).all()


def _people_who_came(scope: Scope) -> Select[int]:
    """FROM attendance JOIN session JOIN person: active people today who came in the period.

    Departments are compared with today's headcount, so people are counted where they are
    today: a leaver or a move between departments cannot push a rate past 100 %.
    """
    joined = ATTENDANCE.join(SESSION, SESSION.c.id == ATTENDANCE.c.session_id).join(
        PERSON, PERSON.c.id == ATTENDANCE.c.person_id
    )
    return (
        select(literal(1))
        .select_from(joined)
        .where(*held(scope), ATTENDANCE.c.attended.is_(True), *_active_people(scope))
    )


def department_level_attendees(
    session: Session, scope: Scope
) -> Sequence[Row[str, int | None, int]]:
    """(department today, level today, distinct active people who attended)."""
    query = (
        _people_who_came(scope)
        .with_only_columns(
            PERSON.c.department, PERSON.c.level_id, func.count(distinct(ATTENDANCE.c.person_id))
        )
        .group_by(PERSON.c.department, PERSON.c.level_id)
    )
    return session.connection().execute(query, _params(scope)).all()


def department_attendees(session: Session, scope: Scope) -> Sequence[Row[str, int]]:
    """(department today, distinct active people who attended)."""
    query = (
        _people_who_came(scope)
        .with_only_columns(PERSON.c.department, func.count(distinct(ATTENDANCE.c.person_id)))
        .group_by(PERSON.c.department)
    )
    return session.connection().execute(query, _params(scope)).all()


def leader_activity(
    session: Session, scope: Scope, *, level_ids: Sequence[int]
) -> Sequence[Row[int, str, str, str, int, int, datetime | None, str | None, str | None]]:
    """Per active person at `level_ids` today: sessions attended, last attended, stage notes.

    (person id, name, title, department, level id, attended, last attended at, override
    stage, target stage). Attendance is not narrowed by department or level: the leader is.
    """
    attended_in_period = and_(
        ATTENDANCE.c.person_id == PERSON.c.id, ATTENDANCE.c.attended.is_(True)
    )
    joined = (
        PERSON.outerjoin(ATTENDANCE, attended_in_period)
        .outerjoin(SESSION, and_(SESSION.c.id == ATTENDANCE.c.session_id, *held(scope)))
        .outerjoin(LEADER_STAGE, LEADER_STAGE.c.person_id == PERSON.c.id)
    )
    query = (
        select(
            PERSON.c.id,
            PERSON.c.name,
            PERSON.c.title,
            PERSON.c.department,
            PERSON.c.level_id,
            func.count(SESSION.c.id),
            func.max(SESSION.c.starts_at),
            LEADER_STAGE.c.override_stage,
            LEADER_STAGE.c.target_stage,
        )
        .select_from(joined)
        .where(*_active_people(scope), PERSON.c.level_id.in_(level_ids))
        .group_by(
            PERSON.c.id,
            PERSON.c.name,
            PERSON.c.title,
            PERSON.c.department,
            PERSON.c.level_id,
            LEADER_STAGE.c.override_stage,
            LEADER_STAGE.c.target_stage,
        )
    )
    return session.connection().execute(query, _params(scope)).all()


def _in_period(scope: Scope) -> list[ColumnElement[bool]]:
    """Conditions on story_session for any non-cancelled session in the period (held or not)."""
    conditions: list[ColumnElement[bool]] = [SESSION.c.status != SessionStatus.cancelled]
    if scope.start is not None:
        conditions.append(SESSION.c.starts_at >= bindparam("period_start"))
    if scope.end is not None:
        conditions.append(SESSION.c.starts_at < bindparam("period_end"))
    if scope.series_id is not None:
        conditions.append(SESSION.c.series_id == bindparam("series_id"))
    return conditions


def recap_reach(session: Session, scope: Scope) -> tuple[int, int, datetime | None]:
    """(recap emails delivered, of which read, start of the first session whose recap was
    delivered) for the period's sessions, to anyone."""
    sent = (
        DELIVERY.join(RECAP_VERSION, RECAP_VERSION.c.id == DELIVERY.c.recap_version_id)
        .join(RECAP, RECAP.c.id == RECAP_VERSION.c.recap_id)
        .join(SESSION, SESSION.c.id == RECAP.c.session_id)
    )
    query = (
        select(func.count(), func.count(DELIVERY.c.read_at), func.min(SESSION.c.starts_at))
        .select_from(sent)
        .where(
            DELIVERY.c.kind == DeliveryKind.recap,
            DELIVERY.c.status == DeliveryStatus.sent,
            *_in_period(scope),
        )
    )
    delivered, read, first = session.connection().execute(query, _params(scope)).one()
    return delivered, read, first


Bucket = Callable[[ColumnElement[datetime]], ColumnElement[int] | None]
"""Which period a signal dated at a session's start (or a digest's end) falls in (None: one)."""


def _whole_period(_: ColumnElement[datetime]) -> None:
    return None


def quarter_bucket(bounds: Sequence[datetime]) -> Bucket:
    """A CASE numbering the spans between consecutive `bounds` (0, 1, …), set-based."""

    def bucket(moment: ColumnElement[datetime]) -> ColumnElement[int]:
        whens = [(moment < bound, index - 1) for index, bound in enumerate(bounds) if index]
        return case(*whens, else_=OUTSIDE)

    return bucket


EVERY_PERIOD = -1
"""The period of a count that is the same in every period (a leader's team size)."""
OUTSIDE = -2
"""The period of a signal outside every bound (none: the scope spans the bounds)."""

LADDER_SIGNALS = (
    "sessions_attended",
    "sessions_taken_part",
    "team_attended",
    "team_size",
    "invitations_received",
    "invitations_accepted",
    "recaps_received",
    "recaps_read",
    "action_items_owned",
    "action_items_done",
    "commitments_made",
    "commitments_done",
)
"""What `leader_signals` counts per leader (see there)."""


def _digest_period(scope: Scope) -> list[ColumnElement[bool]]:
    """Conditions on digest for one that ended in the period."""
    conditions: list[ColumnElement[bool]] = []
    if scope.start is not None:
        conditions.append(DIGEST.c.period_end >= bindparam("period_start"))
    if scope.end is not None:
        conditions.append(DIGEST.c.period_end < bindparam("period_end"))
    return conditions


def _signal_selects(
    scope: Scope, leaders: Select[int], bucket: Bucket
) -> list[Select[int, str, int, int]]:
    def counted(
        owner: ColumnElement[int | None],
        name: str,
        moment: ColumnElement[datetime],
        count: ColumnElement[int],
        source: Any,
        *where: ColumnElement[bool],
    ) -> Select[int, str, int, int]:
        # One expression object in SELECT and GROUP BY, so both bind the same parameters.
        period = bucket(moment)
        return (
            select(owner, literal(name, String), period if period is not None else literal(0))
            .add_columns(count)
            .select_from(source)
            .where(owner.in_(leaders), *where)
            .group_by(owner, *([period] if period is not None else []))
        )

    in_period = _in_period(scope)
    came = ATTENDANCE.join(SESSION, SESSION.c.id == ATTENDANCE.c.session_id)
    sessions = func.count(distinct(ATTENDANCE.c.session_id))
    present = (ATTENDANCE.c.attended.is_(True), *held(scope))
    by_team = came.join(REPORT, REPORT.c.id == ATTENDANCE.c.person_id)
    reports = func.count(distinct(ATTENDANCE.c.person_id))
    team = (
        select(REPORT.c.manager_id, literal("team_size", String), literal(EVERY_PERIOD))
        .add_columns(func.count())
        .where(REPORT.c.manager_id.in_(leaders), REPORT.c.active.is_(True))
        .group_by(REPORT.c.manager_id)
    )
    invited = INVITATION.join(SESSION, SESSION.c.id == INVITATION.c.session_id)
    accepted = INVITATION.c.rsvp == Rsvp.accepted
    sent = (
        DELIVERY.join(RECAP_VERSION, RECAP_VERSION.c.id == DELIVERY.c.recap_version_id)
        .join(RECAP, RECAP.c.id == RECAP_VERSION.c.recap_id)
        .join(SESSION, SESSION.c.id == RECAP.c.session_id)
    )
    recaps = func.count(distinct(RECAP.c.id))
    recap_sent = (
        DELIVERY.c.kind == DeliveryKind.recap,
        DELIVERY.c.status == DeliveryStatus.sent,
        *in_period,
    )
    read = DELIVERY.c.read_at.is_not(None)
    owned = ACTION_ITEM.join(SESSION, SESSION.c.id == ACTION_ITEM.c.session_id)
    item_done = ACTION_ITEM.c.status == ActionStatus.done
    promised = COMMITMENT.join(SESSION, SESSION.c.id == COMMITMENT.c.session_id)
    kept = COMMITMENT.c.status == CommitmentStatus.done
    starts = SESSION.c.starts_at
    spoke = SPEAKER.join(TRANSCRIPT, TRANSCRIPT.c.id == SPEAKER.c.transcript_id).join(
        SESSION, SESSION.c.id == TRANSCRIPT.c.session_id
    )
    # Disjoint from sessions_attended, so the two add up: taking part where no report said so.
    unreported = ~exists(
        select(literal(1)).where(
            ATTENDANCE.c.person_id == SPEAKER.c.person_id,
            ATTENDANCE.c.session_id == TRANSCRIPT.c.session_id,
            ATTENDANCE.c.attended.is_(True),
        )
    )
    selects = [
        counted(ATTENDANCE.c.person_id, "sessions_attended", starts, sessions, came, *present),
        counted(
            SPEAKER.c.person_id,
            "sessions_taken_part",
            starts,
            func.count(distinct(TRANSCRIPT.c.session_id)),
            spoke,
            SPEAKER.c.cue_count > 0,
            unreported,
            *held(scope),
        ),
        counted(
            REPORT.c.manager_id,
            "team_attended",
            starts,
            reports,
            by_team,
            REPORT.c.active.is_(True),
            *present,
        ),
        team,
        counted(
            INVITATION.c.person_id,
            "invitations_received",
            starts,
            func.count(),
            invited,
            *in_period,
        ),
        counted(
            INVITATION.c.person_id,
            "invitations_accepted",
            starts,
            func.count(),
            invited,
            accepted,
            *in_period,
        ),
        counted(DELIVERY.c.person_id, "recaps_received", starts, recaps, sent, *recap_sent),
        counted(DELIVERY.c.person_id, "recaps_read", starts, recaps, sent, read, *recap_sent),
        counted(
            ACTION_ITEM.c.owner_id, "action_items_owned", starts, func.count(), owned, *in_period
        ),
        counted(
            ACTION_ITEM.c.owner_id,
            "action_items_done",
            starts,
            func.count(),
            owned,
            item_done,
            *in_period,
        ),
        counted(
            COMMITMENT.c.person_id, "commitments_made", starts, func.count(), promised, *in_period
        ),
        counted(
            COMMITMENT.c.person_id,
            "commitments_done",
            starts,
            func.count(),
            promised,
            kept,
            *in_period,
        ),
    ]
    if scope.series_id is None:  # a digest bundles every series: it belongs to none
        in_digest = DELIVERY.join(DIGEST, DIGEST.c.id == DELIVERY.c.digest_id)
        digests = func.count(distinct(DIGEST.c.id))
        digest_sent = (
            DELIVERY.c.kind == DeliveryKind.digest,
            DELIVERY.c.status == DeliveryStatus.sent,
            *_digest_period(scope),
        )
        ends = DIGEST.c.period_end
        selects += [
            counted(
                DELIVERY.c.person_id, "recaps_received", ends, digests, in_digest, *digest_sent
            ),
            counted(
                DELIVERY.c.person_id, "recaps_read", ends, digests, in_digest, read, *digest_sent
            ),
        ]
    return selects


def leader_signals(
    session: Session,
    scope: Scope,
    *,
    level_ids: Sequence[int] | None = None,
    person_ids: Sequence[int] | None = None,
    bounds: Sequence[datetime] | None = None,
) -> Sequence[Row[int, str, int, int]]:
    """(person id, signal, period, count) for active people at `level_ids` (or `person_ids`).

    The signals are `LADDER_SIGNALS`, about the period's sessions: sessions attended,
    sessions taken part in (spoke or wrote in the chat) with no attended row, and their direct
    reports (active) who attended one (`team_attended`, of `team_size`, whose period is -1: it
    is the same in every period); invitations to them received and accepted; recaps of them
    (distinct recaps, whatever the number of versions) and digests ending in the period,
    delivered and read; action items from them owned and done; commitments made after them,
    and done. The period is 0 for the whole scope; with `bounds` (instants, oldest first) it
    is the index of the span between two bounds the session (or digest) falls in. One
    statement (a UNION ALL) either way.
    """
    leaders = select(PERSON.c.id).where(*_active_people(scope))
    if level_ids is not None:
        leaders = leaders.where(PERSON.c.level_id.in_(level_ids))
    if person_ids is not None:
        leaders = leaders.where(PERSON.c.id.in_(person_ids))
    bucket = _whole_period if bounds is None else quarter_bucket(bounds)
    query = union_all(*_signal_selects(scope, leaders, bucket))
    return session.connection().execute(query, _params(scope)).all()


def ladder_evidence(
    session: Session, scope: Scope, *, person_id: int
) -> Sequence[Row[str, datetime, str, str]]:
    """(kind, when, session title, detail) behind one person's stage, in the scope's period.

    Kinds: `attended`; `spoke`, `wrote` and `asked` (detail: seconds spoken, chat messages,
    chat questions in that session); `team` (detail: the direct report who came); `committed`
    and `commitment_done` (detail: the commitment); `action_done` (detail: the action item);
    `read` (a recap's session title, or `digest` with the list's name). `when` is the
    session's start (a digest's end), so each line falls in the period its signal counts in.
    """
    came = ATTENDANCE.join(SESSION, SESSION.c.id == ATTENDANCE.c.session_id)
    empty = literal("", String)

    def kind(name: str) -> ColumnElement[str]:
        return literal(name, String)

    attended = (
        select(kind("attended"), SESSION.c.starts_at, SESSION.c.title, empty)
        .select_from(came)
        .where(ATTENDANCE.c.person_id == person_id, ATTENDANCE.c.attended.is_(True), *held(scope))
    )
    spoke = SPEAKER.join(TRANSCRIPT, TRANSCRIPT.c.id == SPEAKER.c.transcript_id).join(
        SESSION, SESSION.c.id == TRANSCRIPT.c.session_id
    )
    took_part = [
        select(kind(name), SESSION.c.starts_at, SESSION.c.title, cast(total, String))
        .select_from(source)
        .where(
            SPEAKER.c.person_id == person_id,
            SPEAKER.c.cue_count > 0,
            TRANSCRIPT.c.kind == transcript_kind,
            *held(scope),
            *extra,
        )
        .group_by(SESSION.c.id, SESSION.c.starts_at, SESSION.c.title)
        for name, transcript_kind, source, total, extra in (
            ("spoke", TranscriptKind.transcript, spoke, func.sum(SPEAKER.c.seconds_spoken), ()),
            ("wrote", TranscriptKind.chat, spoke, func.sum(SPEAKER.c.cue_count), ()),
            (
                "asked",
                TranscriptKind.chat,
                spoke.join(CUE, CUE.c.speaker_id == SPEAKER.c.id),
                func.count(),
                (CUE.c.is_question.is_(True),),
            ),
        )
    ]
    team = (
        select(kind("team"), SESSION.c.starts_at, SESSION.c.title, REPORT.c.name)
        .select_from(came.join(REPORT, REPORT.c.id == ATTENDANCE.c.person_id))
        .where(
            REPORT.c.manager_id == person_id,
            REPORT.c.active.is_(True),
            ATTENDANCE.c.attended.is_(True),
            *held(scope),
        )
    )
    promised = COMMITMENT.join(SESSION, SESSION.c.id == COMMITMENT.c.session_id)
    committed = [
        select(kind(name), SESSION.c.starts_at, SESSION.c.title, COMMITMENT.c.text)
        .select_from(promised)
        .where(COMMITMENT.c.person_id == person_id, *_in_period(scope), *extra)
        for name, extra in (
            ("committed", ()),
            ("commitment_done", (COMMITMENT.c.status == CommitmentStatus.done,)),
        )
    ]
    done = (
        select(kind("action_done"), SESSION.c.starts_at, SESSION.c.title, ACTION_ITEM.c.description)
        .select_from(ACTION_ITEM.join(SESSION, SESSION.c.id == ACTION_ITEM.c.session_id))
        .where(
            ACTION_ITEM.c.owner_id == person_id,
            ACTION_ITEM.c.status == ActionStatus.done,
            *_in_period(scope),
        )
    )
    read = (
        select(kind("read"), SESSION.c.starts_at, SESSION.c.title, empty)
        .select_from(
            DELIVERY.join(RECAP_VERSION, RECAP_VERSION.c.id == DELIVERY.c.recap_version_id)
            .join(RECAP, RECAP.c.id == RECAP_VERSION.c.recap_id)
            .join(SESSION, SESSION.c.id == RECAP.c.session_id)
        )
        .where(
            DELIVERY.c.person_id == person_id,
            DELIVERY.c.kind == DeliveryKind.recap,
            DELIVERY.c.status == DeliveryStatus.sent,
            DELIVERY.c.read_at.is_not(None),
            *_in_period(scope),
        )
        .distinct()
    )
    parts = [attended, *took_part, team, *committed, done, read]
    if scope.series_id is None:
        parts.append(
            select(kind("read"), DIGEST.c.period_end, literal("digest", String), LIST.c.name)
            .select_from(
                DELIVERY.join(DIGEST, DIGEST.c.id == DELIVERY.c.digest_id).join(
                    LIST, LIST.c.id == DIGEST.c.list_id
                )
            )
            .where(
                DELIVERY.c.person_id == person_id,
                DELIVERY.c.kind == DeliveryKind.digest,
                DELIVERY.c.status == DeliveryStatus.sent,
                DELIVERY.c.read_at.is_not(None),
                *_digest_period(scope),
            )
            .distinct()
        )
    query = union_all(*parts)
    return session.connection().execute(query, _params(scope)).all()


MARKS = ("invited", "accepted", "attended", "received", "read")
"""What the leader grid records about one leader and one session held."""


def _marks(scope: Scope, people: Select[int] | Sequence[int]) -> list[Select[int, int, str]]:
    """(person id, session id, mark), once each, for `people` and the sessions held.

    Marks: invited to the session, accepted the invitation, attended, received its recap
    (any version), read it (opened their link). Attendance is not narrowed by department or
    level: the people are.
    """
    conditions = held(scope)

    def mark(name: str) -> ColumnElement[str]:
        return literal(name, String)

    invited = INVITATION.join(SESSION, SESSION.c.id == INVITATION.c.session_id)
    invitations = [
        select(INVITATION.c.person_id, INVITATION.c.session_id, mark(name))
        .select_from(invited)
        .where(INVITATION.c.person_id.in_(people), *conditions, *extra)
        .distinct()
        for name, extra in (
            ("invited", ()),
            ("accepted", (INVITATION.c.rsvp == Rsvp.accepted,)),
        )
    ]
    came = (
        select(ATTENDANCE.c.person_id, ATTENDANCE.c.session_id, mark("attended"))
        .select_from(ATTENDANCE.join(SESSION, SESSION.c.id == ATTENDANCE.c.session_id))
        .where(ATTENDANCE.c.person_id.in_(people), ATTENDANCE.c.attended.is_(True), *conditions)
    )
    sent = (
        DELIVERY.join(RECAP_VERSION, RECAP_VERSION.c.id == DELIVERY.c.recap_version_id)
        .join(RECAP, RECAP.c.id == RECAP_VERSION.c.recap_id)
        .join(SESSION, SESSION.c.id == RECAP.c.session_id)
    )
    recaps = [
        select(DELIVERY.c.person_id, RECAP.c.session_id, mark(name))
        .select_from(sent)
        .where(
            DELIVERY.c.person_id.in_(people),
            DELIVERY.c.kind == DeliveryKind.recap,
            DELIVERY.c.status == DeliveryStatus.sent,
            *conditions,
            *extra,
        )
        .distinct()
        for name, extra in (
            ("received", ()),
            ("read", (DELIVERY.c.read_at.is_not(None),)),
        )
    ]
    return [*invitations, came, *recaps]


def _leaders(scope: Scope, level_ids: Sequence[int]) -> Select[int]:
    return select(PERSON.c.id).where(*_active_people(scope), PERSON.c.level_id.in_(level_ids))


def leader_marks(
    session: Session, scope: Scope, *, person_ids: Sequence[int]
) -> Sequence[Row[int, int, str]]:
    """(person id, session id, mark) for these people and the sessions held in the period."""
    if not person_ids:
        return []
    query = union_all(*_marks(scope, list(person_ids)))
    return session.connection().execute(query, _params(scope)).all()


def leader_mark_totals(
    session: Session, scope: Scope, *, level_ids: Sequence[int]
) -> Sequence[Row[str, int, str, int]]:
    """(axis, id, mark, count) over every leader at `level_ids` and the sessions held.

    Axis `person`: sessions each leader has the mark for, plus `attended_invited` (sessions
    they were invited to and attended). Axis `session`: leaders with the mark per session.
    """
    marks = union_all(*_marks(scope, _leaders(scope, level_ids))).subquery("marks")
    person_id, session_id, mark = marks.c
    invited = (
        select(INVITATION.c.person_id)
        .where(INVITATION.c.person_id == person_id, INVITATION.c.session_id == session_id)
        .exists()
    )
    per_person = select(literal("person", String), person_id, mark, func.count()).group_by(
        person_id, mark
    )
    per_session = select(literal("session", String), session_id, mark, func.count()).group_by(
        session_id, mark
    )
    invited_attended = (
        select(literal("person", String), person_id, literal("attended_invited", String))
        .add_columns(func.count())
        .where(mark == "attended", invited)
        .group_by(person_id)
    )
    query = union_all(per_person, per_session, invited_attended)
    return session.connection().execute(query, _params(scope)).all()


def funnel(session: Session, scope: Scope) -> Sequence[Row[int, int, int, int, int, int]]:
    """(session id, level id today, invited, accepted, attended, read) per session held.

    Counted among the directory people invited to each session (by their department and
    level today): how many accepted, attended it, and read its recap.
    """
    came = (
        select(ATTENDANCE.c.id)
        .where(
            ATTENDANCE.c.session_id == INVITATION.c.session_id,
            ATTENDANCE.c.person_id == INVITATION.c.person_id,
            ATTENDANCE.c.attended.is_(True),
        )
        .exists()
    )
    read = (
        select(DELIVERY.c.id)
        .select_from(
            DELIVERY.join(RECAP_VERSION, RECAP_VERSION.c.id == DELIVERY.c.recap_version_id).join(
                RECAP, RECAP.c.id == RECAP_VERSION.c.recap_id
            )
        )
        .where(
            RECAP.c.session_id == INVITATION.c.session_id,
            DELIVERY.c.person_id == INVITATION.c.person_id,
            DELIVERY.c.kind == DeliveryKind.recap,
            DELIVERY.c.status == DeliveryStatus.sent,
            DELIVERY.c.read_at.is_not(None),
        )
        .exists()
    )
    person = INVITATION.c.person_id
    people: list[ColumnElement[bool]] = []
    if scope.department is not None:
        people.append(PERSON.c.department == bindparam("department"))
    if scope.level_id is not None:
        people.append(PERSON.c.level_id == bindparam("level_id"))
    query = (
        select(
            INVITATION.c.session_id,
            PERSON.c.level_id,
            func.count(distinct(person)),
            func.count(distinct(case((INVITATION.c.rsvp == Rsvp.accepted, person)))),
            func.count(distinct(case((came, person)))),
            func.count(distinct(case((read, person)))),
        )
        .select_from(
            INVITATION.join(SESSION, SESSION.c.id == INVITATION.c.session_id).join(
                PERSON, PERSON.c.id == person
            )
        )
        .where(*held(scope), *people)
        .group_by(INVITATION.c.session_id, PERSON.c.level_id)
    )
    return session.connection().execute(query, _params(scope)).all()


def series_options(session: Session) -> Sequence[Row[int, str]]:
    """(id, title) of every series, by title."""
    query = select(SERIES.c.id, SERIES.c.title).order_by(SERIES.c.title, SERIES.c.id)
    return session.connection().execute(query).all()


def series_exists(session: Session, series_id: int) -> bool:
    query = select(SERIES.c.id).where(SERIES.c.id == series_id)
    return session.connection().execute(query).first() is not None
