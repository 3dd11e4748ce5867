"""The programme scorecard sent to a list on a schedule, like digests.

A list's `scorecard_cadence` says when: **quarterly**, the quarter just ended, on the first day
of the next; **monthly**, the quarter so far, on the first of each month (on the first of a
quarter's first month, the quarter just ended). Both go out at the list's digest time in its
timezone. The figures are frozen into a Scorecard row (its document and PDF), once per list
and period (a unique constraint), and queued to each member through the outbox. As with
digests, the PDF is rendered with no transaction open, and a job that runs twice sends once.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from app.dashboards.scorecard import build_scorecard, scorecard_pdf_html
from app.db import id_of
from app.distribution.members import recipients
from app.kit.quarters import Quarter
from app.mail import outbox
from app.mail.addresses import normalize_email
from app.models import (
    Delivery,
    DeliveryKind,
    DistributionList,
    Scorecard,
    ScorecardCadence,
    utcnow,
)


@dataclass(frozen=True)
class ScorecardPeriod:
    """What a list is due: the quarter, the figures' end, and when it was scheduled."""

    quarter: Quarter
    start: datetime
    end: datetime
    """The quarter's end, or the first of the month for the quarter so far."""
    scheduled: datetime


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _previous_month(day: date) -> date:
    return date(day.year - (day.month == 1), (day.month - 2) % 12 + 1, 1)


def due_period(dlist: DistributionList, now: datetime) -> ScorecardPeriod | None:
    """The latest scorecard the list's cadence schedules at or before `now` (None when off)."""
    if dlist.scorecard_cadence is ScorecardCadence.off:
        return None
    zone = ZoneInfo(dlist.timezone)
    day = _month_start(now.astimezone(zone).date())
    if dlist.scorecard_cadence is ScorecardCadence.quarterly:
        day = day.replace(month=(day.month - 1) // 3 * 3 + 1)
    moment = datetime.combine(day, dlist.digest_time, zone)
    if moment > now:
        day = _previous_month(day)
        if dlist.scorecard_cadence is ScorecardCadence.quarterly:
            day = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        moment = datetime.combine(day, dlist.digest_time, zone)
    current = Quarter(day.year, (day.month - 1) // 3 + 1)
    if day == current.start:
        quarter, end = current.previous(), current.instant()
    else:
        quarter, end = current, datetime.combine(day, time.min, tzinfo=UTC)
    return ScorecardPeriod(quarter=quarter, start=quarter.instant(), end=end, scheduled=moment)


def _still_due(session: Session, dlist: DistributionList, since: datetime) -> bool:
    """Whether no other job served the list since `since` was read (row locked till commit)."""
    session.refresh(dlist, with_for_update=True)
    return (dlist.last_scorecard_at or dlist.created_at) == since


def make_scorecard(
    session: Session, *, list_id: int, now: datetime | None = None
) -> Scorecard | None:
    """Freeze the scorecard a due list has not received and queue it to each member.

    Returns None when the list is not due, or has no one to send to (it then counts as served
    for that period). Commits the session before rendering the PDF; the caller commits the rest.
    """
    from app.recaps.render import render_pdf

    now = now or utcnow()
    dlist = session.get(DistributionList, list_id)
    if dlist is None:
        return None
    period = due_period(dlist, now)
    since = dlist.last_scorecard_at or dlist.created_at
    if period is None or period.scheduled <= since:
        return None
    already = session.exec(
        select(Scorecard.id).where(
            Scorecard.list_id == list_id,
            Scorecard.period_start == period.start,
            Scorecard.period_end == period.end,
        )
    ).first()
    people = recipients(session, lists=[dlist])
    if already is not None or not people:
        if _still_due(session, dlist, since):
            dlist.last_scorecard_at = period.scheduled
            session.add(dlist)
            session.flush()
        return None
    document = build_scorecard(session, quarter=period.quarter, now=period.end)
    html = scorecard_pdf_html(document)
    session.commit()
    pdf = render_pdf(html, subject="scorecard")
    if not _still_due(session, dlist, since):
        return None  # another job sent this period's scorecard while this one rendered
    dlist.last_scorecard_at = period.scheduled
    session.add_all([dlist, pdf])
    session.flush()
    scorecard = Scorecard(
        list_id=list_id,
        period_start=period.start,
        period_end=period.end,
        document=document.model_dump(mode="json"),
        pdf_id=pdf.id,
        created_at=now,
    )
    session.add(scorecard)
    session.flush()
    outbox.enqueue(
        session,
        (
            Delivery(
                kind=DeliveryKind.scorecard,
                dedup_key=f"scorecard:{id_of(scorecard)}:{normalize_email(person.email)}",
                to_email=person.email,
                to_name=person.name,
                person_id=person.person_id,
                list_id=list_id,
                scorecard_id=scorecard.id,
                next_attempt_at=now,
                created_at=now,
            )
            for person in people
        ),
    )
    return scorecard


def scorecard_list_ids(session: Session) -> list[int]:
    """Lists that receive the scorecard."""
    return [
        list_id
        for list_id in session.exec(
            select(DistributionList.id).where(
                col(DistributionList.scorecard_cadence) != ScorecardCadence.off
            )
        )
        if list_id is not None
    ]
