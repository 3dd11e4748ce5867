"""An uploaded attendance report, read and imported: what the API and the page both do."""

from fastapi import UploadFile
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.attendance import held, service
from app.attendance.schemas import ImportPreview, ImportReport
from app.attendance.service import DateOrder
from app.config import get_settings
from app.kit.uploads import base_name, read_upload
from app.models import StorySession


async def import_upload(
    session: Session,
    *,
    story_session: StorySession,
    file: UploadFile,
    date_order: DateOrder,
    confirm: bool = False,
) -> ImportReport:
    """Read an uploaded report within the size limit and import it, off the event loop."""
    data = await read_upload(file, max_bytes=get_settings().upload_max_bytes)
    return await run_in_threadpool(
        service.import_report,
        session,
        story_session=story_session,
        data=data,
        filename=base_name(file.filename) or "upload",
        date_order=date_order,
        confirm=confirm,
    )


async def import_or_hold_upload(
    session: Session,
    *,
    story_session: StorySession,
    file: UploadFile,
    date_order: DateOrder,
) -> ImportReport | ImportPreview:
    """As `import_upload`, but a report far from the session is held for confirmation."""
    data = await read_upload(file, max_bytes=get_settings().upload_max_bytes)
    return await run_in_threadpool(
        held.import_or_hold,
        session,
        story_session=story_session,
        data=data,
        filename=base_name(file.filename) or "upload",
        date_order=date_order,
    )
