"""Demo invitations: since the recap programme began, every leader is invited to every session.

The brief's point in numbers: executives accept — it costs nothing — and many never come.
Leaders who did come mostly said yes; the others are split between yes, maybe, no and silence.
Upcoming sessions have the answers received so far. No email is queued: this is history.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from app.db import insert_many, table_of
from app.demo.attendance import recap_programme_start
from app.demo.people import DemoPeople
from app.demo.story_sessions import DemoSessions
from app.models import Attendance, Invitation, Person, Rsvp, StorySession

LEADER_KEYS = ("c-suite", "vp", "director")
INVITED_DAYS_BEFORE = 14
ANSWERS = (Rsvp.accepted, Rsvp.tentative, Rsvp.declined, Rsvp.needs_action)
# How leaders who did not come answered: executives say yes most readily of all.
NO_SHOW_WEIGHTS = {
    "c-suite": (45, 15, 15, 25),
    "vp": (40, 15, 20, 25),
    "director": (25, 15, 25, 35),
}
CAME_WEIGHTS = (85, 10, 0, 5)
UPCOMING_WEIGHTS = (30, 12, 8, 50)


@dataclass(frozen=True)
class DemoInvitations:
    rows: int
    accepted_no_show: int
    """Executives who accepted a past session's invitation and did not attend it."""


def load_invitations(
    session: Session,
    *,
    sessions: DemoSessions,
    people: DemoPeople,
    rng: random.Random,
    now: datetime,
) -> DemoInvitations:
    """Insert invitations (with answers) to leaders for the programme's sessions."""
    leaders = {
        person_id: key for key in LEADER_KEYS for person_id in people.ids_by_level.get(key, [])
    }
    directory = {
        person.id: person
        for person in session.exec(
            select(Person).where(col(Person.id).in_(list(leaders)), col(Person.active))
        ).all()
    }
    ids = sessions.completed_ids + sessions.scheduled_ids
    story_sessions = session.exec(
        select(StorySession)
        .where(
            col(StorySession.id).in_(ids),
            col(StorySession.starts_at) >= recap_programme_start(now),
        )
        .order_by(col(StorySession.starts_at))
    ).all()
    came = set(
        session.exec(
            select(Attendance.session_id, Attendance.person_id).where(
                col(Attendance.session_id).in_([s.id for s in story_sessions]),
                col(Attendance.attended),
            )
        ).all()
    )
    rows = []
    no_shows = 0
    for story_session in story_sessions:
        invited_at = min(story_session.starts_at - timedelta(days=INVITED_DAYS_BEFORE), now)
        past = story_session.starts_at <= now
        for person_id, person in sorted(directory.items(), key=lambda item: item[0] or 0):
            key = leaders[person_id or 0]
            attended = (story_session.id, person_id) in came
            if not past:
                weights = UPCOMING_WEIGHTS
            elif attended:
                weights = CAME_WEIGHTS
            else:
                weights = NO_SHOW_WEIGHTS[key]
            answer = rng.choices(ANSWERS, weights)[0]
            answered_by = min(story_session.starts_at, now)
            responded_at = None
            if answer is not Rsvp.needs_action:
                span = max((answered_by - invited_at).total_seconds(), 60.0)
                responded_at = invited_at + timedelta(seconds=rng.uniform(60, span))
            if past and not attended and answer is Rsvp.accepted and key != "director":
                no_shows += 1
            rows.append(
                {
                    "session_id": story_session.id,
                    "person_id": person_id,
                    "email": person.email,
                    "name": person.name,
                    "rsvp": answer,
                    "responded_at": responded_at,
                    "invited_at": invited_at,
                    "invited_by_id": None,
                }
            )
    insert_many(session, table_of(Invitation), rows)
    return DemoInvitations(rows=len(rows), accepted_no_show=no_shows)
