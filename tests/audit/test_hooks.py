"""Each audited action leaves the right entry: who, what, and the before and after."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import Session, select
from typer.testing import CliRunner

from app.audit import service as audit
from app.cli import app as cli_app
from app.models import ApiToken, Platform, SessionStatus, User, utcnow
from app.story_sessions import service as story_sessions
from app.story_sessions.schemas import SeriesCreate, SessionUpdate
from tests.audit.support import all_entries_text, entries_about
from tests.distribution.helpers import approve_recap, create_list
from tests.factories import create_person, create_session, create_user


def _user(db: Session, email: str) -> User:
    return db.exec(select(User).where(User.email == email)).one()


def test_session_create_change_cancel_over_the_api_name_the_organizer(
    organizer_api: TestClient, db: Session
) -> None:
    starts = (utcnow() + timedelta(days=10)).replace(microsecond=0)
    created = organizer_api.post(
        "/api/v1/sessions",
        json={
            "title": "Acme onboarding",
            "starts_at": starts.isoformat(),
            "timezone": "Europe/Paris",
            "platform": "zoom",
            "duration_minutes": 60,
        },
    )
    assert created.status_code == 201, created.text
    session_id = created.json()["id"]
    changed = organizer_api.patch(
        f"/api/v1/sessions/{session_id}",
        json={"title": "Acme onboarding, part 1", "duration_minutes": 90},
    )
    assert changed.status_code == 200, changed.text
    assert organizer_api.delete(f"/api/v1/sessions/{session_id}").status_code == 200

    rows = entries_about(db, "story_session", session_id)
    organizer = _user(db, "organizer@example.com")
    assert [row.action for row in rows] == ["created", "changed", "cancelled"]
    assert {(row.actor, row.actor_id) for row in rows} == {("organizer@example.com", organizer.id)}
    assert rows[0].summary == "Created the scheduled session “Acme onboarding”"
    assert rows[0].changes["title"] == [None, "Acme onboarding"]
    assert (
        rows[1].summary == "Changed the session “Acme onboarding, part 1”: duration_minutes, title"
    )
    assert rows[1].changes == {
        "title": ["Acme onboarding", "Acme onboarding, part 1"],
        "duration_minutes": [60, 90],
    }
    assert rows[2].changes == {"status": ["scheduled", "cancelled"]}
    assert all(row.request_id for row in rows)
    assert len({row.request_id for row in rows}) == 3


def test_session_move_records_start_and_platform_before_and_after(db: Session) -> None:
    story_session = create_session(db, title="Globex renewals", platform=Platform.zoom)
    old_start = story_session.starts_at
    new_start = (old_start + timedelta(days=1)).astimezone(UTC)
    with audit.acting_as(create_user(db, email="ana@example.com")):
        story_sessions.update_session(
            db,
            story_session,
            data=SessionUpdate(starts_at=new_start, platform=Platform.teams, join_url=""),
        )

    (row,) = entries_about(db, "story_session", story_session.id)
    assert row.actor == "ana@example.com"
    assert row.changes == {
        "starts_at": [old_start.isoformat(), new_start.isoformat()],
        "platform": ["zoom", "teams"],
        "join_url": ["https://zoom.example.com/j/123", ""],
    }


def test_series_create_and_cancel_count_sessions(db: Session) -> None:
    user = create_user(db, email="ana@example.com")
    first = (utcnow() + timedelta(days=3)).replace(tzinfo=None, microsecond=0, second=0)
    data = SeriesCreate(
        title="Voice of the customer",
        rrule="FREQ=WEEKLY;COUNT=3",
        timezone="Europe/Paris",
        first_start_local=first,
        platform=Platform.teams,
    )
    with audit.acting_as(user):
        series, _ = story_sessions.create_series(db, data=data)
        story_sessions.cancel_series(db, series)

    assert series.organizer_id == user.id

    rows = entries_about(db, "series", series.id)
    assert [(row.action, row.summary) for row in rows] == [
        ("created", "Created the series “Voice of the customer” with 3 scheduled sessions"),
        ("cancelled", "Cancelled the series “Voice of the customer”: 3 upcoming sessions"),
    ]
    assert rows[0].changes["rrule"] == [None, "FREQ=WEEKLY;COUNT=3"]
    assert [row.action for row in entries_about(db, "story_session")] == ["cancelled"] * 3


def test_recap_approve_then_edit_records_version_and_reopening(
    organizer_api: TestClient, db: Session
) -> None:
    story_session = create_session(
        db,
        title="Acme onboarding",
        starts_at=utcnow() - timedelta(days=1),
        status=SessionStatus.completed,
    )
    url = f"/api/v1/sessions/{story_session.id}/recap"
    assert organizer_api.put(url, json={"summary": "They loved it."}).status_code == 200
    assert organizer_api.post(f"{url}/approve").status_code == 201
    assert organizer_api.put(url, json={"summary": "They loved it, mostly."}).status_code == 200
    assert organizer_api.post(f"{url}/approve").status_code == 201

    rows = entries_about(db, "recap")
    assert [(row.action, row.summary) for row in rows] == [
        ("approved", "Approved version 1 of the recap of “Acme onboarding”"),
        (
            "changed",
            "Edited the recap of “Acme onboarding” after version 1 was approved; it is a draft "
            "again",
        ),
        ("approved", "Approved version 2 of the recap of “Acme onboarding”"),
    ]
    assert rows[0].changes == {"version": [None, 1], "status": ["draft", "approved"]}
    assert rows[1].changes == {"status": ["approved", "draft"]}
    assert rows[2].changes["version"] == [1, 2]
    assert {row.actor for row in rows} == {"organizer@example.com"}


def test_recap_send_records_recipient_count(organizer_api: TestClient, db: Session) -> None:
    story_session = create_session(
        db, title="Acme onboarding", starts_at=utcnow() - timedelta(days=1)
    )
    version = approve_recap(db, story_session)
    dlist = create_list(db, name="Opco", outsiders=["a@example.org", "b@example.org"])
    response = organizer_api.post(
        f"/api/v1/sessions/{story_session.id}/recap/send",
        json={"list_ids": [dlist.id], "extra_emails": ["c@example.org"]},
    )
    assert response.status_code == 200, response.text

    (row,) = entries_about(db, "recap")
    assert row.action == "sent"
    assert row.entity_id == version.recap_id
    assert row.summary == (
        "Sent version 1 of the recap of “Acme onboarding” to 3 new recipients "
        "(“Opco”, 1 more address)"
    )
    assert row.changes == {"recipients": [None, 3]}


def test_list_lifecycle_and_members_are_filed_under_the_list(
    organizer_api: TestClient, db: Session
) -> None:
    created = organizer_api.post("/api/v1/lists", json={"name": "Opco"})
    assert created.status_code == 201, created.text
    list_id = created.json()["id"]
    changed = organizer_api.patch(
        f"/api/v1/lists/{list_id}", json={"name": "Operating committee", "allow_unsubscribe": True}
    )
    assert changed.status_code == 200, changed.text
    member = organizer_api.post(f"/api/v1/lists/{list_id}/members", json={"email": "x@example.org"})
    assert member.status_code == 201, member.text
    removed = organizer_api.delete(f"/api/v1/lists/{list_id}/members/{member.json()['id']}")
    assert removed.status_code == 204
    imported = organizer_api.post(
        f"/api/v1/lists/{list_id}/members/import",
        files={"file": ("m.csv", b"a@example.org,A\nb@example.org,B\n", "text/csv")},
    )
    assert imported.status_code == 200, imported.text
    assert organizer_api.delete(f"/api/v1/lists/{list_id}").status_code == 204

    rows = entries_about(db, "distribution_list", list_id)
    assert [(row.action, row.summary) for row in rows] == [
        ("created", "Created the distribution list “Opco”"),
        ("changed", "Changed the distribution list “Operating committee”: allow_unsubscribe, name"),
        ("added", "Added x@example.org to “Operating committee”"),
        ("removed", "Removed x@example.org from “Operating committee”"),
        (
            "imported",
            "Imported 2 addresses into “Operating committee”: 2 added, 0 already on the list",
        ),
        ("deleted", "Deleted the distribution list “Operating committee” and its 2 members"),
    ]
    assert rows[1].changes == {
        "name": ["Opco", "Operating committee"],
        "allow_unsubscribe": [False, True],
    }
    assert rows[4].changes == {"members": [None, 2]}


def test_users_create_role_change_and_disable_never_store_the_password(
    admin_api: TestClient, db: Session
) -> None:
    password = "a very secret passphrase 42"
    created = admin_api.post(
        "/api/v1/users", json={"email": "Bo@Example.com", "password": password, "role": "viewer"}
    )
    assert created.status_code == 201, created.text
    user_id = created.json()["id"]
    assert (
        admin_api.patch(f"/api/v1/users/{user_id}", json={"role": "organizer"}).status_code == 200
    )
    assert admin_api.patch(f"/api/v1/users/{user_id}", json={"active": False}).status_code == 200
    assert admin_api.patch(f"/api/v1/users/{user_id}", json={"active": False}).status_code == 200

    rows = entries_about(db, "user", user_id)
    assert [(row.action, row.summary) for row in rows] == [
        ("created", "Created the viewer account bo@example.com"),
        ("changed", "Changed the account bo@example.com: role"),
        ("disabled", "Disabled the account bo@example.com"),
    ]
    assert rows[0].changes == {
        "email": [None, "bo@example.com"],
        "role": [None, "viewer"],
        "active": [None, True],
    }
    assert rows[1].changes == {"role": ["viewer", "organizer"]}
    assert rows[2].changes == {"active": [True, False]}
    assert {row.actor for row in rows} == {"admin@example.com"}
    stored_hash = _user(db, "bo@example.com").password_hash
    text = all_entries_text(db)
    assert password not in text
    assert stored_hash not in text


def test_tokens_issue_and_revoke_never_store_the_secret(
    viewer_api: TestClient, db: Session
) -> None:
    issued = viewer_api.post("/api/v1/tokens", json={"name": "laptop"})
    assert issued.status_code == 201
    token_id, secret = issued.json()["id"], issued.json()["token"]
    assert viewer_api.delete(f"/api/v1/tokens/{token_id}").status_code == 200
    assert viewer_api.delete(f"/api/v1/tokens/{token_id}").status_code == 200

    rows = entries_about(db, "token")
    assert [(row.action, row.entity_id, row.summary) for row in rows] == [
        ("issued", token_id, "Issued the API token “laptop” for viewer@example.com"),
        ("revoked", token_id, "Revoked the API token “laptop” of viewer@example.com"),
    ]
    assert {row.actor for row in rows} == {"viewer@example.com"}
    digest = db.get(ApiToken, token_id)
    assert digest is not None
    text = all_entries_text(db)
    assert secret not in text
    assert digest.token_hash not in text


def test_api_sign_in_tokens_are_not_audited(viewer_api: TestClient, db: Session) -> None:
    assert viewer_api.get("/api/v1/auth/me").status_code == 200
    assert entries_about(db, "token") == []


def test_person_create_and_update_record_key_fields(organizer_api: TestClient, db: Session) -> None:
    created = organizer_api.post(
        "/api/v1/people",
        json={"email": "grace@example.com", "name": "Grace Hopper", "title": "Engineer"},
    )
    assert created.status_code == 201, created.text
    person_id = created.json()["id"]
    changed = organizer_api.patch(
        f"/api/v1/people/{person_id}", json={"title": "VP Engineering", "department": "R&D"}
    )
    assert changed.status_code == 200, changed.text

    rows = entries_about(db, "person", person_id)
    assert [(row.action, row.summary) for row in rows] == [
        ("created", "Added Grace Hopper <grace@example.com> to the directory"),
        ("changed", "Changed Grace Hopper in the directory: department, title"),
    ]
    assert rows[1].changes == {"title": ["Engineer", "VP Engineering"], "department": ["", "R&D"]}


def test_people_import_records_counts_as_cli(db: Session, tmp_path: Path) -> None:
    create_person(db, email="old@example.com", name="Old")
    path = tmp_path / "hr.csv"
    path.write_text("Email,Name,Title\nann@example.com,Ann,Director\n", encoding="utf-8")

    result = CliRunner().invoke(cli_app, ["import", "people", str(path), "--deactivate-missing"])

    assert result.exit_code == 0, result.output
    (row,) = entries_about(db, "person")
    assert (row.actor, row.actor_id, row.action, row.entity_id) == ("cli", None, "imported", None)
    assert row.summary == (
        "Imported the directory: 1 rows, 1 created, 0 updated, 0 unchanged, 1 deactivated, "
        "0 skipped"
    )
    assert row.changes == {
        "created": [None, 1],
        "updated": [None, 0],
        "deactivated": [None, 1],
        "skipped": [None, 0],
    }
    assert audit.current_actor.get() is None


def test_without_a_user_the_actor_is_system(db: Session) -> None:
    story_session = create_session(db)
    story_sessions.cancel_session(db, story_session)
    (row,) = entries_about(db, "story_session", story_session.id)
    assert (row.actor, row.actor_id, row.request_id) == ("system", None, None)


def test_entry_rolls_back_with_the_change(db: Session) -> None:
    story_session = create_session(db, title="Before")
    savepoint = db.begin_nested()
    story_sessions.update_session(db, story_session, data=SessionUpdate(title="After"))
    assert len(entries_about(db, "story_session", story_session.id)) == 1
    savepoint.rollback()
    assert entries_about(db, "story_session", story_session.id) == []


def test_secret_fields_are_dropped_whatever_a_caller_passes(db: Session) -> None:
    entry = audit.record(
        db,
        action="changed",
        entity="user",
        entity_id=1,
        summary="x",
        changes={"password_hash": ["a", "b"], "api_token": ["c", "d"], "role": ["viewer", "admin"]},
    )
    assert entry.changes == {"role": ["viewer", "admin"]}


def test_diff_keeps_only_changed_fields_as_json() -> None:
    before = {"starts_at": datetime(2026, 11, 24, 9, tzinfo=UTC), "platform": Platform.zoom}
    after = {"starts_at": datetime(2026, 11, 24, 10, tzinfo=UTC), "platform": Platform.zoom}
    assert audit.diff(before, after) == {
        "starts_at": ["2026-11-24T09:00:00+00:00", "2026-11-24T10:00:00+00:00"]
    }
