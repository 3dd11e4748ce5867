"""The demo's commitments: leaders who say what they will do after recent sessions, and do it
(or drop it), so the session and person pages and the latest recap show the loop closing."""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from app.audit import service as audit
from app.commitments.recording import add_commitment_update, make_commitment
from app.commitments.schemas import CommitmentAnswer, CommitmentUpdateCreate
from app.demo.people import DemoPeople
from app.demo.story_sessions import DemoSessions
from app.models import (
    ActionItem,
    CommitmentStatus,
    Person,
    Recap,
    RecapTheme,
    RecapVersion,
    StorySession,
)
from app.recaps.builder import leader_commitments
from app.recaps.document import RecapDocument

PROMISES = (
    "My team will call every account that churned last quarter and ask what would bring them back.",
    "I will sit in on ten support calls this month and bring what I hear to our staff meeting.",
    "We will rewrite the onboarding emails with the customer's words, not ours.",
    "I will put the billing errors on my leadership team's agenda every week until they stop.",
    "My directors will each shadow a customer success manager for a day.",
    "We will publish the delivery-time commitments we make in contracts on the status page.",
    "I will ask every new hire in my org to watch this session's recording in their first week.",
    "We will give frontline agents the authority to refund up to 500 without approval.",
)
DONE_NOTES = (
    "Done: 38 calls made, 9 accounts back in talks.",
    "Done. Shared the findings at the quarterly review; two fixes are funded.",
    "Done — the new emails went out on Monday; replies doubled.",
)
DROPPED_NOTES = (
    "Dropped: the reorganisation moved this to the operations team.",
    "Dropped for now; budget went to the billing fixes instead.",
)
PROGRESS_NOTES = (
    "Half of it done; the rest waits on the new CRM fields.",
    "Started: the first two sessions are booked.",
)
LEADER_KEYS = ("c-suite", "vp", "director")


@dataclass(frozen=True)
class DemoCommitments:
    made: int
    done: int
    dropped: int


def _recent_sessions(session: Session, sessions: DemoSessions, now: datetime) -> list[StorySession]:
    """The three latest completed sessions of the series with an approved recap, oldest first."""
    rows = session.exec(
        select(StorySession)
        .join(Recap, col(Recap.session_id) == StorySession.id)
        .where(
            col(StorySession.id).in_(sessions.completed_ids),
            StorySession.series_id == sessions.series_id,
            col(Recap.latest_version) >= 1,
            col(StorySession.starts_at) <= now,
        )
        .order_by(col(StorySession.starts_at).desc())
        .limit(3)
    ).all()
    return list(reversed(rows))


def _approval(session: Session, story: StorySession) -> RecapVersion | None:
    return session.exec(
        select(RecapVersion)
        .join(Recap, col(Recap.id) == RecapVersion.recap_id)
        .where(Recap.session_id == story.id, RecapVersion.number == Recap.latest_version)
    ).first()


def load_commitments(
    session: Session,
    *,
    sessions: DemoSessions,
    people: DemoPeople,
    rng: random.Random,
    now: datetime,
) -> DemoCommitments:
    """Leaders commit after the three latest sessions; the older ones are kept or dropped
    before the next recap, which then reports them (its frozen document is completed with
    them, as if they had been there when it was approved)."""
    with audit.acting_as(audit.SYSTEM):
        return _load(session, sessions=sessions, people=people, rng=rng, now=now)


def _load(
    session: Session,
    *,
    sessions: DemoSessions,
    people: DemoPeople,
    rng: random.Random,
    now: datetime,
) -> DemoCommitments:
    stories = _recent_sessions(session, sessions, now)
    leaders = [pid for key in LEADER_KEYS for pid in people.ids_by_level.get(key, [])]
    if len(stories) < 3 or len(leaders) < 6:
        return DemoCommitments(made=0, done=0, dropped=0)
    oldest, previous, latest = stories
    chosen = rng.sample(leaders, 6)
    promises = rng.sample(PROMISES, 7)
    made = done = dropped = 0
    # (session, leader, promise, due after the session, fate, days to close or update)
    plan: list[tuple[StorySession, int, str, int | None, str, int]] = [
        (oldest, chosen[0], promises[0], 10, "done", 8),
        (oldest, chosen[1], promises[1], None, "dropped", 9),
        (previous, chosen[2], promises[2], 9, "done", 7),
        (previous, chosen[3], promises[3], 10, "open", 6),  # due before the latest: overdue
        (previous, chosen[4], promises[4], 60, "dropped", 8),
        (latest, chosen[5], promises[5], 30, "open", 0),
        (latest, chosen[2], promises[6], 45, "open", 0),
    ]
    for story, leader_id, text, due_days, fate, after_days in plan:
        person = session.get(Person, leader_id)
        assert person is not None
        created = min(story.starts_at + timedelta(days=1, hours=rng.randint(1, 8)), now)
        item = session.exec(
            select(ActionItem).where(ActionItem.session_id == story.id).order_by(col(ActionItem.id))
        ).first()
        answers_item = item is not None and rng.random() < 0.5
        commitment = make_commitment(
            session,
            story,
            person=person,
            data=CommitmentAnswer(
                text=text,
                action_item_id=item.id if answers_item and item is not None else None,
                # The others answer what the customer raised most: the recap's first theme.
                theme_id=None if answers_item else _first_theme(session, story),
                due_on=(story.starts_at + timedelta(days=due_days)).date() if due_days else None,
            ),
            now=created,
        )
        made += 1
        at = min(created + timedelta(days=after_days), now)
        if fate == "open" and after_days:
            note = rng.choice(PROGRESS_NOTES)
            add_commitment_update(
                session, commitment, data=CommitmentUpdateCreate(note=note), now=at
            )
        elif fate in ("done", "dropped"):
            status = CommitmentStatus(fate)
            note = rng.choice(DONE_NOTES if fate == "done" else DROPPED_NOTES)
            add_commitment_update(
                session, commitment, data=CommitmentUpdateCreate(note=note, status=status), now=at
            )
            done += fate == "done"
            dropped += fate == "dropped"
    for story in (previous, latest):
        _complete_recap(session, story)
    return DemoCommitments(made=made, done=done, dropped=dropped)


def _first_theme(session: Session, story: StorySession) -> int | None:
    return session.exec(
        select(RecapTheme.theme_id)
        .join(Recap, col(Recap.id) == RecapTheme.recap_id)
        .where(Recap.session_id == story.id)
        .order_by(col(RecapTheme.theme_id))
    ).first()


def _complete_recap(session: Session, story: StorySession) -> None:
    """Add the commitments section to a recap approved before the demo's commitments existed."""
    version = _approval(session, story)
    if version is None or version.approved_at is None:
        return
    document = RecapDocument.model_validate(version.document)
    document.commitments = leader_commitments(session, story, version.approved_at)
    version.document = document.model_dump(mode="json")
    session.add(version)
    session.flush()
