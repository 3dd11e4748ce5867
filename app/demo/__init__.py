"""The demo organisation: Northwind Outfitters (demo), loaded into an empty database.

Each module loads one part and returns what the next needs: people, sessions, attendance,
invitations, recaps, then distribution lists with the delivery history of those recaps.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from app.db import open_session
from app.demo.attendance import load_attendance
from app.demo.commitments import load_commitments
from app.demo.distribution import load_distribution
from app.demo.follow_ups import load_follow_ups
from app.demo.invitations import load_invitations
from app.demo.ladder import load_ladder
from app.demo.people import LAYERS, load_people
from app.demo.recaps import load_recaps, queue_pdfs
from app.demo.scorecard import load_scorecard
from app.demo.story_sessions import load_sessions
from app.demo.transcripts import load_transcripts, refresh_suggestions
from app.kit.words import counted
from app.models import Person, utcnow

COMPANY = "Northwind Outfitters (demo)"
SEED = 20261124
STEP_COUNT = len(LAYERS) + 7
"""How many times `load_demo` reports progress: per layer of people, customers, sessions,
attendance, invitations, transcripts, recaps, distribution."""


@dataclass(frozen=True)
class DemoSummary:
    company: str
    people: int
    departments: int
    customers: int
    sessions: int
    completed: int
    scheduled: int
    cancelled: int
    attendance: int
    """Attendance rows, matched and unmatched, across the completed sessions."""
    invitations: int
    recaps: int
    deliveries: int
    commitments: int
    storyteller_replies: int
    transcripts: int = 0
    """Recording transcripts imported, each with its chat."""

    def __str__(self) -> str:
        return (
            f"{self.company}: {self.people:,} people in {self.departments} departments, "
            f"{self.customers} customers, {self.sessions} sessions "
            f"({self.completed} completed, {self.scheduled} upcoming, {self.cancelled} cancelled), "
            f"{self.attendance:,} attendance rows, {self.invitations:,} invitations, "
            f"{self.recaps} recaps, {self.deliveries:,} recap emails, "
            f"{counted(self.transcripts, 'transcript')}, "
            f"{counted(self.commitments, 'commitment')} by leaders, "
            f"{counted(self.storyteller_replies, 'storyteller reply', 'storyteller replies')}"
        )


def people_count(session: Session) -> int:
    """How many people the directory holds (the demo loads only into an empty one)."""
    return session.exec(select(func.count()).select_from(Person)).one()


def load_demo(
    session: Session,
    *,
    now: datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> DemoSummary:
    """Load the demo organisation (people, a year of sessions, attendance); the caller commits,
    which queues the rendering of its recaps' PDFs."""
    now = now or utcnow()
    report = progress or (lambda _: None)
    rng = random.Random(SEED)  # noqa: S311 - deterministic demo data, not security
    people = load_people(session, rng=rng, progress=report)
    sessions = load_sessions(session, people=people, rng=rng, now=now, progress=report)
    attendance = load_attendance(
        session, people=people, sessions=sessions, rng=rng, now=now, progress=report
    )
    invitations = load_invitations(session, sessions=sessions, people=people, rng=rng, now=now)
    report(f"Invitations: {invitations.rows:,} to leaders")
    # Before the recaps: a passage and a chat question go into each recap before approval.
    transcripts = load_transcripts(session, sessions=sessions)
    report(f"Transcripts: {counted(transcripts.transcripts, 'session')} with a transcript and chat")
    recaps = load_recaps(session, sessions=sessions, people=people, rng=rng, now=now)
    refresh_suggestions(session, transcripts=transcripts)
    report(f"Recaps: {recaps} written and approved")
    distribution = load_distribution(session, people=people, sessions=sessions, now=now)
    report(f"Distribution: {distribution.lists} lists, {distribution.deliveries:,} recap emails")
    follow_ups = load_follow_ups(session, sessions=sessions, now=now)
    commitments = load_commitments(session, sessions=sessions, people=people, rng=rng, now=now)
    load_ladder(session, ceo_id=people.ceo_id, now=now)
    load_scorecard(session, now=now)
    # Rendered by the worker once the caller commits: ready by the time someone opens one.
    queue_pdfs(session, sessions=sessions)
    return DemoSummary(
        company=COMPANY,
        people=people.count,
        departments=people.departments,
        customers=sessions.customers,
        sessions=len(sessions.completed_ids + sessions.scheduled_ids + sessions.cancelled_ids),
        completed=len(sessions.completed_ids),
        scheduled=len(sessions.scheduled_ids),
        cancelled=len(sessions.cancelled_ids),
        attendance=attendance.rows,
        invitations=invitations.rows,
        recaps=recaps,
        deliveries=distribution.deliveries,
        commitments=commitments.made,
        storyteller_replies=follow_ups.replies,
        transcripts=transcripts.transcripts,
    )


def load_demo_if_empty() -> DemoSummary | None:
    """On first start: load the demo when the directory is empty; None when it was not."""
    with open_session() as session:
        if people_count(session):
            return None
        summary = load_demo(session)
        session.commit()
        return summary
