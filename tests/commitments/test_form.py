"""The public commitment form: what a leader will do, refused clearly when it cannot be kept."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.commitments import links
from app.models import ActionItem, AuditEntry, Commitment, CommitmentStatus, utcnow
from tests.commitments.helpers import World, held_session, make_world


def _form_url(world: World) -> str:
    token = links.commitment_token(
        person_id=world.leader.id or 0, session_id=world.story_session.id or 0
    )
    return f"/p/commit/{token}"


def _commitments(db: Session) -> list[Commitment]:
    return list(db.exec(select(Commitment).order_by(Commitment.id)).all())  # type: ignore[arg-type]


def test_the_form_offers_the_sessions_action_items_and_themes(
    db: Session, anon: TestClient
) -> None:
    world = make_world(db)
    other = held_session(db, title="Another story")
    db.add(ActionItem(session_id=other.id or 0, description="Someone else's item"))
    db.flush()

    page = anon.get(_form_url(world)).text

    assert "Call every churned account" in page
    assert "Billing" in page
    assert "Someone else&#39;s item" not in page
    assert "Someone else's item" not in page
    assert _commitments(db) == []  # opening the link records nothing


def test_a_leader_commits_with_an_action_item_theme_and_due_date(
    db: Session, anon: TestClient
) -> None:
    world = make_world(db)
    due = (utcnow() + timedelta(days=30)).date()

    response = anon.post(
        _form_url(world),
        data={
            "text": "  My team will call every churned account by month end  ",
            "action_item_id": str(world.item.id),
            "theme_id": str(world.theme.id),
            "due_on": due.isoformat(),
        },
    )

    assert response.status_code == 200
    assert "your commitment is saved" in response.text
    (commitment,) = _commitments(db)
    assert commitment.text == "My team will call every churned account by month end"
    assert (commitment.person_id, commitment.session_id) == (
        world.leader.id,
        world.story_session.id,
    )
    assert (commitment.action_item_id, commitment.theme_id) == (world.item.id, world.theme.id)
    assert commitment.due_on == due
    assert commitment.status is CommitmentStatus.open
    assert commitment.recorded_by_id is None  # the owner wrote it
    assert "What you committed to" in response.text
    entry = db.exec(select(AuditEntry).where(AuditEntry.entity == "commitment")).one()
    assert entry.action == "created"


def test_html_in_a_commitment_is_shown_escaped(db: Session, anon: TestClient) -> None:
    world = make_world(db)

    response = anon.post(_form_url(world), data={"text": "<script>alert('x')</script> & more"})

    assert response.status_code == 200
    assert "<script>alert" not in response.text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more" in response.text


def test_refused_answers_say_why_and_save_nothing(db: Session, anon: TestClient) -> None:
    world = make_world(db)
    other = held_session(db, title="Another story")
    foreign = ActionItem(session_id=other.id or 0, description="Someone else's item")
    db.add(foreign)
    db.flush()
    yesterday = (utcnow() - timedelta(days=2)).date()
    cases = [
        ({"text": "   "}, "cannot be empty"),
        ({"text": "x" * 1001}, "Keep it under 1,000 characters."),
        ({"text": "Call them", "due_on": yesterday.isoformat()}, "is in the past"),
        ({"text": "Call them", "due_on": "next week"}, "Give a date such as"),
        (
            {"text": "Call them", "action_item_id": str(foreign.id)},
            f"Action item {foreign.id} is not one of the action items of “What Meridian told us”",
        ),
        ({"text": "Call them", "theme_id": "999999"}, "Theme 999999 is not one of the themes"),
    ]
    for data, message in cases:
        response = anon.post(_form_url(world), data=data)
        assert response.status_code == 422, data
        assert message in response.text, (data, response.text[-2000:])
        assert 'role="alert"' in response.text
        if data["text"].strip():
            assert data["text"][:50] in response.text  # what was typed is kept

    assert _commitments(db) == []
    assert db.exec(select(AuditEntry).where(AuditEntry.entity == "commitment")).all() == []


def test_a_past_due_date_is_shown_beside_its_field(db: Session, anon: TestClient) -> None:
    world = make_world(db)
    yesterday = (utcnow() - timedelta(days=2)).date().isoformat()

    response = anon.post(_form_url(world), data={"text": "Call them", "due_on": yesterday})

    assert response.status_code == 422
    assert f'<p class="field-error" id="due_on-error">The due date {yesterday} is in the past' in (
        response.text
    )
    assert "<li>Due date: The due date" in response.text


def test_no_commitment_to_a_cancelled_or_future_session(db: Session, anon: TestClient) -> None:
    world = make_world(db)
    world.story_session.starts_at = utcnow() + timedelta(days=3)
    db.add(world.story_session)
    db.flush()

    response = anon.post(_form_url(world), data={"text": "Early bird"})

    assert response.status_code == 409
    assert "has not taken place yet" in response.text
    assert _commitments(db) == []
