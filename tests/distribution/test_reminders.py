"""Reminders: an unsent recap after N hours, action items falling due; never twice."""

from datetime import date, datetime, timedelta

from sqlmodel import Session, select

from app.distribution.reminders import queue_action_reminders, queue_recap_reminders
from app.distribution.tasks import send_reminders
from app.models import (
    ActionItem,
    ActionStatus,
    Delivery,
    DeliveryKind,
    RecapStatus,
    SessionStatus,
    StorySession,
    utcnow,
)
from tests.distribution.helpers import approve_recap
from tests.factories import create_person, create_session, create_user


def _ended(db: Session, hours_ago: float, title: str = "Billing, told by a CFO") -> StorySession:
    organizer = create_user(db, email=f"org{hours_ago}@example.com")
    return create_session(
        db,
        title=title,
        status=SessionStatus.completed,
        starts_at=utcnow() - timedelta(hours=hours_ago, minutes=60),
        duration_minutes=60,
        organizer_id=organizer.id,
    )


def test_recap_reminder_after_the_delay_and_only_once(db: Session) -> None:
    late = _ended(db, 49)
    _ended(db, 47)  # not yet
    _ended(db, 24 * 30)  # too old to start nagging about
    sent = _ended(db, 60)
    approve_recap(db, sent, status=RecapStatus.sent)

    (reminder,) = queue_recap_reminders(db)
    assert reminder.kind is DeliveryKind.recap_overdue
    assert reminder.session_id == late.id
    assert reminder.to_email == "org49@example.com"
    assert reminder.dedup_key == f"recap_overdue:{late.id}"
    assert queue_recap_reminders(db) == []
    assert queue_recap_reminders(db, now=utcnow() + timedelta(hours=5)) != []  # the 47h one, later
    assert len(db.exec(select(Delivery).where(Delivery.session_id == late.id)).all()) == 1


def test_action_reminders_once_per_item_and_due_date(db: Session) -> None:
    story_session = _ended(db, 100)
    owner = create_person(db, email="owner@example.com", name="Olive Owner")
    today = utcnow().date()

    def item(
        description: str, due: date | None, status: ActionStatus = ActionStatus.open
    ) -> ActionItem:
        row = ActionItem(
            session_id=story_session.id or 0,
            description=description,
            owner_id=owner.id,
            due_on=due,
            status=status,
        )
        db.add(row)
        db.flush()
        return row

    overdue = item("Overdue", today - timedelta(days=3))
    item("Due next week", today + timedelta(days=7))
    item("Done already", today - timedelta(days=1), ActionStatus.done)
    item("No date", None)
    item("Forgotten long ago", today - timedelta(days=400))

    noon = datetime.combine(today, datetime.min.time(), utcnow().tzinfo) + timedelta(hours=12)
    reminders = queue_action_reminders(db, now=noon)
    assert [r.action_item_id for r in reminders] == [overdue.id]
    assert reminders[0].to_email == "owner@example.com"
    assert queue_action_reminders(db, now=noon + timedelta(hours=3)) == []

    overdue.due_on = today  # pushed back: a new due date earns a new reminder
    db.add(overdue)
    db.flush()
    (again,) = queue_action_reminders(db, now=noon)
    assert again.dedup_key == f"action_due:{overdue.id}:{today}"


def test_reminder_job_is_idempotent(db: Session) -> None:
    _ended(db, 49)
    assert send_reminders() == 1
    assert send_reminders() == 0
