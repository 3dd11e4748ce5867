"""Levels, people and their aliases: the directory every other domain looks people up in."""

import logging
import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import re2
from sqlalchemy import (
    JSON,
    ColumnElement,
    Enum,
    Select,
    String,
    TypeDecorator,
    bindparam,
    delete,
    tuple_,
    update,
)
from sqlalchemy import select as select_columns  # typed for any number of columns
from sqlalchemy.types import TypeEngine
from sqlmodel import Session, SQLModel, and_, col, func, or_, select

from app.audit import service as audit
from app.db import table_of
from app.deps import MAX_ID
from app.errors import Conflict, Invalid, NotFound
from app.mail.addresses import normalize_email
from app.models import (
    AliasKind,
    ApiToken,
    Attendance,
    CalendarFeed,
    Delivery,
    DeliveryStatus,
    Digest,
    Invitation,
    Level,
    ListMember,
    Person,
    PersonAlias,
    RecapVersion,
    RenderedPdf,
    Role,
    StorySession,
    User,
    utcnow,
)
from app.people.schemas import (
    ErasureReport,
    LevelIn,
    LevelRef,
    PersonCreate,
    PersonRead,
    PersonRef,
    PersonUpdate,
)

logger = logging.getLogger(__name__)

FALLBACK_LEVEL_KEY = "ic"
UNKNOWN_LEVEL_KEY = "unknown"
LEVEL_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
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


# -- levels ----------------------------------------------------------------------------------


def get_levels(session: Session) -> list[Level]:
    """Every level, the most senior first."""
    return list(session.exec(select(Level).order_by(col(Level.position), col(Level.id))).all())


def level_by_key(session: Session, key: str) -> Level:
    """The level with this key, or a 422 listing the keys there are."""
    level = session.exec(select(Level).where(Level.key == key.strip().lower())).first()
    if level is None:
        keys = ", ".join(lvl.key for lvl in get_levels(session))
        raise Invalid(f"There is no level {key!r}; the levels are: {keys}.")
    return level


MAX_TITLE_MATCHED = 200
"""Title rules see at most this many characters of a title (the longest a title can be)."""
_RULE_MEMORY = 1 << 20
_UNSUPPORTED = {
    "invalid perl operator: (?=": "lookahead (?=…) is not supported",
    "invalid perl operator: (?!": "negative lookahead (?!…) is not supported",
    "invalid perl operator: (?<=": "lookbehind (?<=…) is not supported",
    "invalid perl operator: (?<!": "negative lookbehind (?<!…) is not supported",
    "invalid perl operator: (?>": "atomic groups (?>…) are not supported",
    "invalid perl operator: (?P": "backreferences (?P=name) are not supported",
    "invalid escape sequence: \\Z": "\\Z is not supported, use $ for the end of the title",
}


class TitleRuleError(ValueError):
    """A title rule RE2 refuses, with the reason in words."""


def _rule_options() -> Any:
    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False
    options.max_mem = _RULE_MEMORY
    return options


def _refusal(error: str) -> str:
    if error in _UNSUPPORTED:
        return _UNSUPPORTED[error]
    if re.fullmatch(r"invalid escape sequence: \\[1-9k]", error):
        return "backreferences such as \\1 are not supported"
    if error.startswith("pattern too large"):
        return "the rule is too large; use fewer or smaller repetitions"
    return error


@lru_cache(maxsize=256)
def _title_rule(pattern: str) -> Any:
    """The rule compiled by RE2, which matches in linear time: no pattern can backtrack."""
    try:
        return re2.compile(pattern, _rule_options())
    except re2.error as exc:
        message = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else ""
        raise TitleRuleError(_refusal(message or str(exc))) from None


def check_title_rule(pattern: str) -> None:
    """Raise TitleRuleError, saying what is wrong, when a title rule cannot be used."""
    _title_rule(pattern)


@lru_cache(maxsize=64)
def _warn_unusable(pattern: str, reason: str) -> None:
    logger.warning("Title rule %r is skipped: %s. Fix it on the levels page.", pattern, reason)


def title_matches(pattern: str, title: str) -> bool:
    """Whether a level's title rule matches (part of) a job title; an empty rule never does."""
    if not pattern:
        return False
    try:
        rule = _title_rule(pattern)
    except TitleRuleError as exc:
        # Saved before rules were checked with RE2: skipped, never run on a backtracking engine.
        _warn_unusable(pattern, str(exc))
        return False
    return rule.search(title[:MAX_TITLE_MATCHED]) is not None


def infer_level(levels: Sequence[Level], title: str) -> Level:
    """The first level (by position) whose title rule matches, else individual contributor."""
    ordered = sorted(levels, key=lambda level: level.position)
    for level in ordered:
        if title_matches(level.title_pattern, title):
            return level
    by_key = {level.key: level for level in ordered}
    fallback = by_key.get(FALLBACK_LEVEL_KEY) or by_key.get(UNKNOWN_LEVEL_KEY)
    if fallback is None:
        raise Invalid("The level ladder has neither an 'ic' nor an 'unknown' level.")
    return fallback


def _level_for_new(levels: Sequence[Level], title: str) -> Level:
    """Inferred from the title; a person without one is honestly 'unknown'."""
    if title.strip():
        return infer_level(levels, title)
    return next(level for level in levels if level.key == UNKNOWN_LEVEL_KEY)


def _check_ladder(levels: Sequence[LevelIn]) -> None:
    keys: set[str] = set()
    names: set[str] = set()
    for position, level in enumerate(levels, start=1):
        label = f"Level {position} ({level.name!r})"
        if not LEVEL_KEY_RE.match(level.key):
            raise Invalid(
                f"{label}: the key {level.key!r} must be lower-case letters, digits, '-' or '_'."
            )
        if level.key in keys:
            raise Invalid(f"{label}: the key {level.key!r} appears twice.")
        if level.name.strip().casefold() in names:
            raise Invalid(f"{label}: the name {level.name!r} appears twice.")
        keys.add(level.key)
        names.add(level.name.strip().casefold())
        try:
            check_title_rule(level.title_pattern)
        except TitleRuleError as exc:
            raise Invalid(
                f"{label}: the title rule {level.title_pattern!r} is not a valid regular "
                f"expression ({exc}). Title rules use RE2 syntax, without lookaround or "
                "backreferences, so that matching a title never backtracks."
            ) from None
    if UNKNOWN_LEVEL_KEY not in keys:
        raise Invalid(
            "The level 'unknown' must stay: people and attendees without a known level count there."
        )


def replace_levels(session: Session, *, levels: Sequence[LevelIn]) -> list[Level]:
    """Replace the ladder with `levels`, in order; existing keys keep their ids."""
    _check_ladder(levels)
    current = {level.key: level for level in get_levels(session)}
    wanted = {level.key for level in levels}
    removed = [level for key, level in current.items() if key not in wanted]
    for level in removed:
        people = session.exec(
            select(func.count()).select_from(Person).where(Person.level_id == level.id)
        ).one()
        if people:
            noun = "person has" if people == 1 else "people have"
            raise Conflict(
                f"The level {level.name!r} cannot be removed: {people} {noun} it. "
                "Move them to another level first."
            )
        attendances = session.exec(
            select(func.count()).select_from(Attendance).where(Attendance.level_id == level.id)
        ).one()
        if attendances:
            raise Conflict(
                f"The level {level.name!r} cannot be removed: {attendances} past attendances "
                "were recorded at it. Rename it instead."
            )
    for level in removed:
        session.delete(level)
    # Names are unique: park the kept levels on placeholders so a swap cannot collide mid-flush.
    for key, level in current.items():
        if key in wanted:
            level.name = f"~{level.id}"
    session.flush()
    for position, incoming in enumerate(levels, start=1):
        level = current.get(incoming.key) or Level(key=incoming.key, name="", position=position)
        level.name = incoming.name.strip()
        level.position = position
        level.is_executive = incoming.is_executive
        level.title_pattern = incoming.title_pattern.strip()
        session.add(level)
    session.flush()
    return get_levels(session)


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


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


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
) -> tuple[list[PersonRead], int]:
    """People matching the filters by name, with level and manager, and how many match.

    `after` (a person's id, the last of the previous page) starts the page just after that
    person in this order: an index seek at any depth, where a large offset makes the database
    step over every row before it.
    """
    params: dict[str, Any] = {"limit": limit, "offset": offset}
    if after is not None:
        cursor = session.get(Person, after) if 0 < after <= MAX_ID else None
        if cursor is None:
            raise NotFound(f"There is no person with id {after} to list the people after.")
        params.update(after_name=cursor.name, after_id=cursor.id)
    if q and (q := q.replace("\x00", "").strip()):
        params["pattern"] = _like(q)
    if department:
        params["department"] = department.replace("\x00", "")
    if level:
        params["level_id"] = level_by_key(session, level).id
    if active is not None:
        params["active"] = active
    count, page = _directory_queries(frozenset(params))
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
def _directory_queries(filters: frozenset[str]) -> tuple[Select[Any], Select[Any]]:
    """The count and the page for one combination of filters, built once: building them
    costs more than running them (every value, the page's too, is a bound parameter)."""
    person, level, manager = _PERSON.c, _LEVEL.c, _MANAGER.c
    conditions: list[ColumnElement[bool]] = []
    if "pattern" in filters:
        pattern = bindparam("pattern", type_=String())
        conditions.append(
            or_(
                person.name.ilike(pattern, escape="\\"),
                person.email.ilike(pattern, escape="\\"),
                person.title.ilike(pattern, escape="\\"),
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
    page = (
        select_columns(
            *(person[name] for name in _PERSON_FIELDS), person.level_id, person.manager_id
        )
        .where(*conditions)
        .order_by(person.name, person.id)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
        .subquery()
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
        .order_by(page.c.name, page.c.id)
    )
    return count, joined


_PERSON, _LEVEL = table_of(Person), table_of(Level)
_MANAGER = _PERSON.alias("manager")


def direct_reports(session: Session, *, person_id: int) -> list[Person]:
    """The people who report to this person, by name."""
    return list(
        session.exec(
            select(Person)
            .where(Person.manager_id == person_id)
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
                id=person.id or 0,
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
        else _level_for_new(get_levels(session), data.title)
    )
    person = Person(
        email=email,
        name=_clean_name(data.name),
        title=data.title.strip(),
        department=data.department.strip(),
        employee_id=employee_id,
        manager_id=manager.id if manager else None,
        level_id=level.id or 0,
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
    before = audit.snapshot(person, PERSON_AUDIT_FIELDS)
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
            add_alias(session, person_id=person.id or 0, kind=AliasKind.email, value=old_email)
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
        person.level_id = level_by_key(session, changes.level).id or 0
    if changes.active is not None:
        person.active = changes.active
    session.add(person)
    session.flush()
    changed = audit.diff(before, audit.snapshot(person, PERSON_AUDIT_FIELDS))
    if changed:
        audit.record(
            session,
            action="changed",
            entity="person",
            entity_id=person.id,
            summary=f"Changed {person.name} in the directory: {', '.join(sorted(changed))}",
            changes=changed,
        )
    return person


# -- aliases ---------------------------------------------------------------------------------


def list_aliases(session: Session, *, person_id: int) -> list[PersonAlias]:
    """A person's aliases: emails first, then names, each alphabetically."""
    return list(
        session.exec(
            select(PersonAlias)
            .where(PersonAlias.person_id == person_id)
            .order_by(col(PersonAlias.kind), col(PersonAlias.normalized), col(PersonAlias.id))
        ).all()
    )


def add_alias(session: Session, *, person_id: int, kind: AliasKind, value: str) -> PersonAlias:
    """Record another email or display name for a person; adding the same one again is a no-op."""
    kind = AliasKind(kind)
    person = get_person(session, person_id)
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
    alias = PersonAlias(person_id=person_id, kind=kind, value=value, normalized=normalized)
    session.add(alias)
    session.flush()
    return alias


def remove_alias(session: Session, *, person_id: int, alias_id: int) -> None:
    """Forget one of a person's aliases."""
    alias = session.get(PersonAlias, alias_id) if 0 < alias_id <= MAX_ID else None
    if alias is None or alias.person_id != person_id:
        raise NotFound(f"Person {person_id} has no alias with id {alias_id}.")
    session.delete(alias)
    session.flush()


# -- erasure ---------------------------------------------------------------------------------

ERASED_NAME = "Erased person"
ERASED_DOMAIN = "erased.invalid"
"""RFC 2606 reserves `.invalid`: a placeholder address there can never receive mail."""

# Tables erase_person anonymises column by column; the generic text scrub leaves them alone.
# Customers and storytellers are not directory people: a namesake there is someone else.
_ERASURE_HANDLED_TABLES = frozenset(
    {
        "person",
        "person_alias",
        "user",
        "api_token",
        "calendar_feed",
        "attendance",
        "invitation",
        "delivery",
        "list_member",
        "customer",
        "session_speaker",
    }
)
_SHORTEST_IDENTIFIER = 3


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


def _identifier_pattern(person: Person, aliases: Sequence[PersonAlias]) -> re.Pattern[str]:
    """Whole-word, case-insensitive matches of the person's name, emails and employee id."""
    values = {person.name, person.email, person.employee_id or ""}
    for alias in aliases:
        # A one-word display name ("Sam") would also hit other people's names in free text.
        if alias.kind is AliasKind.email or len(alias.normalized.split()) > 1:
            values.update({alias.value, alias.normalized})
    kept = sorted(
        (value.strip() for value in values if len(value.strip()) >= _SHORTEST_IDENTIFIER),
        key=len,
        reverse=True,
    )
    return re.compile(
        r"(?<!\w)(?:" + "|".join(re.escape(value) for value in kept) + r")(?!\w)", re.IGNORECASE
    )


def _scrub(value: Any, pattern: re.Pattern[str]) -> Any:
    """`value` (text or a JSON tree) with every identifier replaced by the erased name."""
    if isinstance(value, str):
        return pattern.sub(ERASED_NAME, value)
    if isinstance(value, list):
        return [_scrub(item, pattern) for item in value]
    if isinstance(value, dict):
        return {key: _scrub(item, pattern) for key, item in value.items()}
    return value


def _holds_text(column_type: TypeEngine[Any]) -> bool:
    """Free text: String, Text and SQLModel's AutoString, but not enums stored as text."""
    if isinstance(column_type, TypeDecorator):
        column_type = column_type.impl_instance
    return isinstance(column_type, String) and not isinstance(column_type, Enum)


def _scrub_other_tables(
    session: Session, pattern: re.Pattern[str], needles: Sequence[str]
) -> tuple[int, dict[str, set[int]]]:
    """Replace the identifiers in every other text and JSON column, whatever the table.

    Walks the metadata, so a table added later is covered without touching this code.
    Returns the rows changed and, per table, the ids of the changed rows.
    """
    connection = session.connection()
    changed = 0
    touched: dict[str, set[int]] = {}
    for table in SQLModel.metadata.sorted_tables:
        if table.name in _ERASURE_HANDLED_TABLES:
            continue
        texts = [column for column in table.columns if _holds_text(column.type)]
        documents = [column for column in table.columns if isinstance(column.type, JSON)]
        keys = list(table.primary_key.columns)
        if not (texts or documents) or not keys:
            continue
        query = select(*keys, *texts, *documents)
        if not documents:
            # Text is narrowed in SQL; JSON is read whole (SQLite stores it ASCII-escaped).
            query = query.where(
                or_(
                    *(
                        func.lower(column).contains(needle, autoescape=True)
                        for column in texts
                        for needle in needles
                    )
                )
            )
        for row in connection.execute(query).mappings():
            values = {
                column.name: _scrub(row[column], pattern)
                for column in (*texts, *documents)
                if row[column] is not None
            }
            values = {name: value for name, value in values.items() if value != row[name]}
            if not values:
                continue
            connection.execute(
                update(table).where(*(key == row[key] for key in keys)).values(**values)
            )
            changed += 1
            if len(keys) == 1 and isinstance(row[keys[0]], int):
                touched.setdefault(table.name, set()).add(row[keys[0]])
    return changed, touched


def _discard_pdfs(session: Session, touched: dict[str, set[int]]) -> int:
    """Drop rendered PDFs made from documents that named the person; recaps render again."""
    owners: list[RecapVersion | Digest] = []
    if touched.get("recap_version"):
        ids = touched["recap_version"]
        owners += session.exec(select(RecapVersion).where(col(RecapVersion.id).in_(ids))).all()
    if touched.get("digest"):
        owners += session.exec(select(Digest).where(col(Digest.id).in_(touched["digest"]))).all()
    pdf_ids: set[int] = set()
    for owner in owners:
        if owner.pdf_id is not None:
            pdf_ids.add(owner.pdf_id)
            owner.pdf_id = None
            session.add(owner)
    if not pdf_ids:
        return 0
    session.flush()
    still_used = set(
        session.exec(select(RecapVersion.pdf_id).where(col(RecapVersion.pdf_id).in_(pdf_ids)))
    ) | set(session.exec(select(Digest.pdf_id).where(col(Digest.pdf_id).in_(pdf_ids))))
    unused = pdf_ids - {pdf_id for pdf_id in still_used if pdf_id is not None}
    if unused:
        session.execute(delete(RenderedPdf).where(col(RenderedPdf.id).in_(unused)))
    return len(unused)


def _close_user_accounts(session: Session, emails: set[str]) -> tuple[int, int, int]:
    """Sign-in accounts at the person's addresses: anonymised, deactivated, keys removed."""
    users = list(session.exec(select(User).where(col(User.email).in_(emails))).all())
    admins = [user for user in users if user.role is Role.admin and user.active]
    if admins:
        raise Conflict(
            f"{admins[0].email} is also an active admin account. Another admin must first "
            "change that account's role or deactivate it; then erase the person."
        )
    user_ids = [user.id for user in users]
    if not user_ids:
        return 0, 0, 0
    tokens = session.execute(delete(ApiToken).where(col(ApiToken.user_id).in_(user_ids)))
    feeds = session.execute(delete(CalendarFeed).where(col(CalendarFeed.user_id).in_(user_ids)))
    for user in users:
        user.email = f"erased-user-{user.id}@{ERASED_DOMAIN}"
        user.name = ""
        user.password_hash = "!"  # noqa: S105 -- not a hash: no password matches it
        user.active = False
        user.session_generation += 1  # its sign-in cookies and sign-in tokens end
        session.add(user)
    return len(users), tokens.rowcount, feeds.rowcount  # type: ignore[attr-defined]


def erase_person(session: Session, *, person_id: int) -> ErasureReport:
    """Remove a person's personal data for good, keeping their anonymous attendance history.

    The person row stays as "Erased person" with its level, department, manager and active
    flag, and keeps its attendance, past invitation answers, sent deliveries and owned action
    items, so every dashboard figure is unchanged. Running it again changes nothing.
    """
    person = get_person(session, person_id)
    report = dict.fromkeys(
        (
            name
            for name in ErasureReport.model_fields
            if name not in ("person_id", "already_erased")
        ),
        0,
    )
    if is_erased(person):
        return ErasureReport(person_id=person_id, already_erased=True, **report)
    aliases = list_aliases(session, person_id=person_id)
    emails = {person.email} | {a.normalized for a in aliases if a.kind is AliasKind.email}
    pattern = _identifier_pattern(person, aliases)
    needles = sorted(
        {person.name.lower(), *emails, (person.employee_id or "").lower()} - {""}, key=len
    )
    accounts, tokens, feeds = _close_user_accounts(session, emails)
    report["user_accounts_closed"] = accounts
    report["api_tokens_removed"] = tokens
    report["calendar_feeds_removed"] = feeds

    for alias in aliases:
        session.delete(alias)
    report["aliases_removed"] = len(aliases)

    # Unmatched rows carrying one of the person's addresses or their exact name are them too.
    theirs = or_(
        col(Attendance.person_id) == person_id,
        and_(
            col(Attendance.person_id).is_(None),
            or_(
                func.lower(col(Attendance.raw_email)).in_(emails),
                func.lower(col(Attendance.raw_name)) == person.name.lower(),
            ),
        ),
    )
    blanked = session.execute(
        update(Attendance)
        .where(theirs, or_(col(Attendance.raw_name) != "", col(Attendance.raw_email) != ""))
        .values(raw_name="", raw_email="")
    )
    report["attendance_rows_anonymised"] = blanked.rowcount  # type: ignore[attr-defined]

    members = session.execute(
        delete(ListMember).where(
            or_(
                col(ListMember.person_id) == person_id,
                func.lower(col(ListMember.email)).in_(emails),
            )
        )
    )
    report["list_memberships_removed"] = members.rowcount  # type: ignore[attr-defined]

    now = utcnow()
    invitations = session.exec(
        select(Invitation, StorySession.starts_at)
        .join(StorySession, col(StorySession.id) == Invitation.session_id)
        .where(or_(col(Invitation.person_id) == person_id, col(Invitation.email).in_(emails)))
    ).all()
    for invitation, starts_at in invitations:
        if starts_at > now:
            session.delete(invitation)
            report["invitations_removed"] += 1
        else:
            # Past answers feed the leaders' engagement figures: kept, with no address.
            invitation.email = f"erased-invitation-{invitation.id}@{ERASED_DOMAIN}"
            invitation.name = ""
            session.add(invitation)
            report["invitations_anonymised"] += 1

    deliveries = or_(
        col(Delivery.person_id) == person_id, func.lower(col(Delivery.to_email)).in_(emails)
    )
    unsent = session.execute(
        delete(Delivery).where(
            deliveries, col(Delivery.status).in_([DeliveryStatus.queued, DeliveryStatus.sending])
        )
    )
    report["deliveries_removed"] = unsent.rowcount  # type: ignore[attr-defined]
    for delivery in session.exec(select(Delivery).where(deliveries)):
        delivery.to_email = ""
        delivery.to_name = ""
        delivery.payload = {}
        delivery.dedup_key = f"erased:{delivery.id}"
        delivery.last_error = _scrub(delivery.last_error, pattern)
        session.add(delivery)
        report["deliveries_anonymised"] += 1

    person.name = ERASED_NAME
    person.email = erased_email(person_id)
    person.title = ""
    person.employee_id = None
    session.add(person)
    session.flush()

    report["texts_scrubbed"], touched = _scrub_other_tables(session, pattern, needles)
    # The scrub wrote through Core: reload whatever the session had cached.
    session.expire_all()
    report["pdfs_discarded"] = _discard_pdfs(session, touched)
    # Earlier audit entries naming them were scrubbed above; this one names no one either.
    audit.record(
        session,
        action="erased",
        entity="person",
        entity_id=person_id,
        summary=f"Erased the personal data of person #{person_id}",
    )
    session.flush()
    return ErasureReport(person_id=person_id, already_erased=False, **report)
