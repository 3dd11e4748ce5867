"""The demo's engagement ladder: the leaders' monthly digest, sent since the CEO asked for recaps.

Until then no executive received anything and few came, so the quarters before show them at
ignorance, their teams aside. From the programme's start the CEO and the committee get every
recap (app.demo.distribution) and start to come (app.demo.attendance); the leaders' monthly
digest goes to every director and above, and some of them read it without ever coming: the
skeptics. Commitments (app.demo.commitments) lift the leaders who make and keep them to
commitment and action. The digests are built from the recaps approved each month, like real
ones, and the list counts as served up to the last, so the worker sends only the next.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from app.db import id_of
from app.demo.attendance import recap_programme_start
from app.demo.distribution import DIGEST
from app.distribution.digests import build_document
from app.distribution.members import recipients
from app.mail.addresses import normalize_email
from app.models import (
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    Digest,
    DigestRecap,
    DistributionList,
    RecapVersion,
    utcnow,
)
from app.recaps.document import RecapDocument

READ_SHARE = 4
"""Of every ten digest recipients, how many open a given digest (in a fixed pattern)."""


def _month_starts(since: datetime, until: datetime, zone: ZoneInfo, at: time) -> list[datetime]:
    """The 1st of each month at `at` (local), after `since` and not after `until`."""
    local = since.astimezone(zone)
    year, month = local.year, local.month
    moments: list[datetime] = []
    while True:
        month += 1
        if month == 13:
            year, month = year + 1, 1
        moment = datetime(year, month, 1, at.hour, at.minute, tzinfo=zone)
        if moment > until:
            return moments
        moments.append(moment)


def _reads(person_id: int, index: int, ceo_id: int) -> bool:
    """The CEO reads every digest, as every recap; the others some, in a fixed pattern."""
    return person_id == ceo_id or (person_id * 7 + index * 3) % 10 < READ_SHARE


def load_ladder(session: Session, *, ceo_id: int, now: datetime | None = None) -> int:
    """The leaders' digests since the recap programme began; returns how many emails."""
    now = now or utcnow()
    dlist = session.exec(select(DistributionList).where(DistributionList.name == DIGEST)).first()
    if dlist is None or dlist.digest_time is None:
        return 0
    start = recap_programme_start(now)
    dlist.created_at = start
    people = recipients(session, lists=[dlist])
    previous, count = start, 0
    boundaries = _month_starts(start, now, ZoneInfo(dlist.timezone), dlist.digest_time)
    for index, moment in enumerate(boundaries):
        versions = session.exec(
            select(RecapVersion)
            .where(
                col(RecapVersion.approved_at) > previous, col(RecapVersion.approved_at) <= moment
            )
            .order_by(col(RecapVersion.approved_at))
        ).all()
        newest = list({version.recap_id: version for version in versions}.values())
        period_start, previous = previous, moment
        if not newest:
            continue
        docs = [RecapDocument.model_validate(version.document) for version in newest]
        document = build_document(dlist, docs, start=period_start, end=moment)
        digest = Digest(
            list_id=id_of(dlist),
            period_start=period_start,
            period_end=moment,
            document=document.model_dump(mode="json"),
            created_at=moment,
        )
        session.add(digest)
        session.flush()
        session.add_all(
            DigestRecap(digest_id=id_of(digest), recap_version_id=id_of(version))
            for version in newest
        )
        for position, person in enumerate(people):
            sent_at = moment + timedelta(seconds=position + 1)
            read = person.person_id is not None and _reads(person.person_id, index, ceo_id)
            session.add(
                Delivery(
                    kind=DeliveryKind.digest,
                    dedup_key=f"digest:{digest.id}:{normalize_email(person.email)}",
                    to_email=person.email,
                    to_name=person.name,
                    person_id=person.person_id,
                    list_id=dlist.id,
                    digest_id=digest.id,
                    status=DeliveryStatus.sent,
                    attempts=1,
                    created_at=moment,
                    next_attempt_at=moment,
                    sent_at=sent_at,
                    read_at=min(sent_at + timedelta(hours=5 + position % 40), now)
                    if read
                    else None,
                )
            )
            count += 1
    if boundaries:
        dlist.last_digest_at = boundaries[-1]
    session.add(dlist)
    session.flush()
    return count
