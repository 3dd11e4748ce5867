"""Where composed messages go: an SMTP server (plain, STARTTLS or TLS), or `.eml` files.

`STORYROOM_SMTP_URL` picks the transport; empty writes each message to the outbox folder, so
the whole flow works on a laptop with no mail server. Both raise `SendError`, which says
whether trying again later can help.
"""

import logging
import os
import re
import smtplib
import ssl
import tempfile
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Literal, Protocol
from urllib.parse import unquote, urlsplit

from app.config import Settings

log = logging.getLogger(__name__)

Security = Literal["plain", "starttls", "tls"]
SCHEMES: dict[str, tuple[Security, int]] = {
    "smtp": ("plain", 25),
    "smtp+starttls": ("starttls", 587),
    "smtps": ("tls", 465),
}


class SendError(Exception):
    """The message was not accepted.

    `permanent`: the server said no for good (5xx); trying again will not help.
    `connection`: the server could not be reached or the session broke, so every other
    message of the batch would fail the same way.
    """

    def __init__(self, reason: str, *, permanent: bool = False, connection: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.connection = connection


class Transport(Protocol):
    def send(self, message: EmailMessage, *, sender: str, recipient: str) -> None:
        """Hand one message over; return only once it has been accepted, else raise SendError."""

    def close(self) -> None: ...


@dataclass(frozen=True)
class SmtpConfig:
    security: Security
    host: str
    port: int
    username: str = ""
    password: str = field(default="", repr=False)


def parse_smtp_url(url: str) -> SmtpConfig:
    """Read `smtp://host:port`, `smtp+starttls://user:pass@host:587` or `smtps://…@host:465`.

    Credentials are URL-decoded, so a password with `@` or `:` is written `%40`, `%3A`.
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in SCHEMES:
        raise ValueError(
            "STORYROOM_SMTP_URL must start with smtp://, smtp+starttls:// or smtps://, "
            f"not {parts.scheme or '(none)'}://"
        )
    if not parts.hostname:
        raise ValueError("STORYROOM_SMTP_URL names no host, e.g. smtp+starttls://user:pass@host")
    security, default_port = SCHEMES[parts.scheme]
    return SmtpConfig(
        security=security,
        host=parts.hostname,
        port=parts.port or default_port,
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
    )


class SmtpTransport:
    """One SMTP connection, opened on the first message and reused for the batch.

    A reused connection the server has since closed is reopened once; a fresh one that
    fails is a connection error for the whole batch.
    """

    def __init__(
        self, config: SmtpConfig, *, timeout: float, ssl_context: ssl.SSLContext | None = None
    ) -> None:
        self.config = config
        self.timeout = timeout
        # The default context verifies the server against the system CAs (or SSL_CERT_FILE).
        self.ssl_context = ssl_context or ssl.create_default_context()
        self._smtp: smtplib.SMTP | None = None

    def _open(self) -> smtplib.SMTP:
        config = self.config
        smtp: smtplib.SMTP
        if config.security == "tls":
            smtp = smtplib.SMTP_SSL(
                config.host, config.port, timeout=self.timeout, context=self.ssl_context
            )
        else:
            smtp = smtplib.SMTP(config.host, config.port, timeout=self.timeout)
        try:
            if config.security == "starttls":
                smtp.starttls(context=self.ssl_context)
            if config.username:
                smtp.login(config.username, config.password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, message: EmailMessage, *, sender: str, recipient: str) -> None:
        while True:
            fresh = self._smtp is None
            try:
                if self._smtp is None:
                    self._smtp = self._open()
                self._smtp.send_message(message, from_addr=sender, to_addrs=[recipient])
                return
            except smtplib.SMTPServerDisconnected as exc:
                self._drop()
                if fresh:
                    raise SendError(self._describe(exc), connection=True) from exc
                # The server closed an idle connection: open a new one and send again.
            except smtplib.SMTPRecipientsRefused as exc:
                code, reply = next(iter(exc.recipients.values()))
                raise self._refused(code, reply) from exc
            except smtplib.SMTPResponseException as exc:
                if isinstance(
                    exc,
                    smtplib.SMTPAuthenticationError
                    | smtplib.SMTPConnectError
                    | smtplib.SMTPHeloError,
                ):
                    # The server's configuration or ours, not this message: retry later.
                    self._drop()
                    raise SendError(_reply(exc.smtp_code, exc.smtp_error), connection=True) from exc
                raise self._refused(exc.smtp_code, exc.smtp_error) from exc
            except (OSError, smtplib.SMTPException) as exc:
                # Refused connections, timeouts, TLS failures, STARTTLS or AUTH not offered.
                self._drop()
                raise SendError(self._describe(exc), connection=True) from exc

    def _describe(self, exc: BaseException) -> str:
        text = str(exc) or type(exc).__name__
        return f"Could not talk to the SMTP server {self.config.host}:{self.config.port}: {text}"

    def _refused(self, code: int, reply: bytes | str) -> SendError:
        if code == 421:  # "closing the channel": the server is going away
            self._drop()
            return SendError(_reply(code, reply), connection=True)
        return SendError(_reply(code, reply), permanent=500 <= code < 600)

    def _drop(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            smtp.close()

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()


class OutboxTransport:
    """Write each message as `<Message-ID>.eml` to a folder (the default, for laptops and demos).

    Written to a temporary file and renamed, so a reader never sees half a message; the same
    message written twice replaces itself.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def send(self, message: EmailMessage, *, sender: str, recipient: str) -> None:
        name = outbox_file_name(message["Message-ID"] or "")
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            data = message.as_bytes(policy=policy.SMTP)
            descriptor, temporary = tempfile.mkstemp(dir=self.directory, prefix=".", suffix=".tmp")
            try:
                with os.fdopen(descriptor, "wb") as file:
                    file.write(data)
                os.replace(temporary, self.directory / name)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise SendError(f"Could not write to the outbox {self.directory}: {exc}") from exc

    def close(self) -> None:
        pass


def outbox_file_name(message_id: str) -> str:
    """`<12.ab@example.com>` → `12.ab@example.com.eml` (anything unsafe in a path becomes `_`)."""
    stem = re.sub(r"[^A-Za-z0-9._@+-]", "_", message_id.strip().strip("<>")).lstrip(".")
    if not stem:
        raise SendError("The message has no Message-ID to name its outbox file.", permanent=True)
    return f"{stem}.eml"


def transport_for(settings: Settings) -> Transport:
    """The transport STORYROOM_SMTP_URL asks for, or the `.eml` outbox when it is empty."""
    if not settings.smtp_url.strip():
        return OutboxTransport(settings.outbox_dir)
    return SmtpTransport(parse_smtp_url(settings.smtp_url), timeout=settings.mail_timeout_seconds)


def _reply(code: int, reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return f"{code} {' '.join(text.split())}"
