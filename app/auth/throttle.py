"""Sign-in throttling: failed attempts are limited per account and per client address.

Counters live in Redis when the queue does (shared by every web process), else in this
process's memory, which is right for the single-process laptop setup. Only failures count,
so a person who signs in correctly is never slowed down by their own successes.
"""

import time
from functools import cache

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from starlette.requests import Request

from app.config import get_settings
from app.errors import TooManyRequests
from app.mail.addresses import normalize_email

PER_ACCOUNT = parse("10/15minutes")
"""Guessing one person's password: 10 tries, then wait."""
PER_ADDRESS = parse("50/15minutes")
"""Spraying many accounts from one address (an office NAT shares one, hence higher)."""


@cache
def _limiter() -> MovingWindowRateLimiter:
    url = get_settings().queue_url
    storage_url = url if url.startswith(("redis://", "rediss://")) else "memory://"
    return MovingWindowRateLimiter(storage_from_string(storage_url))


def _keys(email: str, address: str) -> list[tuple[RateLimitItem, str]]:
    return [(PER_ACCOUNT, f"account:{normalize_email(email)}"), (PER_ADDRESS, f"ip:{address}")]


def check(email: str, address: str) -> None:
    """Refuse before checking the password when either budget of failures is spent."""
    limiter = _limiter()
    for item, key in _keys(email, address):
        if not limiter.test(item, "storyroom-login", key):
            reset_at = limiter.get_window_stats(item, "storyroom-login", key).reset_time
            wait = max(1, int(reset_at - time.time()))
            minutes = (wait + 59) // 60
            raise TooManyRequests(
                f"Too many failed sign-ins. Try again in {minutes} minute"
                f"{'' if minutes == 1 else 's'}, or ask an admin to reset your password.",
                retry_after=wait,
            )


def failed(email: str, address: str) -> None:
    limiter = _limiter()
    for item, key in _keys(email, address):
        limiter.hit(item, "storyroom-login", key)


def forget_account(email: str) -> None:
    """Forget an account's failed sign-ins (its password was just reset)."""
    item, key = _keys(email, "")[0]
    _limiter().clear(item, "storyroom-login", key)


def spend(namespace: str, budgets: list[tuple[RateLimitItem, str]]) -> int:
    """Count one attempt against each (limit, key) of another throttle (self check-in): 0 when
    all had room, else the seconds until the first spent one has room again (nothing counted)."""
    limiter = _limiter()
    for item, key in budgets:
        if not limiter.test(item, namespace, key):
            reset_at = limiter.get_window_stats(item, namespace, key).reset_time
            return max(1, int(reset_at - time.time()))
    for item, key in budgets:
        limiter.hit(item, namespace, key)
    return 0


def reset() -> None:
    """Forget every counter (tests)."""
    _limiter().storage.reset()


def client_address(request: Request) -> str:
    """The caller's address (the proxy's X-Forwarded-For is applied by uvicorn's proxy_headers)."""
    return request.client.host if request.client else "unknown"
