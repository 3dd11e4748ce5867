"""A real SMTP server on loopback (aiosmtpd) that can be told to misbehave, and a test composer.

The sender's tests go through real sockets: the server refuses connections when stopped,
answers 421 or 5xx when told to, rejects chosen recipients with 550, and can require AUTH
and TLS.
"""

import asyncio
import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import Engine, delete
from sqlmodel import Session

from app import db as app_db
from app.config import get_settings
from app.mail import compose
from app.models import Delivery, DeliveryKind
from tests.mail.support import compose_test_message


@pytest.fixture(autouse=True)
def test_composer(monkeypatch: pytest.MonkeyPatch) -> None:
    """Recap deliveries are written by the test composer, not the distribution domain's."""
    monkeypatch.setitem(compose._COMPOSERS, DeliveryKind.recap, compose_test_message)


@dataclass
class Received:
    rcpt_tos: list[str]
    message: EmailMessage
    peer: tuple[str, int]
    """The client's address: one per connection."""


@dataclass
class SmtpServer:
    """An aiosmtpd server on loopback that keeps what it accepts; behaviour set per test."""

    host: str = "127.0.0.1"
    port: int = 0
    received: list[Received] = field(default_factory=list)
    reject: dict[str, str] = field(default_factory=dict)
    """Recipient → the reply to RCPT TO (e.g. "550 5.1.1 No such user")."""
    rcpt_reply: str | None = None
    """Reply to every RCPT TO instead of accepting (e.g. "421 4.3.2 Try again later")."""
    data_reply: str | None = None
    """Reply to every DATA instead of accepting (e.g. "554 5.6.0 Message rejected")."""
    delay: float = 0.0
    """Seconds to wait before accepting each message (after keeping it)."""
    controller_options: dict[str, Any] = field(default_factory=dict)
    _controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(
            self, hostname=self.host, port=self.port, **self.controller_options
        )
        self._controller.start()

    def stop(self) -> None:
        """Close the server and its connections: clients now get "connection refused"."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def url(self, scheme: str = "smtp", credentials: str = "") -> str:
        return f"{scheme}://{credentials}{self.host}:{self.port}"

    def recipients(self) -> list[str]:
        return [address for item in self.received for address in item.rcpt_tos]

    async def handle_RCPT(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.reject:
            return self.reject[address]
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.data_reply:
            return self.data_reply
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        # Kept before the pause: a client killed now has been "accepted" without knowing it.
        self.received.append(Received(list(envelope.rcpt_tos), message, session.peer))
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer(port=free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def smtp_settings(smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> SmtpServer:
    """The app's STORYROOM_SMTP_URL points at the loopback server."""
    monkeypatch.setattr(get_settings(), "smtp_url", smtp.url())
    return smtp


def accept_mailer(
    server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
) -> AuthResult:
    assert isinstance(auth_data, LoginPassword)
    ok = (auth_data.login, auth_data.password) == (b"mailer@example.com", b"p@ss:w/rd")
    # handled=False: aiosmtpd answers 535 itself.
    return AuthResult(success=ok, handled=False)


@dataclass
class Certificate:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, self.key)
        return context

    def client_context(self) -> ssl.SSLContext:
        """A client that trusts this certificate only (and checks the host name)."""
        return ssl.create_default_context(cafile=str(self.cert))


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    """A self-signed certificate for 127.0.0.1, made with the openssl command."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed; TLS is covered by the URL tests only")
    directory = tmp_path_factory.mktemp("tls")
    certificate = Certificate(directory / "cert.pem", directory / "key.pem")
    subprocess.run(
        [
            openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", str(certificate.key), "-out", str(certificate.cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return certificate


@pytest.fixture
def committed(engine: Engine) -> Iterator[Engine]:
    """The test database with real commits (for other threads and processes to see).

    Not combined with `db`, whose open transaction would hold SQLite's write lock; the
    deliveries written are deleted afterwards.
    """
    app_db.bind_sessions(None)
    try:
        yield engine
    finally:
        with Session(engine) as session:
            session.execute(delete(Delivery))
            session.commit()
