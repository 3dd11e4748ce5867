"""Background jobs for distribution: digests, scorecards, reminders, and scheduled sends."""

import logging
from collections.abc import Callable
from datetime import datetime

from huey import crontab
from sqlmodel import Session

from app.audit import service as audit
from app.db import open_session
from app.distribution.digests import digest_list_ids, make_digest
from app.distribution.reminders import queue_action_reminders, queue_recap_reminders
from app.distribution.scorecards import make_scorecard, scorecard_list_ids
from app.distribution.sending import due_scheduled_sends, send_scheduled
from app.models import ScheduledSend, User, utcnow
from app.worker import huey

log = logging.getLogger(__name__)


def send_due_digests(*, now: datetime | None = None) -> int:
    """Make the digest of every list whose scheduled time has passed; return how many."""
    now = now or utcnow()
    return _make_per_list("digest", digest_list_ids, make_digest, now=now)


def send_due_scorecards(*, now: datetime | None = None) -> int:
    """Send the programme scorecard to every list it is due to; return how many were made."""
    now = now or utcnow()
    return _make_per_list("scorecard", scorecard_list_ids, make_scorecard, now=now)


def _make_per_list(
    what: str,
    list_ids: Callable[[Session], list[int]],
    make: Callable[..., object | None],
    *,
    now: datetime,
) -> int:
    """Call `make(session, list_id=…, now=…)` for each list; count what it made."""
    with open_session() as session:
        ids = list_ids(session)
    made = 0
    for list_id in ids:
        # One transaction per list: a list whose PDF fails does not hold back the others.
        with open_session() as session:
            try:
                result = make(session, list_id=list_id, now=now)
                session.commit()
            except Exception:
                session.rollback()
                log.exception("%s for list %s failed; it is tried again next hour", what, list_id)
                continue
        made += result is not None
    return made


def send_reminders(*, now: datetime | None = None) -> int:
    """Queue overdue-recap and action-due reminders; return how many were new."""
    with open_session() as session:
        count = len(queue_recap_reminders(session, now=now))
        count += len(queue_action_reminders(session, now=now))
        session.commit()
    return count


def send_scheduled_recaps(*, now: datetime | None = None) -> int:
    """Send every scheduled recap whose time has come, as the user who scheduled it; return
    how many went out (one that is refused keeps the reason, shown on its page)."""
    now = now or utcnow()
    with open_session() as session:
        due = due_scheduled_sends(session, now=now)
    sent = 0
    for scheduled_id in due:
        with open_session() as session:
            scheduled = session.get(ScheduledSend, scheduled_id)
            if scheduled is None:
                continue
            user = (
                session.get(User, scheduled.scheduled_by_id) if scheduled.scheduled_by_id else None
            )
            try:
                with audit.acting_as(user if user is not None else audit.WORKER):
                    send_scheduled(session, scheduled=scheduled, now=now)
                session.commit()
            except Exception:
                session.rollback()
                log.exception(
                    "scheduled send %s failed; it is tried again next minute", scheduled_id
                )
                continue
            sent += scheduled.sent_at is not None
    return sent


@huey.periodic_task(crontab(minute="*"), retries=0)
def send_scheduled_recaps_job() -> int:
    return send_scheduled_recaps()


@huey.periodic_task(crontab(minute="7"), retries=0)
def send_due_digests_job() -> int:
    return send_due_digests()


@huey.periodic_task(crontab(minute="17"), retries=0)
def send_due_scorecards_job() -> int:
    return send_due_scorecards()


@huey.periodic_task(crontab(minute="37"), retries=0)
def send_reminders_job() -> int:
    return send_reminders()
