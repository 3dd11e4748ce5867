"""Sending a recap to lists and addresses, and following where it went."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import uuid4

from sqlalchemy import case
from sqlmodel import Session, col, func, select

from app.audit import service as audit
from app.db import id_of
from app.distribution.lists import get_list, series_list_ids
from app.distribution.members import Recipient, recipients
from app.distribution.schemas import (
    DeliveryCounts,
    DeliveryRead,
    RecapDeliveries,
    ScheduledSendRead,
)
from app.errors import AppError, Conflict, Invalid, NotFound
from app.kit.words import counted
from app.mail import outbox
from app.mail.addresses import normalize_email
from app.models import (
    Cadence,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    DistributionList,
    Recap,
    RecapStatus,
    RecapVersion,
    ScheduledSend,
    StorySession,
    User,
    utcnow,
)
from app.people.service import is_email, person_by_email
from app.templating import local_datetime


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


@dataclass(frozen=True)
class SendPlan:
    """Who a send would reach, worked out before anything is written: shown, then sent."""

    recap: Recap
    version: RecapVersion
    lists: list[DistributionList]
    recipients: list[Recipient]
    """One per address (lower-case), the list it first came through; extras last."""
    extra: int
    """Addresses typed for this recap only that no chosen list already reaches."""
    already: int
    """Recipients who already have this version: they are not sent it again."""

    @property
    def on_lists(self) -> int:
        return len(self.recipients) - self.extra

    def summary(self) -> str:
        """e.g. "This recap goes to 11 people on “Operating committee” and 2 more addresses."."""
        text = audience_summary(self.lists, self.on_lists, self.extra)
        if self.already:
            text += (
                f" {self.already} of them already "
                f"{'has' if self.already == 1 else 'have'} version {self.version.number}"
                " and will not get it again."
            )
        return text


def audience_summary(lists: Sequence[DistributionList], on_lists: int, extra: int = 0) -> str:
    """Who a recap goes to, in words, e.g. "This recap goes to 11 people on “A” and 2 more
    addresses."."""
    parts = []
    if lists:
        names = [f"“{dlist.name}”" for dlist in lists]
        on = names[-1] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
        parts.append(f"{counted(on_lists, 'person', 'people')} on {on}")
    if extra:
        more = "more " if lists else ""
        parts.append(f"{extra} {more}address{'' if extra == 1 else 'es'}")
    if not parts:
        return "This recap goes to nobody yet."
    return f"This recap goes to {' and '.join(parts)}."


@dataclass(frozen=True)
class Audience:
    """Who a session's recap goes to by default: its series' lists that get every recap."""

    lists: list[DistributionList]
    recipients: list[Recipient]

    def summary(self) -> str:
        return audience_summary(self.lists, len(self.recipients))


def default_audience(session: Session, *, story_session: StorySession) -> Audience:
    """The lists the send page ticks for this session (its series' every-recap lists) and who
    is on them now, each address once."""
    ids = (
        series_list_ids(session, series_id=story_session.series_id)
        if story_session.series_id
        else []
    )
    chosen = [
        dlist
        for dlist in (get_list(session, list_id=list_id) for list_id in ids)
        if dlist.cadence is Cadence.every_recap
    ]
    return Audience(chosen, _distinct(recipients(session, lists=chosen)))


def _distinct(people: Sequence[Recipient]) -> list[Recipient]:
    found: dict[str, Recipient] = {}
    for person in people:
        found.setdefault(normalize_email(person.email), person)
    return list(found.values())


def _approved(session: Session, story_session: StorySession) -> tuple[Recap, RecapVersion]:
    recap, version = recap_and_version(session, story_session=story_session)
    if recap is None or version is None:
        raise Conflict("This session's recap has not been approved yet: approve it, then send it.")
    if recap.status is RecapStatus.draft:
        raise Conflict(
            f"The recap has changes since version {version.number} was approved: approve them "
            "(or discard them) before sending, so recipients get what you see."
        )
    return recap, version


def _dedup_key(version: RecapVersion, email: str) -> str:
    return f"recap:{version.id}:{normalize_email(email)}"


def plan_send(
    session: Session,
    *,
    story_session: StorySession,
    list_ids: Sequence[int],
    extra_emails: Sequence[str] = (),
) -> SendPlan:
    """Who sending the latest approved recap to these lists and addresses would reach.

    Refuses what sending would refuse (no approved version, unapproved changes, a digest list,
    a bad address, nobody to send to); writes nothing.
    """
    recap, version = _approved(session, story_session)
    lists = [get_list(session, list_id=list_id) for list_id in dict.fromkeys(list_ids)]
    digests = [dlist.name for dlist in lists if dlist.cadence is not Cadence.every_recap]
    if digests:
        raise Invalid(
            f"{', '.join(repr(name) for name in digests)} receive recaps in a digest, not one by "
            "one: leave them out (their next digest will include this recap)."
        )
    bad = [email for email in extra_emails if not is_email(normalize_email(email))]
    if bad:
        raise Invalid(f"Not an email address: {', '.join(repr(email) for email in bad)}.")
    found = {
        normalize_email(person.email): person
        for person in _distinct(recipients(session, lists=lists))
    }
    on_lists = len(found)
    for raw in extra_emails:
        email = normalize_email(raw)
        if email not in found:
            known = person_by_email(session, email)
            found[email] = Recipient(
                email, known.name if known else "", known.id if known else None, None
            )
    if not found:
        raise Invalid(
            "Nobody to send to: choose a list with members, or add an address."
            if not lists
            else "These lists have no subscribed members: add members or another address."
        )
    keys = [_dedup_key(version, email) for email in found]
    already = 0
    for start in range(0, len(keys), 500):
        already += session.exec(
            select(func.count()).where(col(Delivery.dedup_key).in_(keys[start : start + 500]))
        ).one()
    return SendPlan(
        recap=recap,
        version=version,
        lists=lists,
        recipients=list(found.values()),
        extra=len(found) - on_lists,
        already=already,
    )


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
    plan = plan_send(
        session, story_session=story_session, list_ids=list_ids, extra_emails=extra_emails
    )
    return plan.version, send_planned(session, story_session=story_session, plan=plan, now=now)


def send_planned(
    session: Session, *, story_session: StorySession, plan: SendPlan, now: datetime | None = None
) -> list[Delivery]:
    """Queue the recap to the recipients of `plan` (see `send_recap`); the new deliveries."""
    from app.recaps.tasks import schedule_pdf

    now = now or utcnow()
    recap, version = plan.recap, plan.version
    actor = audit.actor_of(session)
    added = outbox.enqueue(
        session,
        (
            Delivery(
                kind=DeliveryKind.recap,
                dedup_key=_dedup_key(version, person.email),
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
            for person in plan.recipients
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
    to = [f"“{dlist.name}”" for dlist in plan.lists]
    if plan.extra:
        to.append(f"{plan.extra} more address{'' if plan.extra == 1 else 'es'}")
    audit.record(
        session,
        action="sent",
        entity="recap",
        entity_id=recap.id,
        summary=f"Sent version {version.number} of the recap of “{story_session.title}” to "
        f"{len(added)} new recipients ({', '.join(to)})",
        changes={"recipients": [None, len(added)]},
    )
    return added


def send_test(
    session: Session, *, story_session: StorySession, now: datetime | None = None
) -> Delivery:
    """Queue the recap email to the acting user alone, its subject marked "[Test]".

    It goes through the outbox like any email, but as a delivery of its own kind: it is not a
    delivery to the recipients, and the recap is not marked sent.
    """
    from app.recaps.tasks import schedule_pdf

    now = now or utcnow()
    actor = audit.actor_of(session)
    user = session.get(User, actor.user_id) if actor.user_id is not None else None
    if user is None:
        raise Invalid("A test goes to the signed-in user's own address: sign in to send one.")
    recap, version = _approved(session, story_session)
    (delivery,) = outbox.enqueue(
        session,
        [
            Delivery(
                kind=DeliveryKind.recap_test,
                # Every test is a message of its own: the second one is sent too.
                dedup_key=f"recap-test:{version.id}:{normalize_email(user.email)}:{uuid4().hex}",
                to_email=user.email,
                to_name=user.name,
                recap_version_id=version.id,
                session_id=id_of(story_session),
                payload={"sent_by": actor.label},
                next_attempt_at=now,
                created_at=now,
            )
        ],
    )
    if version.pdf_id is None:
        schedule_pdf(session, version)
    audit.record(
        session,
        action="sent",
        entity="recap",
        entity_id=recap.id,
        summary=f"Sent a test of version {version.number} of the recap of "
        f"“{story_session.title}” to {delivery.to_email}",
    )
    return delivery


# -- scheduled sends -------------------------------------------------------------------------


def scheduled_send(session: Session, *, story_session: StorySession) -> ScheduledSend | None:
    """The session's send waiting for its time (or that could not go out), if any."""
    return session.exec(
        select(ScheduledSend)
        .where(
            ScheduledSend.session_id == id_of(story_session),
            col(ScheduledSend.sent_at).is_(None),
            col(ScheduledSend.cancelled_at).is_(None),
        )
        .order_by(col(ScheduledSend.id).desc())
    ).first()


def schedule_send(
    session: Session,
    *,
    story_session: StorySession,
    list_ids: Sequence[int],
    extra_emails: Sequence[str] = (),
    send_at: datetime,
    now: datetime | None = None,
) -> ScheduledSend:
    """Keep a send for `send_at` (a future instant); the worker sends it when it is due.

    What would be refused now is refused now; the lists are read again when it goes out.
    """
    now = now or utcnow()
    if send_at.tzinfo is None:
        raise Invalid("“Send at” needs a time zone (an offset such as +01:00, or Z for UTC).")
    when = local_datetime(send_at, story_session.timezone)
    if send_at <= now:
        raise Invalid(
            f"“Send at” must be in the future: {when} ({story_session.timezone}) has passed. "
            "Choose a later time, or send now."
        )
    plan = plan_send(
        session, story_session=story_session, list_ids=list_ids, extra_emails=extra_emails
    )
    waiting = scheduled_send(session, story_session=story_session)
    if waiting is not None and not waiting.error:
        raise Conflict(
            "A send is already scheduled for "
            f"{local_datetime(waiting.send_at, story_session.timezone)} "
            f"({story_session.timezone}): cancel it first, then schedule another."
        )
    if waiting is not None:  # one that could not go out: this one replaces it
        waiting.cancelled_at = now
        session.add(waiting)
    actor = audit.actor_of(session)
    scheduled = ScheduledSend(
        session_id=id_of(story_session),
        list_ids=[id_of(dlist) for dlist in plan.lists],
        extra_emails=list(dict.fromkeys(normalize_email(email) for email in extra_emails)),
        send_at=send_at,
        scheduled_by_id=actor.user_id,
        created_at=now,
    )
    session.add(scheduled)
    session.flush()
    audit.record(
        session,
        action="scheduled",
        entity="recap",
        entity_id=plan.recap.id,
        summary=f"Scheduled version {plan.version.number} of the recap of "
        f"“{story_session.title}” to be sent {when} ({story_session.timezone})",
    )
    return scheduled


def cancel_scheduled_send(
    session: Session, *, story_session: StorySession, now: datetime | None = None
) -> ScheduledSend:
    """Cancel the session's scheduled send (or dismiss one that could not go out)."""
    scheduled = scheduled_send(session, story_session=story_session)
    if scheduled is None:
        raise NotFound("This recap has no scheduled send: there is nothing to cancel.")
    scheduled.cancelled_at = now or utcnow()
    session.add(scheduled)
    session.flush()
    recap, _version = recap_and_version(session, story_session=story_session)
    audit.record(
        session,
        action="cancelled",
        entity="recap",
        entity_id=recap.id if recap else None,
        summary=f"Cancelled the send of the recap of “{story_session.title}” scheduled for "
        f"{local_datetime(scheduled.send_at, story_session.timezone)} ({story_session.timezone})",
    )
    return scheduled


def due_scheduled_sends(session: Session, *, now: datetime) -> list[int]:
    """The ids of the scheduled sends whose time has come."""
    return [
        scheduled_id
        for scheduled_id in session.exec(
            select(ScheduledSend.id)
            .where(
                col(ScheduledSend.sent_at).is_(None),
                col(ScheduledSend.cancelled_at).is_(None),
                ScheduledSend.error == "",
                col(ScheduledSend.send_at) <= now,
            )
            .order_by(col(ScheduledSend.send_at), col(ScheduledSend.id))
        )
        if scheduled_id is not None
    ]


def send_scheduled(
    session: Session, *, scheduled: ScheduledSend, now: datetime | None = None
) -> list[Delivery]:
    """Send a due scheduled send; a refusal (say, unapproved changes) is kept on it, not raised.

    Sends as whoever is acting (the worker acts as the user who scheduled it).
    """
    now = now or utcnow()
    # Lock it (PostgreSQL) and look again: two workers must not both send it.
    session.refresh(scheduled, with_for_update=True)
    if scheduled.sent_at is not None or scheduled.cancelled_at is not None or scheduled.error:
        return []
    story_session = session.get(StorySession, scheduled.session_id)
    if story_session is None:  # pragma: no cover - the row goes with its session
        return []
    try:
        with session.begin_nested():
            _version, added = send_recap(
                session,
                story_session=story_session,
                list_ids=scheduled.list_ids,
                extra_emails=scheduled.extra_emails,
                now=now,
            )
    except AppError as exc:
        scheduled.error = f"Not sent at the scheduled time: {exc.detail}"[:1000]
        added = []
    else:
        scheduled.sent_at = now
    session.add(scheduled)
    session.flush()
    return added


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
    scheduled = scheduled_send(session, story_session=story_session)
    return RecapDeliveries(
        session_id=id_of(story_session),
        version=version.number if version else None,
        sent_at=version.sent_at if version else None,
        counts=counts,
        items=[DeliveryRead.model_validate(row.model_dump()) for row in rows],
        scheduled=ScheduledSendRead.model_validate(scheduled.model_dump()) if scheduled else None,
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
