"""One leader's hand-counted history, for the person page, its API and the directory's order.

Ada (SVP/VP, so a leader) and the sessions, oldest first ("held" = completed):

    s1 2026-01-10 held       invited, accepted     attended 50 min    recap sent, read
    s7 2026-01-20 held       not invited           —                  recap sent (a list), unread
    s2 2026-02-10 held       invited, declined     not present        recap sent, unread
    s3 2026-03-10 held       invited, tentative    5 min (under min)  —
    s4 2026-04-10 held       not invited           attended 200 min   recap sent, read
    s5 2026-05-10 cancelled  invited, accepted     —                  —     (counts nowhere)
    s6 in 30 days scheduled  invited, no answer    —                  —
    s8 2026-06-10 held       Bob only: Ada is not in it

So: invited to 4 (s1 s2 s3 s6), accepted 1, declined 1, tentative 1, no answer 1; attended
2 (s1 s4: 250 min = 4 h 10 min), last on 2026-04-10; 4 recaps received (s1 s7 s2 s4), 2 read.
Action items owned: "Fix billing" (s1, due 2026-02-01, open: overdue), "Call the CFO" (s4,
no due date, in progress), "Cancelled follow-up" (s5, open, due 2026-06-01: overdue, but of a
cancelled session so not counted). Bob owns one item. Six sessions held, Ada at two, no item
done: her stage is commitment.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session

from app.models import (
    ActionItem,
    ActionStatus,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    Invitation,
    Person,
    Recap,
    RecapVersion,
    Rsvp,
    SessionStatus,
    StorySession,
    utcnow,
)
from tests.factories import create_attendance, create_person, create_session

SUMMARY_LINE = "Invited to 4, accepted 1, attended 2 (4 h 10 min), 4 recaps received, 2 read"


@dataclass
class Story:
    ada: Person
    bob: Person
    s1: StorySession
    s2: StorySession
    s3: StorySession
    s4: StorySession
    s5: StorySession
    s6: StorySession
    s7: StorySession
    s8: StorySession


def invite(db: Session, story: StorySession, person: Person, rsvp: Rsvp) -> Invitation:
    invitation = Invitation(
        session_id=story.id or 0, person_id=person.id, email=person.email, rsvp=rsvp
    )
    db.add(invitation)
    db.flush()
    return invitation


def send_recap(db: Session, story: StorySession, person: Person, *, read: bool) -> Delivery:
    """The session's recap (one version) delivered to the person, opened or not."""
    recap = Recap(session_id=story.id or 0)
    db.add(recap)
    db.flush()
    version = RecapVersion(recap_id=recap.id or 0, number=1, document={})
    db.add(version)
    db.flush()
    sent_at = story.starts_at + timedelta(days=1)
    delivery = Delivery(
        kind=DeliveryKind.recap,
        dedup_key=f"recap:{version.id}:{person.email}",
        to_email=person.email,
        person_id=person.id,
        recap_version_id=version.id,
        status=DeliveryStatus.sent,
        sent_at=sent_at,
        read_at=sent_at + timedelta(hours=3) if read else None,
    )
    db.add(delivery)
    db.flush()
    return delivery


def action_item(
    db: Session,
    story: StorySession,
    owner: Person,
    description: str,
    *,
    status: ActionStatus = ActionStatus.open,
    due_on: date | None = None,
) -> ActionItem:
    item = ActionItem(
        session_id=story.id or 0,
        description=description,
        owner_id=owner.id,
        status=status,
        due_on=due_on,
    )
    db.add(item)
    db.flush()
    return item


def held(db: Session, title: str, day: datetime) -> StorySession:
    return create_session(db, title=title, starts_at=day, status=SessionStatus.completed)


def build_story(db: Session) -> Story:
    ada = create_person(
        db, email="ada@example.com", name="Ada Lovelace", title="SVP Engines", level_key="vp"
    )
    bob = create_person(db, email="bob@example.com", name="Bob Byte", title="Engineer")
    s1 = held(db, "January voices", datetime(2026, 1, 10, 15, tzinfo=UTC))
    s7 = held(db, "January extra", datetime(2026, 1, 20, 15, tzinfo=UTC))
    s2 = held(db, "February voices", datetime(2026, 2, 10, 15, tzinfo=UTC))
    s3 = held(db, "March voices", datetime(2026, 3, 10, 15, tzinfo=UTC))
    s4 = held(db, "April voices", datetime(2026, 4, 10, 15, tzinfo=UTC))
    s5 = create_session(
        db,
        title="May voices",
        starts_at=datetime(2026, 5, 10, 15, tzinfo=UTC),
        status=SessionStatus.cancelled,
    )
    s6 = create_session(db, title="Next voices", starts_at=utcnow() + timedelta(days=30))
    s8 = held(db, "June voices", datetime(2026, 6, 10, 15, tzinfo=UTC))

    invite(db, s1, ada, Rsvp.accepted)
    invite(db, s2, ada, Rsvp.declined)
    invite(db, s3, ada, Rsvp.tentative)
    invite(db, s5, ada, Rsvp.accepted)
    invite(db, s6, ada, Rsvp.needs_action)
    invite(db, s8, bob, Rsvp.accepted)

    create_attendance(db, story_session=s1, person=ada, minutes_present=50)
    create_attendance(db, story_session=s3, person=ada, minutes_present=5, attended=False)
    create_attendance(db, story_session=s4, person=ada, minutes_present=200)
    create_attendance(db, story_session=s8, person=bob, minutes_present=40)

    send_recap(db, s1, ada, read=True)
    send_recap(db, s7, ada, read=False)
    send_recap(db, s2, ada, read=False)
    send_recap(db, s4, ada, read=True)

    action_item(db, s1, ada, "Fix billing", due_on=date(2026, 2, 1))
    action_item(db, s4, ada, "Call the CFO", status=ActionStatus.in_progress)
    action_item(db, s5, ada, "Cancelled follow-up", due_on=date(2026, 6, 1))
    action_item(db, s8, bob, "Bob's item", status=ActionStatus.done)
    return Story(ada, bob, s1, s2, s3, s4, s5, s6, s7, s8)
