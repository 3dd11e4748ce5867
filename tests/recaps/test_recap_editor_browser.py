"""The recap editor in Chromium: live preview as one types, approval, the version page."""

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from app import db as app_db
from app.models import Consent, utcnow
from app.recaps.action_items import create_action_item
from app.recaps.quotes import add_quote
from app.recaps.schemas import ActionItemCreate, QuoteCreate, RecapUpdate
from app.recaps.working_copy import update_recap
from tests.browser.conftest import LiveServer, browser, live_server, page, screenshot, sign_in
from tests.factories import create_attendance, create_customer, create_person, create_speaker
from tests.recaps.authoring import completed_session

pytestmark = pytest.mark.browser
__all__ = ["browser", "live_server", "page"]  # the browser fixtures, used here


def _seed(server: LiveServer) -> int:
    with app_db.open_session() as session:
        customer = create_customer(session, name="Meridian Freight")
        story = completed_session(
            session, title="Why Meridian nearly left in month one", customer=customer
        )
        speaker = create_speaker(session, story, name="Ana Ruiz", title="Director of Operations")
        create_speaker(session, story, name="Tom Okafor", consent=Consent.none)
        ceo = create_person(
            session,
            email="ceo@x.com",
            name="Cora Chief",
            title="CEO",
            level_key="c-suite",
            department="Executive Office",
        )
        owner = create_person(
            session,
            email="grace@x.com",
            name="Grace Hopper",
            title="VP Operations",
            level_key="vp",
            department="Operations",
        )
        create_attendance(session, story_session=story, person=ceo)
        for n in range(12):
            person = create_person(
                session,
                email=f"p{n}@x.com",
                name=f"Person {n}",
                level_key="ic" if n % 3 else "manager",
                department=("Support", "Sales", "Finance")[n % 3],
            )
            create_attendance(session, story_session=story, person=person)
        update_recap(
            session,
            story_session=story,
            data=RecapUpdate(summary="Meridian moves refrigerated goods.", themes=["Onboarding"]),
        )
        add_quote(
            session,
            story_session=story,
            data=QuoteCreate(
                speaker_id=speaker.id or 0,
                text="We uploaded our insurance certificate three times in the first week.",
            ),
        )
        create_action_item(
            session,
            story_session=story,
            data=ActionItemCreate(
                description="Collect carrier documents once, in one place",
                owner_id=owner.id,
                due_on=(utcnow() + timedelta(days=30)).date(),
            ),
        )
        session.commit()
        return story.id or 0


def test_editor_previews_live_and_approves(page: Page, live_server: LiveServer) -> None:
    session_id = _seed(live_server)
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/sessions/{session_id}/recap")
    expect(
        page.get_by_role("heading", name="Recap of “Why Meridian nearly left in month one”")
    ).to_be_visible()
    summary = page.get_by_role("textbox", name="Summary", exact=True)
    summary.fill(
        "Meridian moves **refrigerated goods** for 140 grocery chains.\n\n"
        "- Onboarding asks for documents three times\n- Support cannot see contracts"
    )
    preview = page.locator("#recap-preview")
    expect(preview.locator("strong", has_text="refrigerated goods")).to_be_visible()
    expect(page.locator("#preview-status")).to_have_text("Preview up to date (not saved).")
    screenshot(page, "recap-editor")

    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_role("button", name="Approve as version 1…").click()
    expect(page.get_by_role("heading", name="Approve version 1?")).to_be_visible()
    page.get_by_role("button", name="Yes, approve version 1").click()
    expect(page.get_by_role("heading", name="Version 1")).to_be_visible()
    expect(page.locator(".recap-page")).to_contain_text(
        "Ana Ruiz, Director of Operations, Meridian Freight"
    )
    screenshot(page, "recap-version")
