"""In headless Chromium: pick a quote from the transcript page, see it in the recap preview and
in the approved recap's PDF."""

import io
import re

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from app import db as app_db
from tests.browser.conftest import LiveServer, browser, live_server, page, screenshot, sign_in
from tests.transcripts.reading import reading_session

pytestmark = pytest.mark.browser
__all__ = ["browser", "live_server", "page"]  # the browser fixtures, used here

RECORDING = "https://acme.zoom.us/rec/share/abc"
QUOTE = (
    "Our invoices were wrong three months in a row. It took three weeks to get each one corrected."
)


def test_a_quote_picked_from_the_transcript_reaches_the_preview_and_the_pdf(
    page: Page, live_server: LiveServer
) -> None:
    with app_db.open_session() as session:
        reading = reading_session(session, recording_url=RECORDING)
        session_id = reading.story_session.id
        session.commit()

    sign_in(page, live_server)
    page.goto(f"{live_server.url}/sessions/{session_id}/transcript")
    expect(page.get_by_role("heading", name="Transcript", exact=True)).to_be_visible()
    page.get_by_label("Our invoices were wrong three months in a row.").check()
    page.get_by_label("It took three weeks to get each one corrected.").check()
    page.get_by_role("button", name="Make a quote").click()
    expect(page.get_by_role("status")).to_contain_text("Added to the recap's quotes")
    screenshot(page, "transcript-quoted")

    page.goto(f"{live_server.url}/sessions/{session_id}/recap")
    quote = page.locator("#recap-preview .quote")
    expect(quote.locator("blockquote")).to_have_text(QUOTE)
    expect(quote.locator("figcaption")).to_have_text("Ana Ruiz, CFO, Acme Logistics, at 0:12")
    expect(quote.locator("a.quote-at")).to_have_attribute("href", f"{RECORDING}?t=12")

    page.get_by_role("button", name="Approve as version 1…").click()
    page.get_by_role("button", name="Yes, approve version 1").click()
    page.wait_for_url(f"{live_server.url}/sessions/{session_id}/recap/versions/1")
    response = page.request.get(f"{live_server.url}/sessions/{session_id}/recap/versions/1.pdf")
    assert response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.body()))
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))
    assert f"“{QUOTE}” — Ana Ruiz, CFO, Acme Logistics, at 0:12" in text
