"""Attendance through the API, the pages, the self check-in link and the CLI."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from typer.testing import CliRunner

from app.attendance import service
from app.cli import app as cli
from app.config import get_settings
from app.kit.signing import sign
from app.models import Attendance, SessionStatus, StorySession, utcnow
from tests.attendance.support import SAMPLES
from tests.conftest import PageClient
from tests.factories import create_attendance, create_person, create_session

ZOOM = SAMPLES / "zoom" / "zoomclass_participants_heroes.csv"


def _heroes_session(db: Session) -> StorySession:
    # The Zoom sample: 11/19/2021, 10:00 AM to 12:00 PM.
    return create_session(
        db,
        starts_at=datetime(2021, 11, 19, 10, tzinfo=ZoneInfo("America/Chicago")),
        timezone="America/Chicago",
        duration_minutes=120,
        status=SessionStatus.completed,
    )


def test_api_import_returns_the_report_and_lists_attendance(
    organizer_api: TestClient, db: Session
) -> None:
    story_session = _heroes_session(db)
    create_person(db, email="loki_asgardian@marvel.com", name="Loki Laufeyson", level_key="c-suite")
    response = organizer_api.post(
        f"/api/v1/sessions/{story_session.id}/attendance/imports",
        files={"file": ("participants.csv", ZOOM.read_bytes(), "text/csv")},
    )
    assert response.status_code == 201, response.text
    report = response.json()
    assert (report["format"], report["source"], report["matched"]) == (
        "zoom-participants",
        "zoom",
        1,
    )
    assert report["per_level"][0] == {
        "level": {
            "id": report["per_level"][0]["level"]["id"],
            "key": "c-suite",
            "name": "C-suite",
            "is_executive": True,
        },
        "attended": 1,
    }

    listed = organizer_api.get(f"/api/v1/sessions/{story_session.id}/attendance?limit=2").json()
    assert listed["total"] == report["people_found"]
    assert len(listed["items"]) == 2

    again = organizer_api.post(
        f"/api/v1/sessions/{story_session.id}/attendance/imports",
        files={"file": ("participants.csv", ZOOM.read_bytes(), "text/csv")},
    )
    assert again.status_code == 200
    assert again.json()["repeated"] is True

    imports = organizer_api.get(f"/api/v1/sessions/{story_session.id}/attendance/imports").json()
    assert [i["filename"] for i in imports] == ["participants.csv"]
    stored = organizer_api.get(
        f"/api/v1/sessions/{story_session.id}/attendance/imports/{imports[0]['id']}"
    )
    assert stored.json()["people_found"] == report["people_found"]


def test_api_import_refuses_a_pdf_with_what_was_expected(
    organizer_api: TestClient, db: Session
) -> None:
    story_session = _heroes_session(db)
    response = organizer_api.post(
        f"/api/v1/sessions/{story_session.id}/attendance/imports",
        files={"file": ("report.pdf", b"%PDF-1.7\n%binary", "application/pdf")},
    )
    assert response.status_code == 422
    assert "PDF" in response.json()["detail"]
    assert "Expected a Zoom participants" in response.json()["detail"]
    assert db.exec(select(Attendance)).all() == []


def test_api_import_refuses_a_file_over_the_limit(
    organizer_api: TestClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "upload_max_bytes", 1000)
    story_session = _heroes_session(db)
    response = organizer_api.post(
        f"/api/v1/sessions/{story_session.id}/attendance/imports",
        files={"file": ("big.csv", ZOOM.read_bytes(), "text/csv")},
    )
    assert response.status_code == 413
    assert response.json()["detail"].endswith(
        "larger than the 1000 bytes limit: send a smaller file."
    )


def test_api_import_for_an_unknown_session_is_404(organizer_api: TestClient) -> None:
    response = organizer_api.post(
        "/api/v1/sessions/424242/attendance/imports",
        files={"file": ("participants.csv", ZOOM.read_bytes(), "text/csv")},
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "There is no session with id 424242."}


def test_api_mark_present_resolve_and_remove(organizer_api: TestClient, db: Session) -> None:
    story_session = _heroes_session(db)
    ada = create_person(db)
    marked = organizer_api.post(
        f"/api/v1/sessions/{story_session.id}/attendance", json={"email": "ADA@example.com"}
    )
    assert marked.status_code == 201, marked.text
    assert (marked.json()["person_id"], marked.json()["source"], marked.json()["attended"]) == (
        ada.id,
        "manual",
        True,
    )

    missing = organizer_api.post(f"/api/v1/sessions/{story_session.id}/attendance", json={})
    assert missing.status_code == 422
    assert missing.json() == {"detail": "Give the person's id or their work email."}

    removed = organizer_api.delete(
        f"/api/v1/sessions/{story_session.id}/attendance/{marked.json()['id']}"
    )
    assert removed.status_code == 204
    assert db.exec(select(Attendance)).all() == []


def test_api_resolve_unknown_row_is_404(organizer_api: TestClient, db: Session) -> None:
    story_session = _heroes_session(db)
    ada = create_person(db)
    response = organizer_api.post(
        f"/api/v1/sessions/{story_session.id}/attendance/999/resolve", json={"person_id": ada.id}
    )
    assert response.status_code == 404
    assert response.json() == {"detail": f"Session {story_session.id} has no attendance row 999."}


def test_page_upload_shows_the_import_report(organizer_web: PageClient, db: Session) -> None:
    story_session = _heroes_session(db)
    response = organizer_web.post(
        f"/sessions/{story_session.id}/attendance/imports",
        data={"csrf_token": organizer_web.csrf, "date_order": "auto"},
        files={"file": ("participants.csv", ZOOM.read_bytes(), "text/csv")},
    )
    assert response.status_code == 303
    page = organizer_web.get(response.headers["location"])
    assert page.status_code == 200
    assert "Zoom meeting participants report" in page.text
    assert "people in the file" in page.text

    attendance = organizer_web.get(f"/sessions/{story_session.id}/attendance")
    assert "Not matched to the directory" in attendance.text
    assert "015_Loki (Loki Laufeyson)" in attendance.text


def test_page_upload_of_a_wrong_file_shows_the_reason(
    organizer_web: PageClient, db: Session
) -> None:
    story_session = _heroes_session(db)
    response = organizer_web.post(
        f"/sessions/{story_session.id}/attendance/imports",
        data={"csrf_token": organizer_web.csrf},
        files={"file": ("notes.csv", b"Customer,Revenue\nAcme,12\n", "text/csv")},
    )
    assert response.status_code == 422
    assert 'role="alert"' in response.text
    assert "Expected a Zoom participants" in response.text


def test_check_in_link_expired_or_forged_is_refused(anon: TestClient, db: Session) -> None:
    story_session = create_session(db, starts_at=utcnow() - timedelta(days=3))
    expired = sign(
        service.CHECK_IN_PURPOSE, story_session.id, expires_at=utcnow() - timedelta(hours=1)
    )
    response = anon.get(f"/p/check-in/{expired}")
    assert response.status_code == 403
    assert "This link has expired" in response.text
    forged = anon.get(f"/p/check-in/{expired[:-2]}xx")
    assert forged.status_code == 403
    assert "not valid" in forged.text


def test_check_in_link_is_not_valid_for_another_purpose(anon: TestClient, db: Session) -> None:
    story_session = create_session(db)
    other = sign("recap", story_session.id, expires_at=utcnow() + timedelta(days=1))
    assert anon.get(f"/p/check-in/{other}").status_code == 403


def test_check_in_link_api_gives_a_qr_code(organizer_api: TestClient, db: Session) -> None:
    story_session = create_session(db)
    body = organizer_api.get(f"/api/v1/sessions/{story_session.id}/check-in-link").json()
    assert body["url"].startswith(f"{get_settings().base_url}/p/check-in/")
    assert body["qr_svg"].startswith("<svg") or "<svg" in body["qr_svg"][:200]


def test_cli_import_attendance_prints_the_report(db: Session, tmp_path: object) -> None:
    story_session = _heroes_session(db)
    result = CliRunner().invoke(cli, ["import", "attendance", str(story_session.id), str(ZOOM)])
    assert result.exit_code == 0, result.output
    assert "Zoom meeting participants report" in result.output
    assert db.exec(select(Attendance).where(Attendance.session_id == story_session.id)).all() != []


def test_cli_import_attendance_unknown_session_exits_1(db: Session) -> None:
    result = CliRunner().invoke(cli, ["import", "attendance", "999999", str(ZOOM)])
    assert result.exit_code == 1
    assert "There is no session with id 999999." in result.output


def test_session_page_links_to_its_attendance(organizer_web: PageClient, db: Session) -> None:
    story_session = _heroes_session(db)
    page = organizer_web.get(f"/sessions/{story_session.id}")
    assert f'href="/sessions/{story_session.id}/attendance"' in page.text


def test_attendance_page_offers_viewers_no_form_that_writes(
    organizer_web: PageClient, viewer_web: PageClient, db: Session
) -> None:
    story_session = create_session(db, starts_at=utcnow() - timedelta(days=1))
    create_attendance(db, story_session=story_session, raw_name="Someone Unknown")
    url = f"/sessions/{story_session.id}/attendance"
    base = f"/sessions/{story_session.id}/attendance/"
    row = db.exec(select(Attendance).where(Attendance.session_id == story_session.id)).one()
    writes = [f'action="{base}{path}"' for path in ("imports", "mark", f"{row.id}/resolve")]

    organizer_page = organizer_web.get(url).text
    viewer_page = viewer_web.get(url)

    assert [action in organizer_page for action in writes] == [True, True, True]
    assert viewer_page.status_code == 200
    assert "Someone Unknown" in viewer_page.text
    assert 'method="post"' not in viewer_page.text.split("<main", 1)[1].split("</main>")[0]
