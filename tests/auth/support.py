"""Signing in again as an existing user, in a second browser or with a copied cookie."""

from fastapi.testclient import TestClient

from tests.conftest import PageClient
from tests.factories import PASSWORD

COOKIE = "storyroom_session"


def _form_token(page: str) -> str:
    return page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def sign_in(app: object, email: str, password: str = PASSWORD) -> PageClient:
    """A new browser signed in through the login form."""
    client = PageClient(app, base_url="http://testserver", follow_redirects=False)  # type: ignore[arg-type]
    form = {
        "email": email,
        "password": password,
        "csrf_token": _form_token(client.get("/login").text),
    }
    response = client.post("/login", data=form)
    assert response.status_code == 303, response.text
    client.csrf = _form_token(client.get("/login").text)
    return client


def with_cookie(app: object, cookie: str) -> TestClient:
    """A browser that has nothing but this session cookie (one copied earlier)."""
    client = TestClient(app, base_url="http://testserver", follow_redirects=False)  # type: ignore[arg-type]
    client.cookies.set(COOKIE, cookie)
    return client


def api_sign_in(app: object, email: str, password: str = PASSWORD) -> TestClient:
    """A client holding a bearer token from POST /api/v1/auth/token."""
    client = TestClient(app, base_url="http://testserver")  # type: ignore[arg-type]
    response = client.post("/api/v1/auth/token", data={"username": email, "password": password})
    assert response.status_code == 200, response.text
    client.headers["Authorization"] = f"Bearer {response.json()['access_token']}"
    return client
