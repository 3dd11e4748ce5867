"""Erasing a person removes their commitments, with the updates and reminders of them."""

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.commitments.reminders import queue_commitment_reminders
from app.models import Commitment, CommitmentUpdate, Delivery, DeliveryKind, utcnow
from tests.commitments.helpers import add_commitment, make_world
from tests.factories import create_person


def test_erasing_a_person_removes_their_commitments(db: Session, admin_api: TestClient) -> None:
    world = make_world(db)
    other = create_person(db, email="otto@example.com", name="Otto Other")
    theirs = add_commitment(
        db, world.story_session, world.leader, note="Half done", due_on=utcnow().date()
    )
    kept = add_commitment(db, world.story_session, other, text="Otto's promise", note="Started")
    (reminder_id,) = [d.id for d in queue_commitment_reminders(db) if d.commitment_id == theirs.id]

    response = admin_api.post(f"/api/v1/people/{world.leader.id}/erase")

    assert response.status_code == 200, response.text
    assert response.json()["commitments_removed"] == 1
    db.expire_all()
    assert [c.id for c in db.exec(select(Commitment)).all()] == [kept.id]
    assert [u.commitment_id for u in db.exec(select(CommitmentUpdate)).all()] == [kept.id]
    assert db.exec(select(Delivery).where(Delivery.kind == DeliveryKind.commitment_due)).all() == []
    assert db.get(Delivery, reminder_id) is None
    listed = admin_api.get(f"/api/v1/people/{world.leader.id}/commitments").json()
    assert listed["total"] == 0
