"""The deliveries page and the recap email, looked at in headless Chromium."""

from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from playwright.sync_api import Page
from sqlmodel import select

from app import db as app_db
from app.distribution.sending import send_recap
from app.mail.compose import compose
from app.models import Delivery, DeliveryStatus, SessionStatus, User, utcnow
from tests.browser.conftest import SCREENSHOTS, LiveServer, screenshot, sign_in
from tests.distribution.helpers import approve_recap, create_list
from tests.factories import create_customer, create_person, create_session

pytestmark = pytest.mark.browser


def test_deliveries_page_and_recap_email(page: Page, live_server: LiveServer) -> None:
    with app_db.open_session() as session:
        organizer = session.exec(select(User)).first()
        story_session = create_session(
            session,
            title="How Meridian Freight onboards 400 drivers a month",
            status=SessionStatus.completed,
            starts_at=utcnow() - timedelta(days=1),
            customer=create_customer(session, name="Meridian Freight"),
            organizer_id=organizer.id if organizer else None,
        )
        approve_recap(session, story_session)
        people = [
            create_person(session, email=f"{key}@example.com", name=name, level_key=level)
            for key, name, level in (
                ("ceo", "Grace Hopper", "c-suite"),
                ("cfo", "Ada Byron", "c-suite"),
                ("coo", "Alan Turing", "vp"),
            )
        ]
        dlist = create_list(
            session, people=people, outsiders=["chair@board.example"], allow_unsubscribe=True
        )
        _, added = send_recap(session, story_session=story_session, list_ids=[dlist.id or 0])
        for delivery in added:
            delivery.attempts = 1
            delivery.status = DeliveryStatus.sent
            delivery.sent_at = utcnow()
        added[0].read_at = utcnow()
        bounced = next(d for d in added if d.to_email == "chair@board.example")
        bounced.status = DeliveryStatus.failed
        bounced.sent_at = None
        bounced.last_error = "550 5.1.1 <chair@board.example>: Recipient address rejected"
        session.add_all(added)
        message: EmailMessage = compose(session, added[0])
        session.commit()
        session_id = story_session.id
        delivery_count = len(session.exec(select(Delivery)).all())

    sign_in(page, live_server)
    page.goto(f"{live_server.url}/sessions/{session_id}/recap/deliveries")
    assert page.get_by_role("heading", name="Send the recap").is_visible()
    assert page.get_by_role("button", name="Resend all failed (1)").is_visible()
    assert page.locator("table.dist-status tbody tr").count() == delivery_count == 4
    screenshot(page, "distribution-deliveries")

    parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
    html = parsed.get_body(preferencelist=("html",))
    assert html is not None
    path = SCREENSHOTS / "distribution-recap-email.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html.get_content())
    page.set_viewport_size({"width": 720, "height": 900})
    page.goto(path.resolve().as_uri())
    assert page.get_by_role("link", name="Read the full recap").is_visible()
    screenshot(page, "distribution-recap-email")
