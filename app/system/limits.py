"""Request body limits, enforced while the body arrives rather than after it is all read.

Uploads (multipart) may be as large as `upload_max_bytes` plus the multipart framing; every
other body (JSON, forms) `body_max_bytes`. A declared Content-Length over the limit is
refused before a byte is read; a body without one is counted as it streams in.
"""

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import get_settings
from app.kit.uploads import format_size, too_large

MULTIPART_OVERHEAD_BYTES = 64 * 1024
"""Boundaries, part headers and the small form fields sent beside the file."""


def body_limit(content_type: str) -> tuple[int, str]:
    """The largest body accepted for this content type, and the message when it is larger."""
    settings = get_settings()
    if content_type.lower().startswith("multipart/"):
        return (
            settings.upload_max_bytes + MULTIPART_OVERHEAD_BYTES,
            too_large(settings.upload_max_bytes),
        )
    limit = format_size(settings.body_max_bytes)
    return (
        settings.body_max_bytes,
        f"The request body is larger than {limit}, the limit: send less at once.",
    )


class BodyLimitMiddleware:
    """Refuse with 413 a request body over its limit, without reading the rest of it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        limit, message = body_limit(headers.get("content-type", ""))
        declared = headers.get("content-length", "")
        too_large = declared.isdigit() and int(declared) > limit
        received = 0

        async def limited_receive() -> Message:
            # Raised inside the app, so its error handlers answer (JSON for the API, a page
            # otherwise); FastAPI passes an HTTPException from the body reader through.
            nonlocal received
            if too_large:
                raise HTTPException(413, message)
            event = await receive()
            if event["type"] == "http.request":
                received += len(event.get("body", b""))
                if received > limit:
                    raise HTTPException(413, message)
            return event

        await self.app(scope, limited_receive, send)
