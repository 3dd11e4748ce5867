"""Nothing with personal data is kept by a cache: answers to signed-in users and bearer tokens,
and the signed-link pages, are `no-store`; static files stay cacheable."""

from datetime import timedelta
from urllib.parse import urlsplit

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.distribution.links import recap_link
from app.distribution.sending import send_recap
from app.models import SessionStatus, utcnow
from tests.conftest import PageClient
from tests.distribution.helpers import approve_recap, create_list
from tests.factories import create_session


def test_signed_in_page_is_not_stored(organizer_web: PageClient) -> None:
    response = organizer_web.get("/sessions")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"


def test_api_answer_is_not_stored(organizer_api: TestClient) -> None:
    response = organizer_api.get("/api/v1/people")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"


def test_new_token_secret_is_not_stored(organizer_api: TestClient) -> None:
    response = organizer_api.post("/api/v1/tokens", json={"name": "laptop"})
    assert response.status_code == 201
    assert response.json()["token"]
    assert response.headers["cache-control"] == "no-store"


def test_sign_in_answer_with_its_token_is_not_stored(organizer_api: TestClient) -> None:
    response = organizer_api.post(
        "/api/v1/auth/token", data={"username": "organizer@example.com", "password": "x"}
    )
    assert response.headers["cache-control"] == "no-store"


def test_signed_in_download_overrides_a_routes_own_caching(
    organizer_api: TestClient, db: Session
) -> None:
    story_session = create_session(db)
    response = organizer_api.get(f"/api/v1/sessions/{story_session.id}.ics")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"


def test_signed_recap_link_page_is_not_stored(anon: TestClient, db: Session) -> None:
    story_session = create_session(
        db,
        title="What Meridian told us",
        status=SessionStatus.completed,
        starts_at=utcnow() - timedelta(days=1),
    )
    approve_recap(db, story_session)
    dlist = create_list(db, outsiders=["a@example.org"])
    _, added = send_recap(db, story_session=story_session, list_ids=[dlist.id or 0])
    response = anon.get(urlsplit(recap_link(added[0])).path)
    assert response.status_code == 200
    assert "What Meridian told us" in response.text
    assert response.headers["cache-control"] == "no-store"


def test_static_files_stay_cacheable_for_signed_in_users(organizer_web: PageClient) -> None:
    for url in ("/static/style.css", "/static/swagger-ui/swagger-ui.css"):
        response = organizer_web.get(url)
        assert response.status_code == 200, url
        assert "cache-control" not in response.headers, url
        assert response.headers["etag"], url
