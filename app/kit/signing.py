"""Signed, expiring links: the signature is the authorization, bound to one purpose."""

import hmac
from datetime import UTC, datetime
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer

from app.config import get_settings
from app.errors import AppError
from app.models import utcnow


def same_secret(given: str | None, expected: str | None) -> bool:
    """Constant-time comparison of two secrets; missing values never match."""
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


class LinkError(AppError):
    status_code = 403


def _serializer(purpose: str) -> URLSafeSerializer:
    # The purpose is the salt: a token made for one purpose never verifies for another.
    return URLSafeSerializer(get_settings().secret_key, salt=f"storyroom:{purpose}")


def sign(purpose: str, payload: Any, *, expires_at: datetime) -> str:
    """A token carrying `payload` for `purpose`, valid until `expires_at`."""
    return _serializer(purpose).dumps({"p": payload, "exp": int(expires_at.timestamp())})


def unsign(purpose: str, token: str) -> Any:
    """The payload of a valid, unexpired token for `purpose`, or a LinkError a person can act on."""
    return unsign_with_expiry(purpose, token)[0]


def unsign_with_expiry(purpose: str, token: str) -> tuple[Any, datetime]:
    """The payload of a valid token for `purpose` and when it expires (see `unsign`)."""
    try:
        content = _serializer(purpose).loads(token)
    except BadSignature:
        raise LinkError("This link is not valid. Check that you copied all of it.") from None
    if not isinstance(content, dict) or content.get("exp", 0) < utcnow().timestamp():
        raise LinkError("This link has expired. Ask the organizer for a new one.")
    return content.get("p"), datetime.fromtimestamp(content["exp"], UTC)
