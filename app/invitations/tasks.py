"""Background jobs for invitations: reminders before each session."""

from huey import crontab

from app.db import open_session
from app.invitations import reminders
from app.worker import huey


def queue_reminders() -> int:
    """Queue the reminders that are due now; return how many were new."""
    with open_session() as session:
        added = reminders.queue_reminders(session)
        session.commit()
        return added


@huey.periodic_task(crontab(minute="*/5"), retries=0)
def queue_reminders_job() -> int:
    # Every five minutes: a 15-minute reminder goes out 10 to 15 minutes before the start.
    return queue_reminders()
