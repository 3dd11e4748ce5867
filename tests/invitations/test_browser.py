"""What organizers and invitees see: the invite form, the answers, the RSVP page, the email."""

import re
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from app import db as app_db
from app.invitations import rsvps
from app.mail.compose import compose
from app.models import Delivery, DeliveryKind, Invitation, Rsvp, StorySession, utcnow
from tests.browser.conftest import LiveServer, screenshot, sign_in
from tests.factories import create_customer, create_person, create_session

pytestmark = pytest.mark.browser


def _seed(server: LiveServer) -> int:
    with app_db.open_session() as session:
        for email, name, level, department in (
            ("cara.ceo@example.com", "Cara Okafor", "c-suite", "Executive office"),
            ("vic.vp@example.com", "Victor Lindqvist", "vp", "Sales"),
            ("dana.dir@example.com", "Dana Whitfield", "director", "Customer Success"),
            ("ivy.ic@example.com", "Ivy Chen", "ic", "Customer Success"),
        ):
            create_person(session, email=email, name=name, level_key=level, department=department)
        story_session = create_session(
            session,
            title="How Harbor Lane nearly churned over invoicing",
            starts_at=utcnow() + timedelta(days=9),
            timezone="Europe/London",
            customer=create_customer(session, name="Harbor Lane Logistics"),
            description="Their finance lead walks us through six months of invoice disputes.",
        )
        session.commit()
        assert story_session.id is not None
        return story_session.id


def _html_of(message: EmailMessage) -> str:
    body = message.get_body(("html",))
    assert body is not None
    return str(body.get_content())


def test_invite_answer_and_see_the_answers(page: Page, live_server: LiveServer) -> None:
    session_id = _seed(live_server)
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/sessions/{session_id}")
    page.get_by_role("link", name="Invite", exact=True).click()
    page.get_by_label("C-suite").check()
    page.get_by_label("SVP/VP").check()
    page.get_by_label("People, by work email").fill("dana.dir@example.com")
    page.get_by_role("button", name="Count who this reaches").click()
    expect(page.get_by_text("This reaches 3 people")).to_be_visible()
    screenshot(page, "invitations-invite-preview")
    page.get_by_role("button", name="Send invitations").click()
    expect(page.get_by_text("3 invitations sent")).to_be_visible()
    screenshot(page, "invitations-invite-sent")

    with app_db.open_session() as session:
        invitations = session.exec(select(Invitation).order_by(Invitation.email)).all()
        story_session = session.get_one(StorySession, session_id)
        cara = invitations[0]
        url = rsvps.rsvp_url(cara, story_session, Rsvp.accepted)
        rsvps.record_rsvp(session, invitations[1], answer=Rsvp.declined)
        delivery = session.exec(
            select(Delivery).where(Delivery.kind == DeliveryKind.invitation)
        ).first()
        assert delivery is not None
        email_html = _html_of(compose(session, delivery))
        session.commit()

    page.goto(url.replace("http://127.0.0.1:8000", live_server.url))
    expect(page.get_by_label("Yes")).to_be_checked()
    screenshot(page, "invitations-rsvp")
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_text("your answer is Yes")).to_be_visible()

    page.goto(f"{live_server.url}/sessions/{session_id}")
    panel = page.locator(".invitations-panel")
    expect(panel).to_contain_text("1 yes")
    expect(panel).to_contain_text("1 no")
    screenshot(page, "invitations-session")

    path = Path("var/screenshots/invitation-email.html")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(email_html)
    page.set_viewport_size({"width": 700, "height": 900})
    page.goto(path.resolve().as_uri())  # outside the app: emails are not under its CSP
    screenshot(page, "invitations-email")


def test_calendar_feed_page(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/calendar")
    page.get_by_role("button", name="Create my feed address").click()
    expect(page.get_by_label("All sessions")).to_have_value(
        re.compile(r"/p/calendar/.+/sessions\.ics$")
    )
    screenshot(page, "invitations-calendar")
