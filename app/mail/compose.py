"""Which function writes the email for each kind of delivery.

Each domain registers its composers with `@composes(kind)` in its `emails` module, listed in
EMAIL_MODULES so the worker imports them before it sends anything.
"""

import importlib
from collections.abc import Callable
from email.message import EmailMessage

from sqlmodel import Session

from app.models.distribution import Delivery, DeliveryKind

EMAIL_MODULES = ("app.distribution.emails", "app.invitations.emails")

Composer = Callable[[Session, Delivery], EmailMessage]
_COMPOSERS: dict[DeliveryKind, Composer] = {}


def one_line(value: str) -> str:
    """A header value from user text: a title or name with line breaks must not break the
    header (the email package refuses it, so the message could never be sent)."""
    return " ".join(value.split())


def composes(kind: DeliveryKind) -> Callable[[Composer], Composer]:
    def register(function: Composer) -> Composer:
        _COMPOSERS[kind] = function
        return function

    return register


def compose(session: Session, delivery: Delivery) -> EmailMessage:
    """The message for `delivery` without the envelope headers the sender adds
    (From, To, Message-ID, Date): subject, bodies, attachments, Reply-To, List-* headers."""
    if delivery.kind not in _COMPOSERS:
        for module in EMAIL_MODULES:
            importlib.import_module(module)
    return _COMPOSERS[delivery.kind](session, delivery)
