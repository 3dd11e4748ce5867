"""A session's recording link: on its form and API, and where a transcript quote opens it."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.distribution.emails import recap_context
from app.mail.compose import render_email
from app.models import SessionStatus, StorySession, utcnow
from app.recaps.approval import preview_document
from app.recaps.quotes import add_quote
from app.recaps.render import recap_pdf_html
from app.recaps.schemas import QuoteCreate, QuoteCues
from app.templating import clock, recording_at
from tests.conftest import PageClient
from tests.factories import create_session
from tests.transcripts.reading import reading_session

ZOOM = "https://acme.zoom.us/rec/share/abc"


def _quoted(db: Session, recording_url: str) -> int:
    reading = reading_session(db, recording_url=recording_url)
    assert reading.transcript.id is not None
    cues = QuoteCues(transcript_id=reading.transcript.id, first=7, last=7)
    add_quote(db, story_session=reading.story_session, data=QuoteCreate(cues=cues))
    assert reading.story_session.id is not None
    return reading.story_session.id


def test_the_api_sets_a_completed_sessions_recording_link(
    organizer_api: TestClient, db: Session
) -> None:
    held = create_session(
        db, starts_at=utcnow() - timedelta(days=1), status=SessionStatus.completed
    )
    response = organizer_api.patch(f"/api/v1/sessions/{held.id}", json={"recording_url": ZOOM})
    assert response.status_code == 200, response.text
    assert response.json()["recording_url"] == ZOOM
    assert organizer_api.get(f"/api/v1/sessions/{held.id}").json()["recording_url"] == ZOOM


def test_the_api_refuses_a_recording_link_that_is_not_http(
    organizer_api: TestClient, db: Session
) -> None:
    held = create_session(
        db, starts_at=utcnow() - timedelta(days=1), status=SessionStatus.completed
    )
    response = organizer_api.patch(
        f"/api/v1/sessions/{held.id}", json={"recording_url": "javascript:alert(1)"}
    )
    assert response.status_code == 422
    assert (
        "The recording link must start with http:// or https://; got 'javascript:alert(1)'"
        in response.text
    )
    too_long = organizer_api.patch(
        f"/api/v1/sessions/{held.id}", json={"recording_url": "https://x.example/" + "a" * 2000}
    )
    assert too_long.status_code == 422
    db.refresh(held)
    assert held.recording_url == ""


def test_the_edit_form_of_a_held_session_saves_its_recording_link(
    organizer_web: PageClient, db: Session
) -> None:
    held = create_session(
        db, starts_at=utcnow() - timedelta(days=1), status=SessionStatus.completed
    )
    form = organizer_web.get(f"/sessions/{held.id}/edit")
    assert 'id="recording_url" name="recording_url" type="url"' in form.text
    saved = organizer_web.submit(
        f"/sessions/{held.id}/edit", {"description": "", "recording_url": ZOOM}
    )
    assert saved.status_code == 303
    db.refresh(held)
    assert held.recording_url == ZOOM
    page = organizer_web.get(f"/sessions/{held.id}")
    assert f'<dt>Recording</dt><dd><a href="{ZOOM}" rel="noopener noreferrer">' in page.text


def test_the_edit_form_shows_a_bad_recording_link_beside_the_field(
    organizer_web: PageClient, db: Session
) -> None:
    held = create_session(
        db, starts_at=utcnow() - timedelta(days=1), status=SessionStatus.completed
    )
    refused = organizer_web.submit(
        f"/sessions/{held.id}/edit", {"description": "", "recording_url": "ftp://x"}
    )
    assert refused.status_code == 422
    assert (
        '<p class="field-error" id="recording_url-error">The recording link must start with '
        "http:// or https://; got &#39;ftp://x&#39;</p>"
    ) in refused.text


def test_the_online_recap_links_a_transcript_quotes_time_to_the_recording(
    organizer_web: PageClient, db: Session
) -> None:
    session_id = _quoted(db, ZOOM)
    editor = organizer_web.get(f"/sessions/{session_id}/recap")
    assert (
        f'Ana Ruiz, CFO, Acme Logistics, <a class="quote-at" href="{ZOOM}?t=744" '
        'rel="noopener noreferrer">at 12:24</a>'
    ) in editor.text


def test_the_pdf_and_email_print_a_transcript_quotes_time_without_a_link(db: Session) -> None:
    session_id = _quoted(db, ZOOM)
    story_session = db.get(StorySession, session_id)
    assert story_session is not None
    doc = preview_document(db, story_session=story_session)
    html = recap_pdf_html(doc)
    assert (
        'Ana Ruiz, CFO, Acme Logistics, <span class="quote-at">at 12:24</span></figcaption>' in html
    )
    assert "t=744" not in html
    text, email_html = render_email("recap", {**recap_context(doc), "link": "https://x.example"})
    assert "“Fix the invoices, please.”\n  — Ana Ruiz, CFO, Acme Logistics, at 12:24\n" in text
    assert "— Ana Ruiz, CFO, Acme Logistics, at 12:24</div>" in email_html


@pytest.mark.parametrize(
    ("url", "seconds", "expected"),
    [
        (
            "https://www.youtube.com/watch?v=abc&t=5",
            754.9,
            "https://www.youtube.com/watch?v=abc&t=754",
        ),
        ("https://youtu.be/abc", 61, "https://youtu.be/abc?t=61"),
        (
            "https://acme.sharepoint.com/:v:/r/rec.mp4?csf=1",
            90,
            "https://acme.sharepoint.com/:v:/r/rec.mp4?csf=1&t=90",
        ),
        ("https://video.acme.example/s/42#chapter-2", 3.2, "https://video.acme.example/s/42#t=3"),
        ("https://video.acme.example/s/42", None, "https://video.acme.example/s/42"),
        ("", 10, ""),
    ],
)
def test_recording_at_opens_each_kind_of_player_at_the_second(
    url: str, seconds: float | None, expected: str
) -> None:
    assert recording_at(url, seconds) == expected


@pytest.mark.parametrize(
    ("seconds", "expected"), [(0, "0:00"), (65.9, "1:05"), (3725, "1:02:05"), (None, "")]
)
def test_clock_shows_a_moment_of_the_recording(seconds: float | None, expected: str) -> None:
    assert clock(seconds) == expected
