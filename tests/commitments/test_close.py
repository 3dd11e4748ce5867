"""Closing from the reminder: the link asks for a sentence; only the POST changes anything."""

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.commitments import links
from app.models import AuditEntry, Commitment, CommitmentStatus, CommitmentUpdate, utcnow
from tests.commitments.helpers import add_commitment, make_world


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def _status(db: Session, commitment: Commitment) -> CommitmentStatus:
    db.refresh(commitment)
    return commitment.status


def test_opening_a_close_link_shows_the_form_and_changes_nothing(
    db: Session, anon: TestClient
) -> None:
    world = make_world(db)
    commitment = add_commitment(db, world.story_session, world.leader, text="Call <them> all")

    page = anon.get(_path(links.close_link(commitment, status="dropped")))

    assert page.status_code == 200
    assert "Call &lt;them&gt; all" in page.text
    assert 'value="dropped" checked' in page.text
    assert "In a sentence: what happened?" in page.text
    db.refresh(commitment)
    assert commitment.status is CommitmentStatus.open
    assert commitment.closed_at is None
    assert db.exec(select(CommitmentUpdate)).all() == []


def test_posting_closes_it_with_the_sentence(db: Session, anon: TestClient) -> None:
    world = make_world(db)
    commitment = add_commitment(db, world.story_session, world.leader)
    path = _path(links.close_link(commitment, status="done")).split("?")[0]

    response = anon.post(
        path, data={"status": "done", "note": "Called all 42 accounts; 9 came back."}
    )

    assert response.status_code == 200
    assert "it is marked done" in response.text
    db.refresh(commitment)
    assert commitment.status is CommitmentStatus.done
    assert commitment.closed_at is not None
    assert commitment.closed_at <= utcnow()
    (update,) = db.exec(select(CommitmentUpdate)).all()
    assert (update.note, update.status, update.author_id) == (
        "Called all 42 accounts; 9 came back.",
        CommitmentStatus.done,
        None,
    )
    entry = db.exec(select(AuditEntry).where(AuditEntry.entity == "commitment")).one()
    assert entry.changes == {"status": ["open", "done"]}

    again = anon.post(path, data={"status": "dropped", "note": "Changed my mind"})
    assert again.status_code == 409
    assert "already done" in again.text
    db.refresh(commitment)
    assert commitment.status is CommitmentStatus.done
    assert len(db.exec(select(CommitmentUpdate)).all()) == 1


def test_closing_without_a_sentence_records_the_change_and_refuses_nonsense(
    db: Session, anon: TestClient
) -> None:
    world = make_world(db)
    commitment = add_commitment(db, world.story_session, world.leader)
    path = _path(links.close_link(commitment, status="dropped")).split("?")[0]

    refused = anon.post(path, data={"status": "open", "note": "Hmm"})
    too_long = anon.post(path, data={"status": "dropped", "note": "x" * 2001})
    assert refused.status_code == 422
    assert "Choose whether it is done or dropped." in refused.text
    assert too_long.status_code == 422
    assert "Keep it under 2,000 characters." in too_long.text
    assert _status(db, commitment) is CommitmentStatus.open

    response = anon.post(path, data={"status": "dropped", "note": ""})

    assert response.status_code == 200
    assert _status(db, commitment) is CommitmentStatus.dropped
    (update,) = db.exec(select(CommitmentUpdate)).all()
    assert update.note == "Dropped."
