"""Resolving unmatched attendees in bulk: all as external, or the suggested matches ticked.

A suggestion is never a guess between equals: two people as similar as each other leave the
attendee for the organizer, as the import itself does with a shared name.
"""

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.attendance import service
from app.attendance.matching import (
    Directory,
    email_domain,
    is_guest_name,
)
from app.attendance.schemas import AcceptedSuggestions, Suggestion
from app.audit import service as audit
from app.db import id_of
from app.models import Attendance, Person, StorySession

SUGGEST_AT_MOST = 500
"""Unmatched attendees suggested for at once; the rest after these are resolved."""

_HOW = {
    "email": "same email as in the directory",
    "alias": "an email remembered for them",
    "name": "same name as in the directory",
}


def _unmatched_rows(
    session: Session, story_session: StorySession, ids: list[int] | None = None
) -> list[Attendance]:
    query = select(Attendance).where(
        Attendance.session_id == id_of(story_session),
        col(Attendance.person_id).is_(None),
        col(Attendance.external).is_(False),
    )
    if ids is not None:
        query = query.where(col(Attendance.id).in_(ids))
    return list(
        session.exec(
            query.order_by(col(Attendance.minutes_present).desc(), col(Attendance.id)).limit(
                SUGGEST_AT_MOST
            )
        ).all()
    )


def _suggest(
    row: Attendance, directory: Directory, domains: set[str]
) -> tuple[str, int | None, str]:
    """(kind, person id, reason) for one unmatched attendee."""
    found = directory.match(name=row.raw_name, emails=(row.raw_email,))
    if found.person_id is not None:
        return "person", found.person_id, _HOW[found.how]
    if found.how == "ambiguous":
        return "none", None, "several people in the directory have this name"
    domain = email_domain(row.raw_email)
    if domain and domains and domain not in domains:
        return "external", None, f"{domain} is not one of the company's email domains"
    similar = directory.similar(row.raw_name) if row.raw_name.strip() else None
    if similar is not None and len(similar.person_ids) == 1:
        return "person", similar.person_ids[0], "similar name"
    if similar is not None:
        return "none", None, f"{len(similar.person_ids)} people have names as similar as this"
    if not domain and is_guest_name(row.raw_name):
        return "external", None, "the report marks them as a guest"
    if domain:
        return "none", None, f"a {domain} address that is not in the directory"
    return "none", None, "no one in the directory has a similar name"


def suggestions(
    session: Session, *, story_session: StorySession, ids: list[int] | None = None
) -> list[Suggestion]:
    """A suggestion for each unmatched attendee (the first `SUGGEST_AT_MOST`), longest first."""
    rows = _unmatched_rows(session, story_session, ids)
    if not rows:
        return []
    directory = Directory.load(session)
    domains = directory.company_domains
    decided = [(row, *_suggest(row, directory, domains)) for row in rows]
    wanted = {person_id for *_, person_id, _ in decided if person_id is not None}
    people = {
        person.id: person
        for person in session.exec(select(Person).where(col(Person.id).in_(wanted))).all()
    }
    found = []
    for row, kind, person_id, reason in decided:
        person = people.get(person_id) if person_id is not None else None
        found.append(
            Suggestion(
                attendance_id=id_of(row),
                name=row.raw_name,
                email=row.raw_email,
                minutes_present=row.minutes_present,
                kind=kind,  # type: ignore[arg-type]
                person_id=person_id,
                person_name=person.name if person else "",
                person_email=person.email if person else "",
                reason=reason,
            )
        )
    return found


def accept_suggestions(
    session: Session, *, story_session: StorySession, choices: list[str]
) -> AcceptedSuggestions:
    """Accept the ticked suggestions (`Suggestion.choice` values) that are still current."""
    ids = []
    for choice in choices:
        head = choice.partition(":")[0]
        if head.isdigit() and 0 < int(head) < 2**31:
            ids.append(int(head))
    current = {
        suggestion.choice: suggestion
        for suggestion in suggestions(session, story_session=story_session, ids=ids)
        if suggestion.kind != "none"
    }
    matched = external = 0
    for choice in dict.fromkeys(choices):
        suggestion = current.get(choice)
        if suggestion is None:
            continue
        if suggestion.kind == "external":
            service.mark_external(
                session, story_session=story_session, attendance_id=suggestion.attendance_id
            )
            external += 1
            continue
        person = session.get(Person, suggestion.person_id)
        if person is None:
            continue
        service.resolve_unmatched(
            session,
            story_session=story_session,
            attendance_id=suggestion.attendance_id,
            person=person,
        )
        matched += 1
    return AcceptedSuggestions(
        matched=matched, external=external, skipped=len(set(choices)) - matched - external
    )


def mark_all_external(session: Session, *, story_session: StorySession) -> int:
    """Mark every unmatched attendee of the session as not an employee; how many there were."""
    session_id = id_of(story_session)
    count = session.exec(
        update(Attendance)
        .where(
            col(Attendance.session_id) == session_id,
            col(Attendance.person_id).is_(None),
            col(Attendance.external).is_(False),
        )
        .values(external=True)
    ).rowcount
    if count:
        audit.record(
            session,
            action="marked_external",
            entity="session",
            entity_id=session_id,
            summary=f"Marked all {count} unmatched attendees at “{story_session.title}” as not "
            "employees",
        )
    return count or 0
