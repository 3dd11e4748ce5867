"""Who is on a list: people from the directory and outsiders' addresses, and who receives it."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.audit import service as audit
from app.db import id_of
from app.distribution.schemas import MemberIn, MemberRead
from app.errors import Conflict, Invalid, NotFound
from app.mail.addresses import normalize_email
from app.models import DistributionList, Level, ListMember, Person
from app.people.service import is_email, person_by_email


def list_members(session: Session, *, dlist: DistributionList) -> list[MemberRead]:
    """Every member, people and outsiders, by name."""
    rows = session.exec(
        select(ListMember, Person, Level)
        .join(Person, col(Person.id) == ListMember.person_id, isouter=True)
        .join(Level, col(Level.id) == Person.level_id, isouter=True)
        .where(ListMember.list_id == dlist.id)
    ).all()
    members = [
        MemberRead(
            id=id_of(member),
            kind="person" if person else "outsider",
            person_id=member.person_id,
            email=person.email if person else member.email or "",
            name=person.name if person else member.name,
            title=person.title if person else "",
            level=level.name if level else "",
            unsubscribed_at=member.unsubscribed_at,
            created_at=member.created_at,
        )
        for member, person, level in rows
    ]
    return sorted(members, key=lambda m: ((m.name or m.email).casefold(), m.email))


def _person_for(session: Session, data: MemberIn) -> tuple[Person | None, str]:
    """The directory person the member is, or None and the outsider's address."""
    if data.person_id is not None:
        person = session.get(Person, data.person_id)
        if person is None:
            raise Invalid(f"There is no person with id {data.person_id}.")
        return person, person.email
    email = normalize_email(data.email or "")
    if not is_email(email):
        raise Invalid(f"{data.email!r} is not an email address.")
    return person_by_email(session, email), email


def _existing_member(
    session: Session, list_id: int, person: Person | None, email: str
) -> ListMember | None:
    condition = (
        ListMember.person_id == person.id if person is not None else ListMember.email == email
    )
    return session.exec(select(ListMember).where(ListMember.list_id == list_id, condition)).first()


def add_member(session: Session, *, dlist: DistributionList, data: MemberIn) -> ListMember:
    """Add a person (by id, or an email the directory knows) or an outsider's address."""
    person, email = _person_for(session, data)
    existing = _existing_member(session, id_of(dlist), person, email)
    if existing is not None:
        if existing.unsubscribed_at is None:
            raise Conflict(f"{email} is already on {dlist.name!r}.")
        existing.unsubscribed_at = None  # an organizer adding them again re-subscribes them
        session.add(existing)
        session.flush()
        _audit_member(session, dlist, "added", f"Subscribed {email} again to “{dlist.name}”")
        return existing
    member = ListMember(
        list_id=id_of(dlist),
        person_id=person.id if person else None,
        email=None if person else email,
        name="" if person else data.name,
    )
    try:
        with session.begin_nested():
            session.add(member)
    except IntegrityError:
        raise Conflict(f"{email} was just added to {dlist.name!r} by someone else.") from None
    _audit_member(session, dlist, "added", f"Added {email} to “{dlist.name}”")
    return member


def remove_member(session: Session, *, dlist: DistributionList, member_id: int) -> None:
    """Take a member off the list."""
    member = session.get(ListMember, member_id)
    if member is None or member.list_id != dlist.id:
        raise NotFound(f"There is no member with id {member_id} on {dlist.name!r}.")
    person = session.get(Person, member.person_id) if member.person_id else None
    email = person.email if person else member.email
    _audit_member(session, dlist, "removed", f"Removed {email} from “{dlist.name}”")
    session.delete(member)
    session.flush()


def _audit_member(session: Session, dlist: DistributionList, action: str, summary: str) -> None:
    # Filed under the list, so the list's history shows who came and went.
    audit.record(
        session, action=action, entity="distribution_list", entity_id=dlist.id, summary=summary
    )


# -- recipients ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str
    person_id: int | None
    list_id: int | None


def recipients(session: Session, *, lists: Sequence[DistributionList]) -> list[Recipient]:
    """Who receives mail sent to these lists: subscribed members, active people only."""
    order = {dlist.id: index for index, dlist in enumerate(lists)}
    rows = session.exec(
        select(ListMember, Person)
        .join(Person, col(Person.id) == ListMember.person_id, isouter=True)
        .where(
            col(ListMember.list_id).in_(list(order)),
            col(ListMember.unsubscribed_at).is_(None),
        )
        .order_by(col(ListMember.id))
    ).all()
    found: list[Recipient] = []
    for member, person in sorted(rows, key=lambda row: order[row[0].list_id]):
        if person is not None and person.active:
            found.append(Recipient(person.email, person.name, person.id, member.list_id))
        elif member.person_id is None and member.email:
            found.append(Recipient(member.email, member.name, None, member.list_id))
    return found
