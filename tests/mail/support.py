"""Delivery rows and a composer for the mail tests (also used by the worker subprocess)."""

from email.message import EmailMessage
from typing import Any

from sqlmodel import Session, col, select

from app.mail import outbox
from app.models import Delivery, DeliveryKind

ATTACHMENT = bytes(range(256)) * 64
"""The bytes every test message carries as its PDF (binary, so any re-encoding shows)."""


def compose_test_message(session: Session, delivery: Delivery) -> EmailMessage:
    """What a domain composer returns: subject, bodies, an attachment; no envelope headers."""
    if delivery.payload.get("explode"):
        raise RuntimeError(delivery.payload["explode"])
    message = EmailMessage()
    message["Subject"] = f"Recap for {delivery.to_name or delivery.to_email}"
    message["Reply-To"] = "organizer@example.com"
    message.set_content("What the customer said.\n")
    message.add_alternative("<p>What the customer said.</p>", subtype="html")
    message.add_attachment(ATTACHMENT, maintype="application", subtype="pdf", filename="recap.pdf")
    return message


def queue(session: Session, *emails: str, **fields: Any) -> list[Delivery]:
    """One queued recap delivery per address (named after its local part), via the outbox."""
    return outbox.enqueue(
        session,
        [
            Delivery(
                kind=DeliveryKind.recap,
                dedup_key=f"test:{email.lower()}",
                to_email=email,
                to_name=email.split("@")[0].title(),
                **fields,
            )
            for email in emails
        ],
    )


def reload(session: Session, deliveries: list[Delivery]) -> list[Delivery]:
    """The rows as the database has them now, in the same order."""
    ids = [delivery.id for delivery in deliveries]
    rows = session.exec(
        select(Delivery).where(col(Delivery.id).in_(ids)).execution_options(populate_existing=True)
    ).all()
    by_id = {row.id: row for row in rows}
    return [by_id[delivery_id] for delivery_id in ids]
