"""Signed links in a recipient's email: their online recap and its PDF, and unsubscribing."""

from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.config import get_settings
from app.errors import Conflict, NotFound
from app.kit.signing import sign, unsign, unsign_with_expiry
from app.models import Delivery, DistributionList, ListMember, RecapVersion, RenderedPdf, utcnow

RECAP_LINK_PURPOSE = "recap"
# The recap page's own token for reporting a read: no link in an email carries it.
RECAP_READ_PURPOSE = "recap-read"
UNSUBSCRIBE_PURPOSE = "unsubscribe"
# Opting out must keep working long after the email arrived (RFC 8058 mail sits in inboxes).
UNSUBSCRIBE_LINK_DAYS = 5 * 365


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
    version = (
        session.get(RecapVersion, delivery.recap_version_id) if delivery.recap_version_id else None
    )
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
) -> tuple[Delivery, RecapVersion, RenderedPdf | None]:
    """The PDF a recipient downloads from their page (None while it is being made); pressing
    the button counts the recap as read."""
    from app.recaps.render import pdf_for_version

    delivery = _delivery_for(session, RECAP_READ_PURPOSE, token)
    version = _recap_version(session, delivery)
    return _mark_read(session, delivery, now), version, pdf_for_version(session, version)


def waiting_recap_pdf(session: Session, *, token: str) -> tuple[RecapVersion, RenderedPdf | None]:
    """The PDF a recipient's waiting page asks for again (the read was counted by the button)."""
    from app.recaps.render import pdf_for_version

    version = _recap_version(session, _delivery_for(session, RECAP_READ_PURPOSE, token))
    return version, pdf_for_version(session, version)


def member_for(session: Session, *, delivery: Delivery) -> tuple[DistributionList, ListMember]:
    """The list and membership a delivery was sent through."""
    dlist = session.get(DistributionList, delivery.list_id) if delivery.list_id else None
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
    delivery = _delivery_for(session, UNSUBSCRIBE_PURPOSE, token)
    dlist, member = member_for(session, delivery=delivery)
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
