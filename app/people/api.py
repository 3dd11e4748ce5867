"""Levels, people, aliases and the directory import over the JSON API."""

from typing import Annotated

from fastapi import APIRouter, Body, File, Form, Query, Response, UploadFile, status
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.auth.dependencies import AdminUser
from app.config import get_settings
from app.dashboards.person_stage import (
    MAX_QUARTERS,
    QUARTERS_SHOWN,
    LeaderStages,
    history_with_stage,
    stage_timeline,
)
from app.db import SessionDep
from app.deps import MAX_ID, Page, PaginationDep
from app.errors import NotFound
from app.kit.uploads import read_upload
from app.models import Person
from app.people import erasure, service
from app.people import levels as ladder
from app.people.dependencies import AliasId, ValidPerson
from app.people.importer import import_people
from app.people.schemas import (
    AliasCreate,
    AliasRead,
    DirectorySort,
    ErasureReport,
    ImportReport,
    LevelIn,
    LevelRead,
    PersonCreate,
    PersonHistory,
    PersonRead,
    PersonUpdate,
)

router = APIRouter(tags=["people"])


@router.get("/levels")
def list_levels(session: SessionDep, page: PaginationDep) -> Page[LevelRead]:
    """The level ladder, the most senior first."""
    levels = ladder.get_levels(session)
    return Page(
        items=[
            LevelRead.model_validate(level)
            for level in levels[page.offset : page.offset + page.limit]
        ],
        total=len(levels),
        limit=page.limit,
        offset=page.offset,
    )


@router.put("/levels")
def replace_levels(
    session: SessionDep, body: Annotated[list[LevelIn], Body(min_length=1, max_length=50)]
) -> list[LevelRead]:
    """Replace the whole ordered ladder; a level still in use cannot be removed."""
    return [
        LevelRead.model_validate(level) for level in ladder.replace_levels(session, levels=body)
    ]


@router.get("/people")
def list_people(
    session: SessionDep,
    page: PaginationDep,
    q: Annotated[
        str | None,
        Query(max_length=200, description="Part of a name, email, title or department."),
    ] = None,
    department: Annotated[str | None, Query(max_length=200)] = None,
    level: Annotated[str | None, Query(max_length=40, description="A level key.")] = None,
    active: bool | None = None,
    after: Annotated[
        int | None,
        Query(
            ge=1,
            le=MAX_ID,
            description="The id of the last person of the previous page: the page starts just "
            "after them. Fast at any depth, unlike a large offset: use it to read the whole "
            "directory. With the default order (by name) only.",
        ),
    ] = None,
    sort: Annotated[
        DirectorySort,
        Query(
            description="The order: name, level (the most senior first), department, attended "
            "(sessions attended) or last_attended (the latest session attended; people who "
            "never came go last); a leading `-` turns it round. Ties go by name."
        ),
    ] = "name",
) -> Page[PersonRead]:
    """People in the directory, by name or another order, filtered."""
    people, total = service.list_people(
        session,
        q=q,
        department=department,
        level=level,
        active=active,
        limit=page.limit,
        offset=page.offset,
        after=after,
        sort=sort,
    )
    return Page(
        items=people,
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.post("/people", status_code=status.HTTP_201_CREATED)
def create_person(session: SessionDep, body: PersonCreate) -> PersonRead:
    """Add a person; without a level key the level is inferred from the title."""
    return _view(session, service.create_person(session, data=body))


@router.post(
    "/people/import",
    responses={
        413: {"description": "The file is larger than the upload limit."},
        422: {"description": "Not a usable CSV, or rows with errors: `detail` is the report."},
    },
)
async def import_directory(
    session: SessionDep,
    file: Annotated[UploadFile, File(description="The HR export, as CSV.")],
    deactivate_missing: Annotated[
        bool, Query(description="Deactivate active people who are not in the file.")
    ] = False,
    skip_bad_rows: Annotated[
        bool, Query(description="Import the good rows and report the bad ones.")
    ] = False,
    deactivate_missing_form: Annotated[
        bool | None, Form(alias="deactivate_missing", description="Same as the query option.")
    ] = None,
    skip_bad_rows_form: Annotated[
        bool | None, Form(alias="skip_bad_rows", description="Same as the query option.")
    ] = None,
) -> ImportReport:
    """Import the employee directory from an HR CSV export, all rows or none."""
    data = await read_upload(file, max_bytes=get_settings().upload_max_bytes)
    return await run_in_threadpool(
        import_people,
        session,
        data=data,
        deactivate_missing=deactivate_missing or bool(deactivate_missing_form),
        skip_bad_rows=skip_bad_rows or bool(skip_bad_rows_form),
    )


@router.get("/people/{person_id}")
def read_person(session: SessionDep, person: ValidPerson) -> PersonRead:
    """One person, with level and manager."""
    return _view(session, person)


@router.get("/people/{person_id}/history")
def person_history(session: SessionDep, person: ValidPerson) -> PersonHistory:
    """The sessions a person was invited to, came to or got the recap of (newest first), their
    action items, the figures, and a leader's engagement stage."""
    return history_with_stage(session, person=person)


@router.get("/people/{person_id}/stages")
def person_stages(
    session: SessionDep,
    person: ValidPerson,
    quarters: Annotated[
        int, Query(ge=1, le=MAX_QUARTERS, description="How many quarters, the current last.")
    ] = QUARTERS_SHOWN,
) -> LeaderStages:
    """A leader's engagement stage quarter by quarter with the evidence, the move since last
    quarter, their peers this quarter, and the organizer's override marked (404: not a
    leader)."""
    stages = stage_timeline(session, person=person, quarters=quarters)
    if stages is None:
        raise NotFound(
            f"{person.name} is not at an executive level or a director, so has no engagement "
            "stage; the ladder is about leaders."
        )
    return stages


@router.patch("/people/{person_id}")
def update_person(session: SessionDep, person: ValidPerson, body: PersonUpdate) -> PersonRead:
    """Change some of a person's fields; an old email stays as an alias."""
    return _view(session, service.update_person(session, person=person, changes=body))


@router.post("/people/{person_id}/erase")
def erase_person(_: AdminUser, session: SessionDep, person: ValidPerson) -> ErasureReport:
    """Erase a person's personal data for good (admins only); anonymous history is kept."""
    return erasure.erase_person(session, person=person)


@router.get("/people/{person_id}/aliases")
def list_aliases(session: SessionDep, person: ValidPerson, page: PaginationDep) -> Page[AliasRead]:
    """The other emails and display names that identify this person."""
    aliases = service.list_aliases(session, person=person)
    return Page(
        items=[
            AliasRead.model_validate(alias)
            for alias in aliases[page.offset : page.offset + page.limit]
        ],
        total=len(aliases),
        limit=page.limit,
        offset=page.offset,
    )


@router.post("/people/{person_id}/aliases", status_code=status.HTTP_201_CREATED)
def add_alias(session: SessionDep, person: ValidPerson, body: AliasCreate) -> AliasRead:
    """Add an email or display name alias; one used by someone else is refused."""
    alias = service.add_alias(session, person=person, kind=body.kind, value=body.value)
    return AliasRead.model_validate(alias)


@router.delete("/people/{person_id}/aliases/{alias_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_alias(
    session: SessionDep,
    person: ValidPerson,
    alias_id: AliasId,
) -> Response:
    """Remove an alias."""
    service.remove_alias(session, person=person, alias_id=alias_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _view(session: Session, person: Person) -> PersonRead:
    return service.person_views(session, [person])[0]
