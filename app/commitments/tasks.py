"""Background jobs for commitments: the hourly reminder of those falling due."""

from datetime import datetime

from huey import crontab

from app.commitments.reminders import queue_commitment_reminders
from app.db import open_session
from app.worker import huey


def send_commitment_reminders(*, now: datetime | None = None) -> int:
    """Queue reminders of open commitments due today or overdue; return how many were new."""
    with open_session() as session:
        count = len(queue_commitment_reminders(session, now=now))
        session.commit()
    return count


@huey.periodic_task(crontab(minute="41"), retries=0)
def send_commitment_reminders_job() -> int:
    return send_commitment_reminders()
