"""A viewer of the dashboards: each page, a filter, a CSV download, and a screenshot of each."""

import csv
import io
import random
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from app import db as app_db
from app.models import EngagementStage, Invitation, LeaderStage, Rsvp, SessionStatus
from tests.browser.conftest import LiveServer, screenshot, sign_in
from tests.factories import create_attendance, create_customer, create_person, create_session

pytestmark = pytest.mark.browser

DEPARTMENTS = ("Customer Success", "Sales", "Product", "Engineering", "Finance", "Operations")
CUSTOMERS = ("Harbor Lane Logistics", "Northwind Clinics", "Brightwater Energy", "Atlas Retail")
FIRST = ("Maya", "Tom", "Lena", "Omar", "Grace", "Ivan", "Nora", "Sam", "Priya", "Jonas")
LAST = ("Okafor", "Lindqvist", "Moreau", "Chen", "Haddad", "Novak", "Reyes", "Schmidt")


@pytest.fixture(scope="module")
def organisation(live_server: LiveServer) -> None:
    """About 200 people, 14 sessions over seven months, executives who mostly stay away."""
    rng = random.Random(6)
    with app_db.open_session() as session:
        people = []
        ladder = [("c-suite", 4), ("vp", 10), ("director", 18), ("manager", 36), ("ic", 132)]
        n = 0
        for level, count in ladder:
            for _ in range(count):
                name = f"{FIRST[n % len(FIRST)]} {LAST[(n // len(FIRST)) % len(LAST)]}"
                people.append(
                    (
                        level,
                        create_person(
                            session,
                            email=f"p{n}@example.com",
                            name=name,
                            title={"c-suite": "Chief Officer", "vp": "Vice President"}.get(
                                level, level.title()
                            ),
                            department=DEPARTMENTS[n % len(DEPARTMENTS)],
                            level_key=level,
                        ),
                    )
                )
                n += 1
        chance = {"c-suite": 0.08, "vp": 0.2, "director": 0.35, "manager": 0.5, "ic": 0.6}
        start = datetime(2026, 1, 13, 16, tzinfo=UTC)
        for i in range(14):
            story_session = create_session(
                session,
                title=f"How {CUSTOMERS[i % len(CUSTOMERS)]} sees us",
                starts_at=start + timedelta(days=14 * i),
                status=SessionStatus.completed,
                customer=create_customer(session, name=f"{CUSTOMERS[i % 4]} {i}"),
            )
            for level, person in people:
                if rng.random() < chance[level]:
                    create_attendance(session, story_session=story_session, person=person)
                if i >= 8 and level in ("c-suite", "vp"):
                    rsvp = Rsvp.accepted if rng.random() < 0.6 else Rsvp.needs_action
                    session.add(
                        Invitation(
                            session_id=story_session.id or 0,
                            person_id=person.id,
                            email=person.email,
                            rsvp=rsvp,
                        )
                    )
            create_attendance(session, story_session=story_session, level_key="unknown")
        ceo = people[0][1]
        session.add(LeaderStage(person_id=ceo.id or 0, target_stage=EngagementStage.commitment))
        session.commit()


def _fits(page: Page) -> None:
    """Nothing sticks out sideways at a laptop's width."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _download(page: Page) -> list[list[str]]:
    with page.expect_download() as info:
        page.get_by_role("link", name="Download CSV").click()
    text = Path(info.value.path()).read_text(encoding="utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_viewer_opens_the_overview_filters_and_downloads(
    page: Page, live_server: LiveServer, organisation: None
) -> None:
    sign_in(page, live_server)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Who is in the room")).to_be_visible()
    regular = page.locator(".stat").filter(has_text="Executives who come regularly")
    expect(regular.locator(".sub")).to_contain_text("of 14 attended at least half")
    people = page.locator(".stat").filter(has_text="Unique people").locator(".sub")
    expect(people).to_contain_text("in 14 sessions")
    chart = page.get_by_role("img", name="Share of each level at each session").first
    expect(chart).to_be_visible()
    expect(chart.locator("text", has_text="100%").first).to_be_visible()
    _fits(page)
    screenshot(page, "dashboard-overview-1440")

    page.get_by_label("From").fill("2026-04-01")
    page.get_by_label("Department").select_option("Sales")
    page.get_by_role("button", name="Apply").click()
    expect(people).to_contain_text("in 8 sessions")
    expect(page.get_by_label("Department")).to_have_value("Sales")

    rows = _download(page)
    assert rows[0][:4] == ["Date", "Timezone", "Session", "Attendees"]
    assert len(rows) == 9
    assert all(row[0] >= "2026-04-01" for row in rows[1:])


@pytest.mark.parametrize("path", ["/dashboard", "/dashboard/leaders/grid", "/dashboard/funnel"])
def test_viewer_reads_the_dashboards_on_a_phone(
    page: Page, live_server: LiveServer, organisation: None, path: str
) -> None:
    sign_in(page, live_server)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}{path}")
    _fits(page)
    if path == "/dashboard":
        narrow = page.get_by_role("img", name="Share of each level at each session")
        expect(narrow).to_have_count(1)  # the wide chart is hidden on a phone
        box = narrow.bounding_box()
        assert box is not None
        assert box["width"] >= 300
    screenshot(page, f"dashboard{path.removeprefix('/dashboard').replace('/', '-')}-390")


def test_viewer_sees_every_leader_session_by_session(
    page: Page, live_server: LiveServer, organisation: None
) -> None:
    sign_in(page, live_server)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{live_server.url}/dashboard")
    page.get_by_role("link", name="Every leader, session by session").click()
    expect(page.get_by_role("heading", name="Every leader, session by session")).to_be_visible()
    rows = page.locator("table.leader-grid tbody tr")
    expect(rows).to_have_count(14)
    first = rows.first
    expect(first.locator("td.g")).to_have_count(14)
    never = page.locator("table.leader-grid tbody tr.g-never")
    if never.count():
        expect(rows.first).to_have_class("g-never")
    expect(page.get_by_role("img", name="accepted, did not come").first).to_be_visible()
    _fits(page)
    screenshot(page, "dashboard-grid-1440")
    page.get_by_role("link", name="Funnel").click()
    expect(page.get_by_role("img", name="Invited → accepted → attended → read")).to_be_visible()
    screenshot(page, "dashboard-funnel-1440")


def test_viewer_switches_the_level_view_with_the_keyboard(
    page: Page, live_server: LiveServer, organisation: None
) -> None:
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/dashboard/levels")
    expect(page.get_by_role("heading", name="Participation by level")).to_be_visible()
    _fits(page)
    screenshot(page, "dashboard-levels")
    link = page.get_by_role("link", name="Level today")
    link.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Share per month, by level today")).to_be_visible()
    rows = _download(page)
    assert rows[0][0] == "Level"
    assert [row[0] for row in rows[1:3]] == ["C-suite", "SVP/VP"]


def test_viewer_sees_leaders_and_who_never_came(
    page: Page, live_server: LiveServer, organisation: None
) -> None:
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/dashboard/leaders")
    expect(page.get_by_role("heading", name="Are the leaders in the room?")).to_be_visible()
    expect(page.get_by_role("heading", name="Never attended")).to_be_visible()
    expect(page.get_by_text(re.compile(r"steps? to go")).first).to_be_visible()
    _fits(page)
    screenshot(page, "dashboard-leaders")
    page.get_by_label("Include directors").check()
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("(executives and directors)")).to_be_visible()
    rows = _download(page)
    assert rows[0][:2] == ["Name", "Title"]
    assert len(rows) == 1 + 4 + 10 + 18


def test_organizer_sets_a_leader_stage(
    page: Page, live_server: LiveServer, organisation: None
) -> None:
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/dashboard/leaders")
    page.get_by_role("link", name="Set stage for").first.click()
    page.get_by_label("Target stage").select_option("action")
    screenshot(page, "dashboard-stage-form")
    page.get_by_role("button", name="Save stage").click()
    expect(page.get_by_role("heading", name="Are the leaders in the room?")).to_be_visible()


def test_viewer_compares_departments(
    page: Page, live_server: LiveServer, organisation: None
) -> None:
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/dashboard/departments")
    expect(page.get_by_role("img", name="Participation rate by department")).to_be_visible()
    _fits(page)
    screenshot(page, "dashboard-departments")
    page.get_by_label("Level").select_option("manager")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_label("Level")).to_have_value("manager")
    rows = _download(page)
    assert rows[0][:4] == ["Department", "Headcount today", "Unique attendees", "Participation (%)"]
    assert sorted(row[0] for row in rows[1:]) == sorted(DEPARTMENTS)
    assert sum(int(row[1]) for row in rows[1:]) == 36
