"""Background jobs for transcripts: the daily deletion of those past their retention."""

from datetime import datetime

from huey import crontab

from app.audit import service as audit
from app.db import open_session
from app.models import utcnow
from app.transcripts.retention import drop_expired_transcripts
from app.worker import huey


def drop_expired_transcripts_now(*, now: datetime | None = None) -> int:
    """Delete the transcripts and chats past the configured retention; return how many."""
    with audit.acting_as(audit.WORKER), open_session() as session:
        count = drop_expired_transcripts(session, now=now or utcnow())
        session.commit()
    return count


@huey.periodic_task(crontab(minute="23", hour="3"), retries=0)
def drop_expired_transcripts_job() -> int:
    return drop_expired_transcripts_now()
