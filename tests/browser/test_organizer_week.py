"""An organizer's week on the demo company, in Chromium: no step ends in a dead end.

Each test is one point of the organizer's week: it clicks through the pages as a person would,
checks what the page says and what the database holds, and saves screenshots at a laptop's
width and a phone's for a person to look at.
"""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect
from sqlmodel import col, select

from app import db as app_db
from app.db import id_of
from app.demo import load_demo
from app.models import (
    ActionItem,
    Attendance,
    AttendanceImport,
    Delivery,
    DeliveryKind,
    Person,
    Recap,
    RecapStatus,
    RecapVersion,
    SessionStatus,
    StorySession,
)
from tests.attendance.support import SAMPLES
from tests.browser.conftest import LiveServer, demo_loaded_inline, screenshot, sign_in

pytestmark = pytest.mark.browser

FAR_REPORT = SAMPLES / "zoom" / "zoomclass_participants_heroes.csv"  # held in 2021
PHONE: ViewportSize = {"width": 390, "height": 860}


@pytest.fixture(scope="module")
def demo(live_server: LiveServer) -> dict[str, int]:
    """The demo company; the ids of an approved, unsent recap's session and of a sent one's."""
    with app_db.open_session() as session, demo_loaded_inline():
        load_demo(session, now=datetime(2026, 12, 2, 12, tzinfo=UTC))
        session.commit()
        approved = session.exec(
            select(Recap.session_id).where(Recap.status == RecapStatus.approved)
        ).first()
        sent = session.exec(
            select(Delivery.session_id)
            .where(Delivery.kind == DeliveryKind.recap)
            .order_by(col(Delivery.session_id).desc())
        ).first()
        assert approved is not None
        assert sent is not None
        return {"approved": approved, "sent": sent}


def _signed_in(page: Page, server: LiveServer) -> None:
    sign_in(page, server)
    page.wait_for_url(f"{server.url}/dashboard")


def _on_a_phone(browser: Browser, server: LiveServer, path: str, name: str) -> None:
    context = browser.new_context(viewport=PHONE)
    phone = context.new_page()
    sign_in(phone, server)
    phone.wait_for_url(f"{server.url}/dashboard")
    phone.goto(f"{server.url}{path}")
    screenshot(phone, f"week-{name}-390")
    context.close()


def test_signing_in_lands_on_the_dashboard(
    page: Page, live_server: LiveServer, demo: object
) -> None:
    sign_in(page, live_server)
    page.wait_for_url(f"{live_server.url}/dashboard")
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/dashboard")
    screenshot(page, "week-dashboard-1440")


def test_a_past_session_is_recorded_from_the_form_and_leads_to_its_attendance(
    page: Page, browser: Browser, live_server: LiveServer, demo: object
) -> None:
    _signed_in(page, live_server)
    page.goto(f"{live_server.url}/sessions/new")
    page.get_by_label("Title", exact=True).fill("Last Tuesday's story, recorded afterwards")
    page.get_by_label("Date", exact=True).fill("2026-11-24")
    page.get_by_label("Start time").fill("15:00")
    page.get_by_label("This session already took place").check()
    page.get_by_role("button", name="Schedule session").click()
    expect(page.get_by_role("link", name="import", exact=False).first).to_be_visible()
    assert "JSON" not in page.content()  # a browser is never told to send JSON
    screenshot(page, "week-past-session-1440")
    with app_db.open_session() as session:
        recorded = session.exec(
            select(StorySession).where(
                StorySession.title == "Last Tuesday's story, recorded afterwards"
            )
        ).one()
        assert recorded.status is SessionStatus.completed
    _on_a_phone(browser, live_server, f"/sessions/{recorded.id}", "past-session")


def test_a_far_report_is_held_then_imported_then_removed(
    page: Page, browser: Browser, live_server: LiveServer, demo: dict[str, int]
) -> None:
    session_id = demo["approved"]
    with app_db.open_session() as session:
        before = sorted(
            id_of(row)
            for row in session.exec(select(Attendance).where(Attendance.session_id == session_id))
        )
    _signed_in(page, live_server)
    page.goto(f"{live_server.url}/sessions/{session_id}/attendance")
    page.get_by_label("Report file").set_input_files(str(FAR_REPORT))
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_role("button", name="Import anyway")).to_be_visible()
    expect(page.get_by_text("This report is from")).to_be_visible()
    screenshot(page, "week-held-import-1440")
    with app_db.open_session() as session:
        held_rows = session.exec(select(Attendance).where(Attendance.session_id == session_id))
        assert sorted(id_of(row) for row in held_rows) == before  # nothing stored while it waits

    page.get_by_role("button", name="Import anyway").click()
    remove = page.get_by_role("button", name="Remove this import")
    expect(remove).to_be_visible()
    with app_db.open_session() as session:
        assert session.exec(
            select(AttendanceImport).where(AttendanceImport.session_id == session_id)
        ).all()
    remove.click()
    expect(page.get_by_role("status").first).to_be_visible()
    screenshot(page, "week-import-removed-1440")
    with app_db.open_session() as session:
        after = session.exec(select(Attendance).where(Attendance.session_id == session_id))
        assert sorted(id_of(row) for row in after) == before
    _on_a_phone(browser, live_server, f"/sessions/{session_id}/attendance", "attendance")


def test_a_refused_action_item_keeps_what_was_typed(
    page: Page, live_server: LiveServer, demo: dict[str, int]
) -> None:
    session_id = demo["sent"]
    _signed_in(page, live_server)
    page.goto(f"{live_server.url}/sessions/{session_id}/recap")
    page.get_by_label("What will we do?").fill("Call Copperfield's finance team back")
    page.get_by_label("Owner's work email").fill("nobody@nowhere.example")
    page.get_by_role("button", name="Add action item").click()
    expect(page.get_by_text("Nothing was saved", exact=False).first).to_be_visible()
    expect(page.get_by_label("What will we do?")).to_have_value(
        "Call Copperfield's finance team back"
    )
    expect(page.get_by_label("Owner's work email")).to_have_value("nobody@nowhere.example")
    screenshot(page, "week-action-item-refused-1440")
    with app_db.open_session() as session:
        assert not session.exec(
            select(ActionItem).where(
                ActionItem.description == "Call Copperfield's finance team back"
            )
        ).all()


def test_sending_shows_who_it_goes_to_and_offers_a_test_first(
    page: Page, browser: Browser, live_server: LiveServer, demo: dict[str, int]
) -> None:
    session_id = demo["approved"]
    _signed_in(page, live_server)
    page.goto(f"{live_server.url}/sessions/{session_id}/recap/deliveries")
    page.get_by_role("button", name="Send a test to me").click()
    with app_db.open_session() as session:
        tests = session.exec(
            select(Delivery).where(
                Delivery.kind == DeliveryKind.recap_test, Delivery.session_id == session_id
            )
        ).all()
        assert [d.to_email for d in tests] == [live_server.email]
    page.goto(f"{live_server.url}/sessions/{session_id}/recap/deliveries")
    page.get_by_role("button", name="Review recipients and send…").click()
    send_now = page.get_by_role("button", name="Send now to", exact=False)
    expect(send_now).to_be_visible()
    expect(page.get_by_text("This recap goes to", exact=False)).to_be_visible()
    screenshot(page, "week-send-review-1440")
    with app_db.open_session() as session:
        sent = session.exec(
            select(Delivery).where(
                Delivery.kind == DeliveryKind.recap, Delivery.session_id == session_id
            )
        ).all()
        assert sent == []  # reviewing sends nothing
    _on_a_phone(browser, live_server, f"/sessions/{session_id}/recap/deliveries", "deliveries")


def test_a_pdf_not_made_yet_is_waited_for_on_a_page_that_refreshes(
    page: Page, live_server: LiveServer, demo: dict[str, int]
) -> None:
    session_id = demo["sent"]
    with app_db.open_session() as session:
        version = session.exec(
            select(RecapVersion)
            .join(Recap, col(Recap.id) == RecapVersion.recap_id)
            .where(Recap.session_id == session_id)
        ).first()
        assert version is not None
        number = version.number
        version.pdf_id = None  # as if its render had not run yet
        session.add(version)
        session.commit()
    _signed_in(page, live_server)
    response = page.goto(f"{live_server.url}/sessions/{session_id}/recap/versions/{number}.pdf")
    assert response is not None
    assert response.status < 400
    expect(page.get_by_role("heading", name="The PDF is being made")).to_be_visible()
    refresh = page.locator('meta[http-equiv="refresh"]')
    assert refresh.count() == 1
    screenshot(page, "week-pdf-waiting-1440")


def test_a_broken_directory_row_is_reported_with_its_line_and_imports_nothing(
    page: Page, live_server: LiveServer, demo: object, tmp_path: Path
) -> None:
    export = tmp_path / "hr-export.csv"
    export.write_text(
        "Email,Name,Title\n"
        "new.one@northwind.demo,New One,Analyst\n"
        'new.two@northwind.demo,"New Two,Analyst\n'
        "new.three@northwind.demo,New Three,Analyst\n",
        encoding="utf-8",
    )
    with app_db.open_session() as session:
        before = len(session.exec(select(Person)).all())
    _signed_in(page, live_server)
    page.goto(f"{live_server.url}/people/import")
    page.get_by_label("HR export (CSV)").set_input_files(str(export))
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_role("heading", name="Nothing was imported")).to_be_visible()
    expect(page.get_by_role("rowheader", name="3")).to_be_visible()
    screenshot(page, "week-directory-refused-1440")
    with app_db.open_session() as session:
        assert len(session.exec(select(Person)).all()) == before
