"""Transports on their own: SMTP URLs, TLS and AUTH against a real server, the .eml outbox."""

from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from app.config import get_settings
from app.mail.transport import (
    OutboxTransport,
    SendError,
    SmtpConfig,
    SmtpTransport,
    parse_smtp_url,
    transport_for,
)
from tests.mail.conftest import (
    Certificate,
    SmtpServer,
    accept_mailer,
    free_port,
)

CREDENTIALS = "mailer%40example.com:p%40ss%3Aw%2Frd@"


def _message(message_id: str = "<1.abc@example.com>") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Storyroom <storyroom@example.com>"
    message["To"] = "ceo@example.com"
    message["Subject"] = "Recap"
    message["Message-ID"] = message_id
    message.set_content("Hello\n")
    return message


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://127.0.0.1:2525", SmtpConfig("plain", "127.0.0.1", 2525)),
        ("smtp://mail.internal", SmtpConfig("plain", "mail.internal", 25)),
        (
            f"smtp+starttls://{CREDENTIALS}smtp.example.com:587",
            SmtpConfig("starttls", "smtp.example.com", 587, "mailer@example.com", "p@ss:w/rd"),
        ),
        (
            "smtp+starttls://apikey:s3cret@smtp.example.com",
            SmtpConfig("starttls", "smtp.example.com", 587, "apikey", "s3cret"),
        ),
        (
            "smtps://u:p@smtp.example.com",
            SmtpConfig("tls", "smtp.example.com", 465, "u", "p"),
        ),
    ],
)
def test_parse_smtp_url(url: str, expected: SmtpConfig) -> None:
    assert parse_smtp_url(url) == expected


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://mail.example.com", "must start with smtp://, smtp\\+starttls:// or smtps://"),
        ("mail.example.com:25", "must start with"),
        ("smtp://", "names no host"),
    ],
)
def test_parse_smtp_url_refuses_what_it_cannot_use(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_smtp_url(url)


def test_smtp_config_never_shows_the_password() -> None:
    assert "s3cret" not in repr(parse_smtp_url("smtps://u:s3cret@smtp.example.com"))


def test_transport_for_picks_smtp_or_the_outbox(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = get_settings()
    monkeypatch.setattr(settings, "smtp_url", "")
    outbox = transport_for(settings)
    assert isinstance(outbox, OutboxTransport)
    assert outbox.directory == settings.var_dir / "outbox"
    monkeypatch.setattr(settings, "smtp_url", "smtps://u:p@smtp.example.com")
    smtp = transport_for(settings)
    assert isinstance(smtp, SmtpTransport)
    assert smtp.config.security == "tls"
    assert smtp.timeout == settings.mail_timeout_seconds


def test_outbox_writes_one_eml_file_per_message_atomically(tmp_path: Path) -> None:
    transport = OutboxTransport(tmp_path / "outbox")
    transport.send(_message(), sender="storyroom@example.com", recipient="ceo@example.com")
    transport.send(_message(), sender="storyroom@example.com", recipient="ceo@example.com")
    transport.send(_message("<2/../x@example.com>"), sender="s@example.com", recipient="c@x.com")

    # The same message written again replaces its file; no temporary file is left behind.
    assert sorted(path.name for path in (tmp_path / "outbox").iterdir()) == [
        "1.abc@example.com.eml",
        "2_.._x@example.com.eml",
    ]
    data = (tmp_path / "outbox" / "1.abc@example.com.eml").read_bytes()
    assert b"\r\n" in data
    parsed = message_from_bytes(data, policy=policy.default)
    assert (parsed["Message-ID"], parsed["Subject"]) == ("<1.abc@example.com>", "Recap")


def test_outbox_that_cannot_be_written_is_a_transient_error(tmp_path: Path) -> None:
    blocker = tmp_path / "outbox"
    blocker.write_text("a file where the folder should be")
    with pytest.raises(SendError) as caught:
        OutboxTransport(blocker).send(_message(), sender="s@example.com", recipient="c@x.com")
    assert not caught.value.permanent
    assert str(blocker) in caught.value.reason


def _serve(**options: object) -> SmtpServer:
    server = SmtpServer(port=free_port(), controller_options=dict(options))
    server.start()
    return server


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_plain_smtp_with_authentication() -> None:
    server = _serve(authenticator=accept_mailer, auth_require_tls=False, auth_required=True)
    try:
        transport = SmtpTransport(parse_smtp_url(server.url("smtp", CREDENTIALS)), timeout=5)
        transport.send(_message(), sender="storyroom@example.com", recipient="ceo@example.com")
        transport.close()
    finally:
        server.stop()
    assert server.recipients() == ["ceo@example.com"]


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_wrong_password_is_transient_so_the_operator_can_fix_it() -> None:
    server = _serve(authenticator=accept_mailer, auth_require_tls=False, auth_required=True)
    try:
        transport = SmtpTransport(parse_smtp_url(server.url("smtp", "u:wrong@")), timeout=5)
        with pytest.raises(SendError) as caught:
            transport.send(_message(), sender="s@example.com", recipient="c@example.com")
    finally:
        server.stop()
    assert (caught.value.permanent, caught.value.connection) == (False, True)
    assert caught.value.reason.startswith("535 ")
    assert server.received == []


def test_starttls_with_authentication(certificate: Certificate) -> None:
    server = _serve(
        tls_context=certificate.server_context(),
        require_starttls=True,
        authenticator=accept_mailer,
        auth_required=True,
    )
    try:
        transport = SmtpTransport(
            parse_smtp_url(server.url("smtp+starttls", CREDENTIALS)),
            timeout=5,
            ssl_context=certificate.client_context(),
        )
        transport.send(_message(), sender="storyroom@example.com", recipient="ceo@example.com")
        transport.send(_message(), sender="storyroom@example.com", recipient="cfo@example.com")
        transport.close()
    finally:
        server.stop()
    assert server.recipients() == ["ceo@example.com", "cfo@example.com"]
    assert len({item.peer for item in server.received}) == 1


def test_implicit_tls_with_authentication(certificate: Certificate) -> None:
    # aiosmtpd counts only STARTTLS as TLS for AUTH; implicit TLS needs auth_require_tls off.
    server = _serve(
        ssl_context=certificate.server_context(),
        authenticator=accept_mailer,
        auth_require_tls=False,
    )
    try:
        transport = SmtpTransport(
            parse_smtp_url(server.url("smtps", CREDENTIALS)),
            timeout=5,
            ssl_context=certificate.client_context(),
        )
        transport.send(_message(), sender="storyroom@example.com", recipient="ceo@example.com")
        transport.close()
    finally:
        server.stop()
    assert server.recipients() == ["ceo@example.com"]


def test_untrusted_certificate_is_refused(certificate: Certificate) -> None:
    server = _serve(ssl_context=certificate.server_context())
    try:
        # The system's CAs do not know the self-signed certificate.
        transport = SmtpTransport(parse_smtp_url(server.url("smtps")), timeout=5)
        with pytest.raises(SendError) as caught:
            transport.send(_message(), sender="s@example.com", recipient="c@example.com")
    finally:
        server.stop()
    assert caught.value.connection
    assert "CERTIFICATE_VERIFY_FAILED" in caught.value.reason
    assert server.received == []


def test_lost_connection_is_reopened_once(smtp: SmtpServer) -> None:
    transport = SmtpTransport(parse_smtp_url(smtp.url()), timeout=5)
    transport.send(_message(), sender="s@example.com", recipient="a@example.com")
    smtp.stop()  # drops the open connection
    smtp.start()
    transport.send(_message(), sender="s@example.com", recipient="b@example.com")
    transport.close()

    assert smtp.recipients() == ["a@example.com", "b@example.com"]
    assert len({item.peer for item in smtp.received}) == 2


def test_unreachable_server_is_a_connection_error() -> None:
    transport = SmtpTransport(SmtpConfig("plain", "127.0.0.1", free_port()), timeout=5)
    with pytest.raises(SendError) as caught:
        transport.send(_message(), sender="s@example.com", recipient="c@example.com")
    assert (caught.value.permanent, caught.value.connection) == (False, True)
    assert "Connection refused" in caught.value.reason
