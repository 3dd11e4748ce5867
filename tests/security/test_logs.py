"""No secret in any log line; cookies and forms resist theft and forgery."""

import io
import logging
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.attendance.service import check_in_link
from app.config import get_settings
from app.distribution.links import recap_link, unsubscribe_link
from app.distribution.sending import send_recap
from app.mail import compose
from app.mail.sender import send_due
from app.main import create_app
from app.models import DeliveryKind, Role, SessionStatus, utcnow
from app.system.logs import JsonFormatter, _RequestIdFilter, configure_logging
from tests.conftest import PageClient
from tests.distribution.helpers import approve_recap, create_list
from tests.factories import PASSWORD, create_session, create_user
from tests.mail.conftest import SmtpServer, accept_mailer, free_port
from tests.mail.support import compose_test_message, queue
from tests.test_permissions import PUBLIC, PUBLIC_PREFIXES, WRITE_METHODS, _concrete, _routes

SMTP_PASSWORD = "p@ss:w/rd"
SMTP_CREDENTIALS = "mailer%40example.com:p%40ss%3Aw%2Frd@"


def _server_side(record: logging.LogRecord) -> bool:
    """Leave out the test client's own request lines (httpx): the server never writes them."""
    return not record.name.startswith("httpx")


@pytest.fixture
def all_logs(caplog: pytest.LogCaptureFixture) -> Iterator[io.StringIO]:
    """Every record at DEBUG, also written through the production JSON formatter."""
    caplog.set_level(logging.DEBUG)
    lines = io.StringIO()
    handler = logging.StreamHandler(lines)
    handler.addFilter(_RequestIdFilter())
    handler.addFilter(_server_side)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield lines
    root.removeHandler(handler)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_no_secret_reaches_any_log_line(
    anon: TestClient,
    db: Session,
    all_logs: io.StringIO,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    create_user(db, email="ops@example.com", role=Role.organizer)
    # Signing in on the page and for a token, right and wrong.
    login_form = anon.get("/login").text
    csrf = login_form.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    for password in (PASSWORD + "!", PASSWORD):
        anon.post(
            "/login", data={"email": "ops@example.com", "password": password, "csrf_token": csrf}
        )
    issued = anon.post(
        "/api/v1/auth/token", data={"username": "ops@example.com", "password": PASSWORD}
    )
    bearer = issued.json()["access_token"]
    api = {"Authorization": f"Bearer {bearer}"}
    assert anon.get("/api/v1/auth/me", headers=api).status_code == 200
    assert anon.get("/api/v1/sessions/424242", headers=api).status_code == 404
    assert anon.post("/api/v1/sessions", headers=api, json={"title": ""}).status_code == 422

    # Following signed links, valid and broken.
    ended = create_session(
        db, status=SessionStatus.completed, starts_at=utcnow() - timedelta(hours=2)
    )
    approve_recap(db, ended)
    dlist = create_list(db, outsiders=["cfo@example.org"], allow_unsubscribe=True)
    _, (delivery,) = send_recap(db, story_session=ended, list_ids=[dlist.id or 0])
    link_tokens = [
        recap_link(delivery).rsplit("/", 1)[1],
        unsubscribe_link(delivery).rsplit("/", 1)[1],
        check_in_link(ended).url.rsplit("/", 1)[1],
    ]
    for path in ("/p/recap/{}", "/p/unsubscribe/{}", "/p/check-in/{}"):
        for token in link_tokens:
            anon.get(path.format(token))
            anon.get(path.format(token[:-2] + "xx"))

    # Sending mail through an SMTP URL with a password: once accepted, once unreachable.
    monkeypatch.setitem(compose._COMPOSERS, DeliveryKind.recap, compose_test_message)
    server = SmtpServer(
        port=free_port(),
        controller_options={
            "authenticator": accept_mailer,
            "auth_require_tls": False,
            "auth_required": True,
        },
    )
    server.start()
    try:
        monkeypatch.setattr(get_settings(), "smtp_url", server.url("smtp", SMTP_CREDENTIALS))
        queue(db, "ceo@example.com")
        assert send_due().sent >= 1
    finally:
        server.stop()
    monkeypatch.setattr(get_settings(), "smtp_url", server.url("smtp", SMTP_CREDENTIALS))
    queue(db, "coo@example.com")
    assert send_due().retrying == 1

    secrets = {
        "password": PASSWORD,
        "bearer token": bearer,
        "SMTP password": SMTP_PASSWORD,
        "SMTP password, encoded": "p%40ss%3Aw%2Frd",
        "secret key": get_settings().secret_key,
        **{f"link token {n}": token for n, token in enumerate(link_tokens)},
    }
    records = "\n".join(
        f"{r.getMessage()} {r.args!r} {vars(r)!r}" for r in caplog.records if _server_side(r)
    )
    assert "mail batch" in records  # the capture saw the app's lines
    for name, secret in secrets.items():
        assert secret not in records, f"the {name} is in a log record"
        assert secret not in all_logs.getvalue(), f"the {name} is in a JSON log line"


def test_access_lines_with_signed_link_paths_are_not_logged() -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_logging(json_lines=True)
        # Uvicorn's access line carries the path, and with it a signed link's token.
        assert not logging.getLogger("uvicorn.access").isEnabledFor(logging.INFO)
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)


# -- cookies and forms -----------------------------------------------------------------------


def _session_cookie(client: TestClient) -> str:
    login = client.get("/login")
    csrf = login.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = client.post(
        "/login",
        data={"email": "web@example.com", "password": PASSWORD, "csrf_token": csrf},
        follow_redirects=False,
    )
    assert response.status_code == 303
    [cookie] = [
        value
        for value in response.headers.get_list("set-cookie")
        if value.startswith("storyroom_session=")
    ]
    return cookie.lower()


@pytest.mark.parametrize(
    ("base_url", "secure"), [("http://x.example", False), ("https://x.example", True)]
)
def test_session_cookie_is_httponly_lax_and_secure_on_https(
    db: Session, monkeypatch: pytest.MonkeyPatch, base_url: str, secure: bool
) -> None:
    create_user(db, email="web@example.com")
    monkeypatch.setattr(get_settings(), "base_url", base_url)
    with TestClient(create_app(), base_url=base_url.replace("x.example", "testserver")) as client:
        attributes = {part.strip() for part in _session_cookie(client).split(";")}
    assert "httponly" in attributes
    assert "samesite=lax" in attributes
    assert ("secure" in attributes) is secure


def test_every_form_post_route_refuses_a_missing_csrf_token(
    app: object, organizer_web: PageClient
) -> None:
    routes = [
        (method, path)
        for method, path, _ in _routes(app)
        if method in WRITE_METHODS
        and not path.startswith(("/api/", *PUBLIC_PREFIXES))
        and (method, path) not in PUBLIC
    ]
    assert len(routes) > 20
    for method, path in routes:
        response = organizer_web.request(method, _concrete(path), data={"csrf_token": "forged"})
        assert response.status_code == 403, f"{method} {path} answered {response.status_code}"
        assert "The form expired or was not sent from Storyroom" in response.text
        response = organizer_web.request(method, _concrete(path), data={})
        assert response.status_code == 403, f"{method} {path} answered {response.status_code}"
    # Still signed in: the refusals did not need a new session.
    assert organizer_web.get("/sessions").status_code == 200


def test_sign_in_form_refuses_a_missing_csrf_token(anon: TestClient, db: Session) -> None:
    create_user(db, email="web@example.com")
    anon.get("/login")
    response = anon.post(
        "/login", data={"email": "web@example.com", "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 403
    assert "The form expired. Please sign in again." in response.text
