import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import ConsoleMessage, Page, Route, expect

from tests.browser.conftest import SCREENSHOTS, LiveServer, sign_in

pytestmark = pytest.mark.browser


def test_api_docs_list_operations_with_no_other_host_reachable(
    page: Page, live_server: LiveServer
) -> None:
    ours = urlsplit(live_server.url).netloc
    elsewhere: list[str] = []
    problems: list[str] = []  # a refusal by the CSP is one

    def only_ours(route: Route) -> None:
        if urlsplit(route.request.url).netloc == ours:
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    def note(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(message.text)

    page.route("**/*", only_ours)
    page.on("console", note)
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/docs")
    # Swagger UI's summary row of the operation, as a person sees (and a screen reader says) it.
    people = page.get_by_role("button", name=re.compile(r"^GET \/api\/v1\/people List People"))
    expect(people).to_be_visible(timeout=30_000)  # a large document, on a busy machine
    expect(people.locator(".opblock-summary-method")).to_have_text("GET")
    expect(page.locator(".swagger-ui .title").first).to_contain_text("Storyroom")
    # The viewport only: the whole page is very long.
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "api-docs.png"))
    assert elsewhere == []
    assert problems == []
