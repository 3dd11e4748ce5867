"""The whole loop in headless Chromium: the organizer sends the letter, the storyteller replies."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page
from sqlmodel import select

from app import db as app_db
from app.follow_ups.replies import reply_url
from app.models import FollowUp, FollowUpReply
from tests.browser.conftest import LiveServer, screenshot, sign_in
from tests.follow_ups.support import told_story

pytestmark = pytest.mark.browser


def test_organizer_sends_and_storyteller_replies(page: Page, live_server: LiveServer) -> None:
    with app_db.open_session() as session:
        story = told_story(session)
        session_id = story.story_session.id
        session.commit()

    sign_in(page, live_server)
    page.goto(f"{live_server.url}/sessions/{session_id}")
    page.get_by_role("button", name="Follow up with the storyteller").click()
    page.get_by_label("Subject").fill("What became of your story")
    screenshot(page, "follow-up-draft")
    page.get_by_role("button", name="Send to Ana Ruiz").click()
    page.get_by_text("Sent. Their reply will show here").wait_for()
    screenshot(page, "follow-up-sent")

    with app_db.open_session() as session:
        follow_up = session.exec(select(FollowUp)).one()
        assert follow_up.subject == "What became of your story"
        assert follow_up.sent_at is not None
        link = urlsplit(reply_url(follow_up)).path

    storyteller = page.context.browser.new_page()  # type: ignore[union-attr]
    storyteller.goto(f"{live_server.url}{link}")
    storyteller.get_by_label("It helped a lot").check()
    storyteller.get_by_label("Your reply, in your own words").fill("The refunds are fast now.")
    storyteller.get_by_label("You may quote my reply").check()
    screenshot(storyteller, "follow-up-reply")
    storyteller.get_by_role("button", name="Send my reply").click()
    storyteller.get_by_text("Thank you: your reply reached the team.").wait_for()
    storyteller.close()

    with app_db.open_session() as session:
        [reply] = session.exec(select(FollowUpReply)).all()
        assert (reply.helped, reply.text, reply.may_quote) == (4, "The refunds are fast now.", True)

    page.goto(f"{live_server.url}/sessions/{session_id}")
    panel = page.locator("#follow-ups")
    assert "The refunds are fast now." in panel.inner_text()
    assert "4/5 · It helped a lot" in panel.inner_text()
