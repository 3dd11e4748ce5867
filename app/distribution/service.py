"""Distribution lists, their members, sending a recap and where it went (API and pages share it)."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import case, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from app.audit import service as audit
from app.config import get_settings
from app.distribution.schemas import (
    WEEKDAYS,
    DeliveryCounts,
    DeliveryRead,
    ListCreate,
    ListRead,
    ListUpdate,
    MemberIn,
    MemberRead,
    RecapDeliveries,
    check_schedule,
)
from app.errors import Conflict, Invalid, NotFound
from app.kit.signing import sign, unsign, unsign_with_expiry
from app.mail import outbox
from app.mail.addresses import normalize_email
from app.models import (
    Cadence,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    DistributionList,
    Level,
    ListMember,
    Person,
    Recap,
    RecapStatus,
    RecapVersion,
    RenderedPdf,
    Series,
    SeriesList,
    StorySession,
    User,
    utcnow,
)
from app.people.service import is_email, person_by_email

RECAP_LINK_PURPOSE = "recap"
# The recap page's own token for reporting a read: no link in an email carries it.
RECAP_READ_PURPOSE = "recap-read"
UNSUBSCRIBE_PURPOSE = "unsubscribe"
# Opting out must keep working long after the email arrived (RFC 8058 mail sits in inboxes).
UNSUBSCRIBE_LINK_DAYS = 5 * 365


# -- lists -----------------------------------------------------------------------------------


def get_list(session: Session, *, list_id: int) -> DistributionList:
    """The list with this id, or 404."""
    dlist = session.get(DistributionList, list_id)
    if dlist is None:
        raise NotFound(f"There is no distribution list with id {list_id}.")
    return dlist


def all_lists(session: Session) -> list[DistributionList]:
    """Every list, by name."""
    return list(session.exec(select(DistributionList).order_by(col(DistributionList.name))))


def list_lists(session: Session, *, limit: int, offset: int) -> tuple[list[DistributionList], int]:
    """One page of lists by name, and how many there are."""
    total = session.exec(select(func.count()).select_from(DistributionList)).one()
    rows = session.exec(
        select(DistributionList)
        .order_by(col(DistributionList.name), col(DistributionList.id))
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), total


def schedule_text(dlist: DistributionList) -> str:
    """The cadence in words, e.g. "Weekly digest, Mondays at 08:00 (Europe/Paris)"."""
    at = f"{dlist.digest_time.strftime('%H:%M')} ({dlist.timezone})"
    if dlist.cadence is Cadence.weekly and dlist.digest_weekday is not None:
        return f"Weekly digest, {WEEKDAYS[dlist.digest_weekday]}s at {at}"
    if dlist.cadence is Cadence.monthly and dlist.digest_day is not None:
        return f"Monthly digest, on day {dlist.digest_day} at {at}"
    return "Every recap, as it is sent"


def describe_lists(session: Session, lists: Sequence[DistributionList]) -> list[ListRead]:
    """API views of lists, with member counts and linked series (two queries for all)."""
    ids = [dlist.id for dlist in lists]
    counts = dict(
        session.exec(
            select(ListMember.list_id, func.count())
            .where(col(ListMember.list_id).in_(ids), col(ListMember.unsubscribed_at).is_(None))
            .group_by(col(ListMember.list_id))
        ).all()
    )
    series: dict[int, list[int]] = {}
    for link in session.exec(
        select(SeriesList)
        .where(col(SeriesList.list_id).in_(ids))
        .order_by(col(SeriesList.series_id))
    ):
        series.setdefault(link.list_id, []).append(link.series_id)
    return [
        ListRead.model_validate(
            {
                **dlist.model_dump(),
                "members": counts.get(dlist.id or 0, 0),
                "series_ids": series.get(dlist.id or 0, []),
                "schedule": schedule_text(dlist),
            }
        )
        for dlist in lists
    ]


LIST_AUDIT_FIELDS = (
    "name",
    "description",
    "cadence",
    "digest_weekday",
    "digest_day",
    "digest_time",
    "timezone",
    "allow_unsubscribe",
)


def _ensure_name_free(session: Session, name: str, *, list_id: int | None) -> None:
    # Compared in Python: SQLite's lower() folds ASCII letters only, and lists are few.
    wanted = name.casefold()
    for other_id, other_name in session.exec(
        select(DistributionList.id, DistributionList.name)
    ).all():
        if other_id != list_id and other_name.casefold() == wanted:
            raise Conflict(f"A list named {other_name!r} already exists: choose another name.")


def create_list(session: Session, *, data: ListCreate) -> DistributionList:
    """A new list with no members yet."""
    _ensure_name_free(session, data.name, list_id=None)
    dlist = DistributionList(**data.model_dump())
    session.add(dlist)
    session.flush()
    audit.record(
        session,
        action="created",
        entity="distribution_list",
        entity_id=dlist.id,
        summary=f"Created the distribution list “{dlist.name}”",
        changes=audit.created(dlist, LIST_AUDIT_FIELDS),
    )
    return dlist


def update_list(session: Session, dlist: DistributionList, *, data: ListUpdate) -> DistributionList:
    """Change a list; a weekly or monthly cadence must come with its day."""
    changes = data.changes()
    for required in ("name", "cadence", "digest_time", "timezone", "allow_unsubscribe"):
        if required in changes and changes[required] is None:
            raise Invalid(f"{required} cannot be empty; leave it out to keep it as it is.")
    if "name" in changes:
        _ensure_name_free(session, changes["name"], list_id=dlist.id)
    cadence = changes.get("cadence", dlist.cadence)
    weekday = changes.get("digest_weekday", dlist.digest_weekday)
    day = changes.get("digest_day", dlist.digest_day)
    try:
        check_schedule(cadence, weekday, day)
    except ValueError as exc:
        raise Invalid(str(exc)) from None
    before = audit.snapshot(dlist, LIST_AUDIT_FIELDS)
    for name, value in changes.items():
        setattr(dlist, name, value)
    session.add(dlist)
    session.flush()
    changed = audit.diff(before, audit.snapshot(dlist, LIST_AUDIT_FIELDS))
    if changed:
        audit.record(
            session,
            action="changed",
            entity="distribution_list",
            entity_id=dlist.id,
            summary=f"Changed the distribution list “{dlist.name}”: {', '.join(sorted(changed))}",
            changes=changed,
        )
    return dlist


def delete_list(session: Session, dlist: DistributionList) -> None:
    """Delete a list and its members; deliveries already made keep their history."""
    members = session.exec(
        select(func.count()).select_from(ListMember).where(ListMember.list_id == dlist.id)
    ).one()
    audit.record(
        session,
        action="deleted",
        entity="distribution_list",
        entity_id=dlist.id,
        summary=f"Deleted the distribution list “{dlist.name}” and its {members} members",
    )
    session.delete(dlist)
    session.flush()


# -- members ---------------------------------------------------------------------------------


def list_members(session: Session, dlist: DistributionList) -> list[MemberRead]:
    """Every member, people and outsiders, by name."""
    rows = session.exec(
        select(ListMember, Person, Level)
        .join(Person, col(Person.id) == ListMember.person_id, isouter=True)
        .join(Level, col(Level.id) == Person.level_id, isouter=True)
        .where(ListMember.list_id == dlist.id)
    ).all()
    members = [
        MemberRead(
            id=member.id or 0,
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


def add_member(session: Session, dlist: DistributionList, *, data: MemberIn) -> ListMember:
    """Add a person (by id, or an email the directory knows) or an outsider's address."""
    assert dlist.id is not None
    person, email = _person_for(session, data)
    existing = _existing_member(session, dlist.id, person, email)
    if existing is not None:
        if existing.unsubscribed_at is None:
            raise Conflict(f"{email} is already on {dlist.name!r}.")
        existing.unsubscribed_at = None  # an organizer adding them again re-subscribes them
        session.add(existing)
        session.flush()
        _audit_member(session, dlist, "added", f"Subscribed {email} again to “{dlist.name}”")
        return existing
    member = ListMember(
        list_id=dlist.id,
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


def remove_member(session: Session, dlist: DistributionList, *, member_id: int) -> None:
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


# -- series ----------------------------------------------------------------------------------


def list_series_ids(session: Session, *, list_id: int) -> list[int]:
    """Series that send their recaps to this list by default."""
    return list(
        session.exec(
            select(SeriesList.series_id)
            .where(SeriesList.list_id == list_id)
            .order_by(col(SeriesList.series_id))
        )
    )


def series_list_ids(session: Session, *, series_id: int) -> list[int]:
    """The default lists of a series."""
    return list(
        session.exec(
            select(SeriesList.list_id)
            .where(SeriesList.series_id == series_id)
            .order_by(col(SeriesList.list_id))
        )
    )


def _check_ids(
    session: Session, model: type[Series] | type[DistributionList], ids: set[int]
) -> None:
    known = set(session.exec(select(model.id).where(col(model.id).in_(ids)))) if ids else set()
    unknown = sorted(ids - known)
    if unknown:
        what = "series" if model is Series else "distribution list"
        raise Invalid(f"There is no {what} with id {', '.join(map(str, unknown))}.")


def set_list_series(
    session: Session, dlist: DistributionList, *, series_ids: Iterable[int]
) -> None:
    """Make exactly these series send their recaps to this list by default."""
    wanted = set(series_ids)
    _check_ids(session, Series, wanted)
    current = set(list_series_ids(session, list_id=dlist.id or 0))
    for series_id in current - wanted:
        link = session.get(SeriesList, (series_id, dlist.id))
        session.delete(link)
    session.add_all(SeriesList(series_id=s, list_id=dlist.id or 0) for s in wanted - current)
    session.flush()


def set_series_lists(session: Session, series: Series, *, list_ids: Iterable[int]) -> None:
    """Make exactly these lists the default lists of a series."""
    wanted = set(list_ids)
    _check_ids(session, DistributionList, wanted)
    current = set(series_list_ids(session, series_id=series.id or 0))
    for list_id in current - wanted:
        session.delete(session.get(SeriesList, (series.id, list_id)))
    session.add_all(SeriesList(series_id=series.id or 0, list_id=i) for i in wanted - current)
    session.flush()


# -- recipients ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str
    person_id: int | None
    list_id: int | None


def recipients(session: Session, lists: Sequence[DistributionList]) -> list[Recipient]:
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


# -- sending a recap -------------------------------------------------------------------------


def recap_and_version(
    session: Session, *, story_session_id: int
) -> tuple[Recap | None, RecapVersion | None]:
    """The session's recap and its latest approved version (either may not exist yet)."""
    recap = session.exec(select(Recap).where(Recap.session_id == story_session_id)).first()
    if recap is None or recap.latest_version == 0:
        return recap, None
    version = session.exec(
        select(RecapVersion).where(
            RecapVersion.recap_id == recap.id, RecapVersion.number == recap.latest_version
        )
    ).first()
    return recap, version


def send_recap(
    session: Session,
    *,
    story_session_id: int,
    list_ids: Sequence[int],
    extra_emails: Sequence[str] = (),
    user: User | None,
    now: datetime | None = None,
) -> tuple[RecapVersion, list[Delivery]]:
    """Queue the latest approved recap to every member of these lists and to the extra addresses.

    The deliveries, `version.sent_at` and the recap's `sent` status are written in the caller's
    transaction; `enqueue` has the mail worker start once it commits. Recipients who already
    have this version are not queued again. A version without its PDF yet has it rendered
    once this commits; its recaps are sent when it is stored.
    """
    from app.recaps.tasks import schedule_pdf

    now = now or utcnow()
    story_session = session.get(StorySession, story_session_id)
    if story_session is None:
        raise NotFound(f"There is no session with id {story_session_id}.")
    recap, version = recap_and_version(session, story_session_id=story_session_id)
    if recap is None or version is None:
        raise Conflict("This session's recap has not been approved yet: approve it, then send it.")
    if recap.status is RecapStatus.draft:
        raise Conflict(
            f"The recap has changes since version {version.number} was approved: approve them "
            "(or discard them) before sending, so recipients get what you see."
        )
    lists = [get_list(session, list_id=list_id) for list_id in dict.fromkeys(list_ids)]
    digests = [dlist.name for dlist in lists if dlist.cadence is not Cadence.every_recap]
    if digests:
        raise Invalid(
            f"{', '.join(repr(name) for name in digests)} receive recaps in a digest, not one by "
            "one: leave them out (their next digest will include this recap)."
        )
    people: list[Recipient] = recipients(session, lists)
    bad = [email for email in extra_emails if not is_email(normalize_email(email))]
    if bad:
        raise Invalid(f"Not an email address: {', '.join(repr(email) for email in bad)}.")
    for raw in extra_emails:
        email = normalize_email(raw)
        person = person_by_email(session, email)
        name = person.name if person else ""
        people.append(Recipient(email, name, person.id if person else None, None))
    if not people:
        raise Invalid(
            "Nobody to send to: choose a list with members, or add an address."
            if not lists
            else "These lists have no subscribed members: add members or another address."
        )
    added = outbox.enqueue(
        session,
        (
            Delivery(
                kind=DeliveryKind.recap,
                dedup_key=f"recap:{version.id}:{normalize_email(person.email)}",
                to_email=person.email,
                to_name=person.name,
                person_id=person.person_id,
                list_id=person.list_id,
                recap_version_id=version.id,
                session_id=story_session_id,
                payload={"sent_by": user.email} if user else {},
                next_attempt_at=now,
                created_at=now,
            )
            for person in people
        ),
    )
    if added and version.pdf_id is None:
        schedule_pdf(session, version)
    if version.sent_at is None:
        version.sent_at = now
        session.add(version)
    recap.status = RecapStatus.sent
    session.add(recap)
    session.flush()
    to = [f"“{dlist.name}”" for dlist in lists]
    if extra_emails:
        to.append(f"{len(extra_emails)} more address{'' if len(extra_emails) == 1 else 'es'}")
    audit.record(
        session,
        action="sent",
        entity="recap",
        entity_id=recap.id,
        summary=f"Sent version {version.number} of the recap of “{story_session.title}” to "
        f"{len(added)} new recipients ({', '.join(to)})",
        changes={"recipients": [None, len(added)]},
    )
    return version, added


def recap_deliveries(session: Session, *, story_session_id: int) -> RecapDeliveries:
    """Every recipient of every sent version of this session's recap, failed ones first."""
    recap, version = recap_and_version(session, story_session_id=story_session_id)
    rows: list[Delivery] = []
    if recap is not None:
        versions = select(RecapVersion.id).where(RecapVersion.recap_id == recap.id)
        failed_first = case((col(Delivery.status) == DeliveryStatus.failed, 0), else_=1)
        rows = list(
            session.exec(
                select(Delivery)
                .where(
                    Delivery.kind == DeliveryKind.recap,
                    col(Delivery.recap_version_id).in_(versions),
                )
                .order_by(failed_first, col(Delivery.to_email), col(Delivery.id))
            )
        )
    counts = DeliveryCounts(total=len(rows))
    for delivery in rows:
        setattr(counts, delivery.status.value, getattr(counts, delivery.status.value) + 1)
        counts.read += delivery.read_at is not None
    return RecapDeliveries(
        session_id=story_session_id,
        version=version.number if version else None,
        sent_at=version.sent_at if version else None,
        counts=counts,
        items=[DeliveryRead.model_validate(row.model_dump()) for row in rows],
    )


def resend(session: Session, *, story_session_id: int, delivery_id: int | None = None) -> int:
    """Queue failed recap deliveries of this session again (all, or one); return how many."""
    if delivery_id is not None:
        delivery = recap_delivery(
            session, story_session_id=story_session_id, delivery_id=delivery_id
        )
        if delivery.status is not DeliveryStatus.failed:
            raise Conflict(
                f"The message to {delivery.to_email} is {delivery.status.value}, not failed: "
                "there is nothing to resend."
            )
        ids = [delivery_id]
    else:
        ids = [
            delivery_id
            for delivery_id in session.exec(
                select(Delivery.id).where(
                    Delivery.kind == DeliveryKind.recap,
                    Delivery.session_id == story_session_id,
                    Delivery.status == DeliveryStatus.failed,
                )
            )
            if delivery_id is not None
        ]
    if not ids:
        return 0
    from app.recaps.tasks import schedule_pdf

    # A recap that failed because its PDF could not be made waits for a fresh render.
    for version in session.exec(
        select(RecapVersion).where(
            col(RecapVersion.id).in_(
                select(Delivery.recap_version_id).where(col(Delivery.id).in_(ids))
            ),
            col(RecapVersion.pdf_id).is_(None),
        )
    ):
        schedule_pdf(session, version)
    return outbox.resend_failed(session, delivery_ids=ids)


def list_deliveries(
    session: Session,
    *,
    session_id: int | None = None,
    kind: DeliveryKind | None = None,
    status: DeliveryStatus | None = None,
    limit: int,
    offset: int,
) -> tuple[list[Delivery], int]:
    """One page of deliveries matching the filters, the newest first, and how many match."""
    conditions = [
        condition
        for value, condition in (
            (session_id, Delivery.session_id == session_id),
            (kind, Delivery.kind == kind),
            (status, Delivery.status == status),
        )
        if value is not None
    ]
    total = session.exec(select(func.count()).select_from(Delivery).where(*conditions)).one()
    rows = session.exec(
        select(Delivery)
        .where(*conditions)
        .order_by(col(Delivery.id).desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), total


def recap_delivery(session: Session, *, story_session_id: int, delivery_id: int) -> Delivery:
    """One delivery of this session's recap, or 404."""
    delivery = session.get(Delivery, delivery_id)
    if (
        delivery is None
        or delivery.kind is not DeliveryKind.recap
        or delivery.session_id != story_session_id
    ):
        raise NotFound(f"There is no recap delivery with id {delivery_id} for this session.")
    return delivery


# -- signed links ----------------------------------------------------------------------------


def public_url(path: str) -> str:
    return get_settings().base_url.rstrip("/") + path


def list_id_header(dlist: DistributionList) -> str:
    """RFC 2919 List-Id: a phrase and a unique id under this installation's host name."""
    host = urlsplit(get_settings().base_url).hostname or "localhost"
    name = dlist.name.replace('"', "'")
    return f'"{name}" <list-{dlist.id}.{host}>'


def recap_link(delivery: Delivery, *, now: datetime | None = None) -> str:
    """The recipient's own link to the online recap, valid for `recap_link_days`."""
    expires = (now or utcnow()) + timedelta(days=get_settings().recap_link_days)
    return public_url(f"/p/recap/{sign(RECAP_LINK_PURPOSE, delivery.id, expires_at=expires)}")


def unsubscribe_link(delivery: Delivery, *, now: datetime | None = None) -> str:
    """The one-click unsubscribe URL for this delivery's recipient and list (RFC 8058)."""
    expires = (now or utcnow()) + timedelta(days=UNSUBSCRIBE_LINK_DAYS)
    token = sign(UNSUBSCRIBE_PURPOSE, delivery.id, expires_at=expires)
    return public_url(f"/p/unsubscribe/{token}")


def _delivery_for(session: Session, purpose: str, token: str) -> Delivery:
    return _signed_delivery(session, unsign(purpose, token))


def _signed_delivery(session: Session, delivery_id: object) -> Delivery:
    delivery = session.get(Delivery, delivery_id) if isinstance(delivery_id, int) else None
    if delivery is None:
        raise NotFound("This email's message no longer exists; ask the organizer for a new one.")
    return delivery


def _recap_version(session: Session, delivery: Delivery) -> RecapVersion:
    version = session.get(RecapVersion, delivery.recap_version_id or 0)
    if version is None:
        raise NotFound("This recap no longer exists; ask the organizer for a new link.")
    return version


def open_recap(session: Session, *, token: str) -> tuple[Delivery, RecapVersion, str]:
    """The delivery and version a recipient's link opens, and the token its page reports a
    read with. Opening records nothing: mail scanners open every link in a message."""
    delivery_id, expires_at = unsign_with_expiry(RECAP_LINK_PURPOSE, token)
    delivery = _signed_delivery(session, delivery_id)
    version = _recap_version(session, delivery)
    return delivery, version, sign(RECAP_READ_PURPOSE, delivery.id, expires_at=expires_at)


def record_read(session: Session, *, token: str, now: datetime | None = None) -> Delivery:
    """Count the recap as read by the person whose page sent `token`; the first time stays."""
    return _mark_read(session, _delivery_for(session, RECAP_READ_PURPOSE, token), now)


def _mark_read(session: Session, delivery: Delivery, now: datetime | None) -> Delivery:
    # One statement, so two reads at the same moment cannot both be "the first".
    session.execute(
        update(Delivery)
        .where(col(Delivery.id) == delivery.id, col(Delivery.read_at).is_(None))
        .values(read_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    session.refresh(delivery)
    return delivery


def read_recap_pdf(
    session: Session, *, token: str, now: datetime | None = None
) -> tuple[Delivery, RecapVersion, RenderedPdf]:
    """The PDF a recipient downloads from their page, which counts the recap as read."""
    from app.recaps.render import pdf_for_version

    delivery = _delivery_for(session, RECAP_READ_PURPOSE, token)
    version = _recap_version(session, delivery)
    pdf = pdf_for_version(session, version)
    if pdf is None:
        raise Conflict("The PDF of this recap is still being made; try again in a minute.")
    return _mark_read(session, delivery, now), version, pdf


def member_for(session: Session, delivery: Delivery) -> tuple[DistributionList, ListMember]:
    """The list and membership a delivery was sent through."""
    dlist = session.get(DistributionList, delivery.list_id or 0)
    if dlist is None:
        raise NotFound("This email was not sent through a list, so there is nothing to leave.")
    condition = (
        ListMember.person_id == delivery.person_id
        if delivery.person_id is not None
        else ListMember.email == delivery.to_email
    )
    member = session.exec(
        select(ListMember).where(ListMember.list_id == dlist.id, condition)
    ).first()
    if member is None:
        raise NotFound(f"You are no longer on {dlist.name!r}: there is nothing to do.")
    return dlist, member


def unsubscribe_target(session: Session, *, token: str) -> tuple[DistributionList, ListMember]:
    """The list and member an unsubscribe link names (nothing changes)."""
    dlist, member = member_for(session, _delivery_for(session, UNSUBSCRIBE_PURPOSE, token))
    if not dlist.allow_unsubscribe:
        raise Conflict(
            f"{dlist.name!r} does not allow opting out; reply to the email to ask the organizer."
        )
    return dlist, member


def unsubscribe(
    session: Session, *, token: str, now: datetime | None = None
) -> tuple[DistributionList, ListMember]:
    """Take the recipient off the list the email came through; twice changes nothing."""
    dlist, member = unsubscribe_target(session, token=token)
    if member.unsubscribed_at is None:
        member.unsubscribed_at = now or utcnow()
        session.add(member)
        session.flush()
    return dlist, member
