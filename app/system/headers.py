"""Security headers on every response: a strict Content-Security-Policy and friends."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import get_settings
from app.deps import SESSION_USER_KEY

# No inline scripts or styles anywhere, so nothing needs 'unsafe-inline'.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
STATIC_PREFIX = "/static/"
"""Files that are the same for everyone: the only responses a cache may keep by default."""


def _authenticated(scope: Scope) -> bool:
    # SessionMiddleware, inside this one, has put the session into the same scope by now.
    session = scope.get("session") or {}
    return SESSION_USER_KEY in session or any(
        name.lower() == b"authorization" for name, _ in scope["headers"]
    )


class SecurityHeadersMiddleware:
    """Adds the headers a response has not set itself (a page may set a wider CSP).

    Nothing but a static file is stored by a cache unless its route says so, and nothing
    answered to a signed-in user or a bearer token ever is: pages, API answers and a new
    token's secret hold personal data.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.headers = [
            (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            # Signed links carry their token in the path: never send it to another site.
            (b"referrer-policy", b"same-origin"),
        ]
        if get_settings().secure_cookies:
            self.headers.append((b"strict-transport-security", b"max-age=31536000"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        dynamic = not scope["path"].startswith(STATIC_PREFIX)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if dynamic and _authenticated(scope):
                    headers = [(n, v) for n, v in headers if n.lower() != b"cache-control"]
                present = {name.lower() for name, _ in headers}
                extra = [(n, v) for n, v in self.headers if n not in present]
                if dynamic and b"cache-control" not in present:
                    extra.append((b"cache-control", b"no-store"))
                message["headers"] = [*headers, *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)
