"""The recap pages: editor, preview with and without JavaScript, versions, action items."""

from datetime import timedelta

from sqlmodel import Session, select

from app.audit import service as audit
from app.models import ActionItem, ActionStatus, Consent, Recap, RecapStatus, Role, utcnow
from app.recaps.action_items import create_action_item
from app.recaps.editing import get_recap
from app.recaps.quotes import add_quote
from app.recaps.schemas import ActionItemCreate, RecapUpdate
from app.recaps.working_copy import update_recap
from tests.conftest import PageClient
from tests.factories import create_person, create_speaker, create_user
from tests.recaps.authoring import completed_session


def test_editor_saves_summary_and_themes(db: Session, organizer_web: PageClient) -> None:
    story = completed_session(db)
    page = organizer_web.get(f"/sessions/{story.id}/recap")
    assert page.status_code == 200
    assert 'id="summary-form"' in page.text
    assert "recap-editor.js" in page.text
    saved = organizer_web.submit(
        f"/sessions/{story.id}/recap",
        {"summary": "They **loved** the app.", "theme": ["Mobile", ""], "action": "save"},
    )
    assert saved.status_code == 303
    page = organizer_web.get(f"/sessions/{story.id}/recap")
    assert "<strong>loved</strong>" in page.text  # in the preview panel
    assert 'value="Mobile"' in page.text


def test_preview_button_shows_the_draft_without_saving(
    db: Session, organizer_web: PageClient
) -> None:
    story = completed_session(db)
    page = organizer_web.submit(
        f"/sessions/{story.id}/recap", {"summary": "Only a *draft*", "action": "preview"}
    )
    assert page.status_code == 200
    assert "Only a <em>draft</em>" in page.text
    assert get_recap(db, story_session=story) is None


def test_live_preview_endpoint_returns_the_recap_fragment(
    db: Session, organizer_web: PageClient
) -> None:
    story = completed_session(db)
    fragment = organizer_web.submit(
        f"/sessions/{story.id}/recap/preview", {"summary": "<script>x</script> *hi*"}
    )
    assert fragment.status_code == 200
    assert '<article class="recap">' in fragment.text
    assert "<em>hi</em>" in fragment.text
    assert "<script>" not in fragment.text
    assert "<html" not in fragment.text  # a fragment, not a page


def test_oversize_summary_is_refused_on_the_page(db: Session, organizer_web: PageClient) -> None:
    story = completed_session(db)
    page = organizer_web.submit(f"/sessions/{story.id}/recap", {"summary": "x" * 100_001})
    assert page.status_code == 422
    assert "the limit is 100,000" in page.text
    assert get_recap(db, story_session=story) is None


def test_quote_from_speaker_without_consent_is_refused_on_the_page(
    db: Session, organizer_web: PageClient
) -> None:
    story = completed_session(db)
    speaker = create_speaker(db, story, name="Tom Okafor", consent=Consent.none)
    page = organizer_web.submit(
        f"/sessions/{story.id}/recap/quotes", {"speaker_id": str(speaker.id), "text": "Hello"}
    )
    assert page.status_code == 422
    assert "Tom Okafor did not consent to being quoted" in page.text
    assert "Not to be quoted (no consent): Tom Okafor." in page.text


def test_add_quote_and_action_item_then_approve(db: Session, organizer_web: PageClient) -> None:
    story = completed_session(db)
    speaker = create_speaker(db, story)
    create_person(db, email="grace@example.com", name="Grace Hopper")
    organizer_web.submit(f"/sessions/{story.id}/recap", {"summary": "Summary"})
    added = organizer_web.submit(
        f"/sessions/{story.id}/recap/quotes", {"speaker_id": str(speaker.id), "text": "Great"}
    )
    assert added.status_code == 303
    due = (utcnow() + timedelta(days=5)).date().isoformat()
    added = organizer_web.submit(
        f"/sessions/{story.id}/recap/action-items",
        {"description": "Call back", "owner_email": "grace@example.com", "due_on": due},
    )
    assert added.status_code == 303
    approved = organizer_web.submit(f"/sessions/{story.id}/recap/approve")
    assert approved.status_code == 303
    assert approved.headers["location"] == f"/sessions/{story.id}/recap/versions/1"
    version = organizer_web.get(approved.headers["location"])
    assert version.status_code == 200
    assert "Great" in version.text
    assert "Ana Ruiz, CFO" in version.text
    assert "Call back" in version.text
    assert "Grace Hopper" in version.text
    assert f"/sessions/{story.id}/recap/deliveries" in version.text
    versions = organizer_web.get(f"/sessions/{story.id}/recap/versions")
    assert "Version 1" in versions.text
    listing = organizer_web.get("/recaps")
    assert story.title in listing.text
    assert "approved" in listing.text


def test_action_items_page_closes_an_item(db: Session, organizer_web: PageClient) -> None:
    story = completed_session(db)
    item = create_action_item(
        db, story_session=story, data=ActionItemCreate(description="Refund them")
    )
    page = organizer_web.get("/action-items")
    assert "Refund them" in page.text
    done = organizer_web.submit(
        f"/action-items/{item.id}/updates",
        {"note": "", "status": "done", "next": "/action-items?show=open"},
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/action-items?show=open"
    db.refresh(item)
    assert item.status is ActionStatus.done
    assert item.done_at is not None
    assert "Refund them" not in organizer_web.get("/action-items").text
    assert "Refund them" in organizer_web.get("/action-items?show=done").text


def test_update_redirect_stays_on_this_site(db: Session, organizer_web: PageClient) -> None:
    story = completed_session(db)
    item = create_action_item(db, story_session=story, data=ActionItemCreate(description="x"))
    response = organizer_web.submit(
        f"/action-items/{item.id}/updates", {"note": "n", "next": "//evil.example/"}
    )
    assert response.headers["location"] == "/action-items"


def test_viewer_sees_the_recap_read_only(db: Session, viewer_web: PageClient) -> None:
    story = completed_session(db)
    speaker = create_speaker(db, story)
    user = create_user(db, email="o@example.com", role=Role.organizer)
    audit.act_as(db, user)
    update_recap(db, story_session=story, data=RecapUpdate(summary="Read *me*"))
    from app.recaps.schemas import QuoteCreate

    add_quote(db, story_session=story, data=QuoteCreate(speaker_id=speaker.id or 0, text="Quoted"))
    page = viewer_web.get(f"/sessions/{story.id}/recap")
    assert page.status_code == 200
    assert "Read <em>me</em>" in page.text
    assert "Quoted" in page.text
    assert "<textarea" not in page.text
    assert "/recap/approve" not in page.text
    refused = viewer_web.submit(f"/sessions/{story.id}/recap", {"summary": "mine"})
    assert refused.status_code == 403
    recap = db.exec(select(Recap)).one()
    assert recap.summary == "Read *me*"
    assert recap.status is RecapStatus.draft
    assert db.exec(select(ActionItem)).all() == []
