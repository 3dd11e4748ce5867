"""Directory import from an HR export (CSV): validate every row, then apply them all or none."""

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, update
from sqlmodel import Session, col, select

from app.audit import service as audit
from app.errors import AppError, Invalid
from app.kit.tables import EMAIL_HEADERS, NAME_HEADERS, map_columns, read_table
from app.mail.addresses import normalize_email
from app.models import Level, Person, utcnow
from app.people.levels import UNKNOWN_LEVEL_KEY, get_levels, infer_level
from app.people.schemas import ImportReport, RowError
from app.people.service import is_email
from app.system.metrics import counted_import

# Header synonyms per field, in order of preference; compared case-insensitively.
COLUMNS: dict[str, tuple[str, ...]] = {
    "email": EMAIL_HEADERS,
    "name": NAME_HEADERS,
    "first_name": ("first name", "given name", "first"),
    "last_name": ("last name", "surname", "family name", "last"),
    "title": ("title", "job title", "position", "role"),
    "department": ("department", "dept", "team", "division"),
    "manager": ("manager email", "manager", "reports to", "manager e-mail"),
    "level": ("level", "grade", "band"),
    "employee_id": ("employee id", "employee number", "id", "employee no"),
}
MAX_LENGTH = {
    "email": 320,
    "name": 200,
    "title": 200,
    "department": 200,
    "employee_id": 100,
    "manager": 320,
}
_SPACES = re.compile(r"\s+")


@dataclass
class _Row:
    line: int
    cells: dict[str, str]
    email: str = ""
    level: Level | None = None
    errors: list[RowError] = field(default_factory=list)


def _missing_columns(header: list[str]) -> Invalid:
    found = ", ".join(repr(cell.strip()) for cell in header if cell.strip()) or "none"
    needed = ", ".join(repr(name.title()) for name in COLUMNS["email"])
    return Invalid(
        f"No email column found. Columns found: {found}. An email column is needed, "
        f"with one of these headers: {needed}; optional: Name (or First Name and Last Name), "
        "Title, Department, Manager Email, Level, Employee ID."
    )


def _level_lookup(levels: list[Level]) -> dict[str, Level]:
    lookup = {level.name.casefold(): level for level in levels}
    lookup.update({level.key.casefold(): level for level in levels})
    return lookup


def rejected_report(exc: AppError) -> ImportReport | None:
    """The report an import was refused with (its rows' errors), or None for any other failure."""
    return ImportReport.model_validate(exc.detail) if isinstance(exc.detail, dict) else None


@counted_import("people")
def import_people(
    session: Session,
    *,
    data: bytes,
    deactivate_missing: bool = False,
    skip_bad_rows: bool = False,
) -> ImportReport:
    """Create, update and optionally deactivate people from an HR CSV export.

    A file with any error changes nothing and raises `Invalid` carrying the whole report,
    unless `skip_bad_rows`: then the good rows are imported and the bad ones reported.
    """
    unreadable: list[RowError] = []

    def broken(line: int, message: str) -> None:
        unreadable.append(RowError(line=line, column=None, message=message))

    records = read_table(data, subject="the directory", on_problem=broken)
    first = next(records, None)
    if unreadable:  # before the first row read: the header itself is broken
        raise Invalid(f"Line {unreadable[0].line} (the header row): {unreadable[0].message}")
    if first is None:
        raise Invalid("The file has no header row and no people: nothing to import.")
    _, header = first
    columns = map_columns(header, COLUMNS)
    if "email" not in columns:
        raise _missing_columns(header)
    header_of = {name: header[index].strip() for name, index in columns.items()}
    report = ImportReport(columns=header_of)

    levels = get_levels(session)
    level_lookup = _level_lookup(levels)
    unknown_level = next(level for level in levels if level.key == UNKNOWN_LEVEL_KEY)
    # One query for everyone: 20,000 rows must not mean 20,000 lookups.
    existing = {person.email: person for person in session.exec(select(Person)).all()}
    by_employee_id = {p.employee_id: p for p in existing.values() if p.employee_id}

    rows: list[_Row] = []
    first_line_of: dict[str, int] = {}
    line_of_employee_id: dict[str, int] = {}
    for line, raw in records:
        cells = {
            name: _SPACES.sub(" ", raw[index]).strip() if index < len(raw) else ""
            for name, index in columns.items()
        }
        row = _Row(line=line, cells=cells)
        rows.append(row)
        _check_row(row, header_of, level_lookup)
        email = row.email
        if email and email in first_line_of:
            row.errors.append(
                RowError(
                    line=line,
                    column=header_of["email"],
                    message=f"{email} appears twice in the file (lines {first_line_of[email]} "
                    f"and {line}).",
                )
            )
        elif email:
            first_line_of[email] = line
        employee_id = cells.get("employee_id", "")
        if employee_id:
            owner = by_employee_id.get(employee_id)
            if employee_id in line_of_employee_id:
                row.errors.append(
                    RowError(
                        line=line,
                        column=header_of["employee_id"],
                        message=f"Employee ID {employee_id} appears twice in the file (lines "
                        f"{line_of_employee_id[employee_id]} and {line}).",
                    )
                )
            elif owner is not None and email and owner.email != email:
                row.errors.append(
                    RowError(
                        line=line,
                        column=header_of["employee_id"],
                        message=f"Employee ID {employee_id} already belongs to {owner.email}.",
                    )
                )
            line_of_employee_id.setdefault(employee_id, line)
    report.rows = len(rows) + len(unreadable)
    if not report.rows:
        raise Invalid("The file has a header row but no people: nothing to import.")

    _check_managers(rows, header_of, existing, first_line_of, skip_bad_rows=skip_bad_rows)
    report.errors = sorted(
        [*unreadable, *(error for row in rows for error in row.errors)],
        key=lambda error: error.line,
    )
    if report.errors and not skip_bad_rows:
        raise Invalid(report.model_dump())
    good = [row for row in rows if not row.errors]
    report.skipped = report.rows - len(good)

    changed: set[str] = set()
    now = utcnow()
    new_people: list[dict[str, Any]] = []
    for row in good:
        person = existing.get(row.email)
        values = _values(row, person, levels, unknown_level)
        if person is None:
            new_people.append(values | {"email": row.email, "created_at": now, "updated_at": now})
            continue
        for attribute, value in values.items():
            if getattr(person, attribute) != value:
                setattr(person, attribute, value)
                changed.add(row.email)
    report.created = len(new_people)
    ids = {email: person.id for email, person in existing.items()}
    if new_people:
        # A bulk insert: building 20,000 model objects would take most of the import's time.
        inserted = session.execute(
            insert(Person).returning(col(Person.id), col(Person.email)), new_people
        )
        ids |= {email: person_id for person_id, email in inserted}

    if "manager" in columns:
        new_managers: list[dict[str, Any]] = []
        for row in good:
            manager_id = ids.get(normalize_email(row.cells["manager"]))
            own_id = ids[row.email]
            manager_id = None if manager_id == own_id else manager_id
            person = existing.get(row.email)
            if person is None:
                if manager_id is not None:
                    new_managers.append({"id": own_id, "manager_id": manager_id})
            elif person.manager_id != manager_id:
                person.manager_id = manager_id
                changed.add(row.email)
        if new_managers:
            session.execute(update(Person), new_managers)
    report.updated = len(changed)
    report.unchanged = len(good) - report.created - report.updated

    if deactivate_missing:
        listed = {row.email for row in good}
        for email, person in existing.items():
            if person.active and email not in listed:
                person.active = False
                report.deactivated += 1
    session.flush()
    audit.record(
        session,
        action="imported",
        entity="person",
        entity_id=None,
        summary=f"Imported the directory: {report.rows} rows, {report.created} created, "
        f"{report.updated} updated, {report.unchanged} unchanged, {report.deactivated} "
        f"deactivated, {report.skipped} skipped",
        changes={
            name: [None, getattr(report, name)]
            for name in ("created", "updated", "deactivated", "skipped")
        },
    )
    return report


def _check_row(row: _Row, header_of: dict[str, str], level_lookup: dict[str, Level]) -> None:
    cells = row.cells

    def error(column: str, message: str) -> None:
        row.errors.append(RowError(line=row.line, column=header_of[column], message=message))

    for name, limit in MAX_LENGTH.items():
        if len(cells.get(name, "")) > limit:
            error(name, f"{len(cells[name])} characters is too long; the limit is {limit}.")
    names = [name for name in ("name", "first_name", "last_name") if name in header_of]
    if names and not _full_name(cells):
        error(names[0], "The name is empty; every person needs one.")
    raw_email = cells["email"]
    email = normalize_email(raw_email)
    if not email:
        error("email", "The email is empty; every person needs one.")
    elif not is_email(email):
        error("email", f"{raw_email!r} is not an email address.")
    else:
        row.email = email
    manager = normalize_email(cells.get("manager", ""))
    if manager and not is_email(manager):
        error("manager", f"{cells['manager']!r} is not an email address (the manager's email).")
    level_cell = cells.get("level", "")
    if level_cell:
        row.level = level_lookup.get(level_cell.casefold())
        if row.level is None:
            known = ", ".join(sorted({level.name for level in level_lookup.values()}))
            error("level", f"Unknown level {level_cell!r}; the levels are: {known}.")


def _full_name(cells: dict[str, str]) -> str:
    """The Name cell, else First Name and Last Name together."""
    parts = (cells.get("first_name", ""), cells.get("last_name", ""))
    return cells.get("name") or " ".join(part for part in parts if part)


def _check_managers(
    rows: list[_Row],
    header_of: dict[str, str],
    existing: dict[str, Person],
    first_line_of: dict[str, int],
    *,
    skip_bad_rows: bool,
) -> None:
    """Every manager must be in the file or already known; a manager may come later."""
    if "manager" not in header_of:
        return

    def manager_of(row: _Row) -> str:
        email = normalize_email(row.cells["manager"])
        return email if is_email(email) else ""

    def error(row: _Row, message: str) -> None:
        row.errors.append(RowError(line=row.line, column=header_of["manager"], message=message))

    known = first_line_of.keys() | existing.keys()
    for row in rows:
        manager = manager_of(row)
        if manager and manager not in known:
            error(row, f"The manager {manager} is neither in the file nor in the directory.")
    # Skipping a bad row also skips, in turn, the newcomers who report to that person.
    while skip_bad_rows:
        usable = {row.email for row in rows if not row.errors} | existing.keys() | {""}
        orphans = [row for row in rows if not row.errors and manager_of(row) not in usable]
        for row in orphans:
            manager = manager_of(row)
            error(
                row,
                f"The manager {manager} is on line {first_line_of[manager]}, "
                "which has errors and is skipped.",
            )
        if not orphans:
            return


def _values(
    row: _Row, person: Person | None, levels: list[Level], unknown_level: Level
) -> dict[str, Any]:
    """The person's fields as the row says (managers aside); absent columns keep what is."""
    cells = row.cells
    values: dict[str, Any] = {"active": True}
    name = _full_name(cells)
    if name:
        values["name"] = name[:200]
    elif person is None:
        values["name"] = row.email.split("@", 1)[0]
    for column in ("title", "department"):
        if column in cells:
            values[column] = cells[column]
        elif person is None:
            values[column] = ""
    if "employee_id" in cells:
        values["employee_id"] = cells["employee_id"] or None
    title = cells.get("title", "")
    if row.level is not None:
        values["level_id"] = row.level.id
    elif title:
        values["level_id"] = infer_level(levels, title).id
    elif person is None:
        values["level_id"] = unknown_level.id
    return values
