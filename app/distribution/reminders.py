"""Reminders: a recap not sent after a completed session, and action items falling due.

Each reminder is a Delivery with a dedup key ("recap_overdue:<session>",
"action_due:<item>:<due date>"), so the hourly job can run any number of times and each
person is reminded once per session, or once per item and due date.
"""

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from app.config import get_settings
from app.kit.due import due_bounds, due_today
from app.mail import outbox
from app.models import (
    ActionItem,
    ActionStatus,
    Delivery,
    DeliveryKind,
    Person,
    Recap,
    RecapStatus,
    SessionStatus,
    StorySession,
    User,
    utcnow,
)
from app.people.service import not_erased

RECAP_REMINDER_WINDOW = timedelta(days=14)
"""Sessions that ended longer ago than this (plus the reminder delay) are left alone: turning
reminders on, or loading a year of history, must not mail an organizer about every old session."""
ACTION_DUE_LOOKBACK_DAYS = 30
"""Items overdue for longer than this when first seen are not reminded, for the same reason."""
LONGEST_SESSION = timedelta(minutes=600)


def queue_recap_reminders(session: Session, *, now: datetime | None = None) -> list[Delivery]:
    """Remind organizers of completed sessions whose recap is still unsent after N hours."""
    now = now or utcnow()
    delay = timedelta(hours=get_settings().recap_reminder_hours)
    oldest_end = now - delay - RECAP_REMINDER_WINDOW
    sent = select(Recap.session_id).where(Recap.status == RecapStatus.sent)
    rows = session.exec(
        select(StorySession, User)
        .join(User, col(User.id) == StorySession.organizer_id)
        .where(
            StorySession.status == SessionStatus.completed,
            col(StorySession.starts_at) >= oldest_end - LONGEST_SESSION,
            col(StorySession.starts_at) <= now - delay,
            col(StorySession.id).not_in(sent),
            col(User.active).is_(True),
        )
    ).all()
    due = [
        (story_session, organizer)
        for story_session, organizer in rows
        if oldest_end <= story_session.ends_at <= now - delay
    ]
    added = outbox.enqueue(
        session,
        (
            Delivery(
                kind=DeliveryKind.recap_overdue,
                dedup_key=f"recap_overdue:{story_session.id}",
                to_email=organizer.email,
                to_name=organizer.name,
                session_id=story_session.id,
                next_attempt_at=now,
                created_at=now,
            )
            for story_session, organizer in due
        ),
    )
    return added


def queue_action_reminders(session: Session, *, now: datetime | None = None) -> list[Delivery]:
    """Remind owners of open action items due today or overdue, once per due date."""
    now = now or utcnow()
    earliest, latest = due_bounds(now, lookback_days=ACTION_DUE_LOOKBACK_DAYS)
    rows = session.exec(
        select(ActionItem, Person, StorySession.timezone)
        .join(Person, col(Person.id) == ActionItem.owner_id)
        .join(StorySession, col(StorySession.id) == ActionItem.session_id)
        .where(
            col(ActionItem.status) != ActionStatus.done,
            col(ActionItem.due_on).is_not(None),
            col(ActionItem.due_on) <= latest,
            col(ActionItem.due_on) >= earliest,
            col(Person.active).is_(True),
            not_erased(),
        )
        .order_by(col(ActionItem.id))
    ).all()
    due = [
        (item, owner, today)
        for item, owner, timezone in rows
        if (today := due_today(item.due_on, timezone, now, lookback_days=ACTION_DUE_LOOKBACK_DAYS))
    ]
    added = outbox.enqueue(
        session,
        (
            Delivery(
                kind=DeliveryKind.action_due,
                dedup_key=f"action_due:{item.id}:{item.due_on}",
                to_email=owner.email,
                to_name=owner.name,
                person_id=owner.id,
                session_id=item.session_id,
                action_item_id=item.id,
                payload={"due_on": str(item.due_on), "today": str(today)},
                next_attempt_at=now,
                created_at=now,
            )
            for item, owner, today in due
        ),
    )
    return added
