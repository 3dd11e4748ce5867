"""Background jobs for recaps: rendering each approved version's PDF once.

The job renders holding no transaction (`render.ensure_pdf`), then asks for the recaps that
waited for the PDF to be sent (`app.mail.sender` claims a recap only once its PDF is stored).
"""

import logging
from datetime import timedelta

from huey import crontab
from sqlmodel import Session, col, exists, select

from app.db import after_commit, open_session
from app.errors import NotFound
from app.mail import outbox
from app.models import Delivery, DeliveryStatus, RecapVersion, utcnow
from app.recaps import render
from app.worker import huey

log = logging.getLogger(__name__)

LOST_AFTER = timedelta(minutes=5)
"""How long recaps wait for their PDF before the sweep assumes its render job was lost."""


def schedule_pdf(session: Session, version: RecapVersion) -> None:
    """Render the version's PDF in the worker once this session's transaction commits."""
    if version.id is None:
        session.flush()
    assert version.id is not None
    after_commit(session, render_version_pdf, version.id)


def render_version(version_id: int) -> None:
    """Render and store the version's PDF unless it has one, then send the recaps waiting.

    A render failure is recorded on the version, and the recaps waiting for it fail with its
    reason (the organizer sees it beside each, and can resend).
    """
    try:
        render.ensure_pdf(version_id)
    except NotFound:
        return
    except render.RenderError as exc:
        log.warning("recap version %s: %s", version_id, exc.detail)
        with open_session() as session:
            version = session.get(RecapVersion, version_id)
            if version is not None and version.pdf_id is None:
                version.render_error = str(exc.detail)[:2000]
                outbox.fail_queued(session, recap_version_id=version_id, reason=str(exc.detail))
                session.commit()
        return
    with open_session() as session:
        waiting = session.exec(
            select(Delivery.id)
            .where(
                col(Delivery.recap_version_id) == version_id,
                col(Delivery.status) == DeliveryStatus.queued,
            )
            .limit(1)
        ).first()
        if waiting is not None:
            outbox.request_send(session)
        session.commit()


@huey.task(retries=2, retry_delay=30)
def render_version_pdf(version_id: int) -> None:
    # Retries cover the database being briefly unavailable; a RenderError is recorded, not retried.
    render_version(version_id)


@huey.periodic_task(crontab(minute="*/5"), retries=0)
def render_waiting_pdfs() -> None:
    """Every five minutes: render the PDFs recaps have waited for too long (a lost job)."""
    before = utcnow() - LOST_AFTER
    with open_session() as session:
        version_ids = list(
            session.exec(
                select(RecapVersion.id).where(
                    col(RecapVersion.pdf_id).is_(None),
                    exists().where(
                        col(Delivery.recap_version_id) == RecapVersion.id,
                        col(Delivery.status) == DeliveryStatus.queued,
                        col(Delivery.next_attempt_at) < before,
                    ),
                )
            )
        )
    for version_id in version_ids:
        if version_id is not None:
            render_version(version_id)
