from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from app.audit import service as audit
from app.dashboards import service
from app.dashboards.engagement import EngagementRules
from app.dashboards.schemas import DashboardFilters
from app.errors import Invalid, NotFound
from app.models import (
    ActionItem,
    ActionStatus,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    EngagementStage,
    Invitation,
    LeaderStage,
    Person,
    Recap,
    RecapVersion,
    Role,
    Rsvp,
    SessionStatus,
    utcnow,
)
from tests.dashboards.support import Org, build_org
from tests.factories import (
    create_attendance,
    create_person,
    create_session,
    create_user,
    get_level,
)

ALL = DashboardFilters()


def test_overview_counts_held_sessions_attendees_and_unique_people(db: Session) -> None:
    org = build_org(db)
    report = service.overview(db, filters=ALL)
    assert report.sessions_held == 3
    assert report.attendees == 14
    assert report.unique_people == 7
    assert [s.session_id for s in report.sessions] == [org.s1.id, org.s2.id, org.s3.id]
    assert report.sessions[0].by_level == {"c-suite": 1, "manager": 1, "ic": 2, "unknown": 1}
    assert (report.recaps_sent, report.recaps_read) == (0, 0)


def test_overview_executive_participation_counts_active_executives_today(db: Session) -> None:
    build_org(db)
    report = service.overview(db, filters=ALL)
    # CEO, CFO and the VP are active executives (the former VP is not); CEO and VP came.
    assert (report.executives, report.executives_attended) == (3, 2)
    assert report.executive_participation == pytest.approx(2 / 3)


def test_overview_with_a_period_counts_only_sessions_in_it(db: Session) -> None:
    build_org(db)
    report = service.overview(
        db, filters=DashboardFilters(start=date(2026, 2, 1), end=date(2026, 2, 10))
    )
    assert (report.sessions_held, report.attendees, report.unique_people) == (1, 5, 5)
    assert (report.executives, report.executives_attended) == (3, 1)


def test_overview_with_series_department_and_level_filters(db: Session) -> None:
    org = build_org(db)
    by_series = service.overview(db, filters=DashboardFilters(series_id=org.series.id))
    assert (by_series.sessions_held, by_series.attendees) == (1, 4)
    sales = service.overview(db, filters=DashboardFilters(department="Sales"))
    assert (sales.attendees, sales.unique_people) == (8, 4)
    assert (sales.executives, sales.executives_attended) == (1, 1)
    ics = service.overview(db, filters=DashboardFilters(level="ic"))
    assert (ics.attendees, ics.unique_people) == (7, 3)
    assert ics.executive_participation is None


def test_overview_with_an_empty_database_is_all_zero(db: Session) -> None:
    report = service.overview(db, filters=ALL)
    assert (report.sessions_held, report.attendees, report.unique_people) == (0, 0, 0)
    assert report.sessions == []
    assert report.executive_participation is None


def test_filters_with_unknown_level_series_or_reversed_period_are_refused(db: Session) -> None:
    with pytest.raises(Invalid, match="no level 'boss'"):
        service.overview(db, filters=DashboardFilters(level="boss"))
    with pytest.raises(NotFound, match="no series with id 999"):
        service.overview(db, filters=DashboardFilters(series_id=999))
    with pytest.raises(Invalid, match="ends before"):
        service.overview(db, filters=DashboardFilters(start=date(2026, 3, 1), end=date(2026, 2, 1)))


def test_levels_as_it_was_keeps_the_level_at_the_session_after_a_promotion(db: Session) -> None:
    org = build_org(db)
    org.mgr.level_id = get_level(db, "director").id or 0
    db.add(org.mgr)
    db.flush()

    was = {
        row.level.key: row for row in service.levels_report(db, filters=ALL, view="as_it_was").rows
    }
    assert (was["manager"].attendances, was["manager"].unique_people) == (2, 1)
    assert (was["director"].attendances, was["director"].unique_people) == (1, 1)

    now = {row.level.key: row for row in service.levels_report(db, filters=ALL, view="today").rows}
    assert (now["manager"].attendances, now["manager"].unique_people) == (0, 0)
    assert (now["director"].attendances, now["director"].unique_people) == (3, 2)
    assert now["director"].headcount == 2
    assert now["director"].participation_rate == 1.0


def test_levels_report_groups_sessions_by_month(db: Session) -> None:
    build_org(db)
    report = service.levels_report(db, filters=ALL, view="as_it_was")
    assert [(m.month, m.sessions, m.attendees) for m in report.months] == [
        ("2026-01", 1, 5),
        ("2026-02", 1, 5),
        ("2026-03", 1, 4),
    ]
    assert report.months[2].by_level == {"vp": 1, "director": 1, "ic": 2}
    ic = next(row for row in report.rows if row.level.key == "ic")
    assert (ic.attendances, ic.unique_people, ic.headcount) == (7, 3, 4)
    assert ic.participation_rate == 0.75
    assert ic.average_per_session == pytest.approx(7 / 3)


def test_departments_rate_is_unique_attendees_over_headcount_today(db: Session) -> None:
    build_org(db)
    report = service.departments(db, filters=ALL)
    rows = {row.department: row for row in report.items}
    assert set(rows) == {"Executive", "Finance", "Sales", "Support"}
    assert (rows["Sales"].headcount, rows["Sales"].attendees) == (4, 4)
    assert (rows["Support"].headcount, rows["Support"].attendees) == (3, 2)
    assert rows["Support"].participation_rate == pytest.approx(2 / 3)
    assert rows["Finance"].participation_rate == 0.0
    support_ic = next(cell for cell in rows["Support"].by_level if cell.level == "ic")
    assert (support_ic.headcount, support_ic.attendees) == (3, 2)
    assert [row.department for row in report.items] == ["Sales", "Executive", "Support", "Finance"]


def test_leaders_lists_executives_with_their_attendance_and_stage(db: Session) -> None:
    org = build_org(db)
    report = service.leaders(db, filters=ALL)
    assert [(r.name, r.sessions_attended, r.stage) for r in report.items] == [
        ("CEO", 1, EngagementStage.buy_in),
        ("CFO", 0, EngagementStage.ignorance),
        ("VP", 2, EngagementStage.buy_in),
    ]
    assert report.items[2].last_attended_at == org.s3.starts_at
    assert report.items[1].last_attended_at is None
    assert report.never_attended == 1
    assert {s.stage: s.count for s in report.stages}[EngagementStage.buy_in] == 2
    assert report.items[0].invitations_accepted == 0


def test_leaders_with_directors_and_never_attended_only(db: Session) -> None:
    build_org(db)
    report = service.leaders(db, filters=ALL, include_directors=True, never_attended=True)
    assert [r.name for r in report.items] == ["CFO"]
    assert report.leaders == 4
    everyone = service.leaders(db, filters=ALL, include_directors=True)
    assert [r.name for r in everyone.items][-1] == "DIRECTOR"


def test_leaders_stage_follows_the_rules_given(db: Session) -> None:
    build_org(db)
    rules = EngagementRules(buy_in_min_sessions=2)
    report = service.leaders(db, filters=ALL, rules=rules)
    stages = {r.name: r.stage for r in report.items}
    assert (stages["CEO"], stages["VP"]) == (EngagementStage.ignorance, EngagementStage.buy_in)


def test_leader_stage_override_and_target_give_the_gap(db: Session) -> None:
    org = build_org(db)
    service.set_leader_stage(
        db,
        person=org.cfo,
        override_stage=EngagementStage.skepticism,
        target_stage=EngagementStage.action,
    )
    cfo = next(r for r in service.leaders(db, filters=ALL).items if r.name == "CFO")
    assert (cfo.computed_stage, cfo.stage, cfo.target_stage) == (
        EngagementStage.ignorance,
        EngagementStage.skepticism,
        EngagementStage.action,
    )
    assert cfo.gap == 3

    organizer = create_user(db, email="stage-setter@example.com", role=Role.organizer)
    with audit.acting_as(organizer):
        saved = service.set_leader_stage(db, person=org.cfo, override_stage=None, target_stage=None)
    record = db.exec(select(LeaderStage).where(LeaderStage.person_id == org.cfo.id)).one()
    assert record.updated_by_id == organizer.id
    assert (saved.override_stage, saved.target_stage) == (None, None)
    cfo = next(r for r in service.leaders(db, filters=ALL).items if r.name == "CFO")
    assert (cfo.stage, cfo.gap) == (EngagementStage.ignorance, None)


def test_leaders_period_counts_only_sessions_in_it(db: Session) -> None:
    build_org(db)
    report = service.leaders(db, filters=DashboardFilters(start=date(2026, 3, 1)))
    assert {r.name: r.sessions_attended for r in report.items} == {"CEO": 0, "CFO": 0, "VP": 1}
    assert report.sessions_held == 1
    assert datetime(2026, 3, 10, 15, tzinfo=UTC) == report.items[2].last_attended_at


def test_departments_count_people_where_they_are_today_so_rates_stay_within_100(
    db: Session,
) -> None:
    held = create_session(
        db, starts_at=utcnow() - timedelta(days=3), status=SessionStatus.completed
    )
    mover = create_person(db, email="mover@example.com", name="Mover", department="Support")
    leaver = create_person(db, email="leaver@example.com", name="Leaver", department="Support")
    stayer = create_person(db, email="stayer@example.com", name="Stayer", department="Support")
    for person in (mover, leaver, stayer):
        create_attendance(db, story_session=held, person=person)
    mover.department, leaver.active = "Sales", False
    db.flush()

    rows = {row.department: row for row in service.departments(db, filters=ALL).items}
    assert (rows["Support"].attendees, rows["Support"].headcount) == (1, 1)
    assert (rows["Sales"].attendees, rows["Sales"].headcount) == (1, 1)
    assert all((row.participation_rate or 0) <= 1 for row in rows.values())


def _send_recap(db: Session, story_session_id: int, person: Person, *, read: bool) -> None:
    recap = Recap(session_id=story_session_id)
    db.add(recap)
    db.flush()
    assert recap.id is not None
    version = RecapVersion(recap_id=recap.id, number=1, document={})
    db.add(version)
    db.flush()
    db.add(
        Delivery(
            kind=DeliveryKind.recap,
            dedup_key=f"recap:{version.id}:{person.email}",
            to_email=person.email,
            person_id=person.id,
            recap_version_id=version.id,
            status=DeliveryStatus.sent,
            sent_at=utcnow(),
            read_at=utcnow() if read else None,
        )
    )


def _ids(org: Org) -> tuple[int, int, int, int]:
    ids = (org.s1.id, org.s2.id, org.s3.id, org.cfo.id)
    assert all(value is not None for value in ids)
    return ids  # type: ignore[return-value]


def test_leader_signals_invitations_recaps_and_action_items_move_the_stage(db: Session) -> None:
    org = build_org(db)
    s1, s2, s3, cfo_id = _ids(org)
    # The CFO never came but accepted an invitation and read the recap: skepticism (accepting
    # is a word, not a deed).
    db.add(Invitation(session_id=s2, person_id=cfo_id, email="cfo@x.com", rsvp=Rsvp.accepted))
    db.add(Invitation(session_id=s3, person_id=cfo_id, email="cfo@x.com", rsvp=Rsvp.declined))
    _send_recap(db, s1, org.cfo, read=True)
    # The CEO came once and closed an action item: action.
    done = ActionItem(
        session_id=s1, description="Fix invoices", owner_id=org.ceo.id, status=ActionStatus.done
    )
    db.add_all([done, ActionItem(session_id=s2, description="Call back", owner_id=org.ceo.id)])
    db.flush()

    rows = {r.name: r for r in service.leaders(db, filters=ALL).items}
    cfo, ceo = rows["CFO"], rows["CEO"]
    assert (cfo.invitations_accepted, cfo.recaps_received, cfo.recaps_read) == (1, 1, 1)
    assert cfo.stage == EngagementStage.skepticism
    assert (ceo.action_items_owned, ceo.action_items_done) == (2, 1)
    assert ceo.stage == EngagementStage.action
    overview = service.overview(db, filters=ALL)
    assert (overview.recaps_sent, overview.recaps_read) == (1, 1)
    # A period without those sessions sees none of it.
    later = service.leaders(db, filters=DashboardFilters(start=date(2026, 3, 1)))
    assert {r.name: r.invitations_accepted for r in later.items}["CFO"] == 0


def test_leader_invited_and_sent_recaps_but_never_reading_is_ignorance(db: Session) -> None:
    org = build_org(db)
    s1, s2, _, cfo_id = _ids(org)
    db.add(Invitation(session_id=s2, person_id=cfo_id, email="cfo@x.com"))
    _send_recap(db, s1, org.cfo, read=False)
    db.flush()
    rows = {r.name: r for r in service.leaders(db, filters=ALL).items}
    assert (rows["CFO"].recaps_received, rows["CFO"].recaps_read) == (1, 0)
    assert rows["CFO"].stage == EngagementStage.ignorance
