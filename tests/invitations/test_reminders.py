"""Reminders before each session: at the configured offsets, never twice, not to decliners."""

from datetime import datetime, timedelta

from sqlmodel import Session

from app.invitations import inviting, reminders, rsvps, tasks
from app.invitations.schemas import Audience
from app.models import DeliveryKind, Rsvp, StorySession, utcnow
from tests.factories import create_person, create_session
from tests.invitations.support import composed, deliveries, invitations


def _session_with_invitees(
    db: Session, *, starts_at: datetime, created_at: datetime
) -> StorySession:
    for email in ("yes@example.com", "no@example.com", "quiet@example.com"):
        create_person(db, email=email, name=email.split("@")[0].title(), level_key="vp")
    story_session = create_session(db, title="Acme", starts_at=starts_at)
    story_session.created_at = created_at
    db.flush()
    inviting.invite(
        db,
        story_sessions=[story_session],
        audience=Audience(levels=["vp"]),
        now=created_at,
    )
    no, _, yes = invitations(db, story_session)
    rsvps.record_rsvp(db, yes, answer=Rsvp.accepted)
    rsvps.record_rsvp(db, no, answer=Rsvp.declined)
    return story_session


def _reminder_keys(db: Session) -> list[str]:
    return sorted(d.dedup_key for d in deliveries(db, kind=DeliveryKind.session_reminder))


def test_reminders_at_each_offset_never_twice_and_not_to_decliners(db: Session) -> None:
    starts = utcnow() + timedelta(days=3)
    story_session = _session_with_invitees(
        db, starts_at=starts, created_at=starts - timedelta(days=10)
    )
    sid = story_session.id
    offsets = [1440, 15]

    assert reminders.queue_reminders(db, now=starts - timedelta(hours=25), offsets=offsets) == 0
    day_before = starts - timedelta(hours=23, minutes=58)
    assert reminders.queue_reminders(db, now=day_before, offsets=offsets) == 2
    assert (
        reminders.queue_reminders(db, now=day_before + timedelta(minutes=5), offsets=offsets) == 0
    )
    assert _reminder_keys(db) == [
        f"remind:{sid}:1440:quiet@example.com",
        f"remind:{sid}:1440:yes@example.com",
    ]

    assert reminders.queue_reminders(db, now=starts - timedelta(minutes=14), offsets=offsets) == 2
    assert reminders.queue_reminders(db, now=starts - timedelta(minutes=9), offsets=offsets) == 0
    assert reminders.queue_reminders(db, now=starts + timedelta(minutes=1), offsets=offsets) == 0
    assert len(_reminder_keys(db)) == 4
    assert f"remind:{sid}:15:no@example.com" not in _reminder_keys(db)


def test_a_session_created_late_skips_the_earlier_reminders(db: Session) -> None:
    starts = utcnow() + timedelta(hours=5)
    story_session = _session_with_invitees(
        db, starts_at=starts, created_at=starts - timedelta(hours=6)
    )
    offsets = [1440, 15]
    assert reminders.queue_reminders(db, now=starts - timedelta(hours=5), offsets=offsets) == 0
    assert reminders.queue_reminders(db, now=starts - timedelta(minutes=12), offsets=offsets) == 2
    assert _reminder_keys(db) == [
        f"remind:{story_session.id}:15:quiet@example.com",
        f"remind:{story_session.id}:15:yes@example.com",
    ]


def test_the_periodic_job_uses_the_configured_offsets(db: Session) -> None:
    starts = utcnow() + timedelta(minutes=10)
    _session_with_invitees(db, starts_at=starts, created_at=starts - timedelta(days=2))
    assert tasks.queue_reminders() == 2  # the 15-minute reminder (default offsets)
    assert tasks.queue_reminders() == 0
    [first, _] = deliveries(db, kind=DeliveryKind.session_reminder)
    assert first.payload["offset_minutes"] == 15


def test_the_reminder_email(db: Session) -> None:
    starts = utcnow() + timedelta(minutes=10)
    _session_with_invitees(db, starts_at=starts, created_at=starts - timedelta(days=2))
    reminders.queue_reminders(db, now=starts - timedelta(minutes=10), offsets=[1440, 15])
    message = composed(db, deliveries(db, kind=DeliveryKind.session_reminder)[0])
    assert message["Subject"] == "Reminder: Acme starts in 15 minutes"
    text = message.get_body(("plain",))
    assert text is not None
    assert "Join: https://zoom.example.com/j/123" in text.get_content()
    assert "/p/rsvp/" in text.get_content()
    assert "answer=declined" in text.get_content()
