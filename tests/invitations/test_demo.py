"""The demo's invitations tell the brief's story: executives accept and do not come."""

import random
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from app.demo.attendance import load_attendance, recap_programme_start
from app.demo.invitations import load_invitations
from app.demo.people import load_people
from app.demo.story_sessions import load_sessions
from app.models import Attendance, Invitation, Level, Person, Rsvp, StorySession

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def test_demo_invitations_show_buy_in_without_participation(db: Session) -> None:
    rng = random.Random(7)
    people = load_people(db, rng=rng, progress=lambda _: None)
    sessions = load_sessions(db, people=people, rng=rng, now=NOW, progress=lambda _: None)
    load_attendance(db, people=people, sessions=sessions, rng=rng, now=NOW, progress=lambda _: None)
    loaded = load_invitations(db, sessions=sessions, people=people, rng=rng, now=NOW)

    rows = db.exec(select(Invitation)).all()
    assert loaded.rows == len(rows) > 0
    invited_sessions = db.exec(
        select(StorySession).where(col(StorySession.id).in_({i.session_id for i in rows}))
    ).all()
    assert min(s.starts_at for s in invited_sessions) >= recap_programme_start(NOW)
    assert any(s.starts_at > NOW for s in invited_sessions)
    assert {i.rsvp for i in rows} == set(Rsvp)
    assert all((i.responded_at is None) == (i.rsvp is Rsvp.needs_action) for i in rows)

    executives = set(
        db.exec(
            select(Person.id)
            .join(Level, col(Level.id) == Person.level_id)
            .where(col(Level.is_executive))
        ).all()
    )
    assert {i.person_id for i in rows} >= executives - {None}
    came = set(
        db.exec(
            select(Attendance.session_id, Attendance.person_id).where(col(Attendance.attended))
        ).all()
    )
    past = {s.id for s in invited_sessions if s.starts_at <= NOW}
    accepted_no_show = [
        i
        for i in rows
        if i.person_id in executives
        and i.session_id in past
        and i.rsvp is Rsvp.accepted
        and (i.session_id, i.person_id) not in came
    ]
    assert len(accepted_no_show) == loaded.accepted_no_show > 10
