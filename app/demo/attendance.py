"""Demo attendance: who came to each completed session, telling the brief's story.

For months hundreds of employees come and executives almost never do; once the CEO asks for a
recap of every session, executives start to come, and directors and managers follow.
"""

import hashlib
import random
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.attendance.schemas import ImportReport, LevelCount
from app.config import get_settings
from app.db import insert_many, table_of
from app.demo.names import CUSTOMERS, FIRST_NAMES, LAST_NAMES
from app.demo.people import EMAIL_DOMAIN, DemoPeople
from app.demo.story_sessions import DemoSessions
from app.errors import Conflict
from app.models import (
    Attendance,
    AttendanceImport,
    AttendanceSource,
    Customer,
    Level,
    Person,
    Platform,
    StorySession,
)
from app.people.levels import UNKNOWN_LEVEL_KEY
from app.people.schemas import LevelRef

RECAP_PROGRAMME_DAYS = 150
"""How long before `now` the CEO asked for a recap of every session (about five months)."""
PROMOTION_DAYS = 100
"""How long before `now` the demo's one promotion (a manager made director) took effect."""
PROMOTED_DEPARTMENT = "Customer Success"
PROMOTED_TITLE = "Director of Customer Advocacy"
EXECUTIVE_KEYS = ("c-suite", "vp")
SHORT_VISIT_SHARE = 0.07
CEO_EVERY = 3
"""After the programme starts the CEO comes to every third session, from the second on."""
EXECUTIVES_AT_LEAST = 3
"""After the programme starts, at least this many executives are at each session."""

SOURCES = {
    Platform.zoom: AttendanceSource.zoom,
    Platform.teams: AttendanceSource.teams,
    Platform.meet: AttendanceSource.meet,
    Platform.webex: AttendanceSource.webex,
    Platform.in_person: AttendanceSource.check_in,
}
# How each platform's report would have arrived: format, encoding label, delimiter.
REPORT_FILES = {
    Platform.zoom: ("zoom-participants", "Zoom meeting participants report", "UTF-8 with BOM", ","),
    Platform.teams: (
        "teams-sectioned",
        "Microsoft Teams attendance report (2022+, sectioned)",
        "UTF-16LE with BOM",
        "\t",
    ),
    Platform.meet: ("meet", "Google Meet attendance report", "UTF-8", ","),
    Platform.webex: ("webex", "Webex attendee report", "UTF-16LE with BOM", "\t"),
}
DEPARTMENT_INTEREST = {
    "Customer Success": 1.3,
    "Support": 1.2,
    "Product": 1.1,
    "Sales": 0.95,
    "Finance": 0.8,
    "Legal": 0.8,
}
"""The teams closest to customers come more often."""
DIAL_IN_PREFIXES = ("+44 20", "+44 161", "+1 646", "+1 415", "+353 1", "+49 30", "+31 20")
DEVICES = ("iPhone", "Galaxy S23", "Boardroom (London)", "Meeting Room 4.02", "iPad")


@dataclass(frozen=True)
class DemoAttendance:
    """What the demo loaded, and the facts later demo modules (recaps) build on."""

    rows: int
    attended: int
    imports: int
    programme_start: datetime
    promoted_id: int
    """The manager promoted to director `PROMOTION_DAYS` before now; earlier rows say manager."""


@dataclass
class _Member:
    id: int
    name: str
    email: str
    department: str
    level_key: str
    manager_id: int | None
    active: bool
    interest: float


@dataclass(frozen=True)
class _Cast:
    """The directory grouped the way the story treats it."""

    ceo: _Member
    executives: list[_Member]
    """C-suite and VPs, but the CEO."""
    directors: list[_Member]
    managers: list[_Member]
    ics: list[_Member]
    regulars: set[int]
    """The host and the programme's manager, at every session."""

    @classmethod
    def of(cls, members: list[_Member], *, ceo_id: int, regulars: set[int]) -> "_Cast":
        def at(*keys: str) -> list[_Member]:
            return [m for m in members if m.level_key in keys and m.id != ceo_id]

        return cls(
            ceo=next(m for m in members if m.id == ceo_id),
            executives=at(*EXECUTIVE_KEYS),
            directors=at("director"),
            managers=at("manager"),
            ics=at("ic"),
            regulars=regulars,
        )

    def who_came(self, since: int, year: float, held: int, rng: random.Random) -> list[_Member]:
        """Who came to a session `since` days after the programme began (negative: before).

        `year` is how far through the demo year the session is (0 to 1); `held` how many
        sessions there were since the programme began.
        """
        came: list[_Member] = []
        if since < 0:
            if rng.random() < 0.3:
                came.append(rng.choice(self.executives))
        else:
            # The CEO's committee, who now get every recap and are asked about it, come first
            # and most; the VPs follow more slowly.
            if held % CEO_EVERY == 1:
                came.append(self.ceo)
            for member in self.executives:
                if member.level_key == "c-suite":
                    rate = 0.15 + 0.55 * _ramp(since, 0, 100)
                else:
                    rate = 0.03 + 0.3 * _ramp(since, 14, 120)
                if rng.random() < rate * member.interest:
                    came.append(member)
            present = {member.id for member in came}
            absent = [member for member in self.executives if member.id not in present]
            came += rng.sample(absent, max(0, EXECUTIVES_AT_LEAST - len(came)))
        for group, rate in (
            (self.directors, 0.08 + 0.45 * _ramp(since, 35, 100)),
            (self.managers, 0.2 + 0.45 * _ramp(since, 14, 100)),
            (self.ics, (0.42 + 0.5 * year) * rng.uniform(0.94, 1.06)),
        ):
            for member in group:
                here = member.active or year < 0.5  # the leavers left halfway through the year
                if member.id in self.regulars or (here and rng.random() < rate * member.interest):
                    came.append(member)
        return came


@dataclass(frozen=True)
class _Story:
    id: int
    title: str
    starts_at: datetime
    minutes: int
    timezone: str
    platform: Platform
    join_url: str
    customer: str


def recap_programme_start(now: datetime) -> datetime:
    """When the CEO started asking for a recap of every session, in the demo that `now` sees."""
    return now - timedelta(days=RECAP_PROGRAMME_DAYS)


def load_attendance(
    session: Session,
    *,
    people: DemoPeople,
    sessions: DemoSessions,
    rng: random.Random,
    now: datetime,
    progress: Callable[[str], None],
) -> DemoAttendance:
    """Insert attendance (one import per session) for every completed demo session."""
    levels = list(session.exec(select(Level).order_by(col(Level.position))).all())
    level_ids = {level.key: level.id for level in levels if level.id is not None}
    if UNKNOWN_LEVEL_KEY not in level_ids:
        raise Conflict(
            f"The demo needs the level {UNKNOWN_LEVEL_KEY!r} for attendees not in the "
            "directory; restore it on the levels page, then load the demo again."
        )
    members = _members(session, people, rng)
    promoted = _promote(session, members, level_ids)
    stories = _stories(session, sessions.completed_ids)
    programme_start = recap_programme_start(now)
    promoted_on = now - timedelta(days=PROMOTION_DAYS)
    min_minutes = get_settings().attendance_min_minutes

    cast = _Cast.of(members, ceo_id=people.ceo_id, regulars={people.host_id, promoted.id})
    batches: list[tuple[_Story, AttendanceImport | None, list[dict[str, Any]], int]] = []
    first = stories[0].starts_at if stories else now
    span = max((now - first).total_seconds(), 1.0)
    held = 0
    for story in stories:
        since = (story.starts_at - programme_start).days
        year = (story.starts_at - first).total_seconds() / span
        came = cast.who_came(since, year, held, rng)
        held += since >= 0
        source = SOURCES[story.platform]
        story_rows: list[dict[str, Any]] = []
        joins = 0
        for member in came:
            level_key = member.level_key
            if member is promoted and story.starts_at < promoted_on:
                level_key = "manager"
            short = member.level_key not in EXECUTIVE_KEYS and member.id not in cast.regulars
            presence = _presence(story, rng, short_allowed=short)
            joins += presence.segments
            story_rows.append(
                {
                    "session_id": story.id,
                    "person_id": member.id,
                    "source": source,
                    "raw_name": member.name,
                    "raw_email": member.email,
                    "level_id": level_ids[level_key],
                    "department": member.department,
                    "external": False,
                    **presence.columns(min_minutes),
                }
            )
        for name, email, external in _unmatched(story, rng):
            presence = _presence(story, rng, short_allowed=True)
            joins += presence.segments
            story_rows.append(
                {
                    "session_id": story.id,
                    "person_id": None,
                    "source": source,
                    "raw_name": name,
                    "raw_email": email,
                    "level_id": level_ids[UNKNOWN_LEVEL_KEY],
                    "department": "",
                    "external": external,
                    **presence.columns(min_minutes),
                }
            )
        batches.append((story, _import_record(story, now, rng), story_rows, joins))

    records = [record for _, record, _, _ in batches if record is not None]
    session.add_all(records)
    session.flush()  # the imports' ids, for their rows and reports
    for story, record, story_rows, joins in batches:
        import_id = None if record is None else record.id
        for row in story_rows:
            row["import_id"] = import_id
        if record is not None:
            record.report_json = _report_json(record, story, story_rows, joins, levels, min_minutes)
    rows = [row for _, _, story_rows, _ in batches for row in story_rows]
    insert_many(session, table_of(Attendance), rows)
    session.flush()
    progress(f"Attendance: {len(rows):,} rows in {len(stories)} sessions")
    return DemoAttendance(
        rows=len(rows),
        attended=sum(1 for row in rows if row["attended"]),
        imports=len(records),
        programme_start=programme_start,
        promoted_id=promoted.id,
    )


def _members(session: Session, people: DemoPeople, rng: random.Random) -> list[_Member]:
    """The demo directory in id order, each with a lasting personal interest in the sessions."""
    level_of = {pid: key for key, ids in people.ids_by_level.items() for pid in ids}
    found = session.exec(
        select(Person).where(col(Person.email).like(f"%@{EMAIL_DOMAIN}")).order_by(col(Person.id))
    ).all()
    return [
        _Member(
            id=person.id,
            name=person.name,
            email=person.email,
            department=person.department,
            level_key=level_of[person.id],
            manager_id=person.manager_id,
            active=person.active,
            interest=rng.uniform(0.6, 1.4) * DEPARTMENT_INTEREST.get(person.department, 1.0),
        )
        for person in found
        if person.id is not None and person.id in level_of
    ]


def _promote(session: Session, members: list[_Member], level_ids: dict[str, int]) -> _Member:
    """Make one Customer Success manager a director, keeping every manager one level up.

    Their team moves to a fellow manager under the same director, and they now report to
    that director's VP.
    """
    by_id = {member.id: member for member in members}
    managers = [member for member in members if member.level_key == "manager"]
    teams = Counter(member.manager_id for member in managers)
    promoted = next(
        member
        for member in managers
        if member.department == PROMOTED_DEPARTMENT and teams[member.manager_id] > 1
    )
    director_id = promoted.manager_id
    peer = next(m for m in managers if m.manager_id == director_id and m is not promoted)
    vp_id = by_id[director_id].manager_id if director_id is not None else None
    session.exec(
        update(Person).where(col(Person.manager_id) == promoted.id).values(manager_id=peer.id)
    )
    session.exec(
        update(Person)
        .where(col(Person.id) == promoted.id)
        .values(level_id=level_ids["director"], title=PROMOTED_TITLE, manager_id=vp_id)
    )
    promoted.level_key, promoted.manager_id = "director", vp_id
    return promoted


def _stories(session: Session, session_ids: list[int]) -> list[_Story]:
    if not session_ids:
        return []
    found = session.exec(
        select(StorySession, Customer.name)
        .join(Customer, col(Customer.id) == StorySession.customer_id, isouter=True)
        .where(col(StorySession.id).in_(session_ids))
        .order_by(col(StorySession.starts_at), col(StorySession.id))
    ).all()
    return [
        _Story(
            id=story.id,
            title=story.title,
            starts_at=story.starts_at,
            minutes=story.duration_minutes,
            timezone=story.timezone,
            platform=story.platform,
            join_url=story.join_url,
            customer=customer or "",
        )
        for story, customer in found
        if story.id is not None
    ]


def _ramp(days: int, delay: int, length: int) -> float:
    """0 until `delay` days after the programme starts, rising to 1 over `length` days."""
    return min(1.0, max(0.0, (days - delay) / length))


@dataclass(frozen=True)
class _Presence:
    first_join: datetime
    last_leave: datetime
    seconds: int
    segments: int

    def columns(self, min_minutes: int) -> dict[str, Any]:
        minutes = round(self.seconds / 60)
        return {
            "first_join": self.first_join,
            "last_leave": self.last_leave,
            "minutes_present": minutes,
            "attended": minutes >= min_minutes,
        }


def _presence(story: _Story, rng: random.Random, *, short_allowed: bool) -> _Presence:
    """Most join on time and stay to the end; some come late or leave early; a few drop in."""
    length = story.minutes * 60
    if short_allowed and rng.random() < SHORT_VISIT_SHARE:
        join = rng.randint(0, length * 3 // 4)
        stay = rng.randint(30, 269)  # under 4.5 minutes: rounds below the 5-minute minimum
        return _Presence(*_instants(story, join, join + stay), stay, 1)
    roll = rng.random()
    if roll < 0.7:
        join = rng.randint(-180, 240)
    elif roll < 0.92:
        join = rng.randint(240, 900)
    else:
        join = rng.randint(900, 1800)
    if rng.random() < 0.75:
        leave = length + rng.randint(-240, 180)
    else:
        leave = rng.randint(join + 600, max(join + 600, length - 300))
    leave = max(leave, join + 600)
    # A dropped connection: the gap is not presence, but the first join and last leave stand.
    gap = rng.randint(60, 360) if leave - join > 1200 and rng.random() < 0.06 else 0
    return _Presence(*_instants(story, join, leave), leave - join - gap, 2 if gap else 1)


def _instants(story: _Story, join: int, leave: int) -> tuple[datetime, datetime]:
    return story.starts_at + timedelta(seconds=join), story.starts_at + timedelta(seconds=leave)


def _unmatched(story: _Story, rng: random.Random) -> Iterator[tuple[str, str, bool]]:
    """(name, email, external): the customer's guests, dial-ins and a shared device or room.

    Guests with their company's email are marked external; the rest await the organizer.
    """
    domain = _slug(dict(CUSTOMERS).get(story.customer, "guest")) + ".example"
    for _ in range(rng.randint(2, 3)):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        with_email = rng.random() < 0.5
        email = f"{_slug(first)}.{_slug(last)}@{domain}" if with_email else ""
        yield f"{first} {last} (Guest)", email, with_email
    for _ in range(rng.randint(1, 2)):
        yield f"{rng.choice(DIAL_IN_PREFIXES)} **** {rng.randint(0, 9999):04d}", "", False
    if rng.random() < 0.5:
        yield rng.choice(DEVICES), "", False


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _import_record(story: _Story, now: datetime, rng: random.Random) -> AttendanceImport | None:
    """The report the organizer uploaded after the session; an in-person one has check-ins."""
    if story.platform not in REPORT_FILES:
        return None
    end = story.starts_at + timedelta(minutes=story.minutes)
    return AttendanceImport(
        session_id=story.id,
        source=SOURCES[story.platform],
        format=REPORT_FILES[story.platform][0],
        filename=_filename(story),
        sha256=hashlib.sha256(str(story.id).encode()).hexdigest(),
        created_at=min(end + timedelta(minutes=rng.randint(45, 20 * 60)), now),
    )


def _filename(story: _Story) -> str:
    day = story.starts_at
    if story.platform is Platform.zoom:
        meeting = story.join_url.rstrip("/").rsplit("/", 1)[-1]
        return f"participants_{meeting}.csv"
    if story.platform is Platform.teams:
        return f"{story.title} - Attendance report {day.month}-{day.day}-{day:%y}.csv"[:255]
    if story.platform is Platform.meet:
        return f"{story.title} - Attendance.csv"[:255]
    return f"AttendeeReport_{day:%Y%m%d}.csv"


def _report_json(
    record: AttendanceImport,
    story: _Story,
    rows: list[dict[str, Any]],
    joins: int,
    levels: list[Level],
    min_minutes: int,
) -> str:
    """An import report like the importer's, so the demo's import pages read true."""
    assert record.id is not None
    _, label, encoding, delimiter = REPORT_FILES[story.platform]
    attended = Counter(row["level_id"] for row in rows if row["attended"])
    matched = sum(1 for row in rows if row["person_id"] is not None)
    unmatched = len(rows) - matched
    report = ImportReport(
        import_id=record.id,
        session_id=story.id,
        filename=record.filename,
        format=record.format,
        format_label=label,
        source=record.source,
        encoding=encoding,
        delimiter=delimiter,
        rows_read=joins,
        people_found=len(rows),
        matched=matched,
        matched_by={"email": matched},
        unmatched=unmatched,
        ambiguous=[],
        attended=sum(attended.values()),
        min_minutes=min_minutes,
        per_level=[
            LevelCount(level=LevelRef.model_validate(level), attended=attended[level.id])
            for level in levels
        ],
        replaced=0,
        decisions=[
            "Demo data: generated by `storyroom demo`, not read from an uploaded file.",
            f"Times read in the session's timezone, {story.timezone}.",
        ],
        warnings=[
            f"{unmatched} attendee(s) are not in the directory; they are kept as unmatched "
            "and can be resolved on the session's attendance page."
        ],
        created_at=record.created_at,
    )
    return report.model_dump_json()
