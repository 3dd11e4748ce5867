"""Members from a CSV file (email[,name]): every row valid, then all added, or none.

Files are read by `app.kit.tables`, as the directory import reads them (encodings, delimiters,
header synonyms); a row that is not well-formed CSV is an error with its line, like a bad
address. Addresses the directory knows become person members; others are outsiders.
A header row is optional: a first row that starts with an address is read as data.
"""

from sqlmodel import Session, col, select

from app.audit import service as audit
from app.db import id_of
from app.distribution.schemas import MemberImportReport
from app.errors import Invalid
from app.kit.tables import EMAIL_HEADERS, NAME_HEADERS, map_columns, read_table
from app.mail.addresses import normalize_email
from app.models import DistributionList, ListMember, Person
from app.people.schemas import RowError
from app.people.service import is_email

MAX_NAME = 200
COLUMNS = {"email": EMAIL_HEADERS, "name": NAME_HEADERS}


def import_members(session: Session, dlist: DistributionList, *, data: bytes) -> MemberImportReport:
    """Add the file's addresses to the list; with any bad row, raise Invalid with the report."""
    unreadable: list[RowError] = []

    def broken(line: int, message: str) -> None:
        unreadable.append(RowError(line=line, column=None, message=message))

    records = read_table(data, subject="the addresses", on_problem=broken)
    first = next(records, None)
    if unreadable and (first is None or unreadable[0].line < first[0]):
        # The first row is broken: whether it is a header cannot be told, so it is refused.
        raise Invalid(f"Line {unreadable[0].line}: {unreadable[0].message}")
    if first is None:
        raise Invalid("The file is empty: put one email address per line (email,name).")
    line, cells = first
    if cells and is_email(normalize_email(cells[0])):
        header_of = {"email": "column 1", "name": "column 2"}
        positions = {"email": 0, "name": 1}
        rows = [(line, cells), *records]
        report = MemberImportReport()
    else:
        found = map_columns(cells, COLUMNS)
        if "email" not in found:
            headers = ", ".join(repr(c.strip()) for c in cells if c.strip()) or "none"
            raise Invalid(
                f"No email column found (columns: {headers}). Name it Email, or leave out the "
                "header and put the address first on each line: email,name."
            )
        positions = {name: found[name] for name in ("email", "name") if name in found}
        header_of = {name: cells[index].strip() for name, index in positions.items()}
        rows = list(records)
        report = MemberImportReport(columns=header_of)

    wanted: dict[str, tuple[int, str]] = {}
    for line, cells in rows:
        report.rows += 1
        raw = cells[positions["email"]] if positions["email"] < len(cells) else ""
        email = normalize_email(raw)
        index = positions.get("name")
        name = " ".join(cells[index].split()) if index is not None and index < len(cells) else ""

        def error(field: str, message: str, line: int = line) -> None:
            report.errors.append(RowError(line=line, column=header_of[field], message=message))

        if not email:
            error("email", "The email is empty.")
        elif not is_email(email):
            error("email", f"{raw.strip()!r} is not an email address.")
        elif email in wanted:
            error("email", f"{email} appears twice (lines {wanted[email][0]} and {line}).")
        else:
            wanted[email] = (line, name)
        if len(name) > MAX_NAME:
            error("name", f"{len(name)} characters is too long; the limit is {MAX_NAME}.")
    report.rows += len(unreadable)
    if not report.rows:
        raise Invalid("The file has a header row but no addresses: nothing to import.")
    report.errors = sorted([*unreadable, *report.errors], key=lambda error: error.line)
    if report.errors:
        raise Invalid(report.model_dump())

    people = {
        person.email: person
        for person in session.exec(select(Person).where(col(Person.email).in_(list(wanted))))
    }
    members = session.exec(select(ListMember).where(ListMember.list_id == dlist.id)).all()
    on_list = {m.person_id for m in members if m.person_id} | {m.email for m in members if m.email}
    for email, (_line, name) in wanted.items():
        person = people.get(email)
        report.people += person is not None
        key = person.id if person is not None else email
        if key in on_list:
            report.already += 1  # unsubscribed members stay unsubscribed
            continue
        session.add(
            ListMember(
                list_id=id_of(dlist),
                person_id=person.id if person else None,
                email=None if person else email,
                name="" if person else name,
            )
        )
        report.added += 1
    session.flush()
    audit.record(
        session,
        action="imported",
        entity="distribution_list",
        entity_id=dlist.id,
        summary=f"Imported {report.rows} addresses into “{dlist.name}”: {report.added} added, "
        f"{report.already} already on the list",
        changes={"members": [None, report.added]},
    )
    return report
