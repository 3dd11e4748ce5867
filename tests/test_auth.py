from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.conftest import PageClient
from tests.factories import PASSWORD, create_user


def test_token_login_with_wrong_password_is_refused(anon: TestClient, db: Session) -> None:
    create_user(db, email="a@example.com")
    response = anon.post(
        "/api/v1/auth/token", data={"username": "a@example.com", "password": "nope-nope-nope"}
    )
    assert response.status_code == 401
    assert response.json() == {"detail": "Incorrect email or password."}


def test_me_returns_the_bearer_tokens_user(organizer_api: TestClient) -> None:
    response = organizer_api.get("/api/v1/auth/me")
    assert response.status_code == 200
    assert response.json()["email"] == "organizer@example.com"
    assert response.json()["role"] == "organizer"


def test_page_login_then_home_redirects_to_sessions(organizer_web: PageClient) -> None:
    response = organizer_web.get("/")
    assert response.status_code == 303
    assert response.headers["location"] == "/sessions"


def test_login_email_is_case_insensitive(anon: TestClient, db: Session) -> None:
    create_user(db, email="mixed@example.com")
    response = anon.post(
        "/api/v1/auth/token", data={"username": "MIXED@Example.com", "password": PASSWORD}
    )
    assert response.status_code == 200
