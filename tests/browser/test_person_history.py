"""An organizer before a meeting: sorts the people by sessions attended, opens a leader's page
and reads their history; screenshots at 1440 and 390 px to look at."""

from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from app import db as app_db
from app.models import ActionItem, Rsvp, SessionStatus
from tests.browser.conftest import LiveServer, screenshot, sign_in
from tests.factories import create_attendance, create_person, create_session
from tests.people.support import invite, send_recap

pytestmark = pytest.mark.browser

NAMES = ("Maya Okafor", "Tom Lindqvist", "Lena Moreau", "Omar Chen", "Grace Haddad", "Ivan Novak")


@pytest.fixture(scope="module")
def people(live_server: LiveServer) -> None:
    """Six people; Grace (a VP) came to 4 of 6 sessions, Omar to all 6, Ivan to none."""
    came = {"Omar Chen": 6, "Grace Haddad": 4, "Maya Okafor": 2, "Tom Lindqvist": 1}
    with app_db.open_session() as session:
        folks = {
            name: create_person(
                session,
                email=f"{name.split()[0].lower()}@example.com",
                name=name,
                title="Vice President, Customer Operations" if name == "Grace Haddad" else "",
                department="Customer Success" if index % 2 else "Finance",
                level_key="vp" if name == "Grace Haddad" else "ic",
            )
            for index, name in enumerate(NAMES)
        }
        start = datetime(2026, 1, 13, 16, tzinfo=UTC)
        for i in range(6):
            story = create_session(
                session,
                title=f"How Northwind Clinic {i + 1} runs their support desk across regions",
                starts_at=start + timedelta(days=14 * i),
                status=SessionStatus.completed,
            )
            invite(session, story, folks["Grace Haddad"], Rsvp.accepted if i % 3 else Rsvp.declined)
            for name, count in came.items():
                if i < count:
                    create_attendance(
                        session, story_session=story, person=folks[name], minutes_present=40 + i
                    )
            send_recap(session, story, folks["Grace Haddad"], read=i % 2 == 0)
            if i == 1:
                session.add(
                    ActionItem(
                        session_id=story.id or 0,
                        description="Call the clinic's head of support about the backlog",
                        owner_id=folks["Grace Haddad"].id,
                        due_on=date(2026, 3, 1),
                    )
                )
        session.commit()


@pytest.mark.parametrize("width", [1440, 390])
def test_organizer_sorts_people_and_reads_a_leaders_history(
    page: Page, live_server: LiveServer, people: None, width: int
) -> None:
    sign_in(page, live_server)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/people")
    header = page.get_by_role("columnheader", name="Sessions attended")
    header.get_by_role("link").click()
    expect(header).to_have_attribute("aria-sort", "descending")
    rows = page.locator("tbody tr th[scope=row] a")
    expect(rows.first).to_have_text("Omar Chen")
    expect(rows.nth(1)).to_have_text("Grace Haddad")
    expect(rows.last).to_have_text("Lena Moreau")  # never came; ties by name
    header.get_by_role("link").click()  # again: the fewest first
    expect(header).to_have_attribute("aria-sort", "ascending")
    expect(rows.first).to_have_text("Ivan Novak")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    header.get_by_role("link").click()
    screenshot(page, f"people-sorted-{width}")

    page.get_by_role("link", name="Grace Haddad").click()
    history = page.get_by_role("region", name="History")
    expect(history).to_contain_text(
        "Invited to 6, accepted 4, attended 4 (2 h 46 min), 6 recaps received, 3 read"
    )
    # She came four times but committed nothing and closed no action item (docs/ladder.md).
    expect(history.locator(".stage")).to_have_text("Buy-in")
    table = history.locator("table.history-sessions")
    expect(table.locator("tbody tr")).to_have_count(6)
    expect(table.locator("tbody tr").first).to_contain_text("not present")
    expect(history).to_contain_text("Call the clinic's head of support")
    expect(history.locator(".badge.overdue")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, f"person-history-{width}")
