"""Which function writes the email for each kind of delivery, and how every email is written.

Each domain registers its composers with `@composes(kind)` in its `emails` module, listed in
EMAIL_MODULES so the worker imports them before it sends anything. Every composer renders its
bodies with `render_email` (templates/email/<name>.txt and .html, the HTML extending
email/_layout.html) and builds the message with `new_message`.
"""

import importlib
from collections.abc import Callable, Mapping
from email import policy
from email.message import EmailMessage
from typing import Any

from sqlmodel import Session

from app.config import get_settings
from app.models.mail import Delivery, DeliveryKind
from app.templating import env

EMAIL_MODULES = (
    "app.distribution.emails",
    "app.distribution.scorecard_emails",
    "app.invitations.emails",
    "app.commitments.emails",
    "app.follow_ups.emails",
)

Composer = Callable[[Session, Delivery], EmailMessage]
_COMPOSERS: dict[DeliveryKind, Composer] = {}

# Headers stay on one line up to RFC 5322's 998: the stdlib folds a long subject just before an
# encoded word ("—") and leaves a doubled space when unfolded; bodies stay 7-bit for any server.
EMAIL_POLICY = policy.default.clone(max_line_length=998, cte_type="7bit")


def one_line(value: str) -> str:
    """A header value from user text: a title or name with line breaks must not break the
    header (the email package refuses it, so the message could never be sent)."""
    return " ".join(value.split())


def render_email(template: str, context: Mapping[str, Any]) -> tuple[str, str]:
    """The (plain text, HTML) bodies of email/<template>.txt and .html; `company_name` defaults
    to the configured one."""
    context = {"company_name": get_settings().company_name, **context}
    text = env.get_template(f"email/{template}.txt").render(context)
    html = env.get_template(f"email/{template}.html").render(context)
    return text.strip() + "\n", html


def new_message(
    subject: str, text: str, html: str, headers: dict[str, str] | None = None
) -> EmailMessage:
    """A plain-text and HTML message with its subject and extra headers, made safe as headers."""
    message = EmailMessage(policy=EMAIL_POLICY)
    message["Subject"] = one_line(subject)
    for name, value in (headers or {}).items():
        message[name] = one_line(value)
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


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
