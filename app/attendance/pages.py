"""Attendance pages: a session's attendance, imports and their reports, and self check-in."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from app.attendance import service
from app.attendance.service import DateOrder
from app.attendance.uploads import import_upload
from app.auth.dependencies import CurrentUser
from app.auth.throttle import client_address
from app.db import SessionDep
from app.deps import IdPath, Pagination
from app.errors import AppError, TooManyRequests
from app.kit.forms import form_failed
from app.kit.paging import pager
from app.models import SessionStatus, StorySession, User, utcnow
from app.people.service import person_by_email
from app.story_sessions.dependencies import ValidSession
from app.templating import templates

router = APIRouter(prefix="/sessions/{session_id}/attendance")
public_router = APIRouter(prefix="/p/check-in", include_in_schema=False)

PAGE_SIZE = 100
CHECK_IN = "pages/attendance/check_in.html"
Show = Literal["all", "attended", "unmatched"]


def _context(
    request: Request,
    session: SessionDep,
    user: User,
    story_session: StorySession,
    show: Show,
    offset: int,
    typed: dict[str, Any] | None = None,
) -> dict[str, object]:
    """The attendance page; `typed` is what a refused form had in it, shown again."""
    assert story_session.id is not None
    rows, total = service.list_attendance(
        session,
        session_id=story_session.id,
        status=show,
        limit=PAGE_SIZE,
        offset=offset,
    )
    unmatched, unmatched_total = service.list_attendance(
        session, session_id=story_session.id, status="unmatched", limit=50
    )
    per_level = service.level_counts(session, session_id=story_session.id)
    return _check_in_context(session, user, story_session) | {
        "story_session": story_session,
        "rows": rows,
        "total": total,
        "show": show,
        "pager": pager(
            request,
            Pagination(limit=PAGE_SIZE, offset=offset),
            total,
            path=f"/sessions/{story_session.id}/attendance",
        ),
        "typed": typed or {},
        "unmatched": unmatched,
        "unmatched_total": unmatched_total,
        "per_level": per_level,
        "attended": sum(count.attended for count in per_level),
        "executives": sum(count.attended for count in per_level if count.level.is_executive),
        "imports": service.list_imports(session, session_id=story_session.id),
    }


def _check_in_context(
    session: SessionDep, user: User, story_session: StorySession
) -> dict[str, object]:
    """The link and the check-ins waiting, for organizers only: the link lets anyone in."""
    if not user.role.can_write:
        return {}
    assert story_session.id is not None
    pending, pending_total = service.list_pending_check_ins(
        session, session_id=story_session.id, limit=PAGE_SIZE
    )
    cancelled = story_session.status is SessionStatus.cancelled
    return {
        "check_in": None if cancelled else service.check_in_link(story_session),
        "check_in_closed": not cancelled and service.check_in_window(story_session)[1] < utcnow(),
        "pending": pending,
        "pending_total": pending_total,
    }


@router.get("")
def attendance_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    story_session: ValidSession,
    show: Show = "all",
    offset: int = 0,
) -> Response:
    context = _context(request, session, user, story_session, show, max(offset, 0))
    return templates.TemplateResponse(
        request, "pages/attendance/session.html", {"user": user, **context}
    )


def _render_with_error(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    story_session: StorySession,
    error: AppError,
    typed: dict[str, Any] | None = None,
) -> Response:
    return form_failed(
        session,
        request,
        "pages/attendance/session.html",
        lambda: {"user": user, **_context(request, session, user, story_session, "all", 0, typed)},
        error,
    )


@router.post("/imports")
async def import_report(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    story_session: ValidSession,
    file: Annotated[UploadFile, File()],
    date_order: Annotated[DateOrder, Form()] = "auto",
) -> Response:
    try:
        report = await import_upload(
            session, story_session=story_session, file=file, date_order=date_order
        )
    except AppError as error:
        return await run_in_threadpool(
            _render_with_error, request, session, user, story_session, error
        )
    return RedirectResponse(
        f"/sessions/{story_session.id}/attendance/imports/{report.import_id}", status_code=303
    )


@router.get("/imports/{import_id}")
def import_report_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    story_session: ValidSession,
    import_id: IdPath,
) -> Response:
    assert story_session.id is not None
    report = service.get_import_report(session, session_id=story_session.id, import_id=import_id)
    return templates.TemplateResponse(
        request,
        "pages/attendance/import_report.html",
        {"user": user, "story_session": story_session, "report": report},
    )


@router.post("/mark")
def mark_present(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    story_session: ValidSession,
    email: Annotated[str, Form(max_length=320)],
) -> Response:
    try:
        service.mark_present(session, story_session=story_session, email=email)
    except AppError as error:
        typed = {"mark_email": email}
        return _render_with_error(request, session, user, story_session, error, typed)
    return RedirectResponse(f"/sessions/{story_session.id}/attendance", status_code=303)


@router.post("/{attendance_id}/resolve")
def resolve(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    story_session: ValidSession,
    attendance_id: IdPath,
    email: Annotated[str, Form(max_length=320)],
) -> Response:
    assert story_session.id is not None
    try:
        person = person_by_email(session, email)
        if person is None:
            raise AppError(
                f"No one in the directory has the email {email.strip()}.", status_code=404
            )
        service.resolve_unmatched(
            session, story_session=story_session, attendance_id=attendance_id, person=person
        )
    except AppError as error:
        typed = {"resolve": {attendance_id: email}}
        return _render_with_error(request, session, user, story_session, error, typed)
    return RedirectResponse(
        f"/sessions/{story_session.id}/attendance?show=unmatched", status_code=303
    )


@router.post("/{attendance_id}/external")
def external(session: SessionDep, story_session: ValidSession, attendance_id: IdPath) -> Response:
    assert story_session.id is not None
    service.mark_external(session, story_session=story_session, attendance_id=attendance_id)
    return RedirectResponse(
        f"/sessions/{story_session.id}/attendance?show=unmatched", status_code=303
    )


def _back_to_check_ins(story_session: StorySession) -> Response:
    return RedirectResponse(f"/sessions/{story_session.id}/attendance#self", status_code=303)


@router.post("/check-in-link/rotate")
def rotate_check_in_link(
    request: Request, session: SessionDep, user: CurrentUser, story_session: ValidSession
) -> Response:
    try:
        service.rotate_check_in_link(session, story_session=story_session)
    except AppError as error:
        return _render_with_error(request, session, user, story_session, error)
    return _back_to_check_ins(story_session)


@router.post("/check-ins/accept-all")
def accept_all_check_ins(session: SessionDep, story_session: ValidSession) -> Response:
    service.accept_all_check_ins(session, story_session=story_session)
    return _back_to_check_ins(story_session)


@router.post("/check-ins/{check_in_id}/accept")
def accept_check_in(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    story_session: ValidSession,
    check_in_id: IdPath,
) -> Response:
    try:
        service.accept_check_in(session, story_session=story_session, check_in_id=check_in_id)
    except AppError as error:
        return _render_with_error(request, session, user, story_session, error)
    return _back_to_check_ins(story_session)


@router.post("/check-ins/{check_in_id}/reject")
def reject_check_in(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    story_session: ValidSession,
    check_in_id: IdPath,
) -> Response:
    assert story_session.id is not None
    try:
        service.reject_check_in(session, session_id=story_session.id, check_in_id=check_in_id)
    except AppError as error:
        return _render_with_error(request, session, user, story_session, error)
    return _back_to_check_ins(story_session)


# -- self check-in (public: the signed link is the authorization) ----------------------------


def _check_in_page(
    request: Request, context: dict[str, object], status_code: int = 200
) -> Response:
    return templates.TemplateResponse(request, CHECK_IN, context, status_code=status_code)


def _closed_page(request: Request, closed: service.CheckInClosed) -> Response:
    context = {"story_session": closed.story_session, "closed": closed.detail}
    return _check_in_page(request, context, closed.status_code)


@public_router.get("/{token}")
def check_in_form(request: Request, session: SessionDep, token: str) -> Response:
    try:
        story_session = service.session_for_check_in(session, token=token)
    except service.CheckInClosed as closed:
        return _closed_page(request, closed)
    return _check_in_page(request, {"story_session": story_session, "token": token})


@public_router.post("/{token}")
def check_in(
    request: Request,
    session: SessionDep,
    token: str,
    email: Annotated[str, Form(max_length=320)],
) -> Response:
    """Take a self check-in; known and unknown addresses get the very same answer."""
    try:
        story_session = service.session_for_check_in(session, token=token)
    except service.CheckInClosed as closed:
        return _closed_page(request, closed)
    context: dict[str, object] = {"story_session": story_session, "token": token, "email": email}
    try:
        service.throttle_check_in(
            story_session=story_session, address=client_address(request), email=email
        )
        service.self_check_in(session, story_session=story_session, email=email)
    except TooManyRequests as error:
        response = form_failed(session, request, CHECK_IN, context, error)
        response.headers["Retry-After"] = str(error.retry_after)
        return response
    except AppError as error:
        return form_failed(session, request, CHECK_IN, context, error)
    return _check_in_page(request, {"story_session": story_session, "done": True})
