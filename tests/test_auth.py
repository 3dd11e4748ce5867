from datetime import datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlmodel import Session, select

from app.auth import service
from app.models import ApiToken, utcnow
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


def test_page_login_then_home_redirects_to_the_dashboard(organizer_web: PageClient) -> None:
    response = organizer_web.get("/")
    assert response.status_code == 303
    assert response.headers["location"] == "/dashboard"
    assert organizer_web.get("/dashboard").status_code == 200


def test_home_sends_a_signed_out_visitor_to_sign_in(anon: TestClient) -> None:
    response = anon.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/"


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


def test_failed_sign_ins_are_throttled_per_account(anon: TestClient, db: Session) -> None:
    create_user(db, email="target@example.com")
    for _ in range(10):
        wrong = anon.post(
            "/api/v1/auth/token", data={"username": "Target@example.com", "password": "guess"}
        )
        assert wrong.status_code == 401
    # Even the right password waits now: the attacker must not learn when they guessed it.
    locked = anon.post(
        "/api/v1/auth/token", data={"username": "target@example.com", "password": PASSWORD}
    )
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) > 0
    assert "Too many failed sign-ins" in locked.json()["detail"]
    # Another account from the same address is not locked by these ten.
    create_user(db, email="other@example.com")
    other = anon.post(
        "/api/v1/auth/token", data={"username": "other@example.com", "password": PASSWORD}
    )
    assert other.status_code == 200


def test_failed_sign_ins_are_throttled_per_address_across_accounts(anon: TestClient) -> None:
    for number in range(50):
        anon.post(
            "/api/v1/auth/token", data={"username": f"u{number}@example.com", "password": "x"}
        )
    response = anon.post(
        "/api/v1/auth/token", data={"username": "new@example.com", "password": "x"}
    )
    assert response.status_code == 429


def test_the_sign_in_page_says_when_it_is_throttled(anon: TestClient, db: Session) -> None:
    create_user(db, email="web@example.com")
    page = anon.get("/login")
    csrf = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    form = {"email": "web@example.com", "password": "nope", "csrf_token": csrf}
    for _ in range(10):
        assert anon.post("/login", data=form).status_code == 401
    response = anon.post("/login", data=form)
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.text


def test_token_use_is_recorded_at_most_once_a_minute(db: Session) -> None:
    token, plain = service.issue_token(db, user=create_user(db), name="sync job")
    db.commit()

    def used_at_after_a_request() -> datetime | None:
        assert service.user_for_token(db, plain) is not None
        db.commit()
        db.refresh(token)
        return token.last_used_at

    assert used_at_after_a_request() is not None
    recent = utcnow() - timedelta(seconds=30)
    set_last_used(db, token, recent)
    assert used_at_after_a_request() == recent
    stale = utcnow() - timedelta(minutes=2)
    set_last_used(db, token, stale)
    later = used_at_after_a_request()
    assert later is not None
    assert later > stale


def test_token_use_is_written_at_commit_not_during_the_request(db: Session) -> None:
    # Holding the token's row lock for the whole request made every concurrent request of
    # that token wait on it, and under load those waiters filled the thread pool that the
    # holder needed to finish: the server stopped answering.
    _token, plain = service.issue_token(db, user=create_user(db), name="sync job")
    db.commit()
    updates: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith("UPDATE"):
            updates.append(statement)

    event.listen(db.connection(), "before_cursor_execute", note)
    assert service.user_for_token(db, plain) is not None
    assert not db.dirty
    db.execute(select(1))  # the request's own queries flush nothing about the token
    assert updates == []
    db.commit()
    assert len(updates) == 1
    assert "api_token" in updates[0]


def set_last_used(db: Session, token: ApiToken, when: datetime) -> None:
    token.last_used_at = when
    db.commit()
