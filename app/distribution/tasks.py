"""Background jobs for distribution: weekly and monthly digests, and reminders (hourly)."""

import logging
from datetime import datetime

from huey import crontab

from app.db import open_session
from app.distribution.digests import digest_list_ids, make_digest
from app.distribution.reminders import queue_action_reminders, queue_recap_reminders
from app.models import utcnow
from app.worker import huey

log = logging.getLogger(__name__)


def send_due_digests(*, now: datetime | None = None) -> int:
    """Make the digest of every list whose scheduled time has passed; return how many."""
    now = now or utcnow()
    with open_session() as session:
        list_ids = digest_list_ids(session)
    made = 0
    for list_id in list_ids:
        # One transaction per list: a list whose PDF fails does not hold back the others.
        with open_session() as session:
            try:
                digest = make_digest(session, list_id=list_id, now=now)
                session.commit()
            except Exception:
                session.rollback()
                log.exception("digest for list %s failed; it is tried again next hour", list_id)
                continue
        made += digest is not None
    return made


def send_reminders(*, now: datetime | None = None) -> int:
    """Queue overdue-recap and action-due reminders; return how many were new."""
    with open_session() as session:
        count = len(queue_recap_reminders(session, now=now))
        count += len(queue_action_reminders(session, now=now))
        session.commit()
    return count


@huey.periodic_task(crontab(minute="7"), retries=0)
def send_due_digests_job() -> int:
    return send_due_digests()


@huey.periodic_task(crontab(minute="37"), retries=0)
def send_reminders_job() -> int:
    return send_reminders()
