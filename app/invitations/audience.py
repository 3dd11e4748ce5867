"""Who an invitation goes to: people, levels, departments and lists, resolved to invitees."""

from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.errors import Invalid
from app.invitations.schemas import Audience
from app.mail.addresses import normalize_email
from app.models import DistributionList, ListMember, Person
from app.people.levels import level_by_key
from app.people.service import not_erased


@dataclass(frozen=True)
class Invitee:
    email: str
    name: str
    person_id: int | None


def _people_by_ids(session: Session, ids: set[int]) -> list[Person]:
    if not ids:
        return []
    found = list(session.exec(select(Person).where(col(Person.id).in_(ids))).all())
    missing = sorted(ids - {person.id for person in found if person.id is not None})
    if missing:
        raise Invalid(f"There is no person with id {', '.join(map(str, missing))}.")
    return found


def _people_by_emails(session: Session, emails: set[str]) -> list[Person]:
    if not emails:
        return []
    found = list(session.exec(select(Person).where(col(Person.email).in_(emails))).all())
    missing = sorted(emails - {person.email for person in found})
    if missing:
        raise Invalid(
            f"No one in the directory has the email {', '.join(missing)}. Check the spelling, "
            "or add them to the directory or to a distribution list first."
        )
    return found


def _people_in_levels(session: Session, keys: set[str]) -> list[Person]:
    if not keys:
        return []
    level_ids = [level_by_key(session, key).id for key in sorted(keys)]
    return list(
        session.exec(
            select(Person).where(
                col(Person.level_id).in_(level_ids), col(Person.active), not_erased()
            )
        ).all()
    )


def _people_in_departments(session: Session, departments: set[str]) -> list[Person]:
    if not departments:
        return []
    found = list(
        session.exec(
            select(Person).where(
                col(Person.department).in_(departments), col(Person.active), not_erased()
            )
        ).all()
    )
    empty = sorted(departments - {person.department for person in found})
    if empty:
        raise Invalid(f"No active person is in the department {', '.join(empty)}.")
    return found


def _list_members(session: Session, list_ids: set[int]) -> list[Invitee]:
    if not list_ids:
        return []
    known = set(
        session.exec(select(DistributionList.id).where(col(DistributionList.id).in_(list_ids)))
    )
    missing = sorted(list_ids - known)
    if missing:
        raise Invalid(f"There is no distribution list with id {', '.join(map(str, missing))}.")
    rows = session.exec(
        select(ListMember, Person)
        .join(Person, col(Person.id) == ListMember.person_id, isouter=True)
        .where(col(ListMember.list_id).in_(list_ids), col(ListMember.unsubscribed_at).is_(None))
    ).all()
    invitees = []
    for member, person in rows:
        if person is not None:
            if person.active:
                invitees.append(Invitee(person.email, person.name, person.id))
        elif member.email:
            invitees.append(Invitee(normalize_email(member.email), member.name, None))
    return invitees


def resolve_audience(session: Session, audience: Audience) -> list[Invitee]:
    """Everyone the audience names, once each (by lower-case email), ordered by email."""
    emails = {normalize_email(email) for email in audience.emails if email.strip()}
    levels = {key.strip().lower() for key in audience.levels if key.strip()}
    departments = {name.strip() for name in audience.departments if name.strip()}
    if not (emails or audience.person_ids or levels or departments or audience.list_ids):
        raise Invalid(
            "Choose who to invite: people by email, levels, departments or a distribution list."
        )
    people = [
        *_people_by_emails(session, emails),
        *_people_by_ids(session, set(audience.person_ids)),
        *_people_in_levels(session, levels),
        *_people_in_departments(session, departments),
    ]
    invitees: dict[str, Invitee] = {}
    for person in people:
        invitees.setdefault(person.email, Invitee(person.email, person.name, person.id))
    for invitee in _list_members(session, set(audience.list_ids)):
        invitees.setdefault(invitee.email, invitee)
    return [invitees[email] for email in sorted(invitees)]
