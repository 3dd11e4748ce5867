"""The demo's pages at a laptop's width and a phone's: nothing clipped, nothing off the edge.

A page passes when no element reaches past the viewport unless it sits in its own scrolling
frame (a wide table scrolls inside its card, the page does not), no button is narrower than its
label, and no text field is narrower than the value it shows. Each page is saved as a
screenshot, for a person to look at.
"""

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Browser, Page
from sqlmodel import col, select

from app import db as app_db
from app.demo import load_demo
from app.demo.people import CEO_TITLE
from app.distribution.links import recap_link
from app.models import Delivery, DeliveryKind, Person, StorySession, Theme
from tests.browser.conftest import LiveServer, demo_loaded_inline, screenshot, sign_in

pytestmark = pytest.mark.browser

WIDTHS = {"laptop": 1440, "phone": 390}

# What is wrong on the page, as sentences; an empty list is a page that fits.
FIT_PROBLEMS = """() => {
  const width = document.documentElement.clientWidth, problems = [];
  const label = el => (el.textContent || el.value || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
  const inOwnFrame = el => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const overflow = getComputedStyle(p).overflowX;
      if (overflow === 'auto' || overflow === 'scroll') return true;
    }
    return false;
  };
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    const fixed = getComputedStyle(el).position === 'fixed';
    if (box.width && box.right > width + 1 && !fixed && !inOwnFrame(el)) {
      const tag = el.tagName.toLowerCase();
      problems.push(`${tag} "${label(el)}" ends at ${Math.round(box.right)} px`);
    }
  }
  for (const el of document.querySelectorAll('button, a.button, input[type=submit]')) {
    if (el.offsetParent && el.scrollWidth > el.clientWidth + 1) {
      problems.push(`button "${label(el)}" is clipped`);
    }
  }
  for (const el of document.querySelectorAll('input[type=text], input:not([type])')) {
    if (el.offsetParent && el.value && el.scrollWidth > el.clientWidth + 1) {
      problems.push(`field ${el.name} cuts off "${el.value.slice(0, 40)}"`);
    }
  }
  return problems.slice(0, 10);
}"""


@pytest.fixture(scope="module")
def demo_paths(live_server: LiveServer) -> dict[str, str]:
    """The demo company, and the pages an organizer and an executive open in a week."""
    with app_db.open_session() as session, demo_loaded_inline():
        load_demo(session, now=datetime(2026, 12, 2, 12, tzinfo=UTC))
        session.commit()
        sent = session.exec(
            select(StorySession)
            .join(Delivery, col(Delivery.session_id) == StorySession.id)
            .where(Delivery.kind == DeliveryKind.recap)
            .order_by(col(StorySession.starts_at).desc())
        ).first()
        assert sent is not None
        delivery = session.exec(
            select(Delivery).where(
                Delivery.kind == DeliveryKind.recap, col(Delivery.person_id).is_not(None)
            )
        ).first()
        assert delivery is not None
        leader = session.exec(select(Person).where(Person.title == CEO_TITLE)).first()
        assert leader is not None
        theme = session.exec(select(Theme).order_by(col(Theme.id))).first()
        assert theme is not None
        public = recap_link(delivery).split("://", 1)[1].split("/", 1)[1]
        return {
            "dashboard": "/dashboard",
            "levels": "/dashboard/levels",
            "leaders": "/dashboard/leaders",
            "grid": "/dashboard/leaders/grid",
            "funnel": "/dashboard/funnel",
            "departments": "/dashboard/departments",
            "themes": "/dashboard/themes",
            "theme": f"/themes/{theme.id}",
            "sessions": "/sessions",
            "session": f"/sessions/{sent.id}",
            "attendance": f"/sessions/{sent.id}/attendance",
            "transcript": f"/sessions/{sent.id}/transcript",
            "recap-editor": f"/sessions/{sent.id}/recap",
            "deliveries": f"/sessions/{sent.id}/recap/deliveries",
            "action-items": "/action-items",
            "people": "/people",
            "person": f"/people/{leader.id}",
            "series": f"/series/{sent.series_id}",
            "lists": "/lists",
            "public-recap": f"/{public}",
        }


@pytest.fixture(scope="module", params=list(WIDTHS))
def sized_page(
    request: pytest.FixtureRequest, browser: Browser, live_server: LiveServer
) -> Iterator[tuple[str, Page]]:
    device = str(request.param)
    context = browser.new_context(viewport={"width": WIDTHS[device], "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server)
    page.wait_for_url(f"{live_server.url}/**")
    yield device, page
    context.close()


@pytest.mark.parametrize(
    "name",
    [
        "dashboard",
        "levels",
        "leaders",
        "grid",
        "funnel",
        "departments",
        "themes",
        "theme",
        "sessions",
        "session",
        "attendance",
        "transcript",
        "recap-editor",
        "deliveries",
        "action-items",
        "people",
        "person",
        "series",
        "lists",
        "public-recap",
    ],
)
def test_the_demo_pages_fit_a_laptop_and_a_phone(
    name: str, sized_page: tuple[str, Page], demo_paths: dict[str, str], live_server: LiveServer
) -> None:
    device, page = sized_page
    response = page.goto(f"{live_server.url}{demo_paths[name]}")
    assert response is not None
    assert response.status == 200, name
    page.wait_for_load_state("networkidle")
    screenshot(page, f"layout-{name}-{WIDTHS[device]}")
    assert page.evaluate(FIT_PROBLEMS) == [], f"{name} at {WIDTHS[device]} px"
