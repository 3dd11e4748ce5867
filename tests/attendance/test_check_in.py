"""Self check-in links: organizers only, the same answer for every address, throttled, waiting
for the organizer before they count, and working only around the session's time."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.attendance import service
from app.config import get_settings
from app.dashboards import service as dashboards
from app.dashboards.schemas import DashboardFilters
from app.kit.signing import sign
from app.models import (
    Attendance,
    AttendanceSource,
    PendingCheckIn,
    SessionStatus,
    StorySession,
    utcnow,
)
from app.recaps.builder import attendance_section
from tests.conftest import PageClient
from tests.factories import create_person, create_session


def _live(db: Session, status: SessionStatus = SessionStatus.scheduled) -> StorySession:
    """A session that started ten minutes ago: its check-in link works now."""
    return create_session(db, starts_at=utcnow() - timedelta(minutes=10), status=status)


def _path(story_session: StorySession) -> str:
    return service.check_in_link(story_session).url.removeprefix(get_settings().base_url)


def _pending(db: Session, story_session: StorySession) -> list[int]:
    rows = db.exec(
        select(PendingCheckIn.person_id).where(PendingCheckIn.session_id == story_session.id)
    )
    return sorted(rows.all())


# -- who may have the link -------------------------------------------------------------------


def test_check_in_link_api_refuses_a_viewer(viewer_api: TestClient, db: Session) -> None:
    story_session = _live(db)
    base = f"/api/v1/sessions/{story_session.id}"
    for method, path in (
        ("GET", "/check-in-link"),
        ("POST", "/check-in-link/rotate"),
        ("GET", "/check-ins"),
        ("POST", "/check-ins/accept-all"),
    ):
        response = viewer_api.request(method, base + path)
        assert response.status_code == 403, (method, path)
        assert "/p/check-in/" not in response.text
    nonce = story_session.check_in_nonce
    db.refresh(story_session)
    assert story_session.check_in_nonce == nonce


def test_attendance_page_shows_the_link_to_organizers_only(
    organizer_web: PageClient, viewer_web: PageClient, db: Session
) -> None:
    story_session = _live(db)
    url = f"/sessions/{story_session.id}/attendance"
    organizer_page = organizer_web.get(url)
    assert organizer_page.status_code == 200
    assert service.check_in_link(story_session).url in organizer_page.text
    viewer_page = viewer_web.get(url)
    assert viewer_page.status_code == 200
    assert "/p/check-in/" not in viewer_page.text
    assert "QR code" not in viewer_page.text
    assert "Self check-in" not in viewer_page.text


# -- what the link answers -------------------------------------------------------------------


def test_check_in_answers_the_same_for_known_and_unknown_addresses(
    anon: TestClient, db: Session
) -> None:
    story_session = _live(db)
    ada = create_person(db)
    path = _path(story_session)
    form = anon.get(path)
    assert form.status_code == 200
    assert story_session.title in form.text
    known = anon.post(path, data={"email": "Ada@Example.com"})
    unknown = anon.post(path, data={"email": "stranger@example.com"})
    assert (known.status_code, unknown.status_code) == (200, 200)
    assert known.text == unknown.text
    assert "your check-in is recorded, and counts once the organizer confirms it" in known.text
    assert "stranger@example.com" not in unknown.text
    assert _pending(db, story_session) == [ada.id]


def test_check_in_is_throttled_per_client_address(anon: TestClient, db: Session) -> None:
    story_session = _live(db)
    path = _path(story_session)
    for n in range(100):
        assert anon.post(path, data={"email": f"guess{n}@example.com"}).status_code == 200
    refused = anon.post(path, data={"email": "guess100@example.com"})
    assert refused.status_code == 429
    assert "Too many check-ins at once. Try again in" in refused.text
    assert int(refused.headers["Retry-After"]) >= 1


def test_check_in_is_throttled_per_link_and_a_new_link_has_its_own_budget(
    anon: TestClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "check_in_rate_per_link", "3/10minutes")
    story_session = _live(db)
    create_person(db, email="late@example.com")
    path = _path(story_session)
    for n in range(3):
        assert anon.post(path, data={"email": f"guess{n}@example.com"}).status_code == 200
    assert anon.post(path, data={"email": "late@example.com"}).status_code == 429
    assert _pending(db, story_session) == []

    service.rotate_check_in_link(db, story_session=story_session)
    assert anon.post(_path(story_session), data={"email": "late@example.com"}).status_code == 200
    assert len(_pending(db, story_session)) == 1


def test_check_in_is_throttled_per_email_on_a_link(anon: TestClient, db: Session) -> None:
    story_session = _live(db)
    path = _path(story_session)
    statuses = [anon.post(path, data={"email": "ann@example.com"}).status_code for _ in range(6)]
    assert statuses == [200, 200, 200, 200, 200, 429]
    assert anon.post(path, data={"email": "bob@example.com"}).status_code == 200


# -- unconfirmed until accepted --------------------------------------------------------------


def test_self_check_in_counts_nowhere_until_accepted(
    anon: TestClient, organizer_api: TestClient, db: Session
) -> None:
    story_session = _live(db, SessionStatus.completed)
    ada = create_person(db, level_key="vp")
    assert anon.post(_path(story_session), data={"email": "ada@example.com"}).status_code == 200

    def counted() -> tuple[int, int, int, int]:
        assert story_session.id is not None
        levels = service.level_counts(db, story_session=story_session)
        listed = service.list_attendance(db, story_session=story_session)[1]
        overview = dashboards.overview(db, filters=DashboardFilters())
        recap = attendance_section(db, story_session)
        return sum(c.attended for c in levels), listed, overview.attendees, recap.attendees

    assert counted() == (0, 0, 0, 0)
    waiting = organizer_api.get(f"/api/v1/sessions/{story_session.id}/check-ins").json()
    assert waiting["total"] == 1
    (item,) = waiting["items"]
    assert (item["person_id"], item["email"], item["level"]["key"]) == (ada.id, ada.email, "vp")

    accepted = organizer_api.post(
        f"/api/v1/sessions/{story_session.id}/check-ins/{item['id']}/accept"
    )
    assert accepted.status_code == 200, accepted.text
    assert (accepted.json()["person_id"], accepted.json()["source"]) == (ada.id, "check_in")
    assert counted() == (1, 1, 1, 1)
    assert _pending(db, story_session) == []


def test_organizer_accepts_all_or_rejects_check_ins_on_the_page(
    anon: TestClient, organizer_web: PageClient, db: Session
) -> None:
    story_session = _live(db)
    people = [create_person(db, email=f"p{n}@example.com", name=f"Person {n}") for n in range(3)]
    for person in people:
        anon.post(_path(story_session), data={"email": person.email})
    page = organizer_web.get(f"/sessions/{story_session.id}/attendance")
    assert "Self check-ins to accept (3)" in page.text
    assert "Accept all 3" in page.text

    first = db.exec(select(PendingCheckIn).where(PendingCheckIn.person_id == people[0].id)).one()
    base = f"/sessions/{story_session.id}/attendance/check-ins"
    assert organizer_web.submit(f"{base}/{first.id}/reject").status_code == 303
    assert organizer_web.submit(f"{base}/accept-all").status_code == 303

    rows = db.exec(select(Attendance).where(Attendance.session_id == story_session.id)).all()
    assert sorted((row.person_id, row.source, row.attended) for row in rows) == [
        (people[1].id, AttendanceSource.check_in, True),
        (people[2].id, AttendanceSource.check_in, True),
    ]
    assert _pending(db, story_session) == []
    assert (
        "Self check-ins to accept"
        not in organizer_web.get(f"/sessions/{story_session.id}/attendance").text
    )


# -- when the link works ---------------------------------------------------------------------


def _refused(anon: TestClient, db: Session, path: str, status_code: int, message: str) -> None:
    create_person(db, email="ada@example.com")
    for response in (anon.get(path), anon.post(path, data={"email": "ada@example.com"})):
        assert response.status_code == status_code
        assert message in response.text
        assert 'name="email"' not in response.text
    assert db.exec(select(PendingCheckIn)).all() == []
    assert db.exec(select(Attendance)).all() == []


def test_check_in_link_is_refused_before_its_window(anon: TestClient, db: Session) -> None:
    story_session = create_session(db, starts_at=utcnow() + timedelta(hours=2))
    _refused(anon, db, _path(story_session), 403, "Check-in opens at")


def test_check_in_link_opens_shortly_before_the_start(anon: TestClient, db: Session) -> None:
    story_session = create_session(db, starts_at=utcnow() + timedelta(minutes=20))
    assert anon.get(_path(story_session)).status_code == 200


def test_check_in_link_is_refused_after_its_window(anon: TestClient, db: Session) -> None:
    # Ended three hours ago: past the two hours after the end that the link works.
    story_session = create_session(
        db, starts_at=utcnow() - timedelta(hours=4), status=SessionStatus.completed
    )
    _refused(anon, db, _path(story_session), 403, "Check-in for this session closed at")


def test_check_in_link_is_refused_once_the_session_is_cancelled(
    anon: TestClient, organizer_api: TestClient, organizer_web: PageClient, db: Session
) -> None:
    story_session = _live(db)
    path = _path(story_session)
    story_session.status = SessionStatus.cancelled
    db.flush()
    _refused(anon, db, path, 410, "This session was cancelled")
    link = organizer_api.get(f"/api/v1/sessions/{story_session.id}/check-in-link")
    assert link.status_code == 409
    assert link.json() == {"detail": "This session is cancelled, so it has no check-in link."}
    page = organizer_web.get(f"/sessions/{story_session.id}/attendance").text
    assert "This session is cancelled: it takes no check-ins." in page
    assert "/p/check-in/" not in page


def test_check_in_link_is_refused_after_rotation(
    anon: TestClient, organizer_api: TestClient, db: Session
) -> None:
    story_session = _live(db)
    old = organizer_api.get(f"/api/v1/sessions/{story_session.id}/check-in-link").json()
    rotated = organizer_api.post(f"/api/v1/sessions/{story_session.id}/check-in-link/rotate")
    assert rotated.status_code == 200, rotated.text
    assert rotated.json()["url"] != old["url"]
    base = get_settings().base_url
    _refused(anon, db, old["url"].removeprefix(base), 410, "This check-in link was replaced")
    assert anon.get(rotated.json()["url"].removeprefix(base)).status_code == 200


def test_a_link_from_before_links_could_be_replaced_counts_as_replaced(
    anon: TestClient, db: Session
) -> None:
    story_session = _live(db)
    bare = sign(
        service.CHECK_IN_PURPOSE, story_session.id, expires_at=utcnow() + timedelta(hours=1)
    )
    _refused(anon, db, f"/p/check-in/{bare}", 410, "This check-in link was replaced")


def test_organizer_page_replaces_the_link(organizer_web: PageClient, db: Session) -> None:
    story_session = _live(db)
    old = service.check_in_link(story_session).url
    response = organizer_web.submit(f"/sessions/{story_session.id}/attendance/check-in-link/rotate")
    assert response.status_code == 303
    db.refresh(story_session)
    page = organizer_web.get(f"/sessions/{story_session.id}/attendance").text
    assert old not in page
    assert service.check_in_link(story_session).url in page
