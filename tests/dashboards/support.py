"""A small organisation with hand-counted figures, shared by the dashboard tests.

Sessions held (completed): s1 2026-01-10, s2 2026-02-10, s3 2026-03-10 (series "Voices");
s4 is scheduled and s5 cancelled, so neither counts. Attendees (attended = true):

    s1: ceo, mgr, ic1, ic2, one unmatched guest   (ic3 was there too briefly to count)
    s2: vp, mgr, ic1, ic2, ic3
    s3: vp, director, ic1, ic2
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session

from app.models import Person, Platform, Series, SessionStatus, StorySession
from tests.factories import create_attendance, create_person, create_session

SERIES_RRULE = "FREQ=MONTHLY;COUNT=3"


@dataclass
class Org:
    ceo: Person
    cfo: Person
    vp: Person
    director: Person
    mgr: Person
    ic1: Person
    ic2: Person
    ic3: Person
    ic4: Person
    former_vp: Person
    s1: StorySession
    s2: StorySession
    s3: StorySession
    series: Series


def _series(session: Session) -> Series:
    series = Series(
        title="Voices",
        rrule=SERIES_RRULE,
        timezone="Europe/Paris",
        first_start_local=datetime(2026, 3, 10, 16, 0),  # noqa: DTZ001 - wall-clock time
        duration_minutes=60,
        platform=Platform.zoom,
    )
    session.add(series)
    session.flush()
    return series


def build_org(session: Session) -> Org:
    def person(key: str, level: str, department: str, active: bool = True) -> Person:
        return create_person(
            session,
            email=f"{key}@example.com",
            name=key.upper(),
            title=f"{key} title",
            department=department,
            level_key=level,
            active=active,
        )

    ceo = person("ceo", "c-suite", "Executive")
    cfo = person("cfo", "c-suite", "Finance")
    vp = person("vp", "vp", "Sales")
    director = person("director", "director", "Sales")
    mgr = person("mgr", "manager", "Sales")
    ic1 = person("ic1", "ic", "Sales")
    ic2 = person("ic2", "ic", "Support")
    ic3 = person("ic3", "ic", "Support")
    ic4 = person("ic4", "ic", "Support")
    former_vp = person("formervp", "vp", "Sales", active=False)
    series = _series(session)

    def held(day: int, month: int, series_: Series | None = None) -> StorySession:
        return create_session(
            session,
            title=f"Session {month:02d}-{day:02d}",
            starts_at=datetime(2026, month, day, 15, 0, tzinfo=UTC),
            status=SessionStatus.completed,
            series=series_,
        )

    s1, s2, s3 = held(10, 1), held(10, 2), held(10, 3, series)
    s4 = create_session(
        session, title="Upcoming", starts_at=datetime(2026, 4, 10, 15, 0, tzinfo=UTC)
    )
    s5 = create_session(
        session,
        title="Cancelled",
        starts_at=datetime(2026, 2, 20, 15, 0, tzinfo=UTC),
        status=SessionStatus.cancelled,
    )
    for story_session, people in (
        (s1, [ceo, mgr, ic1, ic2]),
        (s2, [vp, mgr, ic1, ic2, ic3]),
        (s3, [vp, director, ic1, ic2]),
        (s4, [ic1, cfo]),
        (s5, [cfo]),
    ):
        for someone in people:
            create_attendance(session, story_session=story_session, person=someone)
    create_attendance(session, story_session=s1, level_key="unknown", raw_name="Guest")
    create_attendance(session, story_session=s1, person=ic3, attended=False, minutes_present=2)
    return Org(ceo, cfo, vp, director, mgr, ic1, ic2, ic3, ic4, former_vp, s1, s2, s3, series)
