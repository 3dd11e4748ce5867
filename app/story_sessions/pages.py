"""Organizer pages for sessions and series (the same services as the API)."""

from collections.abc import Sequence
from contextlib import suppress
from datetime import date, datetime, time
from itertools import zip_longest
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlmodel import Session

from app.auth.dependencies import CurrentUser
from app.db import SessionDep
from app.deps import Pagination, PaginationDep
from app.errors import AppError
from app.invitations import pages as invitation_pages
from app.invitations import rsvps
from app.kit.forms import form_failed
from app.kit.paging import pager
from app.models import Consent, Platform, SessionStatus, StorySession, User, utcnow
from app.models.story_sessions import PLATFORM_LABELS
from app.people.service import person_by_email
from app.story_sessions import service
from app.story_sessions.api import ics_response
from app.story_sessions.dependencies import ValidSeries, ValidSession
from app.story_sessions.recurrence import EXAMPLE as RRULE_EXAMPLE
from app.story_sessions.recurrence import local_to_instant
from app.story_sessions.schemas import (
    SeriesCreate,
    SessionCreate,
    SessionFilters,
    SessionUpdate,
    When,
)
from app.templating import templates

router = APIRouter(include_in_schema=False)

SPEAKER_ROWS = 3
COMMON_TIMEZONES = [
    "UTC",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Amsterdam",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Stockholm",
    "Europe/Warsaw",
    "Europe/Athens",
    "Europe/Istanbul",
    "Africa/Johannesburg",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
    "America/Sao_Paulo",
    "America/Toronto",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Mexico_City",
]
CONSENT_LABELS = {
    Consent.named: "Named: name and company may be quoted",
    Consent.company_only: "Company only: no personal name",
    Consent.anonymous: "Anonymous: neither name nor company",
    Consent.none: "Not to be quoted",
}
# Where a schema field's error is shown on the form.
FIELD_FOR = {"starts_at": "time", "first_start_local": "first_time", "host_id": "host_email"}
LABELS = {
    "title": "Title",
    "customer": "Customer",
    "description": "Description",
    "date": "Date",
    "time": "Time",
    "first_date": "First date",
    "first_time": "Time",
    "timezone": "Timezone",
    "duration_minutes": "Duration",
    "platform": "Platform",
    "join_url": "Join URL",
    "host_email": "Host",
    "rrule": "Repeat rule",
}


class SessionForm(BaseModel):
    """What the session form posts: plain strings, checked by `SessionCreate` afterwards."""

    title: str = ""
    customer: str = ""
    description: str = ""
    date: str = ""
    time: str = ""
    timezone: str = "UTC"
    duration_minutes: str = "60"
    platform: str = Platform.zoom.value
    join_url: str = ""
    host_email: str = ""
    speaker_name: list[str] = []
    speaker_title: list[str] = []
    speaker_consent: list[str] = []


class SeriesForm(BaseModel):
    title: str = ""
    customer: str = ""
    description: str = ""
    rrule: str = ""
    timezone: str = "UTC"
    first_date: str = ""
    first_time: str = ""
    duration_minutes: str = "60"
    platform: str = Platform.zoom.value
    join_url: str = ""
    host_email: str = ""


Errors = dict[str, str]


def _message(error: Any) -> str:
    text = str(error["msg"])
    return text.removeprefix("Value error, ").removeprefix("Assertion failed, ")


def _collect(exc: ValidationError, errors: Errors, speaker_rows: Sequence[int] = ()) -> None:
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else "form"
        if name == "speakers" and len(error["loc"]) > 1 and isinstance(error["loc"][1], int):
            index = error["loc"][1]
            row = speaker_rows[index] if index < len(speaker_rows) else index
            name = f"speaker_name_{row}"
        errors.setdefault(FIELD_FOR.get(name, name), _message(error))


def _wall_clock(
    day: str, clock: str, *, date_field: str, time_field: str, errors: Errors
) -> datetime | None:
    parsed_day: date | None = None
    parsed_time: time | None = None
    try:
        parsed_day = date.fromisoformat(day.strip())
    except ValueError:
        errors[date_field] = f"Enter a date like 2027-03-02; got {day.strip()!r}."
    try:
        parsed_time = time.fromisoformat(clock.strip())
    except ValueError:
        errors[time_field] = f"Enter a time like 16:00; got {clock.strip()!r}."
    if parsed_day is None or parsed_time is None:
        return None
    return datetime.combine(parsed_day, parsed_time.replace(second=0, microsecond=0))


def _host_id(session: Session, email: str, errors: Errors) -> int | None:
    if not email.strip():
        return None
    person = person_by_email(session, email)
    if person is None:
        errors["host_email"] = f"No one in the directory has the email {email.strip()!r}."
        return None
    return person.id


def _session_payload(
    session: Session, form: SessionForm, errors: Errors, speaker_rows: list[int]
) -> dict[str, Any]:
    """The form as `SessionCreate` input; `speaker_rows` gets each speaker's form row."""
    speakers = []
    rows = zip_longest(form.speaker_name, form.speaker_title, form.speaker_consent, fillvalue="")
    for index, (name, title, consent) in enumerate(rows):
        if name.strip():
            speakers.append({"name": name, "title": title, "consent": consent or Consent.none})
            speaker_rows.append(index)
        elif title.strip():
            errors[f"speaker_name_{index}"] = "Give this speaker's name, or clear the row."
    payload: dict[str, Any] = {
        "title": form.title,
        "customer": form.customer.strip() or None,
        "description": form.description,
        "speakers": speakers,
        "timezone": form.timezone,
        "duration_minutes": form.duration_minutes,
        "platform": form.platform,
        "join_url": form.join_url,
        "host_id": _host_id(session, form.host_email, errors),
    }
    wall = _wall_clock(form.date, form.time, date_field="date", time_field="time", errors=errors)
    # A stand-in when the date, time or zone is wrong: those errors are what the form shows.
    payload["starts_at"] = utcnow()
    if wall is not None:
        with suppress(ValueError, KeyError):  # an unknown timezone: the schema reports it
            payload["starts_at"] = local_to_instant(wall, form.timezone)
    return payload


def _form_context(
    request: Request,
    user: User,
    *,
    form: BaseModel,
    errors: Errors,
    **extra: Any,
) -> dict[str, Any]:
    zone = str(getattr(form, "timezone", "UTC"))
    timezones = COMMON_TIMEZONES if zone in COMMON_TIMEZONES else [zone, *COMMON_TIMEZONES]
    speaker_rows = max(SPEAKER_ROWS, len(getattr(form, "speaker_name", [])))
    speakers = {f"speaker_name_{row}": f"Speaker {row + 1}" for row in range(speaker_rows)}
    return {
        "user": user,
        "form": form,
        "errors": errors,
        "labels": LABELS | speakers,
        "timezones": timezones,
        "platform_labels": PLATFORM_LABELS,
        "consent_labels": CONSENT_LABELS,
        "speaker_rows": speaker_rows,
        "rrule_example": RRULE_EXAMPLE,
        **extra,
    }


def _blank_session_form(session: Session, user_id: int | None) -> SessionForm:
    return SessionForm(timezone=service.recent_timezone(session, organizer_id=user_id) or "UTC")


def _form_of(session: Session, story_session: StorySession) -> SessionForm:
    detail = service.describe_session(session, story_session)
    host = service.host_of(session, story_session)
    local = detail.starts_local
    return SessionForm(
        title=detail.title,
        customer=detail.customer or "",
        description=detail.description,
        date=local.date().isoformat(),
        time=local.strftime("%H:%M"),
        timezone=detail.timezone,
        duration_minutes=str(detail.duration_minutes),
        platform=detail.platform.value,
        join_url=detail.join_url,
        host_email=host.email if host else "",
        speaker_name=[s.name for s in detail.speakers],
        speaker_title=[s.title for s in detail.speakers],
        speaker_consent=[s.consent.value for s in detail.speakers],
    )


# Sessions


@router.get("/sessions", response_class=HTMLResponse)
def sessions_page(
    request: Request, session: SessionDep, user: CurrentUser, page: PaginationDep
) -> Response:
    """The session list with filters: the organizer's home."""
    raw = {
        key: request.query_params.get(key, "").strip()
        for key in ("when", "status", "series_id", "q", "customer")
    }
    errors: Errors = {}
    try:
        filters = SessionFilters.model_validate({k: v for k, v in raw.items() if v})
    except ValidationError as exc:
        _collect(exc, errors)
        filters = SessionFilters()
    rows, total = service.list_sessions(
        session, filters=filters, limit=page.limit, offset=page.offset
    )
    series, _ = service.list_series(session, limit=500, offset=0)
    return templates.TemplateResponse(
        request,
        "pages/story_sessions/list.html",
        {
            "user": user,
            "sessions": service.describe_sessions(session, rows),
            "total": total,
            "pager": pager(request, page, total),
            "filters": raw,
            "errors": errors,
            "whens": list(When),
            "statuses": list(SessionStatus),
            "series": series,
            "platform_labels": PLATFORM_LABELS,
        },
        status_code=422 if errors else 200,
    )


@router.get("/sessions/new", response_class=HTMLResponse)
def new_session_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """The form to schedule a session."""
    form = _blank_session_form(session, user.id)
    return templates.TemplateResponse(
        request,
        "pages/story_sessions/form.html",
        _form_context(request, user, form=form, errors={}, action="/sessions"),
    )


@router.post("/sessions", response_class=HTMLResponse)
def create_session_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    form: Annotated[SessionForm, Form()],
) -> Response:
    """Schedule a session from the form; on errors show the form again with them."""
    errors: Errors = {}
    speaker_rows: list[int] = []
    payload = _session_payload(session, form, errors, speaker_rows)
    try:
        data = SessionCreate.model_validate(payload)
    except ValidationError as exc:
        _collect(exc, errors, speaker_rows)
    if not errors:
        try:
            story_session = service.create_session(session, data=data)
            return RedirectResponse(f"/sessions/{story_session.id}", status_code=303)
        except AppError as exc:
            errors["form"] = str(exc.detail)
    return form_failed(
        session,
        request,
        "pages/story_sessions/form.html",
        _form_context(request, user, form=form, errors=errors, action="/sessions"),
        errors,
        status_code=422,
    )


@router.get("/sessions/{session_id}.ics")
def session_ics_page(session: SessionDep, story_session: ValidSession, _: CurrentUser) -> Response:
    """Download the session for a calendar."""
    return ics_response(service.session_ics(session, story_session), story_session.id)


@router.get("/sessions/{session_id}", response_class=HTMLResponse)
def session_page(
    request: Request, session: SessionDep, user: CurrentUser, story_session: ValidSession
) -> Response:
    """One session: details, speakers, calendar file, cancel and complete."""
    detail = service.describe_session(session, story_session)
    series = (
        service.get_series(session, series_id=story_session.series_id)
        if story_session.series_id
        else None
    )
    return templates.TemplateResponse(
        request,
        "pages/story_sessions/detail.html",
        {
            "user": user,
            "s": detail,
            "host": service.host_of(session, story_session),
            "series": series,
            "platform_labels": PLATFORM_LABELS,
            "consent_labels": CONSENT_LABELS,
            "invitations": invitation_pages.session_panel(session, story_session),
        },
    )


@router.get("/sessions/{session_id}/edit", response_class=HTMLResponse)
def edit_session_page(
    request: Request, session: SessionDep, user: CurrentUser, story_session: ValidSession
) -> Response:
    """The form to change a session (only the description once it is closed)."""
    return templates.TemplateResponse(
        request,
        "pages/story_sessions/form.html",
        _form_context(
            request,
            user,
            form=_form_of(session, story_session),
            errors={},
            action=f"/sessions/{story_session.id}/edit",
            story_session=story_session,
        ),
    )


@router.post("/sessions/{session_id}/edit", response_class=HTMLResponse)
def update_session_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    story_session: ValidSession,
    form: Annotated[SessionForm, Form()],
) -> Response:
    """Save the edit form; on errors show it again with them."""
    errors: Errors = {}
    speaker_rows: list[int] = []
    if story_session.status is SessionStatus.scheduled:
        payload = _session_payload(session, form, errors, speaker_rows)
    else:
        payload = {"description": form.description}
    try:
        data = SessionUpdate.model_validate(payload)
    except ValidationError as exc:
        _collect(exc, errors, speaker_rows)
    if not errors:
        try:
            service.update_session(session, story_session, data=data)
            return RedirectResponse(f"/sessions/{story_session.id}", status_code=303)
        except AppError as exc:
            errors["form"] = str(exc.detail)
    return form_failed(
        session,
        request,
        "pages/story_sessions/form.html",
        lambda: _form_context(
            request,
            user,
            form=form,
            errors=errors,
            action=f"/sessions/{story_session.id}/edit",
            story_session=story_session,
        ),
        errors,
        status_code=422,
    )


@router.post("/sessions/{session_id}/cancel")
def cancel_session_page(
    session: SessionDep, _: CurrentUser, story_session: ValidSession
) -> Response:
    """Cancel the session."""
    service.cancel_session(session, story_session)
    return RedirectResponse(f"/sessions/{story_session.id}", status_code=303)


@router.post("/sessions/{session_id}/complete")
def complete_session_page(
    session: SessionDep, _: CurrentUser, story_session: ValidSession
) -> Response:
    """Mark the session completed."""
    service.complete_session(session, story_session)
    return RedirectResponse(f"/sessions/{story_session.id}", status_code=303)


# Series


SERIES_LIST = "pages/story_sessions/series_list.html"


def _series_list_context(
    request: Request,
    session: Session,
    user: User,
    page: Pagination,
    *,
    form: SeriesForm,
    errors: Errors,
) -> dict[str, Any]:
    rows, total = service.list_series(session, limit=page.limit, offset=page.offset)
    return _form_context(
        request,
        user,
        form=form,
        errors=errors,
        series=service.describe_series(session, rows),
        total=total,
        pager=pager(request, page, total, path="/series"),
    )


@router.get("/series", response_class=HTMLResponse)
def series_list_page(
    request: Request, session: SessionDep, user: CurrentUser, page: PaginationDep
) -> Response:
    """Every series, and the form to start one."""
    form = SeriesForm(timezone=service.recent_timezone(session, organizer_id=user.id) or "UTC")
    return templates.TemplateResponse(
        request,
        SERIES_LIST,
        _series_list_context(request, session, user, page, form=form, errors={}),
    )


@router.post("/series", response_class=HTMLResponse)
def create_series_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    page: PaginationDep,
    form: Annotated[SeriesForm, Form()],
) -> Response:
    """Create a series from the form and schedule its sessions."""
    errors: Errors = {}
    wall = _wall_clock(
        form.first_date,
        form.first_time,
        date_field="first_date",
        time_field="first_time",
        errors=errors,
    )
    payload = {
        "title": form.title,
        "customer": form.customer.strip() or None,
        "description": form.description,
        "rrule": form.rrule,
        "timezone": form.timezone,
        "first_start_local": wall or datetime(2000, 1, 1),  # noqa: DTZ001  (wall clock)
        "duration_minutes": form.duration_minutes,
        "platform": form.platform,
        "join_url": form.join_url,
        "host_id": _host_id(session, form.host_email, errors),
    }
    try:
        data = SeriesCreate.model_validate(payload)
    except ValidationError as exc:
        _collect(exc, errors)
    if not errors:
        try:
            series, skipped = service.create_series(session, data=data)
            query = urlencode({"skipped": skipped})
            return RedirectResponse(f"/series/{series.id}?{query}", status_code=303)
        except AppError as exc:
            errors["rrule" if "rule" in str(exc.detail).lower() else "form"] = str(exc.detail)
    return form_failed(
        session,
        request,
        SERIES_LIST,
        lambda: _series_list_context(request, session, user, page, form=form, errors=errors),
        errors,
        status_code=422,
    )


@router.get("/series/{series_id}", response_class=HTMLResponse)
def series_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    series: ValidSeries,
    skipped: int | None = None,
) -> Response:
    """One series and its sessions."""
    detail = service.series_detail(session, series)
    return templates.TemplateResponse(
        request,
        "pages/story_sessions/series_detail.html",
        {
            "user": user,
            "series": detail,
            "rsvp": rsvps.rsvp_counts(session, session_ids=[s.id for s in detail.sessions]),
            "skipped": skipped,
            "platform_labels": PLATFORM_LABELS,
            "local_start": series.first_start_local.replace(tzinfo=ZoneInfo(series.timezone)),
        },
    )


@router.post("/series/{series_id}/cancel")
def cancel_series_page(session: SessionDep, _: CurrentUser, series: ValidSeries) -> Response:
    """Cancel the series' sessions that have not started."""
    service.cancel_series(session, series)
    return RedirectResponse(f"/series/{series.id}", status_code=303)
