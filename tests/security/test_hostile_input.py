"""Hostile text in every field a user can set stays inert in pages, emails, PDFs and calendars;
hostile requests (oversized, malformed, badly encoded, deeply nested) get a clear 4xx."""

import asyncio
import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar
from pypdf import PdfReader
from sqlmodel import Session, col, select

from app.config import get_settings
from app.distribution import digests
from app.distribution.links import recap_link
from app.distribution.sending import send_recap
from app.mail.compose import compose
from app.models import (
    AttendanceImport,
    Cadence,
    Delivery,
    DeliveryKind,
    RecapVersion,
    RenderedPdf,
    SessionSpeaker,
    SessionStatus,
    StorySession,
    utcnow,
)
from app.recaps.document import RecapDocument
from app.recaps.render import recap_pdf_html
from app.story_sessions.ics import session_calendar
from tests.conftest import PageClient
from tests.distribution.helpers import approve_recap, create_list
from tests.factories import create_person, create_session
from tests.security.payloads import HOSTILE, PAYLOADS, SHORT_HOSTILE, assert_inert

MONDAY_9_PARIS = datetime(2026, 3, 16, 8, 0, tzinfo=UTC)


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


@dataclass
class World:
    session_id: int
    series_id: int
    list_id: int
    person_id: int
    item_id: int


@pytest.fixture
def world(organizer_api: TestClient, db: Session) -> World:
    """Every free-text field set to hostile text, through the API as a user would."""
    created = organizer_api.post(
        "/api/v1/sessions",
        json={
            "title": f"Session {HOSTILE}",
            "description": f"Described {HOSTILE}",
            "customer": f"Customer {HOSTILE}",
            "speakers": [{"name": f"Speaker {HOSTILE}", "consent": "named"}],
            "starts_at": (utcnow() - timedelta(days=1)).isoformat(),
            "timezone": "Europe/Paris",
            "platform": "zoom",
            "status": "completed",
        },
    )
    assert created.status_code == 201, created.text
    session_id = created.json()["id"]
    speaker = db.exec(select(SessionSpeaker).where(SessionSpeaker.session_id == session_id)).one()
    speaker_id = speaker.id
    series = organizer_api.post(
        "/api/v1/series",
        json={
            "title": f"Series {HOSTILE}",
            "description": f"Programme {HOSTILE}",
            "rrule": "FREQ=WEEKLY;COUNT=2",
            "timezone": "Europe/Paris",
            "first_start_local": (datetime.now(UTC) + timedelta(days=3))
            .replace(tzinfo=None, microsecond=0)
            .isoformat(),
            "platform": "zoom",
        },
    )
    assert series.status_code == 201, series.text
    recap = organizer_api.put(
        f"/api/v1/sessions/{session_id}/recap",
        json={
            "summary": f"Summary {HOSTILE}\n\n[click](javascript:alert(1))",
            "themes": [SHORT_HOSTILE],
        },
    )
    assert recap.status_code == 200, recap.text
    quote = organizer_api.post(
        f"/api/v1/sessions/{session_id}/recap/quotes",
        json={"speaker_id": speaker_id, "text": f"Quoted {HOSTILE}"},
    )
    assert quote.status_code == 201, quote.text
    item = organizer_api.post(
        f"/api/v1/sessions/{session_id}/action-items", json={"description": f"Act {HOSTILE}"}
    )
    assert item.status_code == 201, item.text
    update = organizer_api.post(
        f"/api/v1/action-items/{item.json()['id']}/updates", json={"note": f"Update {HOSTILE}"}
    )
    assert update.status_code == 201, update.text
    dlist = organizer_api.post(
        "/api/v1/lists", json={"name": f"List {HOSTILE}", "description": f"About {HOSTILE}"}
    )
    assert dlist.status_code == 201, dlist.text
    member = organizer_api.post(
        f"/api/v1/lists/{dlist.json()['id']}/members",
        json={"email": "outsider@partner.example", "name": f"Outsider {HOSTILE}"},
    )
    assert member.status_code == 201, member.text
    people = organizer_api.post(
        "/api/v1/people/import",
        files={
            "file": ("hr.csv", _csv([["email", "name"], ["eve@example.com", f"Eve {HOSTILE}"]]))
        },
    )
    assert people.status_code == 200, people.text
    person = organizer_api.get("/api/v1/people", params={"q": "eve@example.com"}).json()
    report = organizer_api.post(
        f"/api/v1/sessions/{session_id}/attendance/imports",
        files={
            "file": ("zoom.csv", _csv([["Name", "Email"], [f"Guest {HOSTILE}", "guest@x.example"]]))
        },
    )
    assert report.status_code == 201, report.text
    return World(
        session_id=session_id,
        series_id=series.json()["id"],
        list_id=dlist.json()["id"],
        person_id=person["items"][0]["id"],
        item_id=item.json()["id"],
    )


def _page(client: PageClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.text


PAGES = [
    ("/sessions/{s}", ["Session", "Described", "Customer"]),
    ("/sessions", ["Session"]),
    ("/series/{series}", ["Series", "Programme"]),
    ("/sessions/{s}/recap", ["Summary", "Quoted", "Act", SHORT_HOSTILE]),
    ("/action-items", ["Act"]),
    ("/lists/{list}", ["List", "About", "Outsider"]),
    ("/people", ["Eve"]),
    ("/people/{person}", ["Eve"]),
    ("/sessions/{s}/attendance?show=unmatched", ["Guest"]),
]


def test_hostile_text_is_shown_as_text_on_pages(world: World, organizer_web: PageClient) -> None:
    # One world for every page: building it is the slow part.
    for url, labels in PAGES:
        html = _page(
            organizer_web,
            url.format(
                s=world.session_id,
                series=world.series_id,
                list=world.list_id,
                person=world.person_id,
            ),
        )
        shown = [label if label == SHORT_HOSTILE else f"{label} {HOSTILE}" for label in labels]
        assert_inert(html, shown)


def _approve_and_send(organizer_api: TestClient, db: Session, world: World) -> Delivery:
    approved = organizer_api.post(f"/api/v1/sessions/{world.session_id}/recap/approve")
    assert approved.status_code == 201, approved.text
    story_session = db.get_one(StorySession, world.session_id)
    _, (delivery,) = send_recap(db, story_session=story_session, list_ids=[world.list_id])
    return delivery


def _parsed(message: EmailMessage, to: str) -> EmailMessage:
    message["To"] = to
    parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def _assert_headers_single_line(message: EmailMessage) -> None:
    for name, value in message.items():
        assert not {"\r", "\n"} & set(str(value)), name
    assert message.get_all("Bcc") is None


def _html_part(message: EmailMessage) -> str:
    part = message.get_body(("html",))
    assert part is not None
    return str(part.get_content())


def test_recap_email_pdf_and_public_page_keep_hostile_text_inert(
    world: World, organizer_api: TestClient, anon: TestClient, db: Session
) -> None:
    delivery = _approve_and_send(organizer_api, db, world)
    message = _parsed(compose(db, delivery), delivery.to_email)
    _assert_headers_single_line(message)
    assert (
        message["Subject"].endswith(f"Session {HOSTILE}")
        or f"Session {HOSTILE}" in message["Subject"]
    )
    assert_inert(_html_part(message), [f"Session {HOSTILE}"])
    # The PDF (rendered by the approval) shows the payloads as text, with no script in it.
    version = db.exec(
        select(RecapVersion).where(RecapVersion.id == delivery.recap_version_id)
    ).one()
    pdf = db.get(RenderedPdf, version.pdf_id)
    assert pdf is not None
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    flat = " ".join(text.split())
    for payload in PAYLOADS:
        assert payload in flat
    assert b"/JavaScript" not in pdf.content
    document = RecapDocument.model_validate(version.document)
    assert_inert(
        recap_pdf_html(document), [f"Summary {HOSTILE}", f"Quoted {HOSTILE}", f"Act {HOSTILE}"]
    )
    public = anon.get(recap_link(delivery).split("8000", 1)[-1])
    assert public.status_code == 200
    assert_inert(public.text, [f"Summary {HOSTILE}", f"Quoted {HOSTILE}"])


def test_digest_email_keeps_hostile_text_inert(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(digests, "digest_pdf_html", lambda doc: "<p>digest</p>")
    story_session = create_session(
        db,
        title=f"Session {HOSTILE}",
        status=SessionStatus.completed,
        starts_at=MONDAY_9_PARIS - timedelta(days=4),
    )
    version = approve_recap(db, story_session, themes=[SHORT_HOSTILE])
    version.approved_at = MONDAY_9_PARIS - timedelta(days=3)
    reader = create_person(db, email="dir@example.com", name=f"Dee {HOSTILE}", level_key="director")
    dlist = create_list(
        db,
        name=f"Weekly {HOSTILE}",
        cadence=Cadence.weekly,
        digest_weekday=0,
        digest_time=time(8, 30),
        timezone="Europe/Paris",
        people=[reader],
        created_at=MONDAY_9_PARIS - timedelta(days=20),
    )
    assert digests.make_digest(db, list_id=dlist.id or 0, now=MONDAY_9_PARIS) is not None
    delivery = db.exec(select(Delivery).where(Delivery.kind == DeliveryKind.digest)).one()
    message = _parsed(compose(db, delivery), delivery.to_email)
    _assert_headers_single_line(message)
    assert_inert(_html_part(message), [f"Session {HOSTILE}"])


def test_invitation_email_and_ics_keep_hostile_text_inert(
    organizer_api: TestClient, db: Session
) -> None:
    create_person(db, email="vp@example.com", name=f"Vi {HOSTILE}", level_key="vp")
    story_session = create_session(
        db, title=f"Session {HOSTILE}\r\nBcc: spy@evil.example", description=f"Described {HOSTILE}"
    )
    invited = organizer_api.post(
        f"/api/v1/sessions/{story_session.id}/invitations", json={"emails": ["vp@example.com"]}
    )
    assert invited.status_code == 200, invited.text
    delivery = db.exec(
        select(Delivery).where(Delivery.kind == DeliveryKind.invitation).order_by(col(Delivery.id))
    ).first()
    assert delivery is not None
    message = _parsed(compose(db, delivery), delivery.to_email)
    _assert_headers_single_line(message)
    assert_inert(_html_part(message), [f"Described {HOSTILE}"])


def test_ics_title_with_line_breaks_adds_no_property(db: Session) -> None:
    story_session = create_session(
        db,
        title="Standup\r\nATTENDEE:mailto:spy@evil.example\nLOCATION:Elsewhere",
        description="Notes\r\nRRULE:FREQ=DAILY",
        join_url="",
    )
    raw = session_calendar(story_session)
    lines = raw.decode().split("\r\n")
    assert not any(line.startswith(("ATTENDEE", "LOCATION:Elsewhere", "RRULE")) for line in lines)
    (event,) = Calendar.from_ical(raw).walk("VEVENT")
    assert "ATTENDEE" not in event
    assert "RRULE" not in event
    assert "ATTENDEE:mailto:spy@evil.example" in str(event["SUMMARY"])


# -- hostile requests ----------------------------------------------------------------------


class _CountingBody:
    """A streamed request body that records how much of it the server pulled."""

    def __init__(self, total: int, chunk: int = 64 * 1024) -> None:
        self.total, self.chunk, self.sent = total, chunk, 0

    def __iter__(self) -> Iterator[bytes]:
        while self.sent < self.total:
            self.sent += self.chunk
            yield b"x" * self.chunk


def test_upload_with_a_declared_size_over_the_limit_is_refused_unread(
    organizer_api: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "upload_max_bytes", 100_000)
    body = _CountingBody(5 * 1024 * 1024)
    response = organizer_api.post(
        "/api/v1/people/import",
        content=body,
        headers={
            "content-type": "multipart/form-data; boundary=b",
            "content-length": str(body.total),
        },
    )
    assert response.status_code == 413
    assert response.json() == {
        "detail": "The file is larger than the 97.7 KB limit: send a smaller file."
    }
    assert body.sent == 0


def test_streamed_upload_over_the_limit_stops_being_read(
    app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Driven at the ASGI level: the test client would read a streamed body whole first.
    monkeypatch.setattr(get_settings(), "upload_max_bytes", 100_000)
    chunk, received, sent = 64 * 1024, 0, []

    head = b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n'

    async def receive() -> dict[str, Any]:
        nonlocal received
        body = head if received == 0 else b"x" * chunk
        received += len(body)
        return {"type": "http.request", "body": body, "more_body": received < 10**8}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/v1/people/import",
        "raw_path": b"/api/v1/people/import",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"multipart/form-data; boundary=b"), (b"host", b"t")],
        "client": ("127.0.0.1", 1),
        "server": ("t", 80),
    }
    asyncio.run(app(scope, receive, send))
    assert sent[0]["status"] == 413
    assert json.loads(sent[1]["body"]) == {
        "detail": "The file is larger than the 97.7 KB limit: send a smaller file."
    }
    assert received <= 100_000 + 64 * 1024 + chunk


def test_json_body_over_the_limit_is_refused(organizer_api: TestClient) -> None:
    huge = b'{"title": "' + b"a" * (get_settings().body_max_bytes + 1) + b'"}'
    response = organizer_api.post(
        "/api/v1/sessions", content=huge, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json() == {
        "detail": "The request body is larger than 1 MB, the limit: send less at once."
    }


def test_form_body_over_the_limit_is_refused_with_a_page(organizer_web: PageClient) -> None:
    response = organizer_web.submit("/lists", {"name": "x" * (get_settings().body_max_bytes + 1)})
    assert response.status_code == 413
    assert "the limit: send less at once" in response.text


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b"[" * 100_000, "The JSON body is nested too deeply: send a flatter document."),
        (
            b'{"title": "\xff\xfe"}',
            "The request body is not valid UTF-8: send JSON encoded as UTF-8.",
        ),
    ],
)
def test_unparseable_json_is_a_clear_400(
    organizer_api: TestClient, body: bytes, detail: str
) -> None:
    response = organizer_api.post(
        "/api/v1/sessions", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json() == {"detail": detail}


TRUNCATED_PART = (
    b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\nx\r\n'
)
"""A part that never ends: no closing boundary."""


@pytest.mark.parametrize(
    ("content_type", "body", "status", "detail"),
    [
        ("multipart/form-data", b"x", 400, "Missing boundary in multipart."),
        (
            "multipart/form-data; boundary=other",
            TRUNCATED_PART,
            400,
            "Invalid multipart data.",
        ),
    ],
)
def test_malformed_multipart_is_a_clear_4xx(
    organizer_api: TestClient, content_type: str, body: bytes, status: int, detail: str
) -> None:
    response = organizer_api.post(
        "/api/v1/people/import", content=body, headers={"content-type": content_type}
    )
    assert response.status_code == status
    assert response.json() == {"detail": detail}


def test_truncated_multipart_says_the_file_is_missing(organizer_api: TestClient) -> None:
    body = TRUNCATED_PART
    response = organizer_api.post(
        "/api/v1/people/import",
        content=body,
        headers={"content-type": "multipart/form-data; boundary=b"},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "file"]


def test_csv_that_is_not_utf8_is_read_with_its_legacy_encoding(organizer_api: TestClient) -> None:
    data = "email,name\nzoe@example.com,Zoé Müller\n".encode("cp1252")
    response = organizer_api.post("/api/v1/people/import", files={"file": ("hr.csv", data)})
    assert response.status_code == 200, response.text
    person = organizer_api.get("/api/v1/people", params={"q": "zoe@example.com"}).json()
    assert person["items"][0]["name"] == "Zoé Müller"


def test_binary_garbage_upload_is_refused_clearly(organizer_api: TestClient) -> None:
    response = organizer_api.post(
        "/api/v1/people/import", files={"file": ("hr.csv", bytes(range(256)) * 4)}
    )
    assert 400 <= response.status_code < 500
    assert isinstance(response.json()["detail"], (str, dict))


@pytest.mark.parametrize("filename", ["../../etc/passwd.csv", "C:\\temp\\x.csv"])
def test_upload_file_names_keep_only_their_base_name(
    organizer_api: TestClient, organizer_web: PageClient, db: Session, filename: str
) -> None:
    story_session = create_session(
        db, status=SessionStatus.completed, starts_at=utcnow() - timedelta(days=1)
    )
    report = organizer_api.post(
        f"/api/v1/sessions/{story_session.id}/attendance/imports",
        files={"file": (filename, _csv([["Name", "Email"], ["Ann", "ann@x.example"]]))},
    )
    assert report.status_code == 201, report.text
    base = "passwd.csv" if "passwd" in filename else "x.csv"
    assert report.json()["filename"] == base
    stored = db.exec(select(AttendanceImport)).one()
    assert stored.filename == base
    page = organizer_web.submit(
        "/people/import", files={"file": (filename, _csv([["email"], ["ann@x.example"]]))}
    )
    assert page.status_code == 200
    assert f"Imported {base}" in page.text
    assert filename not in page.text
