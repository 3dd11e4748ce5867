"""Social proof: how many people at each level came, or committed, in a calendar quarter.

"7 of 12 at SVP/VP attended a session this quarter; 4 made a commitment" — as CX leaders
use it, on a leader's page and in the digest. Peers are the active people at the level
today (the leader among them); they attended when present at a session held (completed) in
the quarter, and committed when they made a commitment after one of the quarter's sessions
(cancelled ones aside) — the same dating as the engagement ladder's signals.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlmodel import Session

from app.db import table_of
from app.kit.quarters import Quarter
from app.models import (
    Attendance,
    Commitment,
    Level,
    Person,
    SessionStatus,
    StorySession,
)

_ATTENDANCE = table_of(Attendance)
_COMMITMENT = table_of(Commitment)
_LEVEL = table_of(Level)
_PERSON = table_of(Person)
_SESSION = table_of(StorySession)


class PeerFigures(BaseModel):
    """One level's peers in one quarter."""

    level: str
    level_name: str
    is_executive: bool
    quarter: str = ""
    people: int
    attended: int
    committed: int

    @property
    def sentence(self) -> str:
        """The figures in words, for pages, emails and PDFs alike."""
        return (
            f"{self.attended:,} of {self.people:,} at {self.level_name} attended a session "
            f"in {self.quarter}; {self.committed:,} made a commitment"
        )


def peer_figures(
    session: Session, *, quarter: Quarter, level_ids: Sequence[int] | None = None
) -> list[PeerFigures]:
    """Per level (most senior first): active people today, who attended, who committed."""
    start, end = quarter.instant(), quarter.next().instant()
    in_quarter = (_SESSION.c.starts_at >= start, _SESSION.c.starts_at < end)
    attended = (
        select(_ATTENDANCE.c.id)
        .join(_SESSION, _SESSION.c.id == _ATTENDANCE.c.session_id)
        .where(
            _ATTENDANCE.c.person_id == _PERSON.c.id,
            _ATTENDANCE.c.attended.is_(True),
            _SESSION.c.status == SessionStatus.completed,
            *in_quarter,
        )
        .exists()
    )
    committed = (
        select(_COMMITMENT.c.id)
        .join(_SESSION, _SESSION.c.id == _COMMITMENT.c.session_id)
        .where(
            _COMMITMENT.c.person_id == _PERSON.c.id,
            _SESSION.c.status != SessionStatus.cancelled,
            *in_quarter,
        )
        .exists()
    )
    query = (
        select(
            _LEVEL.c.key,
            _LEVEL.c.name,
            _LEVEL.c.is_executive,
            func.count(),
            func.count().filter(attended),
            func.count().filter(committed),
        )
        .select_from(_PERSON.join(_LEVEL, _LEVEL.c.id == _PERSON.c.level_id))
        .where(_PERSON.c.active.is_(True))
        .group_by(_LEVEL.c.key, _LEVEL.c.name, _LEVEL.c.is_executive, _LEVEL.c.position)
        .order_by(_LEVEL.c.position, _LEVEL.c.key)
    )
    if level_ids is not None:
        query = query.where(_PERSON.c.level_id.in_(level_ids))
    return [
        PeerFigures(
            level=key,
            level_name=name,
            is_executive=is_executive,
            quarter=quarter.label,
            people=people,
            attended=came,
            committed=promised,
        )
        for key, name, is_executive, people, came, promised in session.connection().execute(query)
    ]


def executive_peers(session: Session, *, quarter: Quarter) -> list[PeerFigures]:
    """The executive levels' figures for the quarter (the digest's social proof)."""
    return [figures for figures in peer_figures(session, quarter=quarter) if figures.is_executive]


def digest_peers(session: Session, *, at: datetime) -> list[PeerFigures]:
    """The digest's social proof: the executive levels' figures in the quarter of `at` (UTC)."""
    return executive_peers(session, quarter=Quarter.of(at.astimezone(UTC).date()))
