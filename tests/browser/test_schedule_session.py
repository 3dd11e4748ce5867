from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, screenshot, sign_in

pytestmark = pytest.mark.browser


def test_organizer_schedules_a_session_and_sees_it_listed(
    page: Page, live_server: LiveServer
) -> None:
    sign_in(page, live_server)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sessions").click()
    page.get_by_role("link", name="Schedule a session").first.click()
    expect(page.get_by_role("heading", name="Schedule a session")).to_be_visible()

    day = datetime.now(UTC).date() + timedelta(days=21)
    page.get_by_label("Title", exact=True).fill("How Harbor Lane nearly churned over invoicing")
    page.get_by_label("Customer organisation").fill("Harbor Lane Logistics")
    page.get_by_label("Date", exact=True).fill(day.isoformat())
    page.get_by_label("Start time").fill("16:00")
    page.get_by_label("Timezone").select_option("Europe/London")
    page.get_by_label("Duration (minutes)").fill("60")
    page.get_by_label("Platform").select_option("zoom")
    page.get_by_label("Join URL").fill("https://zoom.example.com/j/123")
    page.get_by_label("Speaker 1 name").fill("Dana Whitfield")
    page.get_by_label("Speaker 1 consent").select_option("company_only")
    screenshot(page, "session-form")
    page.get_by_role("button", name="Schedule session").click()

    expect(
        page.get_by_role("heading", name="How Harbor Lane nearly churned over invoicing")
    ).to_be_visible()
    expect(page.get_by_text("Dana Whitfield")).to_be_visible()
    screenshot(page, "session-detail")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sessions").click()
    row = page.get_by_role("row").filter(has_text="How Harbor Lane nearly churned over invoicing")
    expect(row).to_contain_text("Harbor Lane Logistics")
    expect(row).to_contain_text("16:00")
    screenshot(page, "sessions")


def test_schedule_form_errors_keep_the_input(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/sessions/new")
    page.get_by_label("Title", exact=True).fill("A session in the past")
    page.get_by_label("Date", exact=True).fill("2020-01-07")
    page.get_by_label("Start time").fill("10:00")
    page.get_by_role("button", name="Schedule session").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    expect(page.get_by_label("Title", exact=True)).to_have_value("A session in the past")
    screenshot(page, "session-form-error")
