"""Attendance: imports of platform reports, check-ins, and resolving who was who."""

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from functools import cache
from typing import Any, Literal

from limits import RateLimitItem, parse
from sqlalchemy import ColumnElement, delete, or_
from sqlalchemy import select as select_columns  # typed for any number of columns
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, func, select
from sqlmodel.sql.expression import Select

from app.attendance.matching import Directory, person_with_email
from app.attendance.parsing import ParsedAttendee, parse_report
from app.attendance.parsing.intervals import merge_intervals, total_minutes
from app.attendance.previews import OutsideSession, build_preview, far_from_session
from app.attendance.schemas import (
    AttendanceRead,
    CheckInLink,
    ImportReport,
    LevelCount,
    PendingCheckInRead,
)
from app.attendance.undo import Undo
from app.audit import service as audit
from app.auth import throttle
from app.config import get_settings
from app.db import id_of, insert_many, table_of
from app.errors import AppError, Conflict, Invalid, NotFound, TooManyRequests
from app.kit import search
from app.kit.signing import sign, unsign
from app.mail.addresses import normalize_email
from app.models import (
    AliasKind,
    Attendance,
    AttendanceImport,
    AttendanceSource,
    Level,
    PendingCheckIn,
    Person,
    SessionStatus,
    StorySession,
    utcnow,
)
from app.models.story_sessions import new_check_in_nonce
from app.people.history import attended_totals
from app.people.levels import UNKNOWN_LEVEL_KEY, level_by_key
from app.people.schemas import LevelRef
from app.people.service import add_alias
from app.system.metrics import counted_import
from app.templating import local_datetime

DateOrder = Literal["auto", "dmy", "mdy"]


# -- imports ---------------------------------------------------------------------------------


@counted_import("attendance")
def import_report(
    session: Session,
    *,
    story_session: StorySession,
    data: bytes,
    filename: str,
    date_order: DateOrder = "auto",
    confirm: bool = False,
) -> ImportReport:
    """Import a platform's attendance report, replacing earlier rows from the same source.

    A report whose times are far from the session's raises `OutsideSession` (with what it
    would import) before anything is stored, unless `confirm`. Whoever is acting through
    `session` is recorded as having imported it."""
    assert story_session.id is not None
    digest = hashlib.sha256(data).hexdigest()
    previous = session.exec(
        select(AttendanceImport).where(
            AttendanceImport.session_id == story_session.id, AttendanceImport.sha256 == digest
        )
    ).first()
    if previous is not None:
        report = ImportReport.model_validate_json(previous.report_json)
        return report.model_copy(update={"repeated": True})

    parsed = parse_report(
        data,
        session_start=story_session.starts_at,
        session_end=story_session.ends_at,
        timezone=story_session.timezone,
        date_order=date_order,
    )
    directory = Directory.load(session)

    by_person: dict[int, list[ParsedAttendee]] = defaultdict(list)
    unmatched: list[ParsedAttendee] = []
    matched_by: Counter[str] = Counter()
    ambiguous: list[str] = []
    for attendee in parsed.attendees:
        found = directory.match(name=attendee.name, emails=(attendee.email, attendee.upn))
        if found.person_id is None:
            unmatched.append(attendee)
            if found.how == "ambiguous":
                ambiguous.append(attendee.name)
            continue
        by_person[found.person_id].append(attendee)
        matched_by[found.how] += 1

    unknown_level = level_by_key(session, UNKNOWN_LEVEL_KEY)
    min_minutes = get_settings().attendance_min_minutes
    if not confirm and (explanation := far_from_session(parsed, story_session)):
        presence = [
            (directory.snapshot[person_id][0], _combine(attendees).minutes)
            for person_id, attendees in by_person.items()
        ] + [(id_of(unknown_level), attendee.minutes_present) for attendee in unmatched]
        raise OutsideSession(
            build_preview(
                session,
                story_session=story_session,
                parsed=parsed,
                filename=filename[:255],
                matched=len(by_person),
                unmatched=len(unmatched),
                ambiguous=sorted(set(ambiguous)),
                presence=presence,
                min_minutes=min_minutes,
                explanation=explanation,
            )
        )
    undo = Undo.replacing(session, session_id=story_session.id, source=parsed.platform)
    replaced = session.exec(
        delete(Attendance).where(
            col(Attendance.session_id) == story_session.id,
            col(Attendance.source) == parsed.platform,
        )
    ).rowcount
    kept = {
        row.person_id: row
        for row in session.exec(
            select(Attendance).where(
                Attendance.session_id == story_session.id, col(Attendance.person_id).is_not(None)
            )
        )
    }

    record = AttendanceImport(
        session_id=story_session.id,
        source=parsed.platform,
        format=parsed.format,
        filename=filename[:255],
        sha256=digest,
        created_by_id=audit.actor_of(session).user_id,
    )
    session.add(record)
    session.flush()

    common: dict[str, object] = {
        "session_id": story_session.id,
        "import_id": record.id,
        "source": parsed.platform,
        "external": False,
    }

    def new_rows() -> Iterator[dict[str, object]]:
        # A generator, so a 200,000-row report never holds all its rows in memory at once.
        for person_id, attendees in by_person.items():
            presence = _combine(attendees)
            if person_id in kept:
                # Already recorded by check-in or by hand: keep that row, add what the report knows.
                with undo.changing(kept[person_id]):
                    _enrich(kept[person_id], presence, min_minutes)
                continue
            level_id, department = directory.snapshot[person_id]
            yield _row(common, attendees[0], presence, min_minutes) | {
                "person_id": person_id,
                "level_id": level_id,
                "department": department,
            }
        for attendee in unmatched:
            yield _row(common, attendee, _combine([attendee]), min_minutes) | {
                "person_id": None,
                "level_id": unknown_level.id,
                "department": "",
            }

    insert_many(session, table_of(Attendance), new_rows())

    warnings = list(parsed.warnings)
    if unmatched:
        warnings.append(
            f"{len(unmatched)} attendee(s) are not in the directory; they are kept as unmatched "
            "and can be resolved on the session's attendance page."
        )
    if ambiguous:
        warnings.append(
            "Several people share these names, so they were not guessed: "
            + ", ".join(sorted(set(ambiguous)))
        )
    session.flush()
    assert record.id is not None
    per_level = level_counts(session, story_session=story_session)
    report = ImportReport(
        import_id=record.id,
        session_id=story_session.id,
        filename=record.filename,
        format=parsed.format,
        format_label=parsed.format_label,
        source=parsed.platform,
        encoding=parsed.encoding,
        delimiter=parsed.delimiter,
        rows_read=parsed.rows_read,
        people_found=len(parsed.attendees),
        matched=len(by_person),
        matched_by=dict(matched_by),
        unmatched=len(unmatched),
        ambiguous=sorted(set(ambiguous)),
        attended=sum(count.attended for count in per_level),
        min_minutes=min_minutes,
        per_level=per_level,
        replaced=replaced or 0,
        decisions=parsed.decisions,
        warnings=warnings,
        created_at=record.created_at,
    )
    record.report_json = report.model_dump_json()
    record.undo_json = undo.dump()
    audit.record(
        session,
        action="imported",
        entity="attendance_import",
        entity_id=record.id,
        summary=f"Imported {record.filename} ({parsed.format_label}) into the attendance of "
        f"“{story_session.title}”: {len(by_person)} matched, {len(unmatched)} unmatched, "
        f"{replaced or 0} earlier rows replaced",
    )
    return report


class _Presence:
    __slots__ = ("first_join", "last_leave", "minutes")

    def __init__(self, first_join: datetime | None, last_leave: datetime | None, minutes: float):
        self.first_join, self.last_leave, self.minutes = first_join, last_leave, minutes


def _combine(attendees: Sequence[ParsedAttendee]) -> _Presence:
    """One person's presence across the file's entries for them (e.g. laptop and phone)."""
    if len(attendees) == 1:
        # The parser's own figure: it follows the file's definition (Teams' in-meeting duration).
        only = attendees[0]
        return _Presence(only.first_join, only.last_leave, only.minutes_present)
    if all(a.intervals for a in attendees):
        merged = merge_intervals(i for a in attendees for i in a.intervals)
        return _Presence(merged[0][0], merged[-1][1], total_minutes(merged))
    # Durations without times cannot be overlapped: the longest is the safe reading.
    joins = [a.first_join for a in attendees if a.first_join]
    leaves = [a.last_leave for a in attendees if a.last_leave]
    return _Presence(
        min(joins, default=None),
        max(leaves, default=None),
        max(a.minutes_present for a in attendees),
    )


def _row(
    common: dict[str, object], attendee: ParsedAttendee, presence: _Presence, min_minutes: int
) -> dict[str, object]:
    minutes = round(presence.minutes)
    return common | {
        "raw_name": attendee.name[:300],
        "raw_email": attendee.email[:320],
        "first_join": presence.first_join,
        "last_leave": presence.last_leave,
        "minutes_present": minutes,
        "attended": minutes >= min_minutes,
    }


def _enrich(row: Attendance, presence: _Presence, min_minutes: int) -> None:
    if presence.first_join and (row.first_join is None or presence.first_join < row.first_join):
        row.first_join = presence.first_join
    if presence.last_leave and (row.last_leave is None or presence.last_leave > row.last_leave):
        row.last_leave = presence.last_leave
    row.minutes_present = max(row.minutes_present, round(presence.minutes))
    row.attended = row.attended or row.minutes_present >= min_minutes


def list_imports(session: Session, *, story_session: StorySession) -> list[AttendanceImport]:
    """A session's imports, newest first."""
    session_id = id_of(story_session)
    return list(
        session.exec(
            select(AttendanceImport)
            .where(AttendanceImport.session_id == session_id)
            .order_by(col(AttendanceImport.id).desc())
        ).all()
    )


def get_import_report(
    session: Session, *, story_session: StorySession, import_id: int
) -> ImportReport:
    session_id = id_of(story_session)
    record = session.get(AttendanceImport, import_id) if 0 < import_id < 2**31 else None
    if record is None or record.session_id != session_id:
        raise NotFound(f"Session {session_id} has no attendance import {import_id}.")
    return ImportReport.model_validate_json(record.report_json)


# -- reading ---------------------------------------------------------------------------------


def level_counts(session: Session, *, story_session: StorySession) -> list[LevelCount]:
    """People counted as attended per level (as they were at the session), most senior first."""
    session_id = id_of(story_session)
    counts = dict(
        session.exec(
            select(Attendance.level_id, func.count())
            .where(Attendance.session_id == session_id, col(Attendance.attended))
            .group_by(col(Attendance.level_id))
        ).all()
    )
    levels = session.exec(select(Level).order_by(col(Level.position))).all()
    return [
        LevelCount(level=LevelRef.model_validate(level), attended=counts.get(level.id, 0))
        for level in levels
    ]


def _joined(session_id: int) -> Select[Attendance, Person, Level]:
    # Outer joins: person and level are None for unmatched attendees.
    query = select(Attendance, Person, Level).where(Attendance.session_id == session_id)
    query = query.join(Person, col(Person.id) == Attendance.person_id, isouter=True)
    return query.join(Level, col(Level.id) == Attendance.level_id, isouter=True)


AttendanceSort = Literal[
    "name", "-name", "level", "-level", "department", "-department", "joined", "-joined",
    "minutes", "-minutes", "attended", "-attended",
]  # fmt: skip
"""How a session's attendance is ordered: a column, descending with a leading "-"."""


def list_attendance(
    session: Session,
    *,
    story_session: StorySession,
    status: Literal["all", "attended", "unmatched"] = "all",
    limit: int = 50,
    offset: int = 0,
    q: str = "",
    level: str = "",
    sort: AttendanceSort = "-minutes",
) -> tuple[list[AttendanceRead], int]:
    """One page of a session's attendance, most minutes first unless `sort` says otherwise;
    `q` finds a name or email (the directory's or the report's), `level` a level then."""
    session_id = id_of(story_session)
    query = _joined(session_id)
    if status == "attended":
        query = query.where(col(Attendance.attended))
    elif status == "unmatched":
        query = query.where(
            col(Attendance.person_id).is_(None), col(Attendance.external).is_(False)
        )
    if q and (q := q.replace("\x00", "").strip()):
        pattern = search.containing(q)
        query = query.where(
            or_(
                *(
                    column.ilike(pattern, escape=search.ESCAPE)
                    for column in (
                        col(Person.name),
                        col(Person.email),
                        col(Attendance.raw_name),
                        col(Attendance.raw_email),
                    )
                )
            )
        )
    if level:
        query = query.where(Attendance.level_id == level_by_key(session, level).id)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    query, keys = _attendance_order(query, session_id, sort)
    rows = session.exec(query.order_by(*keys, col(Attendance.id)).limit(limit).offset(offset)).all()
    return [_read(attendance, person, level) for attendance, person, level in rows], total


def _attendance_order(
    query: Select[Attendance, Person, Level], session_id: int, sort: AttendanceSort
) -> tuple[Select[Attendance, Person, Level], list[ColumnElement[Any]]]:
    """The order of `sort`, ties by name (by minutes: in import order); rows without a
    value (no level, no department, never joined) go last whichever the direction."""
    column, down = sort.removeprefix("-"), sort.startswith("-")
    attendance, rank = table_of(Attendance).c, table_of(Level).c

    def way(key: ColumnElement[Any]) -> ColumnElement[Any]:
        return key.desc() if down else key.asc()

    name = func.lower(
        func.coalesce(table_of(Person).c.name, func.nullif(attendance.raw_name, ""), "")
    )
    email = func.lower(attendance.raw_email)
    if column == "name":
        return query, [way(name), way(email)]
    by_name = [name, email]
    if column == "minutes":  # ties in import order, as the page has always shown them
        return query, [way(attendance.minutes_present)]
    if column == "level":
        return query, [rank.position.is_(None), way(rank.position), *by_name]
    if column == "department":
        return query, [attendance.department == "", way(attendance.department), *by_name]
    if column == "joined":
        return query, [attendance.first_join.is_(None), way(attendance.first_join), *by_name]
    # The people of this session only: their counts, in one aggregate on the person index.
    here = table_of(Attendance).alias("here")
    totals = attended_totals(
        attendance.person_id.in_(
            select_columns(here.c.person_id).where(here.c.session_id == session_id)
        )
    )
    query = query.outerjoin(totals, totals.c.person_id == attendance.person_id)
    return query, [way(func.coalesce(totals.c.sessions_attended, 0)), *by_name]


def get_attendance(
    session: Session, *, story_session: StorySession, attendance_id: int
) -> AttendanceRead:
    """One attendance row of a session, or 404."""
    session_id = id_of(story_session)
    found = session.exec(_joined(session_id).where(Attendance.id == attendance_id)).first()
    if found is None:
        raise NotFound(f"Session {session_id} has no attendance row {attendance_id}.")
    return _read(*found)


def _read(attendance: Attendance, person: Person | None, level: Level | None) -> AttendanceRead:
    assert attendance.id is not None
    return AttendanceRead(
        id=attendance.id,
        person_id=attendance.person_id,
        name=person.name if person else attendance.raw_name,
        email=person.email if person else attendance.raw_email,
        level=LevelRef.model_validate(level) if level else None,
        department=attendance.department,
        source=attendance.source,
        first_join=attendance.first_join,
        last_leave=attendance.last_leave,
        minutes_present=attendance.minutes_present,
        attended=attendance.attended,
        external=attendance.external,
    )


# -- by hand ---------------------------------------------------------------------------------


def _person_for(session: Session, *, person_id: int | None, email: str | None) -> Person:
    if person_id is not None:
        person = session.get(Person, person_id)
        if person is None:
            raise NotFound(f"There is no person with id {person_id}.")
        return person
    if not email or not email.strip():
        raise Invalid("Give the person's id or their work email.")
    person = person_with_email(session, email)
    if person is None:
        raise NotFound(
            f"No one in the directory has the email {normalize_email(email)}. "
            "Check the spelling, or import the directory first."
        )
    return person


def mark_present(
    session: Session,
    *,
    story_session: StorySession,
    person_id: int | None = None,
    email: str | None = None,
    source: AttendanceSource = AttendanceSource.manual,
) -> Attendance:
    """Record that a directory person was there (by the organizer, or by self check-in)."""
    assert story_session.id is not None
    person = _person_for(session, person_id=person_id, email=email)
    row = session.exec(
        select(Attendance).where(
            Attendance.session_id == story_session.id, Attendance.person_id == person.id
        )
    ).first()
    if row is None:
        row = Attendance(
            session_id=story_session.id,
            person_id=person.id,
            source=source,
            raw_name=person.name,
            raw_email=person.email,
            level_id=person.level_id,
            department=person.department,
        )
        session.add(row)
    was_present = row.attended and row.id is not None
    row.attended = True
    if source is AttendanceSource.check_in and row.first_join is None:
        row.first_join = utcnow()
    session.flush()
    if not was_present:
        audit.record(
            session,
            action="marked_present",
            entity="attendance",
            entity_id=row.id,
            summary=f"Marked {person.name} present at “{story_session.title}”",
        )
    return row


def _session_row(session: Session, story_session: StorySession, attendance_id: int) -> Attendance:
    row = session.get(Attendance, attendance_id) if 0 < attendance_id < 2**31 else None
    if row is None or row.session_id != story_session.id:
        raise NotFound(f"Session {story_session.id} has no attendance row {attendance_id}.")
    return row


def _unmatched(session: Session, story_session: StorySession, attendance_id: int) -> Attendance:
    row = _session_row(session, story_session, attendance_id)
    if row.person_id is not None:
        raise Conflict(f"Attendance row {attendance_id} is already matched to a person.")
    return row


def resolve_unmatched(
    session: Session, *, story_session: StorySession, attendance_id: int, person: Person
) -> Attendance:
    """Say who an unmatched attendee is; the name or email is remembered for the next import."""
    row = _unmatched(session, story_session, attendance_id)
    if row.raw_email and "@" in row.raw_email:
        add_alias(session, person=person, kind=AliasKind.email, value=row.raw_email)
    elif row.raw_name.strip():
        add_alias(session, person=person, kind=AliasKind.name, value=row.raw_name)
    existing = session.exec(
        select(Attendance).where(
            Attendance.session_id == story_session.id, Attendance.person_id == person.id
        )
    ).first()
    if existing is not None:
        # The person is already in this session (e.g. a second device): fold this row in.
        _enrich(
            existing,
            _Presence(row.first_join, row.last_leave, row.minutes_present),
            get_settings().attendance_min_minutes,
        )
        session.delete(row)
        session.flush()
        _record_resolved(session, story_session, row, person)
        return existing
    _record_resolved(session, story_session, row, person)
    row.person_id, row.level_id, row.department = person.id, person.level_id, person.department
    row.external = False
    session.flush()
    return row


def _record_resolved(
    session: Session, story_session: StorySession, row: Attendance, person: Person
) -> None:
    audit.record(
        session,
        action="resolved",
        entity="attendance",
        entity_id=row.id,
        summary=f"Matched the attendee “{row.raw_email or row.raw_name}” at "
        f"“{story_session.title}” to {person.name} <{person.email}>",
    )


def mark_external(
    session: Session, *, story_session: StorySession, attendance_id: int
) -> Attendance:
    """Confirm an unmatched attendee is not an employee (a customer, a partner)."""
    row = _unmatched(session, story_session, attendance_id)
    if not row.external:
        audit.record(
            session,
            action="marked_external",
            entity="attendance",
            entity_id=row.id,
            summary=f"Marked the attendee “{row.raw_email or row.raw_name}” at "
            f"“{story_session.title}” as not an employee",
            changes={"external": [False, True]},
        )
    row.external = True
    session.flush()
    return row


def remove_attendance(session: Session, *, story_session: StorySession, attendance_id: int) -> None:
    """Delete one attendance row (a mistaken manual entry)."""
    row = _session_row(session, story_session, attendance_id)
    person = session.get(Person, row.person_id) if row.person_id is not None else None
    who = f"{person.name} <{person.email}>" if person else f"“{row.raw_email or row.raw_name}”"
    audit.record(
        session,
        action="removed",
        entity="attendance",
        entity_id=row.id,
        summary=f"Removed {who} from the attendance of “{story_session.title}”",
    )
    session.delete(row)


# -- self check-in ---------------------------------------------------------------------------
# Anyone with the link may say they are there, so a self check-in waits in `PendingCheckIn`
# until an organizer accepts it, and the answer never tells whether an address is known.

CHECK_IN_PURPOSE = "check-in"
CHECK_IN_THROTTLE = "storyroom-check-in"
CHECK_IN_TOKEN_MARGIN = timedelta(days=1)
CHECK_IN_PER_EMAIL = parse("5/10minutes")
"""One address again on one link: a person retrying fits, someone hammering an address not."""


class CheckInClosed(AppError):
    """A genuine link that takes no check-in now; the page still names its session."""

    def __init__(self, detail: str, *, story_session: StorySession, status_code: int) -> None:
        super().__init__(detail, status_code=status_code)
        self.story_session = story_session


def check_in_window(story_session: StorySession) -> tuple[datetime, datetime]:
    """When a session's check-in link works: from a little before it starts to after it ends."""
    settings = get_settings()
    opens_at = story_session.starts_at - timedelta(minutes=settings.check_in_opens_minutes)
    closes_at = story_session.ends_at + timedelta(minutes=settings.check_in_closes_minutes)
    return opens_at, closes_at


def check_in_link(story_session: StorySession) -> CheckInLink:
    """The signed self check-in link for a session, with its QR code as SVG."""
    opens_at, expires_at = check_in_window(story_session)
    payload = [story_session.id, story_session.check_in_nonce]
    # The window, checked on every use, is what decides; the token outlives it by a day so a
    # late visitor is told when check-in closed, rather than to ask for a new link.
    token = sign(CHECK_IN_PURPOSE, payload, expires_at=expires_at + CHECK_IN_TOKEN_MARGIN)
    url = f"{get_settings().base_url.rstrip('/')}/p/check-in/{token}"
    return CheckInLink(url=url, opens_at=opens_at, expires_at=expires_at, qr_svg=qr_svg(url))


def _refuse_cancelled(story_session: StorySession) -> None:
    if story_session.status is SessionStatus.cancelled:
        raise Conflict("This session is cancelled, so it has no check-in link.")


def organizer_check_in_link(story_session: StorySession) -> CheckInLink:
    """The check-in link an organizer shows; a cancelled session has none."""
    _refuse_cancelled(story_session)
    return check_in_link(story_session)


def rotate_check_in_link(session: Session, *, story_session: StorySession) -> CheckInLink:
    """Replace a session's check-in link: every link given out before says it was replaced."""
    _refuse_cancelled(story_session)
    story_session.check_in_nonce = new_check_in_nonce()
    session.add(story_session)
    audit.record(
        session,
        action="revoked",
        entity="session",
        entity_id=story_session.id,
        summary=f"Replaced the self check-in link of “{story_session.title}”",
    )
    session.flush()
    return check_in_link(story_session)


def session_for_check_in(
    session: Session, *, token: str, now: datetime | None = None
) -> StorySession:
    """The session a check-in link is for, if the link takes check-ins now (else why not)."""
    payload = unsign(CHECK_IN_PURPOSE, token)
    # Links from before links could be replaced carry the bare id: they count as replaced.
    session_id, nonce = (
        payload if isinstance(payload, list) and len(payload) == 2 else (payload, None)
    )
    found = (
        session.get(StorySession, session_id)
        if isinstance(session_id, int) and 0 < session_id < 2**31
        else None
    )
    if found is None:
        raise NotFound("This check-in link is for a session that no longer exists.")
    if found.status is SessionStatus.cancelled:
        raise CheckInClosed(
            "This session was cancelled, so there is nothing to check in to.",
            story_session=found,
            status_code=410,
        )
    if nonce != found.check_in_nonce:
        raise CheckInClosed(
            "This check-in link was replaced by a newer one. Scan the code the organizer is "
            "showing now, or ask them for the new link.",
            story_session=found,
            status_code=410,
        )
    opens_at, closes_at = check_in_window(found)
    now = now or utcnow()
    if now < opens_at:
        raise CheckInClosed(
            f"Check-in opens at {local_datetime(opens_at, found.timezone)} ({found.timezone}), "
            f"{get_settings().check_in_opens_minutes} minutes before the session starts. "
            "Come back then.",
            story_session=found,
            status_code=403,
        )
    if now > closes_at:
        raise CheckInClosed(
            f"Check-in for this session closed at {local_datetime(closes_at, found.timezone)} "
            f"({found.timezone}). Ask the organizer to mark you present.",
            story_session=found,
            status_code=403,
        )
    return found


@cache
def _rate(text: str) -> RateLimitItem:
    return parse(text)


def throttle_check_in(*, story_session: StorySession, address: str, email: str) -> None:
    """Count a check-in against its link, its client address and its email on that link."""
    settings = get_settings()
    link = f"{story_session.id}:{story_session.check_in_nonce}"
    wait = throttle.spend(
        CHECK_IN_THROTTLE,
        [
            (_rate(settings.check_in_rate_per_link), f"link:{link}"),
            (_rate(settings.check_in_rate_per_address), f"ip:{address}"),
            (CHECK_IN_PER_EMAIL, f"email:{link}:{normalize_email(email)}"),
        ],
    )
    if wait:
        minutes = (wait + 59) // 60
        raise TooManyRequests(
            f"Too many check-ins at once. Try again in {minutes} minute"
            f"{'' if minutes == 1 else 's'}, or ask the organizer to mark you present.",
            retry_after=wait,
        )


def self_check_in(session: Session, *, story_session: StorySession, email: str) -> None:
    """Record a self check-in for an organizer to accept. It answers nothing: an unknown
    address is dropped silently, so the link cannot be used to test the directory."""
    assert story_session.id is not None
    if not email.strip():
        raise Invalid("Enter your work email.")
    person = person_with_email(session, email)
    if person is None:
        return
    already = session.exec(
        select(Attendance.id).where(
            Attendance.session_id == story_session.id,
            Attendance.person_id == person.id,
            col(Attendance.attended),
        )
    ).first()
    if already is not None:
        return
    # Two taps at once: the second is a no-op, not a unique-constraint error.
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    session.exec(
        insert(table_of(PendingCheckIn))
        .values(session_id=story_session.id, person_id=person.id, checked_in_at=utcnow())
        .on_conflict_do_nothing(index_elements=["session_id", "person_id"])
    )


def _pending_query(session_id: int) -> Select[PendingCheckIn, Person, Level]:
    query = select(PendingCheckIn, Person, Level).where(PendingCheckIn.session_id == session_id)
    query = query.join(Person, col(Person.id) == PendingCheckIn.person_id)
    return query.join(Level, col(Level.id) == Person.level_id, isouter=True)


def list_pending_check_ins(
    session: Session, *, story_session: StorySession, limit: int = 50, offset: int = 0
) -> tuple[list[PendingCheckInRead], int]:
    """One page of the self check-ins waiting for an organizer, earliest first."""
    session_id = id_of(story_session)
    total = session.exec(
        select(func.count())
        .select_from(PendingCheckIn)
        .where(PendingCheckIn.session_id == session_id)
    ).one()
    rows = session.exec(
        _pending_query(session_id)
        .order_by(col(PendingCheckIn.checked_in_at), col(PendingCheckIn.id))
        .limit(limit)
        .offset(offset)
    ).all()
    return [
        PendingCheckInRead(
            id=id_of(pending),
            person_id=pending.person_id,
            name=person.name,
            email=person.email,
            level=LevelRef.model_validate(level) if level else None,
            department=person.department,
            checked_in_at=pending.checked_in_at,
        )
        for pending, person, level in rows
    ], total


def _accept(
    session: Session,
    *,
    story_session: StorySession,
    pending: Sequence[tuple[PendingCheckIn, Person]],
) -> list[Attendance]:
    """Turn check-ins into attendance rows (or mark the rows a report already made)."""
    accepted: list[Attendance] = []
    for start in range(0, len(pending), 500):
        chunk = pending[start : start + 500]
        existing = {
            row.person_id: row
            for row in session.exec(
                select(Attendance).where(
                    Attendance.session_id == story_session.id,
                    col(Attendance.person_id).in_([person.id for _, person in chunk]),
                )
            )
        }
        for check_in, person in chunk:
            row = existing.get(person.id)
            if row is None:
                row = Attendance(
                    session_id=id_of(story_session),
                    person_id=person.id,
                    source=AttendanceSource.check_in,
                    raw_name=person.name,
                    raw_email=person.email,
                    level_id=person.level_id,
                    department=person.department,
                    first_join=check_in.checked_in_at,
                )
                session.add(row)
            elif row.first_join is None or check_in.checked_in_at < row.first_join:
                row.first_join = check_in.checked_in_at
            row.attended = True
            accepted.append(row)
        session.exec(
            delete(PendingCheckIn).where(
                col(PendingCheckIn.id).in_([check_in.id for check_in, _ in chunk])
            )
        )
    session.flush()
    return accepted


def _pending(session: Session, *, session_id: int, check_in_id: int) -> PendingCheckIn:
    row = session.get(PendingCheckIn, check_in_id) if 0 < check_in_id < 2**31 else None
    if row is None or row.session_id != session_id:
        raise NotFound(
            f"Session {session_id} has no check-in {check_in_id} waiting: it may have been "
            "accepted or rejected already."
        )
    return row


def accept_check_in(
    session: Session, *, story_session: StorySession, check_in_id: int
) -> Attendance:
    """Accept one self check-in: from now on the person counts as attended."""
    assert story_session.id is not None
    row = _pending(session, session_id=story_session.id, check_in_id=check_in_id)
    person = session.get_one(Person, row.person_id)
    return _accept(session, story_session=story_session, pending=[(row, person)])[0]


def accept_all_check_ins(session: Session, *, story_session: StorySession) -> int:
    """Accept every self check-in waiting for this session; how many there were."""
    assert story_session.id is not None
    pending = session.exec(
        select(PendingCheckIn, Person)
        .join(Person, col(Person.id) == PendingCheckIn.person_id)
        .where(PendingCheckIn.session_id == story_session.id)
        .order_by(col(PendingCheckIn.id))
    ).all()
    return len(_accept(session, story_session=story_session, pending=pending))


def reject_check_in(session: Session, *, story_session: StorySession, check_in_id: int) -> None:
    """Reject one self check-in (not there, or not them): it is deleted and counts nowhere."""
    session_id = id_of(story_session)
    session.delete(_pending(session, session_id=session_id, check_in_id=check_in_id))
    session.flush()


def qr_svg(data: str) -> str:
    """A QR code as an inline SVG document (scales to any size, prints sharply)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    return image.to_string(encoding="unicode")  # type: ignore[no-any-return]
