"""Background jobs for recaps: rendering each approved version's PDF once."""

import logging

from app.db import open_session
from app.models import RecapVersion
from app.recaps import render
from app.recaps.document import RecapDocument
from app.worker import huey

log = logging.getLogger(__name__)


def render_version(version_id: int) -> None:
    """Render and store the version's PDF unless it has one; record a render failure on it."""
    with open_session() as session:
        version = session.get(RecapVersion, version_id)
        if version is None or version.pdf_id is not None:
            return
        html = render.recap_pdf_html(RecapDocument.model_validate(version.document))
    # No transaction is held while rendering: on SQLite it would hold the write lock.
    try:
        pdf = render.render_pdf(html)
    except render.RenderError as exc:
        log.warning("recap version %s: %s", version_id, exc.detail)
        with open_session() as session:
            version = session.get(RecapVersion, version_id)
            if version is not None and version.pdf_id is None:
                version.render_error = str(exc.detail)[:2000]
                session.commit()
        return
    with open_session() as session:
        version = session.get(RecapVersion, version_id)
        if version is not None:
            render.attach_pdf(session, version, pdf)
            session.commit()


@huey.task(retries=2, retry_delay=30)
def render_version_pdf(version_id: int) -> None:
    # Retries cover the database being briefly unavailable; a RenderError is recorded, not retried.
    render_version(version_id)
