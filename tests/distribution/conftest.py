"""Fixtures for distribution tests: the browser ones, shared with tests/browser."""

from tests.browser.conftest import browser, live_server, page  # noqa: F401 (browser fixtures)
