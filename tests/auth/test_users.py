"""Admins manage accounts: the last active admin stays, passwords are reset, all audited."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.auth.security import verify_password
from app.models import Role, User
from tests.audit.support import all_entries_text, entries_about
from tests.auth.support import COOKIE, sign_in, with_cookie
from tests.conftest import PageClient, _page_client
from tests.factories import PASSWORD, create_user


def _last_admin(email: str) -> str:
    return (
        f"{email} is the only active admin. Make another account an admin first, "
        "then disable or change this one."
    )


def _user(db: Session, email: str) -> User:
    user = db.exec(select(User).where(User.email == email)).one()
    db.refresh(user)
    return user


def _shown_password(page: str) -> str:
    return page.split('<code class="secret">', 1)[1].split("</code>", 1)[0]


@pytest.fixture
def admin_web(app: object, db: Session) -> PageClient:
    return _page_client(app, db, Role.admin)


def test_the_last_active_admin_can_neither_disable_nor_demote_themselves(
    admin_api: TestClient, db: Session
) -> None:
    me = admin_api.get("/api/v1/auth/me").json()
    create_user(db, email="gone@example.com", role=Role.admin).active = False
    db.flush()

    disabled = admin_api.patch(f"/api/v1/users/{me['id']}", json={"active": False})
    demoted = admin_api.patch(f"/api/v1/users/{me['id']}", json={"role": "organizer"})

    assert disabled.status_code == 409
    assert disabled.json() == {"detail": _last_admin("admin@example.com")}
    assert demoted.status_code == 409
    assert demoted.json() == {"detail": _last_admin("admin@example.com")}
    admin = _user(db, "admin@example.com")
    assert (admin.role, admin.active) == (Role.admin, True)
    assert admin_api.get("/api/v1/auth/me").status_code == 200
    assert entries_about(db, "user", admin.id) == []


def test_an_admin_can_be_disabled_while_another_stays(admin_api: TestClient, db: Session) -> None:
    other = create_user(db, email="second@example.com", role=Role.admin)
    me = admin_api.get("/api/v1/auth/me").json()

    assert admin_api.patch(f"/api/v1/users/{other.id}", json={"active": False}).status_code == 200
    refused = admin_api.patch(f"/api/v1/users/{me['id']}", json={"active": False})
    renamed = admin_api.patch(f"/api/v1/users/{me['id']}", json={"name": "Root"})

    assert refused.status_code == 409
    assert renamed.json()["name"] == "Root"  # the guard is about the role and status only


def test_users_page_refuses_the_last_admin_and_changes_nothing(
    admin_web: PageClient, db: Session
) -> None:
    admin = _user(db, "admin-web@example.com")

    response = admin_web.submit(f"/admin/users/{admin.id}", {"role": "viewer", "active": "false"})

    assert response.status_code == 409
    assert _last_admin("admin-web@example.com") in response.text
    assert "Nothing was saved" in response.text
    admin = _user(db, "admin-web@example.com")
    assert (admin.role, admin.active) == (Role.admin, True)
    assert admin_web.get("/admin/users").status_code == 200


def test_users_page_changes_role_and_status_and_audits_them(
    app: object, admin_web: PageClient, db: Session
) -> None:
    target = create_user(db, email="bo@example.com", role=Role.organizer)
    copied = sign_in(app, "bo@example.com").cookies[COOKIE]

    demoted = admin_web.submit(f"/admin/users/{target.id}", {"role": "viewer", "active": "true"})
    disabled = admin_web.submit(f"/admin/users/{target.id}", {"role": "viewer", "active": "false"})

    assert demoted.headers["location"] == "/admin/users?done=saved"
    assert disabled.headers["location"] == "/admin/users?done=saved"
    page = admin_web.get("/admin/users?done=saved").text
    assert "Changes saved." in page
    assert 'bo@example.com <span class="badge inactive">disabled</span>' in page
    target = _user(db, "bo@example.com")
    assert (target.role, target.active) == (Role.viewer, False)
    assert with_cookie(app, copied).get("/sessions").status_code == 303
    assert [
        (row.action, row.actor, row.summary) for row in entries_about(db, "user", target.id)
    ] == [
        ("changed", "admin-web@example.com", "Changed the account bo@example.com: role"),
        ("disabled", "admin-web@example.com", "Disabled the account bo@example.com"),
    ]


def test_users_page_resets_a_password_shown_once_and_ends_its_sign_ins(
    app: object, admin_web: PageClient, db: Session
) -> None:
    target = create_user(db, email="bo@example.com")
    copied = sign_in(app, "bo@example.com").cookies[COOKIE]

    response = admin_web.submit(f"/admin/users/{target.id}/password")

    assert response.status_code == 200
    password = _shown_password(response.text)
    assert "It is shown only this once" in response.text
    assert verify_password(password, _user(db, "bo@example.com").password_hash)
    assert not verify_password(PASSWORD, _user(db, "bo@example.com").password_hash)
    assert with_cookie(app, copied).get("/sessions").status_code == 303
    assert sign_in(app, "bo@example.com", password).get("/sessions").status_code == 200
    assert password not in admin_web.get("/admin/users").text
    rows = entries_about(db, "user", target.id)
    assert [(row.action, row.summary) for row in rows] == [
        ("reset", "Reset the password of bo@example.com; their sign-ins ended"),
    ]
    assert password not in all_entries_text(db)


def test_an_admin_resetting_their_own_password_stays_signed_in(
    admin_web: PageClient, db: Session
) -> None:
    admin = _user(db, "admin-web@example.com")

    response = admin_web.submit(f"/admin/users/{admin.id}/password")

    assert response.status_code == 200
    assert admin_web.get("/admin/users").status_code == 200


def test_users_page_creates_an_account_with_a_password_shown_once(
    app: object, admin_web: PageClient, db: Session
) -> None:
    response = admin_web.submit(
        "/admin/users", {"email": "New@Example.com", "name": "Nia", "role": "viewer"}
    )
    taken = admin_web.submit("/admin/users", {"email": "new@example.com", "role": "viewer"})

    assert response.status_code == 200
    password = _shown_password(response.text)
    assert sign_in(app, "new@example.com", password).get("/sessions").status_code == 200
    assert _user(db, "new@example.com").role is Role.viewer
    assert taken.status_code == 409
    assert "A user with the email new@example.com already exists." in taken.text


def test_api_password_reset_generates_or_takes_one_and_lifts_the_lockout(
    anon: TestClient, admin_api: TestClient, db: Session
) -> None:
    target = create_user(db, email="bo@example.com")
    for _ in range(10):
        anon.post("/api/v1/auth/token", data={"username": "bo@example.com", "password": "guess"})
    locked = anon.post(
        "/api/v1/auth/token", data={"username": "bo@example.com", "password": PASSWORD}
    )
    assert locked.status_code == 429
    assert "ask an admin to reset your password" in locked.json()["detail"]

    generated = admin_api.post(f"/api/v1/users/{target.id}/password")
    given = admin_api.post(
        f"/api/v1/users/{target.id}/password", json={"password": "chosen by the admin"}
    )

    assert generated.status_code == 200
    assert generated.json()["user"]["email"] == "bo@example.com"
    assert len(generated.json()["password"]) >= 10
    assert given.json()["password"] == "chosen by the admin"
    signed_in = anon.post(
        "/api/v1/auth/token", data={"username": "bo@example.com", "password": "chosen by the admin"}
    )
    assert signed_in.status_code == 200
    assert [row.action for row in entries_about(db, "user", target.id)] == ["reset", "reset"]


def test_api_password_reset_refuses_bad_input_and_changes_nothing(
    admin_api: TestClient, db: Session
) -> None:
    target = create_user(db, email="bo@example.com")
    hash_before = target.password_hash

    short = admin_api.post(f"/api/v1/users/{target.id}/password", json={"password": "short"})
    unknown = admin_api.post("/api/v1/users/999999/password")

    assert short.status_code == 422
    assert short.json()["detail"][0]["loc"] == ["body", "password"]
    assert unknown.status_code == 404
    assert unknown.json() == {"detail": "There is no user with id 999999."}
    assert _user(db, "bo@example.com").password_hash == hash_before
