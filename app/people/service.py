"""People and their aliases: the directory every other domain looks people up in.

The level ladder is in app.people.levels; erasing a person in app.people.erasure.
"""

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, FromClause, Select, String, bindparam, case, tuple_
from sqlalchemy import select as select_columns  # typed for any number of columns
from sqlmodel import Session, col, func, or_, select

from app.audit import service as audit
from app.db import id_of, table_of
from app.deps import MAX_ID
from app.errors import Conflict, Invalid, NotFound
from app.kit import search
from app.mail.addresses import normalize_email
from app.models import AliasKind, Level, Person, PersonAlias
from app.people.history import attended_totals
from app.people.levels import get_levels, level_by_key, level_for_new
from app.people.schemas import (
    DirectorySort,
    LevelRef,
    PersonCreate,
    PersonRead,
    PersonRef,
    PersonUpdate,
)

EMAIL_RE = re.compile(r"^[^@\s,;<>\"()\[\]]+@[^@\s,;<>\"()\[\]]+\.[^@\s,;<>\"()\[\]]+$")

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u02bc": "'"})
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2212", "-"))
_NOT_NAME_CHARS = re.compile(r"[^\w\s'-]|_")
_LOOSE_JOINERS = re.compile(r"(?<!\w)['-]+|['-]+(?!\w)")
_SPACES = re.compile(r"\s+")


# -- normalisation ---------------------------------------------------------------------------


def is_email(value: str) -> bool:
    """Whether a (normalized) value looks like an email address."""
    return len(value) <= 320 and EMAIL_RE.match(value) is not None


def normalize_name(value: str) -> str:
    """A display name for matching: case and accents folded, punctuation and spacing tidied."""
    text = unicodedata.normalize("NFKD", value.casefold())
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = text.translate(_APOSTROPHES).translate(_DASHES)
    text = _NOT_NAME_CHARS.sub(" ", text)
    # Hyphens and apostrophes belong to a name only inside it: "Mary-Jane", "O'Neil".
    text = _LOOSE_JOINERS.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


# -- people ----------------------------------------------------------------------------------


def get_person(session: Session, person_id: int) -> Person:
    """The person with this id, or a 404."""
    person = session.get(Person, person_id) if 0 < person_id <= MAX_ID else None
    if person is None:
        raise NotFound(f"There is no person with id {person_id}.")
    return person


def person_by_email(session: Session, email: str) -> Person | None:
    """The person whose primary email this is (case-insensitively), if any."""
    return session.exec(select(Person).where(Person.email == normalize_email(email))).first()


def list_people(
    session: Session,
    *,
    q: str | None = None,
    department: str | None = None,
    level: str | None = None,
    active: bool | None = None,
    limit: int = 50,
    offset: int = 0,
    after: int | None = None,
    sort: DirectorySort = "name",
) -> tuple[list[PersonRead], int]:
    """People matching the filters, in `sort` order (ties by name), with level and manager,
    and how many match.

    `after` (a person's id, the last of the previous page) starts the page just after that
    person in name order: an index seek at any depth, where a large offset makes the database
    step over every row before it.
    """
    params: dict[str, Any] = {"limit": limit, "offset": offset}
    if after is not None and sort != "name":
        raise Invalid(
            f"after= pages the directory in name order only; with sort={sort} use offset=."
        )
    if after is not None:
        cursor = session.get(Person, after) if 0 < after <= MAX_ID else None
        if cursor is None:
            raise NotFound(f"There is no person with id {after} to list the people after.")
        params.update(after_name=cursor.name, after_id=cursor.id)
    if q and (q := q.replace("\x00", "").strip()):
        params["pattern"] = search.containing(q)
    if department:
        params["department"] = department.replace("\x00", "")
    if level:
        params["level_id"] = level_by_key(session, level).id
    if active is not None:
        params["active"] = active
    count, page = _directory_queries(frozenset(params), sort)
    connection = session.connection()
    total = connection.execute(count, params).scalar_one()
    people = []
    for row in connection.execute(page, params):
        rank = LevelRef(id=row[9], key=row[10], name=row[11], is_executive=row[12])
        boss = PersonRef(id=row[13], email=row[14], name=row[15]) if row[13] else None
        fields = dict(zip(_PERSON_FIELDS, row[:9], strict=True))
        people.append(PersonRead(**fields, level=rank, manager=boss))
    return people, total


_PERSON_FIELDS = (
    "id", "email", "name", "title", "department", "employee_id", "active", "created_at",
    "updated_at",
)  # fmt: skip


@lru_cache
def _directory_queries(
    filters: frozenset[str], sort: DirectorySort = "name"
) -> tuple[Select[Any], Select[Any]]:
    """The count and the page for one combination of filters and order, built once: building
    them costs more than running them (every value, the page's too, is a bound parameter)."""
    person, level, manager = _PERSON.c, _LEVEL.c, _MANAGER.c
    conditions: list[ColumnElement[bool]] = []
    if "pattern" in filters:
        pattern = bindparam("pattern", type_=String())
        conditions.append(
            or_(
                person.name.ilike(pattern, escape=search.ESCAPE),
                person.email.ilike(pattern, escape=search.ESCAPE),
                person.title.ilike(pattern, escape=search.ESCAPE),
                person.department.ilike(pattern, escape=search.ESCAPE),
            )
        )
        # An erased person has no name to be found by; "erased" must not list them all either.
        conditions.append(not_erased())
    if "department" in filters:
        conditions.append(person.department == bindparam("department"))
    if "level_id" in filters:
        conditions.append(person.level_id == bindparam("level_id"))
    if "active" in filters:
        conditions.append(person.active == bindparam("active"))
    count = select_columns(func.count()).select_from(_PERSON).where(*conditions)
    if "after_id" in filters:  # after the cursor in (name, id) order, on the (name, id) index
        after = tuple_(bindparam("after_name", type_=String()), bindparam("after_id"))
        conditions.append(tuple_(person.name, person.id) > after)
    # The page is cut before the level and manager are joined, or the join would run for
    # every skipped row.
    source, keys = _sort_keys(sort)
    by_name = source is _PERSON and keys[0][0] is person.name
    page = (
        select_columns(
            *(person[name] for name in _PERSON_FIELDS),
            person.level_id,
            person.manager_id,
            *([] if by_name else (key.label(f"sort_{i}") for i, (key, _) in enumerate(keys))),
        )
        .select_from(source)
        .where(*conditions)
        .order_by(*(key.desc() if down else key for key, down in keys))
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
        .subquery()
    )
    # The page is ordered again once joined, by the same keys as read from it.
    outer = (
        [(page.c.name, keys[0][1]), (page.c.id, keys[1][1])]
        if by_name
        else [(page.c[f"sort_{index}"], down) for index, (_, down) in enumerate(keys)]
    )
    joined = (
        select_columns(
            *(page.c[name] for name in _PERSON_FIELDS),
            level.id,
            level.key,
            level.name,
            level.is_executive,
            manager.id,
            manager.email,
            manager.name,
        )
        .join(_LEVEL, level.id == page.c.level_id)
        .outerjoin(_MANAGER, manager.id == page.c.manager_id)
        .order_by(*(key.desc() if down else key for key, down in outer))
    )
    return count, joined


_PERSON, _LEVEL = table_of(Person), table_of(Level)
_MANAGER = _PERSON.alias("manager")
_RANK = _LEVEL.alias("rank")


def _sort_keys(sort: DirectorySort) -> tuple[FromClause, list[tuple[ColumnElement[Any], bool]]]:
    """What the page is read from and ordered by: (key, descending) pairs, ties by name then
    id. Empty departments and people who never came go last, whichever the direction."""
    person = _PERSON.c
    column, down = sort.removeprefix("-"), sort.startswith("-")
    by_name: list[tuple[ColumnElement[Any], bool]] = [(person.name, False), (person.id, False)]
    if column == "name":  # on the (name, id) index, both ways
        return _PERSON, [(person.name, down), (person.id, down)]
    if column == "level":
        source = _PERSON.join(_RANK, _RANK.c.id == person.level_id)
        return source, [(_RANK.c.position, down), *by_name]
    if column == "department":
        blank = case((person.department == "", 1), else_=0)
        return _PERSON, [(blank, False), (person.department, down), *by_name]
    # One aggregate over the counted attendance, joined to each person by primary key.
    totals = attended_totals()
    source = _PERSON.outerjoin(totals, totals.c.person_id == person.id)
    if column == "attended":
        return source, [(func.coalesce(totals.c.sessions_attended, 0), down), *by_name]
    never = case((totals.c.last_attended_at.is_(None), 1), else_=0)
    return source, [(never, False), (totals.c.last_attended_at, down), *by_name]


def direct_reports(session: Session, *, person: Person) -> list[Person]:
    """The people who report to this person, by name."""
    return list(
        session.exec(
            select(Person)
            .where(Person.manager_id == id_of(person))
            .order_by(col(Person.name), col(Person.id))
        ).all()
    )


def departments(session: Session) -> list[str]:
    """Every department someone is in, alphabetically."""
    rows = session.exec(
        select(Person.department).where(Person.department != "").distinct().order_by("department")
    ).all()
    return list(rows)


def person_views(session: Session, people: Sequence[Person]) -> list[PersonRead]:
    """People with their level and manager, in two queries whatever the count."""
    # Each level and manager is built once, and managers are read as plain rows: ORM objects
    # and per-person validation were most of the time of a page of the directory.
    levels = {level.id: LevelRef.model_validate(level) for level in get_levels(session)}
    manager_ids = {person.manager_id for person in people if person.manager_id is not None}
    managers = (
        {
            id_: PersonRef(id=id_ or 0, email=email, name=name)
            for id_, email, name in session.exec(
                select(col(Person.id), col(Person.email), col(Person.name)).where(
                    col(Person.id).in_(manager_ids)
                )
            )
        }
        if manager_ids
        else {}
    )
    views = []
    for person in people:
        manager = managers.get(person.manager_id) if person.manager_id else None
        views.append(
            PersonRead(
                id=id_of(person),
                email=person.email,
                name=person.name,
                title=person.title,
                department=person.department,
                employee_id=person.employee_id,
                active=person.active,
                level=levels[person.level_id],
                manager=manager,
                created_at=person.created_at,
                updated_at=person.updated_at,
            )
        )
    return views


def _clean_email(value: str) -> str:
    email = normalize_email(value)
    if not is_email(email):
        raise Invalid(f"{value.strip()!r} is not an email address.")
    if email.endswith("@" + ERASED_DOMAIN):
        raise Invalid(f"Addresses at {ERASED_DOMAIN} are reserved for erased people.")
    return email


def _ensure_email_free(session: Session, email: str, *, person_id: int | None) -> None:
    owner = person_by_email(session, email)
    if owner is not None and owner.id != person_id:
        raise Conflict(f"{email} is already the email of {owner.name} (person {owner.id}).")
    alias = session.exec(
        select(PersonAlias).where(
            PersonAlias.kind == AliasKind.email, PersonAlias.normalized == email
        )
    ).first()
    if alias is not None and alias.person_id != person_id:
        other = session.get(Person, alias.person_id)
        who = f"{other.name} (person {other.id})" if other else f"person {alias.person_id}"
        raise Conflict(f"{email} is already an alias of {who}.")


def _ensure_employee_id_free(session: Session, employee_id: str, *, person_id: int | None) -> None:
    owner = session.exec(select(Person).where(Person.employee_id == employee_id)).first()
    if owner is not None and owner.id != person_id:
        raise Conflict(f"Employee ID {employee_id!r} already belongs to {owner.email}.")


def _manager(session: Session, manager_id: int, *, person_id: int | None) -> Person:
    if manager_id == person_id:
        raise Invalid("A person cannot be their own manager.")
    manager = session.get(Person, manager_id) if 0 < manager_id <= MAX_ID else None
    if manager is None:
        raise Invalid(f"There is no person with id {manager_id} to be the manager.")
    return manager


def _clean_name(value: str) -> str:
    name = _SPACES.sub(" ", value).strip()
    if not name:
        raise Invalid("The name cannot be blank.")
    return name


PERSON_AUDIT_FIELDS = (
    "email",
    "name",
    "title",
    "department",
    "employee_id",
    "manager_id",
    "level_id",
    "active",
)


def create_person(session: Session, *, data: PersonCreate) -> Person:
    """Add a person; without a level key the level is inferred from the title."""
    email = _clean_email(data.email)
    _ensure_email_free(session, email, person_id=None)
    employee_id = (data.employee_id or "").strip() or None
    if employee_id:
        _ensure_employee_id_free(session, employee_id, person_id=None)
    manager = _manager(session, data.manager_id, person_id=None) if data.manager_id else None
    level = (
        level_by_key(session, data.level)
        if data.level
        else level_for_new(get_levels(session), data.title)
    )
    person = Person(
        email=email,
        name=_clean_name(data.name),
        title=data.title.strip(),
        department=data.department.strip(),
        employee_id=employee_id,
        manager_id=manager.id if manager else None,
        level_id=id_of(level),
        active=data.active,
    )
    session.add(person)
    session.flush()
    audit.record(
        session,
        action="created",
        entity="person",
        entity_id=person.id,
        summary=f"Added {person.name} <{person.email}> to the directory",
        changes=audit.created(person, PERSON_AUDIT_FIELDS),
    )
    return person


def update_person(session: Session, *, person: Person, changes: PersonUpdate) -> Person:
    """Change the fields sent; an old email is kept as an alias so past reports still match."""
    _ensure_not_erased(person)
    sent = changes.model_fields_set
    with audit.recording(
        session,
        person,
        PERSON_AUDIT_FIELDS,
        entity="person",
        summary=lambda fields: f"Changed {person.name} in the directory: {fields}",
    ):
        if changes.email is not None:
            email = _clean_email(changes.email)
            if email != person.email:
                _ensure_email_free(session, email, person_id=person.id)
                old_email = person.email
                own_alias = session.exec(
                    select(PersonAlias).where(
                        PersonAlias.kind == AliasKind.email,
                        PersonAlias.normalized == email,
                        PersonAlias.person_id == person.id,
                    )
                ).first()
                if own_alias is not None:
                    session.delete(own_alias)
                person.email = email
                session.flush()
                add_alias(session, person=person, kind=AliasKind.email, value=old_email)
        if changes.name is not None:
            person.name = _clean_name(changes.name)
        if changes.title is not None:
            person.title = changes.title.strip()
        if changes.department is not None:
            person.department = changes.department.strip()
        if "employee_id" in sent:
            employee_id = (changes.employee_id or "").strip() or None
            if employee_id:
                _ensure_employee_id_free(session, employee_id, person_id=person.id)
            person.employee_id = employee_id
        if "manager_id" in sent:
            person.manager_id = (
                _manager(session, changes.manager_id, person_id=person.id).id
                if changes.manager_id
                else None
            )
        if changes.level is not None:
            person.level_id = id_of(level_by_key(session, changes.level))
        if changes.active is not None:
            person.active = changes.active
        session.add(person)
        session.flush()
    return person


# -- aliases ---------------------------------------------------------------------------------


def list_aliases(session: Session, *, person: Person) -> list[PersonAlias]:
    """A person's aliases: emails first, then names, each alphabetically."""
    return list(
        session.exec(
            select(PersonAlias)
            .where(PersonAlias.person_id == id_of(person))
            .order_by(col(PersonAlias.kind), col(PersonAlias.normalized), col(PersonAlias.id))
        ).all()
    )


def add_alias(session: Session, *, person: Person, kind: AliasKind, value: str) -> PersonAlias:
    """Record another email or display name for a person; adding the same one again is a no-op."""
    kind = AliasKind(kind)
    _ensure_not_erased(person)
    value = _SPACES.sub(" ", value).strip()
    if kind is AliasKind.email:
        normalized = _clean_email(value)
    else:
        normalized = normalize_name(value)
        if not normalized:
            raise Invalid(f"The name alias {value!r} has no letters or digits.")
    if len(value) > 320 or len(normalized) > 320:
        raise Invalid("An alias can have at most 320 characters.")
    existing = session.exec(
        select(PersonAlias).where(PersonAlias.kind == kind, PersonAlias.normalized == normalized)
    ).first()
    if existing is not None:
        if existing.person_id == person.id:
            return existing
        other = get_person(session, existing.person_id)
        raise Conflict(
            f"The {kind.value} alias {value!r} already belongs to {other.name} ({other.email})."
        )
    if kind is AliasKind.email:
        owner = person_by_email(session, normalized)
        if owner is not None and owner.id != person.id:
            raise Conflict(f"{normalized} is the email of {owner.name} (person {owner.id}).")
    alias = PersonAlias(person_id=id_of(person), kind=kind, value=value, normalized=normalized)
    session.add(alias)
    session.flush()
    return alias


def remove_alias(session: Session, *, person: Person, alias_id: int) -> None:
    """Forget one of a person's aliases."""
    alias = session.get(PersonAlias, alias_id) if 0 < alias_id <= MAX_ID else None
    if alias is None or alias.person_id != person.id:
        raise NotFound(f"Person {person.id} has no alias with id {alias_id}.")
    session.delete(alias)
    session.flush()


# -- erased people ---------------------------------------------------------------------------
# What an erased person looks like, for every query that must pass them by; erasing is in
# app.people.erasure.

ERASED_DOMAIN = "erased.invalid"
"""RFC 2606 reserves `.invalid`: a placeholder address there can never receive mail."""


def erased_email(person_id: int) -> str:
    """The unique placeholder that replaces an erased person's email."""
    return f"erased-{person_id}@{ERASED_DOMAIN}"


def is_erased(person: Person) -> bool:
    """Whether this person's personal data was erased."""
    return person.email.endswith("@" + ERASED_DOMAIN)


def not_erased() -> ColumnElement[bool]:
    """A filter for queries that pick people by anything but their id (invite, remind, match)."""
    return col(Person.email).not_like(f"%@{ERASED_DOMAIN}")


def _ensure_not_erased(person: Person) -> None:
    if is_erased(person):
        raise Conflict(
            f"Person {person.id} was erased: the record only keeps anonymous history and "
            "cannot be changed. Add the person again if they come back."
        )
