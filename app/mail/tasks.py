"""Background jobs that send queued deliveries and requeue lost ones.

Neither job carries deliveries: both claim what is due in the database, so a job lost,
repeated or run by two workers at once sends each message once.
"""

from huey import crontab

from app.mail import sender
from app.worker import huey

MAX_BATCHES_PER_JOB = 40


@huey.task(retries=0)
def send_deliveries() -> None:
    """Send what is due, batch after batch (queued after each commit that enqueued mail)."""
    _send_what_is_due()


@huey.periodic_task(crontab(minute="*"), retries=0)
def sweep_deliveries() -> None:
    """Every minute: take back claims of workers that died, then send retries and lost work."""
    sender.requeue_stale()
    _send_what_is_due()


def _send_what_is_due() -> None:
    report = sender.send_until_idle(max_batches=MAX_BATCHES_PER_JOB)
    if report.more:
        # Hand over to a new job so other jobs get a turn between long runs of mail.
        send_deliveries()
