"""Follow-ups over the JSON API: draft from the recap, edit, send once, read the replies."""

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.follow_ups import replies
from app.follow_ups.schemas import ReplyCreate
from app.models import Delivery, FollowUp
from tests.follow_ups.support import OWN_WORDS, told_story


def test_draft_edit_send_and_read_replies(organizer_api: TestClient, db: Session) -> None:
    story = told_story(db)
    session_id = story.story_session.id
    created = organizer_api.post(f"/api/v1/sessions/{session_id}/follow-ups", json={})
    assert created.status_code == 201, created.text
    draft = created.json()
    assert draft["status"] == "draft"
    assert draft["speaker_email"] == "ana.ruiz@acme.example"
    assert draft["recap_version"] == 1
    assert OWN_WORDS in draft["body"]
    url = f"/api/v1/follow-ups/{draft['id']}"

    edited = organizer_api.patch(url, json={"subject": "  Your story, six weeks on  "})
    assert edited.status_code == 200
    assert edited.json()["subject"] == "Your story, six weeks on"
    assert edited.json()["body"] == draft["body"]

    sent = organizer_api.post(f"{url}/send")
    assert sent.status_code == 200, sent.text
    assert sent.json()["status"] == "sent"
    assert sent.json()["sent_by"] == "organizer"
    assert sent.json()["delivery_status"] in {"queued", "sent"}
    again = organizer_api.post(f"{url}/send")
    assert again.status_code == 409
    assert "was sent and can no longer change" in again.json()["detail"]
    assert len(db.exec(select(Delivery)).all()) == 1
    locked = organizer_api.patch(url, json={"body": "Changed"})
    assert locked.status_code == 409

    follow_up = db.get(FollowUp, draft["id"])
    assert follow_up is not None
    replies.record_reply(db, follow_up, data=ReplyCreate(helped=5, text="Thanks!", may_quote=True))
    listed = organizer_api.get(f"{url}/replies").json()
    assert listed["total"] == 1
    [reply] = listed["items"]
    assert (reply["helped"], reply["helped_label"], reply["text"], reply["may_quote"]) == (
        5,
        "It made a real difference",
        "Thanks!",
        True,
    )
    session_list = organizer_api.get(f"/api/v1/sessions/{session_id}/follow-ups").json()
    assert session_list["total"] == 1
    assert session_list["items"][0]["replies"] == 1
    assert organizer_api.get(url).json()["subject"] == "Your story, six weeks on"


def test_refusals_say_what_to_do(organizer_api: TestClient, db: Session) -> None:
    unapproved = told_story(db, approve=False, title="Not approved yet")
    response = organizer_api.post(
        f"/api/v1/sessions/{unapproved.story_session.id}/follow-ups", json={}
    )
    assert response.status_code == 409
    assert "has not been approved yet" in response.json()["detail"]

    story = told_story(db, email="")
    draft = organizer_api.post(
        f"/api/v1/sessions/{story.story_session.id}/follow-ups", json={"body": "Hello"}
    ).json()
    url = f"/api/v1/follow-ups/{draft['id']}"
    response = organizer_api.post(f"{url}/send")
    assert response.status_code == 409
    assert response.json()["detail"].startswith("Ana Ruiz has no email address")

    bad = organizer_api.patch(url, json={"speaker_email": "not an address"})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "speaker_email"]
    for body, field in (({"subject": ""}, "subject"), ({"body": "x" * 20_001}, "body")):
        response = organizer_api.patch(url, json=body)
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["body", field]
    assert organizer_api.patch(url, json={"subject": None}).status_code == 422
    assert organizer_api.patch(url, json={"colour": "red"}).status_code == 422

    # The address can be added here once the session is completed (its speakers are closed).
    fixed = organizer_api.patch(url, json={"speaker_email": "Ana.Ruiz@Acme.example"})
    assert fixed.json()["speaker_email"] == "ana.ruiz@acme.example"
    assert organizer_api.post(f"{url}/send").status_code == 200

    wrong_speaker = organizer_api.post(
        f"/api/v1/sessions/{story.story_session.id}/follow-ups", json={"speaker_id": 999_999}
    )
    assert wrong_speaker.status_code == 422
    assert "did not speak at" in wrong_speaker.json()["detail"]


def test_unknown_and_out_of_range_ids(organizer_api: TestClient) -> None:
    assert organizer_api.get("/api/v1/follow-ups/999999").status_code == 404
    assert organizer_api.get("/api/v1/follow-ups/999999").json() == {
        "detail": "There is no follow-up with id 999999."
    }
    assert organizer_api.get("/api/v1/follow-ups/99999999999999").status_code == 422
    assert organizer_api.get("/api/v1/sessions/999999/follow-ups").status_code == 404
    assert organizer_api.post("/api/v1/follow-ups/0/send").status_code == 422


def test_viewers_read_but_do_not_write(viewer_api: TestClient, db: Session) -> None:
    story = told_story(db)
    session_id = story.story_session.id
    assert viewer_api.get(f"/api/v1/sessions/{session_id}/follow-ups").status_code == 200
    response = viewer_api.post(f"/api/v1/sessions/{session_id}/follow-ups", json={})
    assert response.status_code == 403
    assert db.exec(select(FollowUp)).all() == []
