import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, screenshot, sign_in

pytestmark = pytest.mark.browser


def test_sign_in_with_a_wrong_password_shows_an_error(page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/login")
    screenshot(page, "login")
    page.get_by_label("Work email").fill(live_server.email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Incorrect email or password.")


def test_sign_in_reaches_the_dashboard(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server)
    expect(page).to_have_url(f"{live_server.url}/dashboard")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
