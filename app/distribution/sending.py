"""Sending a recap to lists and addresses, and following where it went."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import case
from sqlmodel import Session, col, func, select

from app.audit import service as audit
from app.db import id_of
from app.distribution.lists import get_list
from app.distribution.members import Recipient, recipients
from app.distribution.schemas import DeliveryCounts, DeliveryRead, RecapDeliveries
from app.errors import Conflict, Invalid, NotFound
from app.mail import outbox
from app.mail.addresses import normalize_email
from app.models import (
    Cadence,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    Recap,
    RecapStatus,
    RecapVersion,
    StorySession,
    utcnow,
)
from app.people.service import is_email, person_by_email


def recap_and_version(
    session: Session, *, story_session: StorySession
) -> tuple[Recap | None, RecapVersion | None]:
    """The session's recap and its latest approved version (either may not exist yet)."""
    recap = session.exec(select(Recap).where(Recap.session_id == id_of(story_session))).first()
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
    story_session: StorySession,
    list_ids: Sequence[int],
    extra_emails: Sequence[str] = (),
    now: datetime | None = None,
) -> tuple[RecapVersion, list[Delivery]]:
    """Queue the latest approved recap to every member of these lists and to the extra addresses.

    The deliveries, `version.sent_at` and the recap's `sent` status are written in the caller's
    transaction; `enqueue` has the mail worker start once it commits. Recipients who already
    have this version are not queued again. A version without its PDF yet has it rendered
    once this commits; its recaps are sent when it is stored. Each delivery keeps the acting
    user's address as `sent_by`.
    """
    from app.recaps.tasks import schedule_pdf

    now = now or utcnow()
    recap, version = recap_and_version(session, story_session=story_session)
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
    people: list[Recipient] = recipients(session, lists=lists)
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
    actor = audit.actor_of(session)
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
                session_id=id_of(story_session),
                payload={"sent_by": actor.label} if actor.user_id is not None else {},
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


def recap_deliveries(session: Session, *, story_session: StorySession) -> RecapDeliveries:
    """Every recipient of every sent version of this session's recap, failed ones first."""
    recap, version = recap_and_version(session, story_session=story_session)
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
        session_id=id_of(story_session),
        version=version.number if version else None,
        sent_at=version.sent_at if version else None,
        counts=counts,
        items=[DeliveryRead.model_validate(row.model_dump()) for row in rows],
    )


def resend(session: Session, *, story_session: StorySession, delivery_id: int | None = None) -> int:
    """Queue failed recap deliveries of this session again (all, or one); return how many."""
    if delivery_id is not None:
        delivery = recap_delivery(session, story_session=story_session, delivery_id=delivery_id)
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
                    Delivery.session_id == id_of(story_session),
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


def recap_delivery(session: Session, *, story_session: StorySession, delivery_id: int) -> Delivery:
    """One delivery of this session's recap, or 404."""
    delivery = session.get(Delivery, delivery_id)
    if (
        delivery is None
        or delivery.kind is not DeliveryKind.recap
        or delivery.session_id != id_of(story_session)
    ):
        raise NotFound(f"There is no recap delivery with id {delivery_id} for this session.")
    return delivery
