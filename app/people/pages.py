"""Pages for the directory: people, their aliases, the level ladder and the HR import."""

from dataclasses import asdict, dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.auth.dependencies import AdminUser, CurrentUser
from app.commitments import pages as commitment_pages
from app.config import get_settings
from app.dashboards.person_stage import STAGE_LABELS, history_with_stage, stage_timeline
from app.db import SessionDep
from app.deps import PaginationDep
from app.errors import AppError, Forbidden, Invalid
from app.kit.forms import form_failed
from app.kit.paging import pager
from app.kit.sorting import sort_headers
from app.kit.uploads import base_name, read_upload
from app.models import AliasKind, Person, Rsvp, User
from app.people import service
from app.people.dependencies import AliasId, ValidPerson
from app.people.erasure import erase_person
from app.people.history import attendance_totals
from app.people.importer import import_people, rejected_report
from app.people.levels import get_levels, replace_levels, rule_words, split_words, words_rule
from app.people.schemas import (
    DirectorySort,
    HistorySummary,
    LevelIn,
    PersonCreate,
    PersonUpdate,
)
from app.templating import templates

router = APIRouter(include_in_schema=False)

MAX_LEVEL_ROWS = 50


def _render(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> Response:
    return templates.TemplateResponse(
        request, f"pages/people/{name}", context, status_code=status_code
    )


def _messages(exc: ValidationError) -> list[str]:
    return [
        f"{'.'.join(str(part) for part in error['loc']).replace('_', ' ')}: {error['msg']}"
        for error in exc.errors()
    ]


def _ensure_writer(user: User) -> None:
    if not user.role.can_write:
        raise Forbidden("Viewers can look but not change anything; ask an organizer or admin.")


# -- levels ----------------------------------------------------------------------------------


def _level_rows(session: Session) -> list[dict[str, Any]]:
    rows = []
    for level in get_levels(session):
        # A rule that is a plain word list is edited as words; any other stays a pattern.
        words = rule_words(level.title_pattern)
        rows.append(
            {
                "key": level.key,
                "name": level.name,
                "is_executive": level.is_executive,
                "title_words": ", ".join(words) if words is not None else "",
                "title_pattern": "" if words is not None else level.title_pattern,
                "position": level.position,
                "remove": False,
            }
        )
    return rows


def _title_rule(row: dict[str, Any]) -> str:
    words = split_words(row["title_words"])
    if words and row["title_pattern"] and row["title_pattern"] != words_rule(words):
        raise Invalid(
            f"Level {row['name'] or row['key']!r}: give the words its titles contain, or an "
            "advanced pattern, not both. Clear one of them."
        )
    return words_rule(words) if words else row["title_pattern"]


@router.get("/levels", response_class=HTMLResponse)
def levels_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """The level ladder, which levels are executive, and the title rules."""
    return _render(
        request,
        "levels.html",
        {
            "user": user,
            "levels": get_levels(session),
            "words": _shown_words(session),
            "rows": _level_rows(session),
        },
    )


def _shown_words(session: Session) -> dict[str, list[str] | None]:
    return {level.key: rule_words(level.title_pattern) for level in get_levels(session)}


@router.post("/levels", response_class=HTMLResponse)
async def levels_submit(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """Save the edited ladder."""
    form = await request.form()
    rows: list[dict[str, Any]] = []
    for index in range(MAX_LEVEL_ROWS + 1):
        if f"levels-{index}-key" not in form:
            break
        cells = {
            name: str(form.get(f"levels-{index}-{name}") or "").strip()
            for name in (
                *("key", "name", "is_executive", "title_words", "title_pattern"),
                *("position", "remove"),
            )
        }
        try:
            position = int(cells["position"] or index + 1)
        except ValueError:
            position = index + 1
        rows.append(
            {
                "key": cells["key"],
                "name": cells["name"],
                "is_executive": bool(cells["is_executive"]),
                "title_words": cells["title_words"],
                "title_pattern": cells["title_pattern"],
                "position": position,
                "remove": bool(cells["remove"]),
            }
        )
    # The form is read here, in the event loop; the database work runs in a thread.
    return await run_in_threadpool(_save_levels, request, session, user, rows)


def _save_levels(
    request: Request, session: SessionDep, user: CurrentUser, rows: list[dict[str, Any]]
) -> Response:
    kept = sorted(
        (row for row in rows if not row["remove"] and (row["key"] or row["name"])),
        key=lambda row: row["position"],
    )
    try:
        levels = [
            LevelIn(
                key=row["key"],
                name=row["name"],
                is_executive=row["is_executive"],
                title_pattern=_title_rule(row),
            )
            for row in kept
        ]
        replace_levels(session, levels=levels)
    except (ValidationError, AppError) as exc:
        errors, status_code = _failure(exc)
        return form_failed(
            session,
            request,
            "pages/people/levels.html",
            lambda: {
                "user": user,
                "levels": get_levels(session),
                "words": _shown_words(session),
                "rows": rows,
            },
            errors,
            status_code=status_code,
        )
    return RedirectResponse("/levels", status_code=303)


# -- people ----------------------------------------------------------------------------------

PEOPLE_COLUMNS = {
    "name": False,
    "level": False,
    "department": False,
    "attended": True,
    "last_attended": True,
}
"""The people list's sortable columns; the counts and dates sort the most (latest) first."""


@router.get("/people", response_class=HTMLResponse)
def people_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    page: PaginationDep,
    q: Annotated[str, Query(max_length=200)] = "",
    department: Annotated[str, Query(max_length=200)] = "",
    level: Annotated[str, Query(max_length=40)] = "",
    active: Annotated[str, Query(pattern="^(|yes|no|all)$")] = "",
    sort: DirectorySort = "name",
) -> Response:
    """Search and browse the directory, sorted by a column."""
    active_filter = {"yes": True, "no": False, "all": None}.get(active or "yes")
    people, total = service.list_people(
        session,
        q=q,
        department=department,
        level=level,
        active=active_filter,
        limit=page.limit,
        offset=page.offset,
        sort=sort,
    )
    return _render(
        request,
        "list.html",
        {
            "user": user,
            "people": people,
            "totals": attendance_totals(session, person_ids=[person.id for person in people]),
            "total": total,
            "filters": {"q": q, "department": department, "level": level, "active": active},
            "departments": service.departments(session),
            "levels": get_levels(session),
            "pager": pager(request, page, total),
            "sort": sort,
            "headers": sort_headers(request, sort, PEOPLE_COLUMNS),
        },
    )


def _person_form(
    request: Request,
    session: Session,
    user: User,
    *,
    values: dict[str, Any],
    person: Person | None = None,
) -> Response:
    return _render(request, "form.html", _person_form_context(session, user, values, person))


def _person_form_context(
    session: Session, user: User, values: dict[str, Any], person: Person | None = None
) -> dict[str, Any]:
    return {"user": user, "person": person, "values": values, "levels": get_levels(session)}


def _person_form_failed(
    request: Request,
    session: Session,
    user: User,
    exc: ValidationError | AppError,
    *,
    values: dict[str, Any],
    person: Person | None = None,
) -> Response:
    errors, status_code = _failure(exc)
    return form_failed(
        session,
        request,
        "pages/people/form.html",
        lambda: _person_form_context(session, user, values, person),
        errors,
        status_code=status_code,
    )


def _manager_id(session: Session, manager_email: str) -> int | None:
    if not manager_email.strip():
        return None
    manager = service.person_by_email(session, manager_email)
    if manager is None:
        raise Invalid(f"There is no person with the email {manager_email.strip()}.")
    return manager.id


FormText = Annotated[str, Form(max_length=400)]


@router.get("/people/new", response_class=HTMLResponse)
def new_person_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """The form to add a person."""
    _ensure_writer(user)
    return _person_form(request, session, user, values={"active": True})


@dataclass
class PersonFields:
    """What the person form posts, as typed; checked by `PersonCreate`/`PersonUpdate`."""

    email: FormText = ""
    name: FormText = ""
    title: FormText = ""
    department: FormText = ""
    employee_id: FormText = ""
    manager_email: FormText = ""
    level: FormText = ""
    active: FormText = ""

    def values(self) -> dict[str, Any]:
        """The form's values, to show again after an error."""
        return {**asdict(self), "active": bool(self.active)}

    def person_data(self, session: Session) -> dict[str, Any]:
        """The fields of a person, with the manager looked up by email."""
        return {
            "email": self.email,
            "name": self.name,
            "title": self.title,
            "department": self.department,
            "employee_id": self.employee_id or None,
            "manager_id": _manager_id(session, self.manager_email),
            "level": self.level or None,
            "active": bool(self.active),
        }


PersonFieldsDep = Annotated[PersonFields, Depends()]


def _failure(exc: ValidationError | AppError) -> tuple[list[str], int]:
    if isinstance(exc, ValidationError):
        return _messages(exc), 422
    return [str(exc.detail)], exc.status_code


@router.post("/people/new", response_class=HTMLResponse)
def new_person_submit(
    request: Request, session: SessionDep, user: CurrentUser, fields: PersonFieldsDep
) -> Response:
    """Add a person, then show them."""
    try:
        data = PersonCreate(**fields.person_data(session))
        person = service.create_person(session, data=data)
    except (ValidationError, AppError) as exc:
        return _person_form_failed(request, session, user, exc, values=fields.values())
    return RedirectResponse(f"/people/{person.id}", status_code=303)


@router.get("/people/import", response_class=HTMLResponse)
def import_page(request: Request, user: CurrentUser) -> Response:
    """The form to upload the HR export."""
    _ensure_writer(user)
    return _render(request, "import.html", {"user": user, "report": None, "options": {}})


@router.post("/people/import", response_class=HTMLResponse)
async def import_submit(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    file: Annotated[UploadFile, File()],
    deactivate_missing: Annotated[bool, Form()] = False,
    skip_bad_rows: Annotated[bool, Form()] = False,
) -> Response:
    """Import the uploaded file and show what happened."""
    options = {"deactivate_missing": deactivate_missing, "skip_bad_rows": skip_bad_rows}
    context: dict[str, Any] = {
        "user": user,
        "options": options,
        "filename": base_name(file.filename),
    }
    try:
        data = await read_upload(file, max_bytes=get_settings().upload_max_bytes)
        context["report"] = await run_in_threadpool(
            import_people,
            session,
            data=data,
            deactivate_missing=deactivate_missing,
            skip_bad_rows=skip_bad_rows,
        )
    except AppError as exc:
        context["report"] = rejected_report(exc)
        if context["report"] is not None:
            context["failed"] = True
        else:
            context["error"] = str(exc.detail)
        return await run_in_threadpool(
            form_failed, session, request, "pages/people/import.html", context, exc
        )
    return _render(request, "import.html", context)


@router.get("/people/{person_id}", response_class=HTMLResponse)
def person_page(
    request: Request, session: SessionDep, user: CurrentUser, person: ValidPerson
) -> Response:
    """One person: details, manager, direct reports and aliases."""
    return _person_page(request, session, user, person)


def _person_page(request: Request, session: Session, user: User, person: Person) -> Response:
    return _render(request, "detail.html", _person_page_context(session, user, person))


def _person_page_context(
    session: Session, user: User, person: Person, alias_values: dict[str, str] | None = None
) -> dict[str, Any]:
    return {
        "user": user,
        "person": service.person_views(session, [person])[0],
        "reports": service.direct_reports(session, person=person),
        "aliases": service.list_aliases(session, person=person),
        "alias_kinds": list(AliasKind),
        "alias_values": alias_values or {"kind": "email", "value": ""},
        "erased": service.is_erased(person),
        "history": history_with_stage(session, person=person),
        "stages": stage_timeline(session, person=person),
        "stage_labels": STAGE_LABELS,
        "history_line": history_line,
        "duration": duration,
        "rsvp_labels": RSVP_LABELS,
        "commitments": commitment_pages.person_panel(session, person),
    }


RSVP_LABELS = {
    Rsvp.accepted: "Accepted",
    Rsvp.declined: "Declined",
    Rsvp.tentative: "Tentative",
    Rsvp.needs_action: "No answer",
}


def duration(minutes: int) -> str:
    """Minutes as '4 h 10 min' (or '45 min')."""
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest} min" if hours else f"{rest} min"


def history_line(summary: HistorySummary) -> str:
    """The history's figures in one sentence, as the person page opens with them."""
    recaps = "recap" if summary.recaps_received == 1 else "recaps"
    return (
        f"Invited to {summary.invited:,}, accepted {summary.accepted:,}, "
        f"attended {summary.attended:,} ({duration(summary.minutes_attended)}), "
        f"{summary.recaps_received:,} {recaps} received, {summary.recaps_read:,} read"
    )


@router.get("/people/{person_id}/erase", response_class=HTMLResponse)
def erase_person_page(
    request: Request, session: SessionDep, user: AdminUser, person: ValidPerson
) -> Response:
    """Ask an admin to confirm erasing a person's personal data."""
    return _render(
        request,
        "erase.html",
        {
            "user": user,
            "person": service.person_views(session, [person])[0],
            "erased": service.is_erased(person),
            "report": None,
        },
    )


@router.post("/people/{person_id}/erase", response_class=HTMLResponse)
def erase_person_submit(
    request: Request, session: SessionDep, user: AdminUser, person: ValidPerson
) -> Response:
    """Erase the person, then say what was removed."""
    report = erase_person(session, person=person)
    return _render(
        request,
        "erase.html",
        {
            "user": user,
            "person": service.person_views(session, [person])[0],
            "erased": True,
            "report": report,
        },
    )


@router.get("/people/{person_id}/edit", response_class=HTMLResponse)
def edit_person_page(
    request: Request, session: SessionDep, user: CurrentUser, person: ValidPerson
) -> Response:
    """The form to change a person."""
    _ensure_writer(user)
    view = service.person_views(session, [person])[0]
    values = {
        "email": view.email,
        "name": view.name,
        "title": view.title,
        "department": view.department,
        "employee_id": view.employee_id or "",
        "manager_email": view.manager.email if view.manager else "",
        "level": view.level.key,
        "active": view.active,
    }
    return _person_form(request, session, user, values=values, person=person)


@router.post("/people/{person_id}/edit", response_class=HTMLResponse)
def edit_person_submit(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    person: ValidPerson,
    fields: PersonFieldsDep,
) -> Response:
    """Save a person's changes, then show them."""
    try:
        changes = PersonUpdate(**fields.person_data(session))
        service.update_person(session, person=person, changes=changes)
    except (ValidationError, AppError) as exc:
        return _person_form_failed(
            request, session, user, exc, values=fields.values(), person=person
        )
    return RedirectResponse(f"/people/{person.id}", status_code=303)


@router.post("/people/{person_id}/aliases", response_class=HTMLResponse)
def add_alias_submit(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    person: ValidPerson,
    kind: Annotated[str, Form(max_length=20)] = "email",
    value: FormText = "",
) -> Response:
    """Add an alias to a person."""
    try:
        service.add_alias(session, person=person, kind=_alias_kind(kind), value=value)
    except AppError as exc:
        typed = {"kind": kind, "value": value}
        return form_failed(
            session,
            request,
            "pages/people/detail.html",
            lambda: _person_page_context(session, user, person, typed),
            exc,
        )
    return RedirectResponse(f"/people/{person.id}", status_code=303)


def _alias_kind(kind: str) -> AliasKind:
    try:
        return AliasKind(kind)
    except ValueError:
        raise Invalid("Choose an email or a name alias.") from None


@router.post("/people/{person_id}/aliases/{alias_id}/delete")
def remove_alias_submit(
    session: SessionDep, _: CurrentUser, person: ValidPerson, alias_id: AliasId
) -> Response:
    """Remove an alias from a person."""
    service.remove_alias(session, person=person, alias_id=alias_id)
    return RedirectResponse(f"/people/{person.id}", status_code=303)
