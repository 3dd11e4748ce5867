"""A recipient's PDF that is not made yet: a page that refreshes itself, then the PDF."""

import hashlib
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.distribution.links import recap_link
from app.distribution.sending import send_recap
from app.models import Delivery, RecapVersion, RenderedPdf, SessionStatus, utcnow
from app.recaps import tasks
from tests.distribution.helpers import PDF_BYTES, approve_recap, create_list
from tests.factories import create_session

REFRESH = re.compile(r'<meta http-equiv="refresh" content="5; url=([^"]+)">')


@pytest.fixture
def render_jobs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The version ids whose render was queued (nothing is rendered)."""
    queued: list[int] = []
    monkeypatch.setattr(tasks, "render_version_pdf", queued.append)
    return queued


def _delivery_without_pdf(db: Session) -> tuple[Delivery, RecapVersion]:
    story_session = create_session(
        db,
        title="What Meridian told us",
        status=SessionStatus.completed,
        starts_at=utcnow() - timedelta(days=1),
    )
    version = approve_recap(db, story_session, with_pdf=False)
    dlist = create_list(db, outsiders=["a@example.org"])
    _, (delivery,) = send_recap(db, story_session=story_session, list_ids=[dlist.id or 0])
    return delivery, version


def _store_pdf(db: Session, version: RecapVersion) -> None:
    pdf = RenderedPdf(sha256=hashlib.sha256(PDF_BYTES).hexdigest(), content=PDF_BYTES, pages=1)
    db.add(pdf)
    db.flush()
    version.pdf_id = pdf.id
    db.add(version)
    db.flush()


def test_public_pdf_waits_on_a_refreshing_page_then_serves_it(
    anon: TestClient, db: Session, render_jobs: list[int]
) -> None:
    delivery, version = _delivery_without_pdf(db)
    page = anon.get(urlsplit(recap_link(delivery)).path).text
    assert "Download the PDF" in page  # offered while it is being made: no dead end
    token = re.search(r'name="token" value="([^"]+)"', page)
    assert token is not None

    waiting = anon.post("/p/recap/pdf", data={"token": token.group(1)})

    assert waiting.status_code == 202
    assert waiting.headers["content-type"].startswith("text/html")
    assert "The PDF is being made" in waiting.text
    refresh = REFRESH.search(waiting.text)
    assert refresh is not None
    assert refresh.group(1) == f"/p/recap/pdf/{token.group(1)}?waited=1"
    assert render_jobs == [version.id]
    db.refresh(delivery)
    assert delivery.read_at is not None  # pressing the button is reading it

    again = anon.get(refresh.group(1))
    assert again.status_code == 202
    next_refresh = REFRESH.search(again.text)
    assert next_refresh is not None
    assert next_refresh.group(1).endswith("?waited=2")
    assert render_jobs == [version.id]  # not queued again on every refresh

    _store_pdf(db, version)
    done = anon.get(next_refresh.group(1))
    assert done.status_code == 200
    assert done.headers["content-type"] == "application/pdf"
    assert done.content == PDF_BYTES


def test_public_pdf_waiting_page_refuses_another_token(anon: TestClient, db: Session) -> None:
    delivery, _version = _delivery_without_pdf(db)
    link_token = urlsplit(recap_link(delivery)).path.rsplit("/", 1)[1]
    response = anon.get(f"/p/recap/pdf/{link_token}")
    assert response.status_code == 403
    assert "This link is not valid" in response.text
