"""Test fixtures: one database built by Alembic, each test inside a transaction rolled back.

Set STORYROOM_TEST_DATABASE_URL to run the same suite on PostgreSQL, STORYROOM_TEST_REDIS_URL
for the worker tests on Redis; STORYROOM_REQUIRE_SERVICES=1 (set by CI) turns a missing
service or browser into a failure instead of a skip.
"""

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

_TMP = Path(tempfile.mkdtemp(prefix="storyroom-tests-"))
os.environ["STORYROOM_VAR_DIR"] = str(_TMP)
os.environ["STORYROOM_ENVIRONMENT"] = "development"
os.environ["STORYROOM_DATABASE_URL"] = (
    os.environ.get("STORYROOM_TEST_DATABASE_URL") or f"sqlite:///{_TMP / 'test.db'}"
)
os.environ["STORYROOM_QUEUE_URL"] = (
    os.environ.get("STORYROOM_TEST_REDIS_URL") or f"sqlite:///{_TMP / 'queue.db'}"
)
os.environ.pop("STORYROOM_SMTP_URL", None)

import pytest  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import Engine, text  # noqa: E402
from sqlmodel import Session  # noqa: E402

from app import db as app_db  # noqa: E402
from app.auth import throttle  # noqa: E402
from app.config import get_settings  # noqa: E402
from app.main import create_app  # noqa: E402
from app.models import Role, User  # noqa: E402
from app.worker import huey  # noqa: E402
from tests.factories import PASSWORD, create_user  # noqa: E402

REQUIRE_SERVICES = os.environ.get("STORYROOM_REQUIRE_SERVICES") == "1"


def require(condition: bool, reason: str) -> None:
    """Skip when a real service is missing, or fail when CI says it must be there."""
    if condition:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"required by CI but unavailable: {reason}")
    pytest.skip(reason)


def migrate(url: str, revision: str = "head", *, down: bool = False) -> None:
    from alembic import command

    if down:
        command.downgrade(app_db.alembic_config(url), revision)
    else:
        app_db.migrate(url, revision)


def reset_database(engine: Engine) -> None:
    """Start from nothing: an empty PostgreSQL schema, or a new SQLite file."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    elif engine.url.database and Path(engine.url.database).exists():
        engine.dispose()
        Path(engine.url.database).unlink()


@pytest.fixture(scope="session")
def engine() -> Iterator[Engine]:
    engine = app_db.get_engine()
    try:
        with engine.connect():
            pass
    except Exception as exc:
        require(False, f"database {engine.url!r} unreachable: {exc}")
    reset_database(engine)
    migrate(get_settings().database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test."""
    connection = engine.connect()
    transaction = connection.begin()
    app_db.bind_sessions(connection)
    session = app_db.open_session()
    try:
        yield session
    finally:
        session.close()
        app_db.bind_sessions(None)
        transaction.rollback()
        connection.close()


@pytest.fixture(autouse=True)
def _fresh_login_throttle() -> None:
    """Failed sign-ins in one test must not lock another out."""
    throttle.reset()


@pytest.fixture(autouse=True)
def _immediate_huey() -> Iterator[None]:
    """Jobs run inline in tests, against the test transaction."""
    huey.immediate = True
    yield
    huey.immediate = False


@pytest.fixture
def app(db: Session) -> object:
    return create_app()


@pytest.fixture
def anon(app: object) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver") as client:  # type: ignore[arg-type]
        yield client


def _api_client(app: object, db: Session, role: Role) -> TestClient:
    create_user(db, email=f"{role.value}@example.com", role=role)
    client = TestClient(app, base_url="http://testserver")  # type: ignore[arg-type]
    response = client.post(
        "/api/v1/auth/token", data={"username": f"{role.value}@example.com", "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    client.headers["Authorization"] = f"Bearer {response.json()['access_token']}"
    return client


@pytest.fixture
def admin_api(app: object, db: Session) -> TestClient:
    """A JSON API client signed in as an admin."""
    return _api_client(app, db, Role.admin)


@pytest.fixture
def organizer_api(app: object, db: Session) -> TestClient:
    return _api_client(app, db, Role.organizer)


@pytest.fixture
def viewer_api(app: object, db: Session) -> TestClient:
    return _api_client(app, db, Role.viewer)


class PageClient(TestClient):
    """A browser-like client: signed in by the login form, with the form token at hand."""

    csrf: str = ""

    def submit(self, url: str, data: dict[str, object] | None = None, **kwargs: object):  # type: ignore[no-untyped-def]
        """POST a form with the CSRF token, as the browser would."""
        return self.post(url, data={"csrf_token": self.csrf, **(data or {})}, **kwargs)  # type: ignore[arg-type]


def _page_client(app: object, db: Session, role: Role) -> PageClient:
    create_user(db, email=f"{role.value}-web@example.com", role=role)
    client = PageClient(app, base_url="http://testserver", follow_redirects=False)  # type: ignore[arg-type]
    login = client.get("/login")
    client.csrf = login.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = client.post(
        "/login",
        data={
            "email": f"{role.value}-web@example.com",
            "password": PASSWORD,
            "csrf_token": client.csrf,
        },
    )
    assert response.status_code == 303, response.text
    page = client.get("/login")
    client.csrf = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    return client


@pytest.fixture
def organizer_web(app: object, db: Session) -> PageClient:
    """A page client signed in as an organizer."""
    return _page_client(app, db, Role.organizer)


@pytest.fixture
def viewer_web(app: object, db: Session) -> PageClient:
    return _page_client(app, db, Role.viewer)


@pytest.fixture
def admin_user(db: Session) -> User:
    return create_user(db, email="root@example.com", role=Role.admin)
