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


def test_revoked_token_no_longer_works(organizer_api: TestClient) -> None:
    created = organizer_api.post("/api/v1/tokens", json={"name": "laptop"}).json()
    other = TestClient(organizer_api.app, base_url="http://testserver")
    other.headers["Authorization"] = f"Bearer {created['token']}"
    assert other.get("/api/v1/auth/me").status_code == 200

    revoked = organizer_api.delete(f"/api/v1/tokens/{created['id']}")
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    response = other.get("/api/v1/auth/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_token_listing_never_shows_secrets(organizer_api: TestClient) -> None:
    organizer_api.post("/api/v1/tokens", json={"name": "ci"})
    listed = organizer_api.get("/api/v1/tokens").json()
    assert [token["name"] for token in listed] == ["login", "ci"]
    assert all("token" not in token and "token_hash" not in token for token in listed)


def test_admin_creates_users_and_organizer_cannot(
    admin_api: TestClient, organizer_api: TestClient
) -> None:
    body = {"email": "new@example.com", "password": "long enough pw", "role": "viewer"}
    assert organizer_api.post("/api/v1/users", json=body).status_code == 403
    created = admin_api.post("/api/v1/users", json=body)
    assert created.status_code == 201
    assert created.json()["role"] == "viewer"
    assert admin_api.post("/api/v1/users", json=body).status_code == 409


def test_disabled_user_cannot_sign_in(admin_api: TestClient, anon: TestClient, db: Session) -> None:
    user = create_user(db, email="leaver@example.com")
    admin_api.patch(f"/api/v1/users/{user.id}", json={"active": False})
    response = anon.post(
        "/api/v1/auth/token", data={"username": "leaver@example.com", "password": PASSWORD}
    )
    assert response.status_code == 401
    assert response.json() == {"detail": "This account is disabled."}


def test_login_next_parameter_cannot_leave_the_site(anon: TestClient, db: Session) -> None:
    create_user(db, email="a@example.com")
    page = anon.get("/login?next=//evil.example/")
    csrf = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = anon.post(
        "/login",
        data={
            "email": "a@example.com",
            "password": PASSWORD,
            "csrf_token": csrf,
            "next": "//evil.example/",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"
