"""Signing out, a new password and a disabled account end sign-ins, wherever they were made."""

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import ApiToken
from tests.auth.support import COOKIE, api_sign_in, sign_in, with_cookie
from tests.factories import PASSWORD, create_person, create_user

NEW_PASSWORD = "a brand new passphrase"


def _signed_out(client: TestClient) -> bool:
    response = client.get("/sessions")
    return response.status_code == 303 and response.headers["location"] == "/login?next=/sessions"


def test_logout_ends_a_cookie_copied_before_it(app: object, db: Session) -> None:
    create_user(db, email="ana@example.com")
    browser = sign_in(app, "ana@example.com")
    copied = browser.cookies[COOKIE]
    assert with_cookie(app, copied).get("/sessions").status_code == 200

    assert browser.submit("/logout").headers["location"] == "/login"

    assert _signed_out(with_cookie(app, copied))
    assert _signed_out(browser)


def test_logout_ends_every_sign_in_of_the_account(app: object, db: Session) -> None:
    create_user(db, email="ana@example.com")
    laptop, phone = sign_in(app, "ana@example.com"), sign_in(app, "ana@example.com")
    script = api_sign_in(app, "ana@example.com")

    laptop.submit("/logout")

    assert _signed_out(phone)
    response = script.get("/api/v1/auth/me")
    assert response.status_code == 401
    assert response.json() == {"detail": "Send a valid bearer token (POST /api/v1/auth/token)."}
    # Signing in again works at once.
    assert sign_in(app, "ana@example.com").get("/sessions").status_code == 200


def test_password_change_ends_other_sign_ins_and_keeps_this_one(app: object, db: Session) -> None:
    create_user(db, email="ana@example.com")
    this, other = sign_in(app, "ana@example.com"), sign_in(app, "ana@example.com")
    sign_in_token = api_sign_in(app, "ana@example.com")
    script = TestClient(app, base_url="http://testserver")  # type: ignore[arg-type]
    made = sign_in_token.post("/api/v1/tokens", json={"name": "nightly export"}).json()
    script.headers["Authorization"] = f"Bearer {made['token']}"

    changed = this.submit(
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "repeat_password": NEW_PASSWORD,
        },
    )

    assert changed.status_code == 303
    assert changed.headers["location"] == "/account/password?done=password"
    assert (
        "Password changed. Your other sign-ins have ended."
        in this.get(changed.headers["location"]).text
    )
    assert this.get("/sessions").status_code == 200
    assert _signed_out(other)
    assert sign_in_token.get("/api/v1/auth/me").status_code == 401
    # A token made for a script is a credential of its own: a new password leaves it.
    assert script.get("/api/v1/auth/me").json()["email"] == "ana@example.com"
    assert sign_in(app, "ana@example.com", NEW_PASSWORD).get("/sessions").status_code == 200


def test_password_change_with_a_wrong_current_password_changes_nothing(
    app: object, db: Session
) -> None:
    user = create_user(db, email="ana@example.com")
    this, other = sign_in(app, "ana@example.com"), sign_in(app, "ana@example.com")
    hash_before = user.password_hash

    wrong = this.submit(
        "/account/password",
        {
            "current_password": "not it at all",
            "new_password": NEW_PASSWORD,
            "repeat_password": NEW_PASSWORD,
        },
    )
    differ = this.submit(
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "repeat_password": "typo" + NEW_PASSWORD,
        },
    )
    short = this.submit(
        "/account/password",
        {"current_password": PASSWORD, "new_password": "short", "repeat_password": "short"},
    )

    assert wrong.status_code == 422
    assert "The current password is not right: nothing was changed." in wrong.text
    assert differ.status_code == 422
    assert "The two new passwords differ: type the same one twice." in differ.text
    assert short.status_code == 422
    assert "The password must have at least 10 characters." in short.text
    db.refresh(user)
    assert user.password_hash == hash_before
    assert other.get("/sessions").status_code == 200


def test_disabling_then_enabling_leaves_old_sign_ins_dead(
    app: object, admin_api: TestClient, db: Session
) -> None:
    user = create_user(db, email="ana@example.com")
    browser = sign_in(app, "ana@example.com")
    copied = browser.cookies[COOKIE]
    sign_in_token = api_sign_in(app, "ana@example.com")
    script = TestClient(app, base_url="http://testserver")  # type: ignore[arg-type]
    made = sign_in_token.post("/api/v1/tokens", json={"name": "nightly export"}).json()
    script.headers["Authorization"] = f"Bearer {made['token']}"

    disabled = admin_api.patch(f"/api/v1/users/{user.id}", json={"active": False})
    enabled = admin_api.patch(f"/api/v1/users/{user.id}", json={"active": True})

    assert disabled.json()["active"] is False
    assert enabled.json()["active"] is True
    assert _signed_out(with_cookie(app, copied))
    assert sign_in_token.get("/api/v1/auth/me").status_code == 401
    assert script.get("/api/v1/auth/me").status_code == 401
    tokens = db.exec(select(ApiToken).where(ApiToken.user_id == user.id)).all()
    assert [(token.name, token.revoked_at is not None) for token in tokens] == [
        ("login", True),
        ("nightly export", True),
    ]
    # The person, enabled again, signs in afresh with their password.
    assert sign_in(app, "ana@example.com").get("/sessions").status_code == 200


def test_an_erased_persons_account_enabled_again_keeps_its_cookies_dead(
    app: object, admin_api: TestClient, db: Session
) -> None:
    person = create_person(db, email="ana@example.com")
    user = create_user(db, email="ana@example.com")
    copied = sign_in(app, "ana@example.com").cookies[COOKIE]

    assert admin_api.post(f"/api/v1/people/{person.id}/erase").status_code == 200
    enabled = admin_api.patch(f"/api/v1/users/{user.id}", json={"active": True})

    assert enabled.json()["active"] is True
    assert _signed_out(with_cookie(app, copied))
