"""Organizer pages for sessions and series (the same services as the API)."""

from collections.abc import Sequence
from contextlib import suppress
from datetime import date, datetime, time
from itertools import zip_longest
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlmodel import Session

from app.auth.dependencies import CurrentUser
from app.commitments import pages as commitment_pages
from app.db import SessionDep, id_of
from app.deps import MAX_ID, Pagination, PaginationDep
from app.errors import AppError
from app.follow_ups import pages as follow_up_pages
from app.invitations import pages as invitation_pages
from app.invitations import rsvps
from app.kit.forms import form_failed
from app.kit.paging import pager
from app.models import (
    Consent,
    Customer,
    Person,
    Platform,
    Series,
    SessionStatus,
    StorySession,
    User,
    utcnow,
)
from app.models.story_sessions import PLATFORM_LABELS
from app.people.service import person_by_email
from app.story_sessions import service
from app.story_sessions.api import ics_response
from app.story_sessions.dependencies import ValidSeries, ValidSession
from app.story_sessions.recurrence import EXAMPLE as RRULE_EXAMPLE
from app.story_sessions.recurrence import (
    ORDINALS,
    WEEKDAY_NAMES,
    Ending,
    Frequency,
    Repeat,
    describe_repeat,
    local_to_instant,
    read_rule,
    write_rule,
)
from app.story_sessions.schemas import (
    SeriesCreate,
    SessionCreate,
    SessionFilters,
    SessionUpdate,
    When,
)
from app.templating import templates
from app.transcripts import pages as transcript_pages

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
    "recording_url": "Recording link",
    "host_email": "Host",
    "rrule": "Repeat rule",
    "already_held": "Already took place",
    "series_id": "Series",
    "repeat_frequency": "Repeats",
    "repeat_interval": "Every",
    "repeat_day": "Day",
    "repeat_count": "Number of sessions",
    "repeat_until": "Last date",
}
# What the page says instead of the API's advice (which is about the JSON body).
START_IN_PAST_NEW = (
    "This start is in the past. To record a session that already took place, tick "
    "“This session already took place”; to schedule one, choose a later time."
)
START_IN_PAST_EDIT = (
    "This start is in the past: choose a later time. A session that has taken place is "
    "marked completed from its page."
)
START_IN_FUTURE = (
    "This start is still to come, so the session has not taken place yet: untick "
    "“This session already took place” to schedule it."
)


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
    recording_url: str = ""
    host_email: str = ""
    speaker_name: list[str] = []
    speaker_title: list[str] = []
    speaker_consent: list[str] = []
    speaker_email: list[str] = []
    already_held: str = ""
    series_id: str = ""
    """A series' id, or "none" for a one-off; empty when the form has no series field (the
    series is then left as it is: FastAPI reads an empty form value as absent anyway)."""


class SeriesForm(BaseModel):
    title: str = ""
    customer: str = ""
    description: str = ""
    rrule: str = ""
    # The plain controls; an empty or "custom" frequency means the raw `rrule` is the rule.
    repeat_frequency: str = ""
    repeat_interval: str = "1"
    repeat_day: str = ""
    repeat_nth: str = ""
    repeat_ending: str = Ending.by_count.value
    repeat_count: str = ""
    repeat_until: str = ""
    timezone: str = "UTC"
    first_date: str = ""
    first_time: str = ""
    duration_minutes: str = "60"
    platform: str = Platform.zoom.value
    join_url: str = ""
    host_email: str = ""


Errors = dict[str, str]
NO_SERIES = "none"


def _message(error: Any) -> str:
    text = str(error["msg"])
    return text.removeprefix("Value error, ").removeprefix("Assertion failed, ")


def _collect(exc: ValidationError, errors: Errors, speaker_rows: Sequence[int] = ()) -> None:
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else "form"
        if name == "speakers" and len(error["loc"]) > 1 and isinstance(error["loc"][1], int):
            index = error["loc"][1]
            row = speaker_rows[index] if index < len(speaker_rows) else index
            field = "email" if error["loc"][2:3] == ("email",) else "name"
            name = f"speaker_{field}_{row}"
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
    rows = zip_longest(
        form.speaker_name,
        form.speaker_title,
        form.speaker_consent,
        form.speaker_email,
        fillvalue="",
    )
    for index, (name, title, consent, email) in enumerate(rows):
        if name.strip():
            speakers.append(
                {"name": name, "title": title, "consent": consent or Consent.none, "email": email}
            )
            speaker_rows.append(index)
        elif title.strip() or email.strip():
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
        "recording_url": form.recording_url,
        "host_id": _host_id(session, form.host_email, errors),
    }
    wall = _wall_clock(form.date, form.time, date_field="date", time_field="time", errors=errors)
    # A stand-in when the date, time or zone is wrong: those errors are what the form shows.
    payload["starts_at"] = utcnow()
    if wall is not None:
        with suppress(ValueError, KeyError):  # an unknown timezone: the schema reports it
            payload["starts_at"] = local_to_instant(wall, form.timezone)
    if form.series_id:
        payload["series_id"] = _series_choice(form.series_id, errors)
    return payload


def _series_choice(value: str, errors: Errors) -> int | None:
    if value.strip() == NO_SERIES:
        return None
    if not value.strip().isdigit():
        errors["series_id"] = "Choose a series from the list."
        return None
    return int(value)


def _start_error(exc: AppError, errors: Errors, *, creating: bool) -> None:
    """Put a service refusal on the form, in the form's words."""
    if isinstance(exc, service.StartInPast):
        errors["date"] = START_IN_PAST_NEW if creating else START_IN_PAST_EDIT
    elif isinstance(exc, service.StartInFuture):
        errors["already_held"] = START_IN_FUTURE
    else:
        errors["form"] = str(exc.detail)


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
    speakers |= {f"speaker_email_{row}": f"Speaker {row + 1} email" for row in range(speaker_rows)}
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
        "weekday_names": WEEKDAY_NAMES,
        "ordinals": ORDINALS,
        **extra,
    }


def _series_choices(session: Session) -> list[tuple[int, str]]:
    rows, _ = service.list_series(session, limit=500, offset=0)
    return sorted(((id_of(s), s.title) for s in rows), key=lambda c: c[1].casefold())


def _blank_session_form(session: Session, user_id: int | None) -> SessionForm:
    return SessionForm(
        timezone=service.recent_timezone(session, organizer_id=user_id) or "UTC",
        series_id=NO_SERIES,
    )


def _series_session_form(session: Session, series: Series) -> SessionForm:
    """A new session of `series`: its title, time and settings, on a date still to choose."""
    host = session.get(Person, series.host_id) if series.host_id else None
    customer = session.get(Customer, series.customer_id) if series.customer_id else None
    return SessionForm(
        title=series.title,
        customer=customer.name if customer else "",
        description=series.description,
        time=series.first_start_local.strftime("%H:%M"),
        timezone=series.timezone,
        duration_minutes=str(series.duration_minutes),
        platform=series.platform.value,
        join_url=series.join_url,
        host_email=host.email if host else "",
        series_id=str(series.id),
    )


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
        recording_url=detail.recording_url,
        host_email=host.email if host else "",
        speaker_name=[s.name for s in detail.speakers],
        speaker_title=[s.title for s in detail.speakers],
        speaker_consent=[s.consent.value for s in detail.speakers],
        speaker_email=[s.email for s in detail.speakers],
        series_id=str(detail.series_id or NO_SERIES),
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
            "replied": follow_up_pages.replied_sessions(session, [id_of(r) for r in rows]),
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
def new_session_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    series_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Response:
    """The form to schedule a session (or record one held), in a series if one is given."""
    if series_id is not None:
        form = _series_session_form(session, service.get_series(session, series_id=series_id))
    else:
        form = _blank_session_form(session, user.id)
    return templates.TemplateResponse(
        request,
        "pages/story_sessions/form.html",
        _form_context(
            request,
            user,
            form=form,
            errors={},
            action="/sessions",
            series_choices=_series_choices(session),
        ),
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
    held = bool(form.already_held)
    payload["status"] = SessionStatus.completed if held else SessionStatus.scheduled
    try:
        data = SessionCreate.model_validate(payload)
    except ValidationError as exc:
        _collect(exc, errors, speaker_rows)
    if not errors:
        try:
            story_session = service.create_session(session, data=data)
            query = "?recorded=1" if held else ""
            return RedirectResponse(f"/sessions/{story_session.id}{query}", status_code=303)
        except AppError as exc:
            _start_error(exc, errors, creating=True)
    return form_failed(
        session,
        request,
        "pages/story_sessions/form.html",
        lambda: _form_context(
            request,
            user,
            form=form,
            errors=errors,
            action="/sessions",
            series_choices=_series_choices(session),
        ),
        errors,
        status_code=422,
    )


@router.get("/sessions/{session_id}.ics")
def session_ics_page(session: SessionDep, story_session: ValidSession, _: CurrentUser) -> Response:
    """Download the session for a calendar."""
    return ics_response(service.session_ics(session, story_session), story_session.id)


@router.get("/sessions/{session_id}", response_class=HTMLResponse)
def session_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    story_session: ValidSession,
    recorded: bool = False,
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
            "commitments": commitment_pages.session_panel(session, story_session),
            "follow_ups": follow_up_pages.session_panel(session, story_session),
            "transcripts": transcript_pages.session_panel(session, story_session),
            "recorded": recorded and story_session.status is SessionStatus.completed,
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
            series_choices=_series_choices(session),
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
        if form.series_id:
            payload["series_id"] = _series_choice(form.series_id, errors)
        if form.recording_url.strip() != story_session.recording_url:
            payload["recording_url"] = form.recording_url
    # Only a change of series is sent, so that saving the form does not log one each time.
    if payload.get("series_id", story_session.series_id) == story_session.series_id:
        payload.pop("series_id", None)
    try:
        data = SessionUpdate.model_validate(payload)
    except ValidationError as exc:
        _collect(exc, errors, speaker_rows)
    if not errors:
        try:
            service.update_session(session, story_session, data=data)
            return RedirectResponse(f"/sessions/{story_session.id}", status_code=303)
        except AppError as exc:
            _start_error(exc, errors, creating=False)
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
            series_choices=_series_choices(session),
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
        repeats={
            id_of(s): describe_repeat(
                read_rule(s.rrule, first_start_local=s.first_start_local, timezone=s.timezone)
            )
            for s in rows
        },
        total=total,
        pager=pager(request, page, total, path="/series"),
    )


@router.get("/series", response_class=HTMLResponse)
def series_list_page(
    request: Request, session: SessionDep, user: CurrentUser, page: PaginationDep
) -> Response:
    """Every series, and the form to start one."""
    form = SeriesForm(
        timezone=service.recent_timezone(session, organizer_id=user.id) or "UTC",
        repeat_frequency=Frequency.weekly.value,
        repeat_count="12",
    )
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
    rule = form.rrule
    controls = form.repeat_frequency in {f.value for f in Frequency}
    if controls:
        rule = _rule_of_controls(form, wall, errors)
    payload = {
        "title": form.title,
        "customer": form.customer.strip() or None,
        "description": form.description,
        "rrule": rule,
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
            about_rule = "rule" in str(exc.detail).lower()
            field = ("repeat_frequency" if controls else "rrule") if about_rule else "form"
            errors[field] = str(exc.detail)
    return form_failed(
        session,
        request,
        SERIES_LIST,
        lambda: _series_list_context(request, session, user, page, form=form, errors=errors),
        errors,
        status_code=422,
    )


def _whole(text: str, field: str, errors: Errors, *, low: int, high: int) -> int | None:
    value = text.strip()
    if not value.isdigit() or not low <= int(value) <= high:
        errors[field] = f"Enter a whole number from {low} to {high}; got {value!r}."
        return None
    return int(value)


def _rule_of_controls(form: SeriesForm, first: datetime | None, errors: Errors) -> str:
    """The RRULE the plain controls describe ("" when they are wrong: `errors` says why)."""
    frequency = Frequency(form.repeat_frequency)
    interval = _whole(form.repeat_interval or "1", "repeat_interval", errors, low=1, high=52)
    day = form.repeat_day.strip().upper()
    if not day and first is not None:
        day = tuple(WEEKDAY_NAMES)[first.weekday()]
    if day not in WEEKDAY_NAMES:
        errors["repeat_day"] = "Choose a day of the week."
    nth = 1
    if frequency is Frequency.monthly:
        if form.repeat_nth.strip():
            try:
                nth = int(form.repeat_nth)
            except ValueError:
                nth = 0
        elif first is not None:
            nth = (first.day - 1) // 7 + 1
            nth = -1 if nth > 4 else nth
        if nth not in ORDINALS:
            errors["repeat_day"] = "Choose the first, second, third, fourth or last weekday."
    count: int | None = None
    until: date | None = None
    ending = Ending.by_date if form.repeat_ending == Ending.by_date.value else Ending.by_count
    if ending is Ending.by_count:
        count = _whole(form.repeat_count, "repeat_count", errors, low=1, high=200)
    else:
        try:
            until = date.fromisoformat(form.repeat_until.strip())
        except ValueError:
            errors["repeat_until"] = (
                f"Enter the date of the last session, like 2027-06-30; got {form.repeat_until!r}."
            )
    if errors or interval is None:
        return ""
    repeat = Repeat(frequency, day, interval, nth, ending, count=count, until=until)
    try:
        return write_rule(repeat, timezone=form.timezone)
    except (ValueError, KeyError):  # an unknown timezone: the schema reports it
        return ""
    except AppError as exc:
        errors["repeat_frequency"] = str(exc.detail)
        return ""


@router.get("/series/{series_id}", response_class=HTMLResponse)
def series_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    series: ValidSeries,
    skipped: int | None = None,
) -> Response:
    """One series and its sessions, its repeat rule in words, and the dates added to it."""
    detail = service.series_detail(session, series)
    rule_starts = service.series_rule_starts(series)
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
            "summary": service.series_summary(series),
            "extra_ids": (
                set()
                if rule_starts is None
                else {s.id for s in detail.sessions if s.starts_at not in rule_starts}
            ),
        },
    )


@router.post("/series/{series_id}/cancel")
def cancel_series_page(session: SessionDep, _: CurrentUser, series: ValidSeries) -> Response:
    """Cancel the series' sessions that have not started."""
    service.cancel_series(session, series)
    return RedirectResponse(f"/series/{series.id}", status_code=303)
