"""The demo lists: the CEO's operating committee (every recap) and a leaders' monthly digest.

Loaded after the demo recaps when there are any: each approved recap but the latest gets a
delivery history (sent, some read online, one rejected by the board chair's server). Without
demo recaps the lists are still made, with no history.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlmodel import Session, col, select

from app.db import id_of
from app.demo.people import DemoPeople
from app.demo.story_sessions import TIMEZONE, DemoSessions
from app.models import (
    Cadence,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    DistributionList,
    ListMember,
    Person,
    Recap,
    RecapStatus,
    RecapVersion,
    SeriesList,
    utcnow,
)

COMMITTEE = "Operating committee (demo)"
DIGEST = "Leaders' monthly digest (demo)"
DIGEST_LEVELS = ("c-suite", "vp", "director")
BOARD_CHAIR = ("Morgan Ellery", "m.ellery@board-northwind.example")
REJECTED = (
    "550 5.1.1 <m.ellery@board-northwind.example>: Recipient address rejected: "
    "User unknown in virtual mailbox table"
)


@dataclass(frozen=True)
class DemoDistribution:
    lists: int
    members: int
    deliveries: int


def _committee(session: Session, people: DemoPeople, now: datetime) -> DistributionList:
    committee = DistributionList(
        name=COMMITTEE,
        description="The CEO and direct reports: every recap, as soon as it is approved.",
        cadence=Cadence.every_recap,
        timezone=TIMEZONE,
        created_at=now - timedelta(days=400),
    )
    session.add(committee)
    session.flush()
    reports = session.exec(
        select(Person.id).where(Person.manager_id == people.ceo_id).order_by(col(Person.id))
    ).all()
    for person_id in [people.ceo_id, *reports]:
        session.add(ListMember(list_id=id_of(committee), person_id=person_id))
    name, email = BOARD_CHAIR
    session.add(ListMember(list_id=id_of(committee), email=email, name=name))
    return committee


def _digest(session: Session, people: DemoPeople, now: datetime) -> DistributionList:
    digest = DistributionList(
        name=DIGEST,
        description="Directors and above: one email a month with every recap since the last.",
        cadence=Cadence.monthly,
        digest_day=1,
        digest_time=time(8, 0),
        timezone=TIMEZONE,
        allow_unsubscribe=True,
        created_at=now,
    )
    session.add(digest)
    session.flush()
    for key in DIGEST_LEVELS:
        for person_id in people.ids_by_level.get(key, []):
            session.add(ListMember(list_id=id_of(digest), person_id=person_id))
    return digest


def _history(
    session: Session, committee: DistributionList, sessions: DemoSessions, now: datetime
) -> int:
    """Deliveries of every approved demo recap but the latest (left for the visitor to send)."""
    rows = session.exec(
        select(Recap, RecapVersion)
        .join(RecapVersion, col(RecapVersion.recap_id) == Recap.id)
        .where(
            col(Recap.session_id).in_(sessions.completed_ids),
            RecapVersion.number == Recap.latest_version,
            Recap.status != RecapStatus.draft,
        )
        .order_by(col(RecapVersion.approved_at))
    ).all()
    members = session.exec(
        select(ListMember, Person)
        .join(Person, col(Person.id) == ListMember.person_id, isouter=True)
        .where(ListMember.list_id == committee.id)
        .order_by(col(ListMember.id))
    ).all()
    recipients = [
        (
            person.email if person else member.email or "",
            person.name if person else member.name,
            person.id if person else None,
        )
        for member, person in members
    ]
    count = 0
    sent = rows[:-1]
    for index, (recap, version) in enumerate(sent):
        sent_at = min(version.approved_at + timedelta(hours=2), now)
        version.sent_at = sent_at
        recap.status = RecapStatus.sent
        session.add_all([version, recap])
        last = index == len(sent) - 1
        for position, (email, name, person_id) in enumerate(recipients):
            failed = last and email == BOARD_CHAIR[1]
            read = not failed and _reads(index, position, len(sent))
            session.add(
                Delivery(
                    kind=DeliveryKind.recap,
                    dedup_key=f"recap:{version.id}:{email}",
                    to_email=email,
                    to_name=name,
                    person_id=person_id,
                    list_id=committee.id,
                    recap_version_id=version.id,
                    session_id=recap.session_id,
                    status=DeliveryStatus.failed if failed else DeliveryStatus.sent,
                    attempts=1,
                    last_error=REJECTED if failed else "",
                    created_at=sent_at,
                    next_attempt_at=sent_at,
                    sent_at=None if failed else sent_at + timedelta(seconds=position + 1),
                    read_at=min(sent_at + timedelta(hours=3 + position), now) if read else None,
                )
            )
            count += 1
    return count


def _reads(index: int, position: int, recaps: int) -> bool:
    """Whether recipient `position` opened recap `index` of `recaps`: the story the dashboards
    tell. The CEO reads every one; the committee a third of the first ones, most of the last
    (once the CEO asks what was said), in a fixed pattern so the demo is the same every time."""
    if position == 0:
        return True
    share = 0.35 + 0.45 * index / max(recaps - 1, 1)
    return (index * 7 + position * 3) % 10 < round(share * 10)


def load_distribution(
    session: Session, *, people: DemoPeople, sessions: DemoSessions, now: datetime | None = None
) -> DemoDistribution:
    """The two demo lists, the series' default list, and the delivery history of demo recaps."""
    now = now or utcnow()
    committee = _committee(session, people, now)
    digest = _digest(session, people, now)
    session.add(SeriesList(series_id=sessions.series_id, list_id=id_of(committee)))
    session.flush()
    deliveries = _history(session, committee, sessions, now)
    session.flush()
    members = session.exec(
        select(ListMember).where(col(ListMember.list_id).in_([committee.id, digest.id]))
    ).all()
    return DemoDistribution(lists=2, members=len(members), deliveries=deliveries)
