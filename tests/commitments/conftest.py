"""Fixtures for commitment tests: the real SMTP server on loopback, and the browser."""

from tests.browser.conftest import browser, live_server, page  # noqa: F401 (browser fixtures)
from tests.mail.conftest import smtp, smtp_settings  # noqa: F401 (the SMTP server fixtures)
