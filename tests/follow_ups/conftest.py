"""Fixtures shared from other suites: the loopback SMTP server and the live browser server."""

from tests.browser.conftest import browser, live_server, page  # noqa: F401
from tests.mail.conftest import smtp, smtp_settings  # noqa: F401
