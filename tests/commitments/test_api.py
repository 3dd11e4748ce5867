"""Commitments over the API: organizers record and follow up; viewers read; errors say why."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.deps import MAX_ID
from app.models import AuditEntry, Commitment, CommitmentStatus, utcnow
from tests.commitments.helpers import add_commitment, held_session, make_world
from tests.factories import create_person


def test_an_organizer_records_a_commitment_for_someone_in_the_directory(
    db: Session, organizer_api: TestClient
) -> None:
    world = make_world(db)
    due = (utcnow() + timedelta(days=14)).date()

    response = organizer_api.post(
        f"/api/v1/sessions/{world.story_session.id}/commitments",
        json={
            "person_email": "VERA@example.com",
            "text": "Fix the invoice template",
            "action_item_id": world.item.id,
            "due_on": due.isoformat(),
        },
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["owner"] == {
        "id": world.leader.id,
        "name": "Vera Vance",
        "email": "vera@example.com",
        "level": "SVP/VP",
    }
    assert (body["text"], body["status"], body["due_on"]) == (
        "Fix the invoice template",
        "open",
        due.isoformat(),
    )
    assert body["action_item"] == "Call every churned account"
    assert body["recorded_by"] == "organizer"
    assert body["updates"] == []
    commitment = db.get(Commitment, body["id"])
    assert commitment is not None
    assert commitment.recorded_by_id is not None

    listed = organizer_api.get(f"/api/v1/sessions/{world.story_session.id}/commitments").json()
    assert (listed["total"], [item["id"] for item in listed["items"]]) == (1, [body["id"]])
    mine = organizer_api.get(f"/api/v1/people/{world.leader.id}/commitments").json()
    assert [item["id"] for item in mine["items"]] == [body["id"]]


def test_patch_and_updates_change_status_and_are_audited(
    db: Session, organizer_api: TestClient
) -> None:
    world = make_world(db)
    commitment = add_commitment(db, world.story_session, world.leader)
    url = f"/api/v1/commitments/{commitment.id}"

    patched = organizer_api.patch(url, json={"text": "Call them twice", "theme_id": world.theme.id})
    update = organizer_api.post(f"{url}/updates", json={"note": "Half done", "status": None})
    closed = organizer_api.post(f"{url}/updates", json={"note": "All called", "status": "done"})
    detail = organizer_api.get(url).json()

    assert patched.status_code == 200, patched.text
    assert (patched.json()["text"], patched.json()["theme"]) == ("Call them twice", "Billing")
    assert update.status_code == 201
    assert update.json()["status"] is None
    assert closed.status_code == 201
    assert closed.json()["status"] == "done"
    assert detail["status"] == "done"
    assert detail["closed_at"] is not None
    assert [u["note"] for u in detail["updates"]] == ["All called", "Half done"]
    assert detail["latest_update"]["note"] == "All called"
    assert detail["updates"][0]["author"] == "organizer"
    summaries = [
        e.changes
        for e in db.exec(
            select(AuditEntry).where(AuditEntry.entity == "commitment").order_by(AuditEntry.id)  # type: ignore[arg-type]
        )
    ]
    assert summaries == [
        {
            "text": ["My team will call every churned account", "Call them twice"],
            "theme_id": [None, world.theme.id],
        },
        {"status": ["open", "done"]},
    ]

    reopened = organizer_api.patch(url, json={"status": "open"}).json()
    assert (reopened["status"], reopened["closed_at"]) == ("open", None)
    assert reopened["updates"][0]["note"] == "Reopened."


def test_refused_input_is_a_422_naming_the_problem(db: Session, organizer_api: TestClient) -> None:
    world = make_world(db)
    other = held_session(db, title="Elsewhere")
    url = f"/api/v1/sessions/{world.story_session.id}/commitments"
    past = (utcnow() - timedelta(days=3)).date().isoformat()
    cases = [
        ({"person_id": world.leader.id, "text": ""}, "text"),
        ({"person_id": world.leader.id, "text": "x" * 1001}, "text"),
        ({"text": "Nobody named"}, "person_id"),
        ({"person_id": world.leader.id, "text": "Hi", "colour": "red"}, "colour"),
        ({"person_email": "stranger@elsewhere.com", "text": "Hi"}, "No one in the directory"),
        ({"person_id": world.leader.id, "text": "Hi", "due_on": past}, "is in the past"),
        ({"person_id": MAX_ID, "text": "Hi"}, f"There is no person with id {MAX_ID}"),
    ]
    for body, hint in cases:
        response = organizer_api.post(url, json=body)
        assert response.status_code == 422, (body, response.text)
        assert hint in response.text, (body, response.text)
    assert (
        organizer_api.post(
            f"/api/v1/sessions/{other.id}/commitments",
            json={"person_id": world.leader.id, "text": "Hi", "action_item_id": world.item.id},
        ).status_code
        == 422
    )
    assert db.exec(select(Commitment)).all() == []


def test_unknown_ids_are_404_and_out_of_range_ids_422(organizer_api: TestClient) -> None:
    for path in (
        "/api/v1/commitments/999999",
        "/api/v1/sessions/999999/commitments",
        "/api/v1/people/999999/commitments",
    ):
        response = organizer_api.get(path)
        assert response.status_code == 404, path
        assert "999999" in response.json()["detail"]
    assert organizer_api.get(f"/api/v1/commitments/{MAX_ID + 1}").status_code == 422
    assert organizer_api.patch("/api/v1/commitments/999999", json={}).status_code == 404


def test_viewers_read_but_cannot_write(db: Session, viewer_api: TestClient) -> None:
    world = make_world(db)
    commitment = add_commitment(db, world.story_session, world.leader)
    create_person(db, email="x@example.com", name="X")

    assert viewer_api.get(f"/api/v1/commitments/{commitment.id}").status_code == 200
    assert (
        viewer_api.get(f"/api/v1/sessions/{world.story_session.id}/commitments").status_code == 200
    )
    writes = [
        viewer_api.post(
            f"/api/v1/sessions/{world.story_session.id}/commitments",
            json={"person_id": world.leader.id, "text": "Hi"},
        ),
        viewer_api.patch(f"/api/v1/commitments/{commitment.id}", json={"status": "done"}),
        viewer_api.post(f"/api/v1/commitments/{commitment.id}/updates", json={"note": "Hi"}),
    ]
    assert [response.status_code for response in writes] == [403, 403, 403]
    db.refresh(commitment)
    assert commitment.status is CommitmentStatus.open
