"""The demo tells the brief's story on the dashboards: recaps reach people, leaders follow."""

from datetime import UTC, datetime
from statistics import mean

from sqlmodel import Session, col, select

from app.dashboards import service
from app.dashboards.schemas import DashboardFilters
from app.demo import load_demo
from app.demo.attendance import recap_programme_start
from app.demo.distribution import BOARD_CHAIR, COMMITTEE
from app.demo.people import CEO_TITLE
from app.models import (
    Delivery,
    DeliveryKind,
    DistributionList,
    ListMember,
    Person,
    SessionStatus,
    StorySession,
)

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
ALL = DashboardFilters()


def test_load_demo_recap_deliveries_are_linked_to_their_recipients(db: Session) -> None:
    load_demo(db, now=NOW)

    committee = db.exec(select(DistributionList).where(DistributionList.name == COMMITTEE)).one()
    members = db.exec(
        select(ListMember.person_id).where(
            ListMember.list_id == committee.id, col(ListMember.person_id).is_not(None)
        )
    ).all()
    emails = dict(db.exec(select(Person.email, Person.id)).all())
    deliveries = db.exec(select(Delivery).where(Delivery.kind == DeliveryKind.recap)).all()
    assert len(deliveries) > 0
    unlinked = {d.to_email for d in deliveries if d.person_id is None}
    assert unlinked == {BOARD_CHAIR[1]}
    assert [d.id for d in deliveries if d.person_id and emails[d.to_email] != d.person_id] == []
    assert {d.person_id for d in deliveries if d.person_id} == set(members)


def test_load_demo_committee_receives_recaps_from_the_programme_start(db: Session) -> None:
    load_demo(db, now=NOW)

    start = recap_programme_start(NOW)
    completed = db.exec(
        select(StorySession)
        .where(StorySession.status == SessionStatus.completed)
        .order_by(col(StorySession.starts_at))
    ).all()
    first_after = next(story for story in completed if story.starts_at >= start)
    ceo = db.exec(select(Person).where(Person.title == CEO_TITLE)).one()
    to_ceo = db.exec(
        select(Delivery.session_id, Delivery.read_at).where(Delivery.person_id == ceo.id)
    ).all()
    assert min(starts for starts in _starts(db, [s for s, _ in to_ceo])) == first_after.starts_at
    assert all(read is not None for _, read in to_ceo)

    leaders = {row.person_id: row for row in service.leaders(db, filters=ALL).items}
    ceo_row = leaders[ceo.id or 0]
    assert ceo_row.recaps_received == ceo_row.recaps_read == len(to_ceo)
    # Recaps and digests count alike; the committee is who got recap emails.
    recap_readers = set(
        db.exec(select(Delivery.person_id).where(Delivery.kind == DeliveryKind.recap)).all()
    )
    committee = [row for row in leaders.values() if row.person_id in recap_readers]
    assert len(committee) == 10  # the CEO and nine direct reports
    assert (
        0
        < sum(row.recaps_read or 0 for row in committee)
        < sum(row.recaps_received or 0 for row in committee)
    )


def _starts(db: Session, session_ids: list[int | None]) -> list[datetime]:
    return list(
        db.exec(select(StorySession.starts_at).where(col(StorySession.id).in_(session_ids))).all()
    )


def test_load_demo_leaders_share_rises_after_the_first_recap(db: Session) -> None:
    load_demo(db, now=NOW)

    report = service.overview(db, filters=ALL)
    first = report.first_recap_session_at
    assert first is not None
    before = [s.rates for s in report.sessions if s.starts_at < first]
    after = [s.rates for s in report.sessions if s.starts_at >= first]
    late = after[-5:]
    for key, low, high in (("c-suite", 0.05, 0.45), ("vp", 0.03, 0.15), ("manager", 0.3, 0.5)):
        assert mean(rates[key] for rates in before) <= low, key
        assert mean(rates[key] for rates in late) >= high, key
    assert max(rate for s in report.sessions for rate in s.rates.values()) <= 1
    assert 0 < report.executives_regular < report.executives_attended < report.executives
    c_suite = next(row for row in report.funnel_levels if row.level.key == "c-suite")
    assert c_suite.read > 0
