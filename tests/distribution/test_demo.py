"""The demo lists and their delivery history, with and without demo recaps."""

from datetime import timedelta

from sqlmodel import Session, col, select

from app.demo.distribution import COMMITTEE, DIGEST, REJECTED, load_distribution
from app.demo.people import DemoPeople
from app.demo.story_sessions import DemoSessions
from app.models import Delivery, DeliveryStatus, DistributionList, ListMember, SessionStatus, utcnow
from tests.distribution.helpers import approve_recap, create_series
from tests.factories import create_person, create_session


def _demo(db: Session, recaps: int) -> tuple[DemoPeople, DemoSessions]:
    ceo = create_person(db, email="ceo@northwind.example", name="Cee Eo", level_key="c-suite")
    cfo = create_person(
        db, email="cfo@northwind.example", name="Cee Fo", level_key="c-suite", manager=ceo
    )
    director = create_person(
        db, email="dir@northwind.example", name="Dee Rector", level_key="director", manager=cfo
    )
    series = create_series(db)
    completed = []
    for index in range(recaps):
        story_session = create_session(
            db,
            title=f"Session {index}",
            status=SessionStatus.completed,
            starts_at=utcnow() - timedelta(days=30 * (recaps - index)),
            series=series,
        )
        approve_recap(db, story_session, approved_at_days_ago=30 * (recaps - index) - 1)
        completed.append(story_session.id or 0)
    people = DemoPeople(
        count=3,
        departments=1,
        ceo_id=ceo.id or 0,
        host_id=director.id or 0,
        ids_by_level={"c-suite": [ceo.id or 0, cfo.id or 0], "director": [director.id or 0]},
    )
    sessions = DemoSessions(
        series_id=series.id or 0,
        customers=1,
        completed_ids=completed,
        scheduled_ids=[],
        cancelled_ids=[],
    )
    return people, sessions


def test_demo_lists_with_delivery_history(db: Session) -> None:
    people, sessions = _demo(db, recaps=3)
    summary = load_distribution(db, people=people, sessions=sessions)
    committee = db.exec(select(DistributionList).where(DistributionList.name == COMMITTEE)).one()
    members = db.exec(select(ListMember).where(ListMember.list_id == committee.id)).all()
    assert len(members) == 3  # the CEO, the direct report, the board chair
    digest = db.exec(select(DistributionList).where(DistributionList.name == DIGEST)).one()
    assert digest.cadence.value == "monthly"
    deliveries = db.exec(select(Delivery).order_by(col(Delivery.id))).all()
    assert summary.deliveries == len(deliveries) == 6  # two recaps sent, the latest left to send
    assert [d.last_error for d in deliveries if d.status is DeliveryStatus.failed] == [REJECTED]
    assert any(d.read_at for d in deliveries)


def test_demo_lists_without_recaps(db: Session) -> None:
    people, sessions = _demo(db, recaps=0)
    summary = load_distribution(db, people=people, sessions=sessions)
    assert summary.lists == 2
    assert summary.deliveries == 0
    assert summary.members == 3 + 3
