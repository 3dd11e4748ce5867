"""A live server on a fresh SQLite database, driven by Debian's Chromium through Playwright."""

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import Engine

from app import db as app_db
from app.db import make_engine
from app.main import create_app
from app.models import Role
from app.worker import huey
from tests.conftest import migrate, require
from tests.factories import PASSWORD, create_user

CHROMIUM = os.environ.get("STORYROOM_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(os.environ.get("STORYROOM_SCREENSHOTS", "var/screenshots"))
# As root on a machine without network: no sandbox, no background connections.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class LiveServer:
    url: str
    engine: Engine
    email: str
    password: str


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    url = f"sqlite:///{tmp_path_factory.mktemp('live') / 'live.db'}"
    migrate(url)
    engine = make_engine(url)
    app_db.bind_sessions(engine)
    with app_db.open_session() as session:
        create_user(session, email="organizer@example.com", role=Role.organizer)
        session.commit()
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the live server did not start"
    yield LiveServer(f"http://127.0.0.1:{port}", engine, "organizer@example.com", PASSWORD)
    server.should_exit = True
    thread.join(timeout=10)
    app_db.bind_sessions(None)
    engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    require(Path(CHROMIUM).exists(), f"Chromium not found at {CHROMIUM}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 860}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page PNG for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page: Page, server: LiveServer) -> None:
    page.goto(f"{server.url}/login")
    page.get_by_label("Work email").fill(server.email)
    page.get_by_label("Password").fill(server.password)
    page.get_by_role("button", name="Sign in").click()


@contextmanager
def demo_loaded_inline() -> Iterator[None]:
    """Run the jobs a demo load queues (its recaps' PDFs) inline, at its commit.

    A module's live server is set up before the per-test fixture that runs jobs inline, and
    jobs sent to the real queue would outlive this database (on Redis, into later tests).
    """
    before = huey.immediate
    huey.immediate = True
    try:
        yield
    finally:
        huey.immediate = before
