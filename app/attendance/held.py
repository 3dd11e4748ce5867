"""Reports held for confirmation: the page's "Import anyway" and "Cancel", without a re-upload.

A held report is kept whole (its bytes) for `HOLD_FOR`, under a random token; it counts
nowhere. Importing it anyway reads the same bytes again, so what is stored is what the
preview showed.
"""

import secrets
from datetime import timedelta

from sqlalchemy import delete
from sqlmodel import Session, col

from app.attendance import service
from app.attendance.previews import OutsideSession
from app.attendance.schemas import ImportPreview, ImportReport
from app.attendance.service import DateOrder
from app.audit import service as audit
from app.db import id_of
from app.errors import NotFound
from app.models import StorySession, utcnow
from app.models.attendance import HeldImport

HOLD_FOR = timedelta(hours=2)


def import_or_hold(
    session: Session,
    *,
    story_session: StorySession,
    data: bytes,
    filename: str,
    date_order: DateOrder,
) -> ImportReport | ImportPreview:
    """Import the report, or, when its times are far from the session's, hold it and say
    what it would import (the preview's `token` names it for `import_held`)."""
    try:
        return service.import_report(
            session,
            story_session=story_session,
            data=data,
            filename=filename,
            date_order=date_order,
        )
    except OutsideSession as outside:
        preview = outside.preview
    now = utcnow()
    session.exec(delete(HeldImport).where(col(HeldImport.expires_at) < now))
    preview = preview.model_copy(
        update={"token": secrets.token_urlsafe(24), "expires_at": now + HOLD_FOR}
    )
    session.add(
        HeldImport(
            token=preview.token,
            session_id=id_of(story_session),
            filename=preview.filename,
            date_order=date_order,
            data=data,
            preview_json=preview.model_dump_json(),
            created_by_id=audit.actor_of(session).user_id,
            created_at=now,
            expires_at=now + HOLD_FOR,
        )
    )
    session.flush()
    return preview


def get_held(session: Session, *, story_session: StorySession, token: str) -> HeldImport:
    """A report held for this session, or a 404 that says to upload it again."""
    held = session.get(HeldImport, token) if 0 < len(token) <= 64 else None
    if held is None or held.session_id != story_session.id or held.expires_at < utcnow():
        raise NotFound(
            "This import is no longer waiting: it was imported or cancelled, or it expired "
            f"({int(HOLD_FOR.total_seconds() // 3600)} hours after the upload). Nothing of it "
            "was imported; upload the file again."
        )
    return held


def held_preview(held: HeldImport) -> ImportPreview:
    return ImportPreview.model_validate_json(held.preview_json)


def import_held(session: Session, *, story_session: StorySession, held: HeldImport) -> ImportReport:
    """Import a held report anyway: the bytes the preview was made from."""
    report = service.import_report(
        session,
        story_session=story_session,
        data=held.data,
        filename=held.filename,
        date_order=held.date_order,  # type: ignore[arg-type]
        confirm=True,
    )
    session.delete(held)
    session.flush()
    return report


def cancel_held(session: Session, *, held: HeldImport) -> None:
    """Drop a held report: nothing of it is imported."""
    session.delete(held)
    session.flush()
