"""A small company whose 2026-Q3 scorecard is worked out by hand in the tests' expectations.

Active people: ceo (C-suite), vp1 and vp2 (VPs), dir (director), ic1 and ic2: 6; plus a VP
and an IC who have left. Sessions held in Q3: S1 (10 Jul) and S2 (20 Aug); S3 (1 Sep) was
cancelled; S4 is in Q4 and S5 in Q2.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlmodel import Session

from app.models import (
    ActionItem,
    ActionStatus,
    Commitment,
    CommitmentStatus,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    Person,
    Recap,
    RecapTheme,
    SessionStatus,
    StorySession,
    Theme,
)
from tests.factories import create_attendance, create_person, create_session


def at(month: int, day: int, hour: int = 12) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


@dataclass
class Company:
    ceo: Person
    vp1: Person
    vp2: Person
    ic1: Person
    s1: StorySession
    s2: StorySession


def _theme(session: Session, name: str, **figures: int) -> Theme:
    theme = Theme(name=name, key=name.casefold(), **figures)
    session.add(theme)
    session.flush()
    return theme


def _recap(session: Session, story_session: StorySession, themes: list[Theme]) -> None:
    recap = Recap(session_id=story_session.id or 0, summary="What we heard")
    session.add(recap)
    session.flush()
    session.add_all(RecapTheme(recap_id=recap.id or 0, theme_id=t.id or 0) for t in themes)
    session.flush()


def _item(
    session: Session,
    story_session: StorySession,
    created: datetime,
    *,
    done: datetime | None = None,
    due: date | None = None,
    customers_affected: int | None = None,
    revenue_at_risk: int | None = None,
    revenue_saved: int | None = None,
) -> None:
    session.add(
        ActionItem(
            session_id=story_session.id or 0,
            description=f"Item opened {created:%d %b}",
            created_at=created,
            status=ActionStatus.done if done else ActionStatus.open,
            done_at=done,
            due_on=due,
            customers_affected=customers_affected,
            revenue_at_risk=revenue_at_risk,
            revenue_saved=revenue_saved,
        )
    )


def _delivery(
    session: Session,
    key: str,
    person: Person | None,
    sent: datetime,
    *,
    read: bool = False,
    kind: DeliveryKind = DeliveryKind.recap,
    status: DeliveryStatus = DeliveryStatus.sent,
) -> None:
    session.add(
        Delivery(
            kind=kind,
            dedup_key=key,
            to_email=person.email if person else "chair@board.example",
            person_id=person.id if person else None,
            status=status,
            sent_at=sent,
            read_at=sent if read else None,
        )
    )


def build_company(session: Session) -> Company:
    ceo = create_person(session, email="ceo@example.com", name="Chief", level_key="c-suite")
    vp1 = create_person(session, email="vp1@example.com", name="Vee One", level_key="vp")
    vp2 = create_person(session, email="vp2@example.com", name="Vee Two", level_key="vp")
    create_person(session, email="vpx@example.com", name="Gone VP", level_key="vp", active=False)
    director = create_person(session, email="dir@example.com", name="Dee", level_key="director")
    ic1 = create_person(session, email="ic1@example.com", name="Ivy", level_key="ic")
    ic2 = create_person(session, email="ic2@example.com", name="Ian", level_key="ic")
    gone = create_person(
        session, email="icx@example.com", name="Gone", level_key="ic", active=False
    )

    done = SessionStatus.completed
    s1 = create_session(session, title="S1", status=done, starts_at=at(7, 10))
    s2 = create_session(session, title="S2", status=done, starts_at=at(8, 20))
    s3 = create_session(session, title="S3", status=SessionStatus.cancelled, starts_at=at(9, 1))
    s4 = create_session(session, title="S4", status=done, starts_at=at(10, 5))
    s5 = create_session(session, title="S5", status=done, starts_at=at(4, 15))
    for person in (ceo, ic1, gone):
        create_attendance(session, story_session=s1, person=person)
    create_attendance(session, story_session=s1, person=None, raw_name="A guest")
    create_attendance(session, story_session=s1, person=director, attended=False)
    for person in (ic1, ic2, vp1):
        create_attendance(session, story_session=s2, person=person)
    create_attendance(session, story_session=s3, person=vp2)
    create_attendance(session, story_session=s4, person=vp2)
    create_attendance(session, story_session=s5, person=ceo)
    create_attendance(session, story_session=s5, person=vp1)

    _delivery(session, "r1", ceo, at(7, 11), read=True)
    _delivery(session, "r2", vp1, at(7, 11))
    _delivery(session, "r3", vp1, at(8, 21), read=True)
    _delivery(session, "r4", None, at(8, 21), read=True)
    _delivery(session, "r5", ic1, at(8, 21), status=DeliveryStatus.failed)
    _delivery(session, "r6", ic2, at(10, 2), read=True)
    _delivery(session, "d1", ceo, at(8, 1), read=True, kind=DeliveryKind.digest)

    _item(
        session,
        s1,
        at(7, 10),
        done=at(7, 20),
        customers_affected=40,
        revenue_at_risk=120_000,
        revenue_saved=50_000,
    )
    _item(session, s1, at(7, 15), done=at(8, 14), revenue_at_risk=30_000)
    _item(session, s2, at(8, 1), due=date(2026, 9, 15), customers_affected=10)
    _item(session, s5, at(6, 20, 0), done=at(7, 6, 0), customers_affected=999)
    _item(session, s2, at(9, 1), due=date(2026, 9, 30), done=at(10, 3))
    _item(session, s2, at(9, 10), due=date(2026, 10, 15))

    for when, status in (
        (at(7, 12), CommitmentStatus.done),
        (at(8, 22), CommitmentStatus.open),
        (at(9, 2), CommitmentStatus.dropped),
        (at(10, 6), CommitmentStatus.done),
    ):
        session.add(
            Commitment(
                session_id=s1.id or 0,
                person_id=vp1.id or 0,
                text="My team will call every churned account",
                status=status,
                created_at=when,
            )
        )

    billing = _theme(session, "Billing", customers_affected=25, revenue_at_risk=80_000)
    onboarding = _theme(session, "Onboarding")
    support = _theme(session, "Support", revenue_at_risk=5)
    _recap(session, s1, [billing, onboarding])
    _recap(session, s2, [billing])
    _recap(session, s3, [onboarding])
    _recap(session, s4, [support])
    session.flush()
    return Company(ceo=ceo, vp1=vp1, vp2=vp2, ic1=ic1, s1=s1, s2=s2)
