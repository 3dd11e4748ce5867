"""Pages for distribution lists and delivery status, and the recipients' signed recap page."""

import re
from datetime import datetime, time
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool

from app.auth.dependencies import CurrentUser
from app.commitments.links import commitment_path
from app.config import get_settings
from app.db import SessionDep
from app.deps import IdPath
from app.distribution import links, lists, members, sending
from app.distribution.dependencies import ValidList
from app.distribution.emails import recap_pdf_filename
from app.distribution.importer import import_members
from app.distribution.schemas import WEEKDAYS, ListCreate, ListUpdate, MemberImportReport, MemberIn
from app.errors import AppError, Invalid
from app.kit.forms import form_failed
from app.kit.uploads import read_upload
from app.models import (
    Cadence,
    DistributionList,
    RecapVersion,
    RenderedPdf,
    ScorecardCadence,
    Series,
    StorySession,
    User,
    utcnow,
)
from app.people.importer import rejected_report
from app.recaps.document import RecapDocument
from app.story_sessions.dependencies import ValidSession
from app.story_sessions.pages import COMMON_TIMEZONES
from app.templating import local_datetime, templates

router = APIRouter(include_in_schema=False)
public_router = APIRouter(prefix="/p", include_in_schema=False)

# When the recap page counts as read (app/static/recap-read.js): after this long on screen, or
# a scroll, key or tap after the shorter time. Scanners fetch the page, and some run its
# script, but few stay or scroll; a person reading does both.
READ_AFTER_SECONDS = 10
READ_AFTER_SCROLL_SECONDS = 2

LIST = "pages/distribution/list.html"
NOTICES = {
    "created": "List created. Add its members below.",
    "saved": "Changes saved.",
    "added": "Member added.",
    "removed": "Member removed.",
    "series": "Default series saved.",
    "deleted": "List deleted.",
    "resent": "Failed messages queued again.",
    "scheduled": "The send is scheduled: the recap goes out at the time shown below.",
    "unscheduled": "The scheduled send is cancelled: nothing was sent.",
}
CADENCE_LABELS = {
    Cadence.every_recap: "Every recap, as it is sent",
    Cadence.weekly: "Weekly digest",
    Cadence.monthly: "Monthly digest",
}
SCORECARD_CADENCE_LABELS = {
    ScorecardCadence.off: "Not sent",
    ScorecardCadence.monthly: "Monthly: the quarter so far, on the 1st",
    ScorecardCadence.quarterly: "Quarterly: the quarter just ended",
}


def _render(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> Response:
    flash = NOTICES.get(request.query_params.get("done", ""), "")
    return templates.TemplateResponse(
        request,
        f"pages/distribution/{name}",
        {"flash": flash, **context},
        status_code=status_code,
    )


def _messages(exc: ValidationError | AppError) -> list[str]:
    if isinstance(exc, AppError):
        return [str(exc.detail)]
    return [
        f"{'.'.join(str(part) for part in error['loc']).replace('_', ' ') or 'form'}: "
        + str(error["msg"]).removeprefix("Value error, ")
        for error in exc.errors()
    ]


def _form_values(dlist: DistributionList | None) -> dict[str, Any]:
    if dlist is None:
        return {
            "cadence": "every_recap",
            "digest_time": "08:00",
            "timezone": "UTC",
            "scorecard_cadence": "off",
        }
    return {
        "name": dlist.name,
        "description": dlist.description,
        "cadence": dlist.cadence.value,
        "digest_weekday": "" if dlist.digest_weekday is None else str(dlist.digest_weekday),
        "digest_day": "" if dlist.digest_day is None else str(dlist.digest_day),
        "digest_time": dlist.digest_time.strftime("%H:%M"),
        "timezone": dlist.timezone,
        "allow_unsubscribe": dlist.allow_unsubscribe,
        "scorecard_cadence": dlist.scorecard_cadence.value,
    }


def _form_context() -> dict[str, Any]:
    return {
        "weekdays": list(enumerate(WEEKDAYS)),
        "cadences": CADENCE_LABELS,
        "scorecard_cadences": SCORECARD_CADENCE_LABELS,
        "timezones": COMMON_TIMEZONES,
    }


class ListFields:
    """The list form as posted: strings, checked by ListCreate / ListUpdate."""

    def __init__(
        self,
        name: Annotated[str, Form()] = "",
        description: Annotated[str, Form()] = "",
        cadence: Annotated[str, Form()] = "every_recap",
        digest_weekday: Annotated[str, Form()] = "",
        digest_day: Annotated[str, Form()] = "",
        digest_time: Annotated[str, Form()] = "08:00",
        timezone: Annotated[str, Form()] = "UTC",
        allow_unsubscribe: Annotated[bool, Form()] = False,
        scorecard_cadence: Annotated[str, Form()] = "off",
    ) -> None:
        self.values: dict[str, Any] = {
            "name": name,
            "description": description,
            "cadence": cadence,
            "digest_weekday": digest_weekday,
            "digest_day": digest_day,
            "digest_time": digest_time,
            "timezone": timezone,
            "allow_unsubscribe": allow_unsubscribe,
            "scorecard_cadence": scorecard_cadence,
        }

    def data(self) -> dict[str, Any]:
        """Form strings as the schema expects them; days only for the cadence that uses them."""
        values = dict(self.values)
        cadence = values["cadence"]
        values["digest_weekday"] = (
            (values["digest_weekday"] or None) if cadence == "weekly" else None
        )
        values["digest_day"] = (values["digest_day"] or None) if cadence == "monthly" else None
        if values["digest_time"] == "":
            values["digest_time"] = time(8, 0)
        return values


# -- lists -----------------------------------------------------------------------------------


def _lists_context(
    session: Session, user: User, values: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "user": user,
        "lists": lists.describe_lists(session, lists=lists.all_lists(session)),
        "values": values or _form_values(None),
        **_form_context(),
    }


@router.get("/lists", response_class=HTMLResponse)
def lists_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """Every distribution list, and a form to create one."""
    return _render(request, "lists.html", _lists_context(session, user))


@router.post("/lists", response_class=HTMLResponse)
def create_list(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    form: Annotated[ListFields, Depends()],
) -> Response:
    """Create a list, then go to it to add members."""
    try:
        dlist = lists.create_list(session, data=ListCreate.model_validate(form.data()))
    except (ValidationError, AppError) as exc:
        return form_failed(
            session,
            request,
            "pages/distribution/lists.html",
            lambda: _lists_context(session, user, form.values),
            _messages(exc),
            status_code=422,
        )
    return RedirectResponse(f"/lists/{dlist.id}?done=created", status_code=303)


def _list_page(
    request: Request,
    session: Session,
    user: User,
    dlist: DistributionList,
    *,
    report: MemberImportReport | None = None,
) -> Response:
    return _render(request, "list.html", _list_context(session, user, dlist, report=report))


def _list_context(
    session: Session,
    user: User,
    dlist: DistributionList,
    *,
    values: dict[str, Any] | None = None,
    member_values: dict[str, str] | None = None,
    report: MemberImportReport | None = None,
    import_error: str = "",
) -> dict[str, Any]:
    series = session.exec(select(Series).order_by(col(Series.title), col(Series.id))).all()
    return {
        "user": user,
        "dlist": lists.describe_lists(session, lists=[dlist])[0],
        "members": members.list_members(session, dlist=dlist),
        "series": series,
        "linked": set(lists.list_series_ids(session, dlist=dlist)),
        "values": values or _form_values(dlist),
        "member_values": member_values or {},
        "report": report,
        "import_error": import_error,
        **_form_context(),
    }


@router.get("/lists/{list_id}", response_class=HTMLResponse)
def list_page(
    request: Request, session: SessionDep, user: CurrentUser, dlist: ValidList
) -> Response:
    """A list: its settings, members, CSV import and the series that use it."""
    return _list_page(request, session, user, dlist)


@router.post("/lists/{list_id}", response_class=HTMLResponse)
def update_list(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    dlist: ValidList,
    form: Annotated[ListFields, Depends()],
) -> Response:
    """Save the list's settings."""
    try:
        lists.update_list(session, dlist=dlist, data=ListUpdate.model_validate(form.data()))
    except (ValidationError, AppError) as exc:
        return form_failed(
            session,
            request,
            LIST,
            lambda: _list_context(session, user, dlist, values=form.values),
            _messages(exc),
            status_code=422,
        )
    return RedirectResponse(f"/lists/{dlist.id}?done=saved", status_code=303)


@router.post("/lists/{list_id}/delete")
def delete_list(session: SessionDep, dlist: ValidList) -> Response:
    """Delete the list."""
    lists.delete_list(session, dlist=dlist)
    return RedirectResponse("/lists?done=deleted", status_code=303)


@router.post("/lists/{list_id}/members", response_class=HTMLResponse)
def add_member(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    dlist: ValidList,
    email: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
) -> Response:
    """Add someone by address: a directory address adds the person, any other an outsider."""
    try:
        members.add_member(
            session, dlist=dlist, data=MemberIn(email=email.strip() or None, name=name)
        )
    except (ValidationError, AppError) as exc:
        typed = {"email": email, "name": name}
        messages = _messages(exc)
        return form_failed(
            session,
            request,
            LIST,
            # The messages go above the members' form, not the settings'.
            lambda: (
                _list_context(session, user, dlist, member_values=typed)
                | {"member_errors": messages}
            ),
            [],
            status_code=422,
        )
    return RedirectResponse(f"/lists/{dlist.id}?done=added#members", status_code=303)


@router.post("/lists/{list_id}/members/{member_id}/delete")
def remove_member(session: SessionDep, dlist: ValidList, member_id: IdPath) -> Response:
    """Take a member off the list."""
    members.remove_member(session, dlist=dlist, member_id=member_id)
    return RedirectResponse(f"/lists/{dlist.id}?done=removed#members", status_code=303)


@router.post("/lists/{list_id}/members/import", response_class=HTMLResponse)
async def import_list_members(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    dlist: ValidList,
    file: Annotated[UploadFile, File()],
) -> Response:
    """Add members from a CSV file and show what happened (nothing changes on any error)."""
    try:
        data = await read_upload(file, max_bytes=get_settings().upload_max_bytes)
        report = await run_in_threadpool(import_members, session, dlist, data=data)
    except AppError as exc:
        rejected = rejected_report(exc)
        refused = MemberImportReport.model_validate(exc.detail) if rejected else None
        message = "" if rejected else str(exc.detail)
        return await run_in_threadpool(
            form_failed,
            session,
            request,
            LIST,
            lambda: _list_context(session, user, dlist, report=refused, import_error=message),
            [],  # the file's report, or the import's own message, says what went wrong
            status_code=exc.status_code,
        )
    return await run_in_threadpool(_list_page, request, session, user, dlist, report=report)


@router.post("/lists/{list_id}/series")
def set_list_series(
    session: SessionDep,
    dlist: ValidList,
    series_ids: Annotated[list[int], Form()] = [],  # noqa: B006 (FastAPI copies defaults)
) -> Response:
    """Choose the series that send their recaps to this list."""
    lists.set_list_series(session, dlist=dlist, series_ids=series_ids)
    return RedirectResponse(f"/lists/{dlist.id}?done=series#series", status_code=303)


# -- sending a recap and its delivery status -------------------------------------------------


def _deliveries_context(
    session: Session,
    user: User,
    story_session: StorySession,
    *,
    chosen: set[int] | None = None,
    extra: str = "",
    plan: sending.SendPlan | None = None,
    send_at: str = "",
) -> dict[str, Any]:
    recap, version = sending.recap_and_version(session, story_session=story_session)
    views = lists.describe_lists(session, lists=lists.all_lists(session))
    if chosen is None:
        chosen = (
            set(lists.series_list_ids(session, series_id=story_session.series_id))
            if story_session.series_id
            else set()
        )
    return {
        "user": user,
        "s": story_session,
        "recap": recap,
        "version": version,
        "lists": [dlist for dlist in views if dlist.cadence is Cadence.every_recap],
        "digest_lists": [dlist for dlist in views if dlist.cadence is not Cadence.every_recap],
        "chosen": chosen,
        "extra": extra,
        "plan": plan,
        "send_at": send_at,
        "send_at_min": local_datetime(utcnow(), story_session.timezone, "%Y-%m-%dT%H:%M"),
        "scheduled": sending.scheduled_send(session, story_session=story_session),
        "status": sending.recap_deliveries(session, story_session=story_session),
    }


def _emails(extra_emails: str) -> list[str]:
    return [email.strip() for email in re.split(r"[\s,;]+", extra_emails) if email.strip()]


def _local_instant(value: str, timezone: str) -> datetime:
    """A datetime-local field's value as an instant, read in the session's timezone."""
    try:
        local = datetime.fromisoformat(value.strip())
    except ValueError:
        raise Invalid(
            f"“Send at” is not a date and time: {value!r}. Choose a day and a time."
            if value.strip()
            else "Choose the day and time to send at, or send now."
        ) from None
    return local.replace(tzinfo=ZoneInfo(timezone)) if local.tzinfo is None else local


@router.get("/sessions/{session_id}/recap/deliveries", response_class=HTMLResponse)
def deliveries_page(
    request: Request, session: SessionDep, user: CurrentUser, story_session: ValidSession
) -> Response:
    """Send the recap, and see where it went: one row per recipient."""
    context = _deliveries_context(session, user, story_session)
    if request.query_params.get("done") == "test":
        context["flash"] = (
            f"A test is on its way to {user.email}, its subject starting “[Test]”. "
            "Nobody else gets anything until you send."
        )
    return _render(request, "deliveries.html", context)


SendLists = Annotated[list[int], Form()]
DELIVERIES = "pages/distribution/deliveries.html"


@router.post("/sessions/{session_id}/recap/send/review", response_class=HTMLResponse)
def review_send(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    story_session: ValidSession,
    list_ids: SendLists = [],  # noqa: B006 (FastAPI copies defaults)
    extra_emails: Annotated[str, Form()] = "",
) -> Response:
    """Before sending: who the recap goes to, to confirm, schedule or test first."""
    chosen = set(list_ids)
    try:
        plan = sending.plan_send(
            session,
            story_session=story_session,
            list_ids=list_ids,
            extra_emails=_emails(extra_emails),
        )
    except AppError as exc:
        return form_failed(
            session,
            request,
            DELIVERIES,
            lambda: _deliveries_context(
                session, user, story_session, chosen=chosen, extra=extra_emails
            ),
            exc,
        )
    return _render(
        request,
        "deliveries.html",
        _deliveries_context(
            session, user, story_session, chosen=chosen, extra=extra_emails, plan=plan
        ),
    )


@router.post("/sessions/{session_id}/recap/send", response_class=HTMLResponse)
def send_recap(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    story_session: ValidSession,
    list_ids: SendLists = [],  # noqa: B006 (FastAPI copies defaults)
    extra_emails: Annotated[str, Form()] = "",
    when: Annotated[str, Form()] = "now",
    send_at: Annotated[str, Form()] = "",
) -> Response:
    """Send the latest approved recap to the ticked lists and the extra addresses, now or at
    the local time given ("when" = "later")."""
    emails = _emails(extra_emails)
    done = ""
    try:
        if when == "later":
            sending.schedule_send(
                session,
                story_session=story_session,
                list_ids=list_ids,
                extra_emails=emails,
                send_at=_local_instant(send_at, story_session.timezone),
            )
            done = "?done=scheduled"
        else:
            sending.send_recap(
                session, story_session=story_session, list_ids=list_ids, extra_emails=emails
            )
    except AppError as exc:
        # Shown again with the confirmation, if the choice itself can still be sent.
        def context() -> dict[str, Any]:
            try:
                plan = sending.plan_send(
                    session, story_session=story_session, list_ids=list_ids, extra_emails=emails
                )
            except AppError:
                plan = None
            return _deliveries_context(
                session,
                user,
                story_session,
                chosen=set(list_ids),
                extra=extra_emails,
                plan=plan,
                send_at=send_at,
            )

        return form_failed(session, request, DELIVERIES, context, exc)
    return RedirectResponse(f"/sessions/{story_session.id}/recap/deliveries{done}", status_code=303)


@router.post("/sessions/{session_id}/recap/send-test", response_class=HTMLResponse)
def send_test(
    request: Request, session: SessionDep, user: CurrentUser, story_session: ValidSession
) -> Response:
    """Send the recap email to the signed-in user alone, marked as a test."""
    try:
        sending.send_test(session, story_session=story_session)
    except AppError as exc:
        return form_failed(
            session,
            request,
            DELIVERIES,
            lambda: _deliveries_context(session, user, story_session),
            exc,
        )
    return RedirectResponse(
        f"/sessions/{story_session.id}/recap/deliveries?done=test", status_code=303
    )


@router.post("/sessions/{session_id}/recap/scheduled-send/cancel")
def cancel_scheduled_send(session: SessionDep, story_session: ValidSession) -> Response:
    """Cancel the scheduled send."""
    sending.cancel_scheduled_send(session, story_session=story_session)
    return RedirectResponse(
        f"/sessions/{story_session.id}/recap/deliveries?done=unscheduled", status_code=303
    )


@router.post("/sessions/{session_id}/recap/deliveries/resend")
def resend_failed(session: SessionDep, story_session: ValidSession) -> Response:
    """Queue every failed message of this recap again."""
    sending.resend(session, story_session=story_session)
    return RedirectResponse(
        f"/sessions/{story_session.id}/recap/deliveries?done=resent", status_code=303
    )


@router.post("/sessions/{session_id}/recap/deliveries/{delivery_id}/resend")
def resend_one(session: SessionDep, story_session: ValidSession, delivery_id: IdPath) -> Response:
    """Queue one failed message again."""
    sending.resend(session, story_session=story_session, delivery_id=delivery_id)
    return RedirectResponse(
        f"/sessions/{story_session.id}/recap/deliveries?done=resent", status_code=303
    )


# -- public: the recipient's recap and unsubscribing -----------------------------------------


def _link_error(request: Request, session: Session, exc: AppError) -> Response:
    return form_failed(
        session, request, "pages/distribution/link_error.html", {"message": str(exc.detail)}, exc
    )


@public_router.get("/recap/{token}", response_class=HTMLResponse)
def public_recap(request: Request, session: SessionDep, token: str) -> Response:
    """The recap a recipient's link opens. Nothing is counted: scanners follow links too."""
    from app.recaps.render import pdf_for_version, render_recap_html

    try:
        delivery, version, read_token = links.open_recap(session, token=token)
    except AppError as exc:
        return _link_error(request, session, exc)
    document = RecapDocument.model_validate(version.document)
    context = {
        # Only people in the directory can own a commitment: outsiders are not asked.
        "commitment_url": commitment_path(
            person_id=delivery.person_id, session_id=document.session_id
        )
        if delivery.person_id is not None
        else "",
        "doc": document,
        "body": render_recap_html(document),
        "read_token": read_token,
        "read_after": READ_AFTER_SECONDS,
        "read_after_scroll": READ_AFTER_SCROLL_SECONDS,
        "has_pdf": pdf_for_version(session, version) is not None,
    }
    return _render(request, "public_recap.html", context)


ReadToken = Annotated[str, Form(max_length=1000)]


@public_router.post("/recap/read", status_code=204, response_class=Response)
def record_read(session: SessionDep, token: ReadToken = "") -> Response:
    """The recap page's script reports that a person is reading it; the first time stays."""
    try:
        links.record_read(session, token=token)
    except AppError as exc:
        return JSONResponse({"detail": exc.detail}, exc.status_code)
    return Response(status_code=204)


def _public_pdf(
    request: Request, session: Session, version: RecapVersion, pdf: RenderedPdf | None, token: str
) -> Response:
    from app.recaps.pages import pdf_waiting

    document = RecapDocument.model_validate(version.document)
    if pdf is None:
        return pdf_waiting(
            request,
            session,
            version,
            url=f"/p/recap/pdf/{token}",
            title=f"The recap of “{document.session_title}”",
        )
    return Response(
        pdf.content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{recap_pdf_filename(document)}"'},
    )


@public_router.post("/recap/pdf", response_class=Response)
def download_pdf(request: Request, session: SessionDep, token: ReadToken = "") -> Response:
    """The "Download the PDF" button of the recap page, which counts the recap as read."""
    try:
        _delivery, version, pdf = links.read_recap_pdf(session, token=token)
    except AppError as exc:
        return _link_error(request, session, exc)
    return _public_pdf(request, session, version, pdf, token)


@public_router.get("/recap/pdf/{token}", response_class=Response)
def wait_for_pdf(request: Request, session: SessionDep, token: str) -> Response:
    """Where the button's waiting page refreshes to: the PDF once it is made. Counts nothing
    (the button did), and no email carries this token, only the recap page."""
    try:
        version, pdf = links.waiting_recap_pdf(session, token=token)
    except AppError as exc:
        return _link_error(request, session, exc)
    return _public_pdf(request, session, version, pdf, token)


@public_router.get("/unsubscribe/{token}", response_class=HTMLResponse)
def unsubscribe_page(request: Request, session: SessionDep, token: str) -> Response:
    """Ask before unsubscribing: mail scanners follow links, people press buttons."""
    try:
        dlist, member = links.unsubscribe_target(session, token=token)
    except AppError as exc:
        return _link_error(request, session, exc)
    return _render(
        request,
        "unsubscribe.html",
        {"dlist": dlist, "done": member.unsubscribed_at is not None, "token": token},
    )


@public_router.post("/unsubscribe/{token}", response_class=HTMLResponse)
def unsubscribe(request: Request, session: SessionDep, token: str) -> Response:
    """RFC 8058 one-click unsubscribe (mail clients POST here), also the confirm button."""
    try:
        dlist, _member = links.unsubscribe(session, token=token)
    except AppError as exc:
        return _link_error(request, session, exc)
    return _render(request, "unsubscribe.html", {"dlist": dlist, "done": True, "token": token})
