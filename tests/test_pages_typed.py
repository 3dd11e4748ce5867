"""Forms keep what you typed after an error: the page shows the refused values again."""

from sqlmodel import Session, select

from app.models import ActionItem, Role
from tests.auth.test_users import admin_web  # noqa: F401  (fixture)
from tests.conftest import PageClient
from tests.factories import create_user
from tests.recaps.authoring import completed_session


def test_action_item_form_keeps_its_description_after_an_error(
    organizer_web: PageClient, db: Session
) -> None:
    story = completed_session(db)
    response = organizer_web.submit(
        f"/sessions/{story.id}/recap/action-items",
        {"description": "Call the CFO back", "owner_email": "cfo@example.com", "due_on": "soon"},
    )
    assert response.status_code == 422
    assert "Due date" in response.text
    assert 'value="Call the CFO back"' in response.text
    assert 'value="cfo@example.com"' in response.text
    assert 'value="soon"' in response.text
    assert db.exec(select(ActionItem)).all() == []


def test_action_item_update_keeps_its_note_after_an_error(
    organizer_web: PageClient, db: Session
) -> None:
    story = completed_session(db)
    added = organizer_web.submit(
        f"/sessions/{story.id}/recap/action-items", {"description": "Send the deck"}
    )
    assert added.status_code == 303
    item = db.exec(select(ActionItem)).one()
    note = "n" * 2001  # one character too many
    response = organizer_web.submit(
        f"/action-items/{item.id}/updates",
        {"note": note, "status": "in_progress", "next": "/action-items?show=open"},
    )
    assert response.status_code == 422
    assert f'value="{note}"' in response.text
    assert '<option value="in_progress" selected>' in response.text
    assert 'name="next" value="/action-items?show=open"' in response.text


def test_new_account_form_keeps_email_name_and_role_after_an_error(
    admin_web: PageClient,  # noqa: F811
    db: Session,
) -> None:
    create_user(db, email="taken@example.com", role=Role.viewer)
    response = admin_web.submit(
        "/admin/users", {"email": "taken@example.com", "name": "Tess Taken", "role": "viewer"}
    )
    assert 400 <= response.status_code < 500
    assert "Nothing was saved" in response.text
    assert 'value="taken@example.com"' in response.text
    assert 'value="Tess Taken"' in response.text
    assert '<option value="viewer" selected>' in response.text
