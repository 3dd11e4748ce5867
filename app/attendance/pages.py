"""Attendance pages: a session's attendance, imports and their reports, and self check-in."""

from dataclasses import dataclass
from typing import Annotated, Any, Literal
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from app.attendance import held, service, suggestions, undo
from app.attendance.schemas import ImportPreview
from app.attendance.service import AttendanceSort, DateOrder
from app.attendance.uploads import import_or_hold_upload
from app.auth.dependencies import CurrentUser
from app.auth.throttle import client_address
from app.db import SessionDep, id_of
from app.deps import IdPath, Pagination
from app.errors import AppError, Forbidden, TooManyRequests
from app.kit.forms import form_failed
from app.kit.paging import pager
from app.kit.sorting import sort_headers
from app.models import SessionStatus, StorySession, User, utcnow
from app.people.history import attendance_totals
from app.people.levels import get_levels
from app.people.service import person_by_email
from app.story_sessions.dependencies import ValidSession
from app.templating import templates
from app.transcripts.participation import session_participation

router = APIRouter(prefix="/sessions/{session_id}/attendance")
public_router = APIRouter(prefix="/p/check-in", include_in_schema=False)

PAGE_SIZE = 100
CHECK_IN = "pages/attendance/check_in.html"
Show = Literal["all", "attended", "unmatched"]
ATTENDANCE_COLUMNS = {
    "name": False,
    "level": False,
    "department": False,
    "joined": False,
    "minutes": True,
    "attended": True,
}
"""The sortable columns of everyone in the session; minutes and counts sort the most first."""


@dataclass(frozen=True)
class Listing:
    """How the list of everyone in the session is searched, filtered and sorted."""

    q: str = ""
    level: str = ""
    sort: AttendanceSort = "-minutes"


NOTICES = {
    "resolved": ("unmatched", "Matched. The next import will recognise them too."),
    "external": ("unmatched", "Marked as not an employee."),
    "external-all": ("unmatched", "Marked {n} unmatched attendees as not employees."),
    "accepted": ("unmatched", "Accepted {n} suggestions."),
    "removed": (
        "imports",
        "Import removed: its {n} rows are gone, and the session's figures are what they were "
        "before it.",
    ),
    "cancelled": ("imports", "Nothing was imported."),
}
"""After a change, where the page scrolls back to and what the status line there says."""


def _notice(request: Request) -> dict[str, str] | None:
    done = NOTICES.get(request.query_params.get("done", ""))
    if done is None:
        return None
    count = request.query_params.get("n", "")
    anchor, text = done
    return {"at": anchor, "text": text.format(n=int(count) if count.isdigit() else "the")}


def _back(story_session: StorySession, back: str, done: str, n: int | None = None) -> Response:
    """Back to where the form was on the attendance page (its filter, sort, offset and
    section), with the notice of what was done. `back` is only ever a query string here."""
    kept = [(key, value) for key, value in parse_qsl(back)[:20] if key not in ("done", "n")]
    kept += [("done", done)] + ([("n", str(n))] if n is not None else [])
    anchor = NOTICES[done][0]
    return RedirectResponse(
        f"/sessions/{story_session.id}/attendance?{urlencode(kept)}#{anchor}", status_code=303
    )


Back = Annotated[str, Form(max_length=2000)]


def _context(
    request: Request,
    session: SessionDep,
    user: User,
    story_session: StorySession,
    show: Show,
    offset: int,
    typed: dict[str, Any] | None = None,
    listing: Listing | None = None,
) -> dict[str, object]:
    """The attendance page; `typed` is what a refused form had in it, shown again."""
    listing = listing or Listing()
    rows, total = service.list_attendance(
        session,
        story_session=story_session,
        status=show,
        limit=PAGE_SIZE,
        offset=offset,
        q=listing.q,
        level=listing.level,
        sort=listing.sort,
    )
    unmatched, unmatched_total = service.list_attendance(
        session, story_session=story_session, status="unmatched", limit=50
    )
    per_level = service.level_counts(session, story_session=story_session)
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
        "listing": listing,
        "levels": get_levels(session),
        "headers": sort_headers(request, listing.sort, ATTENDANCE_COLUMNS),
        "totals": attendance_totals(
            session, person_ids=[row.person_id for row in rows if row.person_id is not None]
        ),
        "unmatched": unmatched,
        "unmatched_total": unmatched_total,
        "per_level": per_level,
        "attended": sum(count.attended for count in per_level),
        "executives": sum(count.attended for count in per_level if count.level.is_executive),
        "imports": undo.list_imports(session, story_session=story_session),
        "took_part": session_participation(session, session_id=id_of(story_session)),
        "notice": _notice(request),
    }


def _check_in_context(
    session: SessionDep, user: User, story_session: StorySession
) -> dict[str, object]:
    """The link and the check-ins waiting, for organizers only: the link lets anyone in."""
    if not user.role.can_write:
        return {}
    pending, pending_total = service.list_pending_check_ins(
        session, story_session=story_session, limit=PAGE_SIZE
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
    q: Annotated[str, Query(max_length=200)] = "",
    level: Annotated[str, Query(max_length=40)] = "",
    sort: AttendanceSort = "-minutes",
) -> Response:
    listing = Listing(q=q, level=level, sort=sort)
    context = _context(request, session, user, story_session, show, max(offset, 0), listing=listing)
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
        report = await import_or_hold_upload(
            session, story_session=story_session, file=file, date_order=date_order
        )
    except AppError as error:
        return await run_in_threadpool(
            _render_with_error, request, session, user, story_session, error
        )
    base = f"/sessions/{story_session.id}/attendance/imports"
    if isinstance(report, ImportPreview):
        return RedirectResponse(f"{base}/held/{report.token}", status_code=303)
    return RedirectResponse(f"{base}/{report.import_id}", status_code=303)


def _writer(user: User) -> None:
    if not user.role.can_write:
        raise Forbidden("Only organizers and admins can import attendance or resolve attendees.")


@router.get("/imports/held/{token}")
def held_import_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    story_session: ValidSession,
    token: str,
) -> Response:
    """What a report held for confirmation would import, with "Import anyway" and "Cancel"."""
    _writer(user)
    found = held.get_held(session, story_session=story_session, token=token)
    return templates.TemplateResponse(
        request,
        "pages/attendance/held.html",
        {"user": user, "story_session": story_session, "preview": held.held_preview(found)},
    )


@router.post("/imports/held/{token}")
def import_held(session: SessionDep, story_session: ValidSession, token: str) -> Response:
    """Import a held report anyway."""
    found = held.get_held(session, story_session=story_session, token=token)
    report = held.import_held(session, story_session=story_session, held=found)
    return RedirectResponse(
        f"/sessions/{story_session.id}/attendance/imports/{report.import_id}", status_code=303
    )


@router.post("/imports/held/{token}/cancel")
def cancel_held(session: SessionDep, story_session: ValidSession, token: str) -> Response:
    """Drop a held report: nothing of it is imported."""
    held.cancel_held(session, held=held.get_held(session, story_session=story_session, token=token))
    return _back(story_session, "", "cancelled")


@router.post("/imports/{import_id}/remove")
def remove_import(
    session: SessionDep, story_session: ValidSession, import_id: IdPath, back: Back = ""
) -> Response:
    """Remove an import: its rows go, and the figures are what they were before it."""
    record = undo.get_import(session, story_session=story_session, import_id=import_id)
    removed = undo.remove_import(session, story_session=story_session, record=record)
    return _back(story_session, back, "removed", removed.deleted)


@router.post("/unmatched/mark-external")
def mark_all_external(
    session: SessionDep, story_session: ValidSession, back: Back = ""
) -> Response:
    """Mark every unmatched attendee as not an employee."""
    count = suggestions.mark_all_external(session, story_session=story_session)
    return _back(story_session, back, "external-all", count)


@router.get("/suggestions")
def suggestions_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    story_session: ValidSession,
    back: Annotated[str, Query(max_length=2000)] = "",
) -> Response:
    """A suggestion for each unmatched attendee, ticked, to accept in one go."""
    _writer(user)
    found = suggestions.suggestions(session, story_session=story_session)
    return templates.TemplateResponse(
        request,
        "pages/attendance/suggestions.html",
        {
            "user": user,
            "story_session": story_session,
            "suggested": [s for s in found if s.kind != "none"],
            "left": [s for s in found if s.kind == "none"],
            "limit": suggestions.SUGGEST_AT_MOST,
            "back": back,
        },
    )


@router.post("/suggestions")
def accept_suggestions(
    session: SessionDep,
    story_session: ValidSession,
    accept: Annotated[list[str] | None, Form()] = None,
    back: Back = "",
) -> Response:
    """Accept the ticked suggestions."""
    choices = [choice[:40] for choice in (accept or [])[: suggestions.SUGGEST_AT_MOST]]
    accepted = suggestions.accept_suggestions(session, story_session=story_session, choices=choices)
    return _back(story_session, back, "accepted", accepted.matched + accepted.external)


@router.get("/imports/{import_id}")
def import_report_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    story_session: ValidSession,
    import_id: IdPath,
) -> Response:
    report = service.get_import_report(session, story_session=story_session, import_id=import_id)
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
    back: Back = "",
) -> Response:
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
    return _back(story_session, back, "resolved")


@router.post("/{attendance_id}/external")
def external(
    session: SessionDep, story_session: ValidSession, attendance_id: IdPath, back: Back = ""
) -> Response:
    service.mark_external(session, story_session=story_session, attendance_id=attendance_id)
    return _back(story_session, back, "external")


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
    try:
        service.reject_check_in(session, story_session=story_session, check_in_id=check_in_id)
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
