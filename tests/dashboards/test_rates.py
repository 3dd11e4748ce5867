"""Rates are shares of a level's people: none passes 100 %, whatever promotions and leavers do."""

from dataclasses import dataclass
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from app.dashboards import service
from app.dashboards.schemas import DashboardFilters
from app.models import (
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    Invitation,
    Recap,
    RecapVersion,
    Rsvp,
    SessionStatus,
    StorySession,
)
from tests.factories import create_attendance, create_person, create_session, get_level

ALL = DashboardFilters()


def _held(db: Session, month: int) -> StorySession:
    return create_session(
        db, starts_at=datetime(2026, month, 5, 15, tzinfo=UTC), status=SessionStatus.completed
    )


def test_levels_rate_with_a_leaver_who_came_stays_within_100(db: Session) -> None:
    held = _held(db, 1)
    stayer = create_person(db, email="stayer@example.com", name="Stayer")
    leaver = create_person(db, email="leaver@example.com", name="Leaver")
    for person in (stayer, leaver):
        create_attendance(db, story_session=held, person=person)
    leaver.active = False
    db.flush()

    for view in ("as_it_was", "today"):
        ic = next(
            row
            for row in service.levels_report(db, filters=ALL, view=view).rows
            if row.level.key == "ic"
        )
        assert (ic.unique_people, ic.population, ic.participation_rate) == (2, 2, 1.0), view
        assert ic.headcount == 1, view


def test_levels_rate_after_a_promotion_stays_within_100(db: Session) -> None:
    before, after = _held(db, 1), _held(db, 3)
    promoted = create_person(db, email="promoted@example.com", name="Promoted", level_key="manager")
    peer = create_person(db, email="peer@example.com", name="Peer", level_key="manager")
    for person in (promoted, peer):
        create_attendance(db, story_session=before, person=person)
    promoted.level_id = get_level(db, "director").id or 0
    db.flush()
    create_attendance(db, story_session=after, person=promoted)

    was = {r.level.key: r for r in service.levels_report(db, filters=ALL, view="as_it_was").rows}
    # Counted as a manager at the first session, a director at the second: in both levels.
    assert (was["manager"].unique_people, was["manager"].population) == (2, 2)
    assert (was["director"].unique_people, was["director"].population) == (1, 1)
    assert [r.participation_rate for r in was.values() if r.participation_rate is not None] == [
        1.0,
        1.0,
    ]


def test_session_share_counts_a_promoted_person_at_the_level_they_had(db: Session) -> None:
    first = _held(db, 1)
    _held(db, 2)  # nobody comes: each level's people are today's
    promoted = create_person(db, email="m@example.com", name="M", level_key="manager")
    create_person(db, email="p@example.com", name="P", level_key="manager")
    director = create_person(db, email="d@example.com", name="D", level_key="director")
    for person in (promoted, director):
        create_attendance(db, story_session=first, person=person)
    promoted.level_id = get_level(db, "director").id or 0
    db.flush()

    sessions = service.overview(db, filters=ALL).sessions

    # At the first session M was a manager: one of the two managers, not a director.
    assert (sessions[0].came, sessions[0].population) == (
        {"manager": 1, "director": 1},
        {"manager": 2, "director": 1},
    )
    assert sessions[0].rates == {"manager": 0.5, "director": 1.0}
    assert (sessions[1].population, sessions[1].rates) == (
        {"manager": 1, "director": 2},
        {"manager": 0.0, "director": 0.0},
    )


# -- generated organisations ------------------------------------------------------------------

LEVEL_KEYS = ("c-suite", "vp", "director", "manager", "ic", "unknown")
DEPARTMENTS = ("Sales", "Support", "")
STATUSES = (SessionStatus.completed, SessionStatus.completed, SessionStatus.scheduled)


@dataclass(frozen=True)
class Pair:
    """What happened between one generated person and one generated session."""

    attended: bool | None
    """None: no attendance row; else the row's `attended`."""
    level: str
    """The level snapshotted on the attendance (a promotion when it is not today's)."""
    department: str
    rsvp: Rsvp | None
    alias_invitation: bool
    recap: int
    """0: no recap sent; 1: sent, not read; 2: sent and read."""
    version: int


@dataclass(frozen=True)
class Generated:
    people: list[tuple[str, str, bool]]
    statuses: list[SessionStatus]
    pairs: dict[tuple[int, int], Pair]
    guests: list[int]
    department: str | None
    level: str | None
    include_directors: bool


@st.composite
def organisations(draw: st.DrawFn) -> Generated:
    people = draw(
        st.lists(
            st.tuples(st.sampled_from(LEVEL_KEYS), st.sampled_from(DEPARTMENTS), st.booleans()),
            min_size=1,
            max_size=9,
        )
    )
    statuses = draw(st.lists(st.sampled_from(STATUSES), min_size=1, max_size=4))
    pair = st.builds(
        Pair,
        attended=st.one_of(st.none(), st.booleans()),
        level=st.sampled_from(LEVEL_KEYS),
        department=st.sampled_from(DEPARTMENTS),
        rsvp=st.one_of(st.none(), st.sampled_from(list(Rsvp))),
        alias_invitation=st.booleans(),
        recap=st.integers(0, 2),
        version=st.integers(1, 2),
    )
    pairs = {(p, s): draw(pair) for p in range(len(people)) for s in range(len(statuses))}
    return Generated(
        people=people,
        statuses=statuses,
        pairs=pairs,
        guests=draw(st.lists(st.integers(0, 2), min_size=len(statuses), max_size=len(statuses))),
        department=draw(st.sampled_from([None, "Sales"])),
        level=draw(st.sampled_from([None, None, "vp", "ic"])),
        include_directors=draw(st.booleans()),
    )


def _build(db: Session, org: Generated) -> None:
    people = [
        create_person(
            db,
            email=f"p{n}@example.com",
            name=f"P{n}",
            department=department,
            level_key=level,
            active=active,
        )
        for n, (level, department, active) in enumerate(org.people)
    ]
    sessions = [
        create_session(db, starts_at=datetime(2026, 1, 5 + 7 * n, 15, tzinfo=UTC), status=status)
        for n, status in enumerate(org.statuses)
    ]
    versions: dict[tuple[int, int], RecapVersion] = {}
    for (p, s), pair in org.pairs.items():
        person, story = people[p], sessions[s]
        if pair.attended is not None:
            create_attendance(
                db,
                story_session=story,
                person=person,
                attended=pair.attended,
                minutes_present=45 if pair.attended else 2,
                level_key=pair.level,
                department=pair.department,
            )
        if pair.rsvp is not None:
            emails = [person.email] + ([f"alias-{person.email}"] if pair.alias_invitation else [])
            for number, email in enumerate(emails):
                rsvp = pair.rsvp if number == 0 else Rsvp.accepted
                db.add(
                    Invitation(
                        session_id=story.id or 0, person_id=person.id, email=email, rsvp=rsvp
                    )
                )
        if pair.recap:
            version = versions.get((s, pair.version)) or _version(db, story, pair.version)
            versions[(s, pair.version)] = version
            db.add(
                Delivery(
                    kind=DeliveryKind.recap,
                    dedup_key=f"recap:{version.id}:{person.email}",
                    to_email=person.email,
                    person_id=person.id,
                    recap_version_id=version.id,
                    status=DeliveryStatus.sent,
                    sent_at=story.starts_at,
                    read_at=story.starts_at if pair.recap == 2 else None,
                )
            )
    for story, guests in zip(sessions, org.guests, strict=True):
        for n in range(guests):
            create_attendance(db, story_session=story, level_key="unknown", raw_name=f"Guest {n}")
    db.flush()


def _version(db: Session, story: StorySession, number: int) -> RecapVersion:
    recap = db.exec(select(Recap).where(Recap.session_id == story.id)).first()
    if recap is None:
        recap = Recap(session_id=story.id or 0)
        db.add(recap)
        db.flush()
    version = RecapVersion(recap_id=recap.id or 0, number=number, document={})
    db.add(version)
    db.flush()
    return version


def _within(value: float | None, what: str) -> None:
    assert value is None or 0.0 <= value <= 1.0, (what, value)


def _check_rates(db: Session, filters: DashboardFilters) -> None:
    overview = service.overview(db, filters=filters)
    for figures in overview.sessions:
        for key, rate in figures.rates.items():
            _within(rate, f"overview {figures.session_id} {key}")
            assert figures.came[key] <= figures.population[key]
    _within(overview.executive_participation, "executive participation")
    _within(overview.executive_regular_rate, "executives regular")
    assert overview.executives_regular <= overview.executives_attended <= overview.executives
    for view in ("as_it_was", "today"):
        levels = service.levels_report(db, filters=filters, view=view)
        for row in levels.rows:
            _within(row.participation_rate, f"{view} {row.level.key}")
            _within(row.average_rate, f"{view} {row.level.key} average")
            assert row.unique_people <= row.population or row.level.key == "unknown"
        for month in levels.months:
            for key, rate in month.rates.items():
                _within(rate, f"{view} {month.month} {key}")
        for figures in levels.sessions:
            for key, rate in figures.rates.items():
                _within(rate, f"{view} {figures.session_id} {key}")
    departments = service.departments(db, filters=filters, limit=1000)
    for department in departments.items:
        _within(department.participation_rate, department.department)
        for cell in department.by_level:
            _within(cell.participation_rate, f"{department.department} {cell.level}")
    funnel = service.funnel(db, filters=filters, limit=1000)
    for stages in [funnel.overall, *funnel.levels, *funnel.items]:
        for share in (stages.accepted_rate, stages.attended_rate, stages.read_rate):
            _within(share, "funnel")
    assert sum(level.invited for level in funnel.levels) == funnel.overall.invited
    assert sum(row.invited for row in funnel.items) == funnel.overall.invited
    assert sum(row.read for row in funnel.items) == funnel.overall.read


def _check_grid(db: Session, filters: DashboardFilters, include_directors: bool) -> None:
    first = service.leader_grid(db, filters=filters, include_directors=include_directors, limit=2)
    rows = [*first.items]
    offset = 2
    while offset < first.total:
        page = service.leader_grid(
            db, filters=filters, include_directors=include_directors, limit=2, offset=offset
        )
        rows += page.items
        offset += 2
    assert len(rows) == first.total == first.leaders
    marks = ("invited", "accepted", "attended", "received", "read")
    for column, totals in enumerate(first.sessions):
        for mark in marks:
            cells = sum(getattr(row.cells[column], mark) for row in rows)
            assert cells == getattr(totals, mark), (totals.session_id, mark)
    for row in rows:
        assert [cell.session_id for cell in row.cells] == [s.session_id for s in first.sessions]
        for mark in marks:
            assert sum(getattr(cell, mark) for cell in row.cells) == getattr(row, mark), mark
    never = [row.attended == 0 for row in rows]
    assert never == sorted(never, reverse=True)
    assert sum(never) == first.never_attended
    leaders = service.leaders(db, filters=filters, include_directors=include_directors, limit=1000)
    assert {row.person_id: row.attended for row in rows} == {
        row.person_id: row.sessions_attended for row in leaders.items
    }


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(org=organisations())
def test_no_dashboard_rate_passes_100_and_the_grid_adds_up(db: Session, org: Generated) -> None:
    with db.begin_nested() as savepoint:
        _build(db, org)
        filters = DashboardFilters(department=org.department, level=org.level)
        for scope in (ALL, filters):
            _check_rates(db, scope)
            _check_grid(db, scope, org.include_directors)
        savepoint.rollback()
