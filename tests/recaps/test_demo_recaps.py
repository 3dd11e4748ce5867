"""The demo recaps: approved versions, consent honoured, items open for months and done."""

from datetime import timedelta

import pytest
from sqlmodel import Session, col, func, select

from app.demo import load_demo
from app.demo.attendance import recap_programme_start
from app.demo.people import LEVEL_KEYS, DemoPeople
from app.demo.story_sessions import DemoSessions
from app.models import (
    ActionItem,
    ActionItemUpdate,
    ActionStatus,
    Consent,
    Level,
    Person,
    Recap,
    RecapQuote,
    RecapStatus,
    RecapVersion,
    SessionSpeaker,
    SessionStatus,
    StorySession,
    utcnow,
)
from app.recaps import tasks


def _demo_inputs(db: Session) -> tuple[DemoSessions, DemoPeople]:
    stories = db.exec(select(StorySession).order_by(col(StorySession.starts_at))).all()

    def ids(status: SessionStatus) -> list[int]:
        return [s.id for s in stories if s.status is status and s.id]

    by_level: dict[str, list[int]] = {}
    for person, level in db.exec(
        select(Person, Level).join(Level, col(Level.id) == Person.level_id)
    ):
        by_level.setdefault(level.key, []).append(person.id or 0)
    host = stories[0].host_id or 0
    sessions = DemoSessions(
        series_id=stories[0].series_id or 0,
        customers=0,
        completed_ids=ids(SessionStatus.completed),
        scheduled_ids=ids(SessionStatus.scheduled),
        cancelled_ids=ids(SessionStatus.cancelled),
    )
    people = DemoPeople(
        count=0,
        departments=0,
        ceo_id=by_level["c-suite"][0],
        host_id=host,
        ids_by_level={key: by_level.get(key, []) for key in LEVEL_KEYS},
    )
    return sessions, people


def test_demo_recaps_tell_the_story(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    rendered: list[int] = []
    monkeypatch.setattr(tasks, "render_version_pdf", rendered.append)
    now = utcnow()
    made = load_demo(db, now=now).recaps  # the demo loads its recaps (then sends most of them)
    sessions, people = _demo_inputs(db)

    since = recap_programme_start(now)
    expected = db.exec(
        select(func.count()).where(
            col(StorySession.id).in_(sessions.completed_ids), col(StorySession.starts_at) >= since
        )
    ).one()
    assert made == expected >= 8
    recaps = db.exec(select(Recap)).all()
    assert len(recaps) == made
    assert all(r.latest_version == 1 for r in recaps)
    assert {r.status for r in recaps} <= {RecapStatus.approved, RecapStatus.sent}
    assert db.exec(select(func.count()).select_from(RecapVersion)).one() == made

    # Quotes only from speakers who consented: 2 to 4 typed per quoted recap, and at most one
    # picked from a demo transcript.
    consents = db.exec(
        select(SessionSpeaker.consent).join(
            RecapQuote, col(RecapQuote.speaker_id) == SessionSpeaker.id
        )
    ).all()
    assert consents
    assert Consent.none not in consents
    typed = db.exec(
        select(func.count())
        .select_from(RecapQuote)
        .where(col(RecapQuote.transcript_id).is_(None))
        .group_by(col(RecapQuote.recap_id))
    ).all()
    assert all(2 <= n <= 4 for n in typed)
    picked = db.exec(
        select(func.count())
        .select_from(RecapQuote)
        .where(col(RecapQuote.transcript_id).is_not(None))
        .group_by(col(RecapQuote.recap_id))
    ).all()
    assert picked
    assert all(n == 1 for n in picked)

    items = db.exec(select(ActionItem)).all()
    owners = set(people.ids_by_level["vp"] + people.ids_by_level["director"])
    assert items
    assert all(item.owner_id in owners for item in items)
    done = [i for i in items if i.status is ActionStatus.done]
    assert done
    assert all(i.done_at is not None for i in done)
    assert db.exec(select(func.count()).select_from(ActionItemUpdate)).one() > len(done)
    starts = {s.id: s.starts_at for s in db.exec(select(StorySession))}
    old_open = [
        i
        for i in items
        if i.status is not ActionStatus.done and now - starts[i.session_id] > timedelta(days=90)
    ]
    assert old_open, "some items stay open for months"

    # The latest recap carries earlier open items and lists what was done since the previous one.
    latest = db.exec(select(RecapVersion).order_by(col(RecapVersion.approved_at).desc())).first()
    assert latest is not None
    assert latest.document["open_items"]
    assert any(v.document["done_since_previous"] for v in db.exec(select(RecapVersion)))

    # Every recap's PDF is rendered once the demo is committed, the newest first: nobody who
    # opens one waits for it.
    assert rendered == []
    db.commit()
    newest_first = db.exec(
        select(RecapVersion.id).order_by(
            col(RecapVersion.approved_at).desc(), col(RecapVersion.id).desc()
        )
    ).all()
    assert rendered == list(newest_first)
    assert len(rendered) == made
