"""Attendance over the JSON API: imports, check-in, resolving unmatched attendees."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Query, Response, UploadFile, status

from app.attendance import service, suggestions, undo
from app.attendance.schemas import (
    AcceptedCheckIns,
    AcceptedSuggestions,
    AcceptSuggestions,
    AttendanceCreate,
    AttendanceRead,
    CheckInLink,
    ImportReport,
    ImportSummary,
    LevelCount,
    MarkedExternal,
    PendingCheckInRead,
    Resolve,
    Suggestion,
)
from app.attendance.service import DateOrder
from app.attendance.uploads import import_upload
from app.auth.dependencies import CurrentUser
from app.db import SessionDep
from app.deps import IdPath, Page, PaginationDep
from app.errors import Forbidden
from app.models import User
from app.people.service import get_person
from app.story_sessions.dependencies import ValidSession

router = APIRouter(prefix="/sessions/{session_id}", tags=["attendance"])

StatusFilter = Literal["all", "attended", "unmatched"]


@router.get("/attendance")
def list_attendance(
    session: SessionDep,
    story_session: ValidSession,
    page: PaginationDep,
    show: Annotated[
        StatusFilter, Query(description="attended: counted; unmatched: unresolved")
    ] = "all",
) -> Page[AttendanceRead]:
    """Who was in the session, most minutes first, with their level at the time."""
    items, total = service.list_attendance(
        session, story_session=story_session, status=show, limit=page.limit, offset=page.offset
    )
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/attendance/levels")
def attendance_by_level(session: SessionDep, story_session: ValidSession) -> list[LevelCount]:
    """People counted as attended per level, most senior first."""
    return service.level_counts(session, story_session=story_session)


@router.post("/attendance", status_code=status.HTTP_201_CREATED)
def mark_present(
    session: SessionDep, story_session: ValidSession, body: AttendanceCreate
) -> AttendanceRead:
    """Mark a directory person present, by id or by email."""
    row = service.mark_present(
        session, story_session=story_session, person_id=body.person_id, email=body.email
    )
    assert row.id is not None
    return service.get_attendance(session, story_session=story_session, attendance_id=row.id)


@router.delete("/attendance/{attendance_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_attendance(
    session: SessionDep, story_session: ValidSession, attendance_id: IdPath
) -> Response:
    """Remove one attendance row (a mistaken manual entry)."""
    service.remove_attendance(session, story_session=story_session, attendance_id=attendance_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/attendance/{attendance_id}/resolve")
def resolve_unmatched(
    session: SessionDep, story_session: ValidSession, attendance_id: IdPath, body: Resolve
) -> AttendanceRead:
    """Say which person an unmatched attendee is; the next import will match them."""
    row = service.resolve_unmatched(
        session,
        story_session=story_session,
        attendance_id=attendance_id,
        person=get_person(session, body.person_id),
    )
    assert row.id is not None
    return service.get_attendance(session, story_session=story_session, attendance_id=row.id)


@router.post("/attendance/{attendance_id}/external")
def mark_external(
    session: SessionDep, story_session: ValidSession, attendance_id: IdPath
) -> AttendanceRead:
    """Confirm an unmatched attendee is not an employee."""
    service.mark_external(session, story_session=story_session, attendance_id=attendance_id)
    return service.get_attendance(session, story_session=story_session, attendance_id=attendance_id)


@router.get("/attendance/suggestions")
def list_suggestions(session: SessionDep, story_session: ValidSession) -> list[Suggestion]:
    """Who each unmatched attendee probably is (a similar name, a known email), or that they
    are external (an address outside the company's domains); never a guess between equals."""
    return suggestions.suggestions(session, story_session=story_session)


@router.post("/attendance/suggestions")
def accept_suggestions(
    session: SessionDep, story_session: ValidSession, body: AcceptSuggestions
) -> AcceptedSuggestions:
    """Accept suggestions by their `choice`; those no longer current are skipped."""
    return suggestions.accept_suggestions(
        session, story_session=story_session, choices=[c[:40] for c in body.accept]
    )


@router.post("/attendance/unmatched/mark-external")
def mark_all_external(session: SessionDep, story_session: ValidSession) -> MarkedExternal:
    """Mark every unmatched attendee as not an employee."""
    return MarkedExternal(
        marked=suggestions.mark_all_external(session, story_session=story_session)
    )


@router.post(
    "/attendance/imports",
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"description": "This exact file was imported before; nothing changed."},
        409: {
            "description": "The report's times are more than 6 hours from the session's, so it "
            "may be another session's report: nothing was imported. `detail` says when the "
            'report and the session were, e.g. "This report is from Tue 3 Nov 14:00–15:10; '
            'the session was Tue 24 Nov 16:00–17:00 (Europe/Paris time). …". Send the file '
            "again with `confirm=true` to import it anyway.",
        },
    },
)
async def import_attendance(
    session: SessionDep,
    story_session: ValidSession,
    user: CurrentUser,
    response: Response,
    file: Annotated[UploadFile, File(description="The platform's attendance report")],
    date_order: Annotated[
        DateOrder, Form(description="Only needed when dates are ambiguous")
    ] = "auto",
    confirm: Annotated[
        bool,
        Form(
            description="Import even when the report's times are far from the session's "
            "(otherwise that is a 409 and nothing is imported)"
        ),
    ] = False,
) -> ImportReport:
    """Import a Zoom, Teams, Meet or Webex attendance report (or a plain CSV of emails)."""
    report = await import_upload(
        session, story_session=story_session, file=file, date_order=date_order, confirm=confirm
    )
    if report.repeated:
        response.status_code = status.HTTP_200_OK
    return report


@router.get("/attendance/imports")
def list_imports(session: SessionDep, story_session: ValidSession) -> list[ImportSummary]:
    """The session's attendance imports, newest first."""
    return [
        ImportSummary.model_validate(record)
        for record in service.list_imports(session, story_session=story_session)
    ]


@router.delete("/attendance/imports/{import_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_import(session: SessionDep, story_session: ValidSession, import_id: IdPath) -> Response:
    """Remove an import: its rows are deleted, the rows of an earlier report it replaced come
    back, and minutes it added to other rows are taken away, so every figure of the session
    is what it was before it. Rows marked by hand, checked in or from another import stay."""
    record = undo.get_import(session, story_session=story_session, import_id=import_id)
    undo.remove_import(session, story_session=story_session, record=record)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/attendance/imports/{import_id}")
def read_import(
    session: SessionDep, story_session: ValidSession, import_id: IdPath
) -> ImportReport:
    """The report of one import: format, decisions, matches and warnings."""
    return service.get_import_report(session, story_session=story_session, import_id=import_id)


# -- self check-in: organizers and admins only, since the link lets anyone check in --------


async def require_writer(user: CurrentUser) -> User:
    if not user.role.can_write:
        raise Forbidden(
            "Only organizers and admins can see or change self check-ins: the link lets anyone "
            "who has it check in."
        )
    return user


WriterUser = Annotated[User, Depends(require_writer)]


@router.get("/check-in-link")
def check_in_link(story_session: ValidSession, _user: WriterUser) -> CheckInLink:
    """The signed self check-in link and its QR code (SVG) to show in the session."""
    return service.organizer_check_in_link(story_session)


@router.post("/check-in-link/rotate")
def rotate_check_in_link(
    session: SessionDep, story_session: ValidSession, _user: WriterUser
) -> CheckInLink:
    """A new check-in link; the links given out before it answer that they were replaced."""
    return service.rotate_check_in_link(session, story_session=story_session)


@router.get("/check-ins")
def list_pending_check_ins(
    session: SessionDep, story_session: ValidSession, page: PaginationDep, _user: WriterUser
) -> Page[PendingCheckInRead]:
    """Self check-ins waiting to be accepted, earliest first; they count nowhere until then."""
    items, total = service.list_pending_check_ins(
        session, story_session=story_session, limit=page.limit, offset=page.offset
    )
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.post("/check-ins/accept-all")
def accept_all_check_ins(
    session: SessionDep, story_session: ValidSession, _user: WriterUser
) -> AcceptedCheckIns:
    """Accept every waiting self check-in: each person now counts as attended."""
    return AcceptedCheckIns(
        accepted=service.accept_all_check_ins(session, story_session=story_session)
    )


@router.post("/check-ins/{check_in_id}/accept")
def accept_check_in(
    session: SessionDep, story_session: ValidSession, check_in_id: IdPath, _user: WriterUser
) -> AttendanceRead:
    """Accept one self check-in: the person now counts as attended."""
    row = service.accept_check_in(session, story_session=story_session, check_in_id=check_in_id)
    assert row.id is not None
    return service.get_attendance(session, story_session=story_session, attendance_id=row.id)


@router.post("/check-ins/{check_in_id}/reject", status_code=status.HTTP_204_NO_CONTENT)
def reject_check_in(
    session: SessionDep, story_session: ValidSession, check_in_id: IdPath, _user: WriterUser
) -> Response:
    """Reject one self check-in (not there, or not them): it is deleted."""
    service.reject_check_in(session, story_session=story_session, check_in_id=check_in_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
