"""A recap counts as read from what a person does on its page, seen in headless Chromium."""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import ConsoleMessage, Page, Response

from app import db as app_db
from app.distribution.links import recap_link
from app.distribution.sending import send_recap
from app.models import Delivery, SessionStatus, utcnow
from tests.browser.conftest import LiveServer
from tests.distribution.helpers import PDF_BYTES, approve_recap, create_list
from tests.factories import create_session

pytestmark = pytest.mark.browser


def _sent_recap(title: str) -> tuple[int, str]:
    """A delivery of an approved recap (its PDF stored) and the path of its recipient's link."""
    with app_db.open_session() as session:
        story_session = create_session(
            session,
            title=title,
            status=SessionStatus.completed,
            starts_at=utcnow() - timedelta(days=1),
        )
        approve_recap(session, story_session)
        dlist = create_list(session, name=f"Readers of {title}", outsiders=["cfo@example.org"])
        _, (delivery,) = send_recap(session, story_session=story_session, list_ids=[dlist.id or 0])
        session.commit()
        return delivery.id or 0, urlsplit(recap_link(delivery)).path


def _read(delivery_id: int) -> bool:
    with app_db.open_session() as session:
        delivery = session.get(Delivery, delivery_id)
        assert delivery is not None
        return delivery.read_at is not None


def _is_read_post(response: Response) -> bool:
    return response.request.method == "POST" and response.url.endswith("/p/recap/read")


def _problems(page: Page) -> list[str]:
    """Console errors (a CSP refusal shows there) and uncaught script errors, as they come."""
    problems: list[str] = []

    def console(message: ConsoleMessage) -> None:
        # Chromium asks for /favicon.ico on its own; there is none.
        if message.type == "error" and not message.location["url"].endswith("/favicon.ico"):
            problems.append(message.text)

    page.on("console", console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def test_recap_page_left_open_counts_as_read(page: Page, live_server: LiveServer) -> None:
    delivery_id, path = _sent_recap("What Meridian told us")
    problems = _problems(page)
    with page.expect_response(lambda r: r.url.endswith("/static/recap-read.js")) as script:
        page.goto(live_server.url + path)
    assert script.value.status == 200
    assert "javascript" in script.value.headers["content-type"]
    assert page.get_by_role("heading", name="What Meridian told us").is_visible()
    assert not _read(delivery_id)  # loaded, and its script running, but nobody has read it yet

    # Nobody touches the page: being on screen long enough is reading it.
    with page.expect_response(_is_read_post, timeout=30_000) as posted:
        pass
    assert posted.value.status == 204
    assert _read(delivery_id)
    assert problems == []


def test_recap_page_scrolled_counts_as_read_sooner(page: Page, live_server: LiveServer) -> None:
    delivery_id, path = _sent_recap("What Halden told us")
    page.goto(live_server.url + path)
    page.mouse.wheel(0, 400)
    # Well before the page alone would count (READ_AFTER_SECONDS), the scroll has.
    with page.expect_response(_is_read_post, timeout=6_000) as posted:
        pass
    assert posted.value.status == 204
    assert _read(delivery_id)


def test_recap_pdf_downloaded_from_the_page_counts_as_read(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    delivery_id, path = _sent_recap("What Osprey told us")
    page.goto(live_server.url + path)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the PDF").click()
    assert download.value.suggested_filename.startswith("Recap-What-Osprey-told-us-")
    saved = tmp_path / "recap.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes() == PDF_BYTES
    assert _read(delivery_id)
