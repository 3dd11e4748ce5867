"""The audit log's API and page: admins only, filtered, paginated, escaped."""

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.audit import service as audit
from app.models import AuditEntry, User
from app.story_sessions import service as story_sessions
from tests.conftest import PageClient
from tests.factories import create_session, create_user


def _entry(
    db: Session,
    *,
    at: datetime,
    actor: User | None = None,
    action: str = "changed",
    entity: str = "story_session",
    entity_id: int = 1,
    summary: str = "Changed something",
) -> AuditEntry:
    entry = AuditEntry(
        at=at,
        actor_id=actor.id if actor else None,
        actor=actor.email if actor else "system",
        action=action,
        entity=entity,
        entity_id=entity_id,
        summary=summary,
        changes={"title": ["Old", "New"]},
    )
    db.add(entry)
    db.flush()
    return entry


@pytest.fixture
def three_entries(db: Session) -> list[AuditEntry]:
    ana = create_user(db, email="ana@example.com")
    return [
        _entry(db, at=datetime(2026, 11, 1, 9, tzinfo=UTC), actor=ana, summary="First"),
        _entry(
            db,
            at=datetime(2026, 11, 2, 9, tzinfo=UTC),
            action="approved",
            entity="recap",
            entity_id=7,
            summary="Second",
        ),
        _entry(
            db, at=datetime(2026, 11, 3, 9, tzinfo=UTC), actor=ana, entity_id=2, summary="Third"
        ),
    ]


def _summaries(client: TestClient, query: str) -> list[str]:
    response = client.get(f"/api/v1/audit{query}")
    assert response.status_code == 200, response.text
    return [item["summary"] for item in response.json()["items"]]


@pytest.mark.usefixtures("three_entries")
def test_api_lists_newest_first_with_paging(admin_api: TestClient) -> None:
    response = admin_api.get("/api/v1/audit?entity=story_session&limit=1&offset=1")
    assert response.status_code == 200
    body = response.json()
    assert (body["total"], body["limit"], body["offset"]) == (2, 1, 1)
    (item,) = body["items"]
    assert item["summary"] == "First"
    assert item["actor"] == "ana@example.com"
    assert item["changes"] == {"title": ["Old", "New"]}
    assert item["at"] == "2026-11-01T09:00:00Z"


@pytest.mark.usefixtures("three_entries")
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?entity=story_session", ["Third", "First"]),
        ("?entity=story_session&entity_id=2", ["Third"]),
        ("?actor=ANA@example.com", ["Third", "First"]),
        ("?actor=system&entity=recap", ["Second"]),
        ("?action=approved", ["Second"]),
        ("?since=2026-11-02T00:00:00%2B00:00&until=2026-11-03T00:00:00Z", ["Second"]),
    ],
)
def test_api_filters(admin_api: TestClient, query: str, expected: list[str]) -> None:
    assert _summaries(admin_api, query) == expected


def test_api_refuses_times_without_an_offset(admin_api: TestClient) -> None:
    response = admin_api.get("/api/v1/audit?since=2026-11-02T00:00:00")
    assert response.status_code == 422
    assert "timezone" in response.text


@pytest.mark.parametrize("client_fixture", ["viewer_api", "organizer_api"])
def test_api_refuses_non_admins(request: pytest.FixtureRequest, client_fixture: str) -> None:
    client: TestClient = request.getfixturevalue(client_fixture)
    response = client.get("/api/v1/audit")
    assert response.status_code == 403
    assert response.json() == {"detail": "Only an admin can do this."}


def test_page_shows_an_entry_escaped_with_its_changes(admin_web: PageClient, db: Session) -> None:
    story_session = create_session(db, title="<script>alert(1)</script>")
    with audit.acting_as(create_user(db, email="ana@example.com")):
        story_sessions.cancel_session(db, story_session)

    response = admin_web.get("/admin/audit")

    assert response.status_code == 200
    assert "Cancelled the session “&lt;script&gt;alert(1)&lt;/script&gt;”" in response.text
    assert "<script>alert(1)" not in response.text
    assert "ana@example.com" in response.text
    assert "<dt>status</dt>" in response.text
    assert "<dd>scheduled → cancelled</dd>" in response.text
    assert 'href="/admin/audit" aria-current="page"' in response.text


@pytest.mark.usefixtures("three_entries")
def test_page_filters_by_query_parameters(admin_web: PageClient) -> None:
    response = admin_web.get(
        "/admin/audit?entity=story_session&actor=ana@example.com&since=2026-11-03&until=2026-11-03"
    )
    assert response.status_code == 200
    assert '<th scope="row">Third</th>' in response.text
    assert "First" not in response.text
    assert "1 entry match" in response.text


def test_page_explains_a_bad_date(admin_web: PageClient) -> None:
    response = admin_web.get("/admin/audit?since=yesterday")
    assert response.status_code == 422
    assert "From must be a date like 2026-11-24, not &#39;yesterday&#39;." in response.text


@pytest.mark.parametrize("client_fixture", ["viewer_web", "organizer_web"])
def test_page_refuses_non_admins(request: pytest.FixtureRequest, client_fixture: str) -> None:
    client: PageClient = request.getfixturevalue(client_fixture)
    response = client.get("/admin/audit")
    assert response.status_code == 403
    assert "Only an admin can do this." in response.text
    assert 'href="/admin/audit"' not in client.get("/sessions").text


def test_navigation_links_the_log_for_admins(admin_web: PageClient) -> None:
    assert '<a href="/admin/audit">Audit log</a>' in admin_web.get("/sessions").text


def test_page_pages_through_entries(admin_web: PageClient, db: Session) -> None:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    for minute in range(3):
        _entry(db, at=start + timedelta(minutes=minute), summary=f"Entry {minute}")
    response = admin_web.get("/admin/audit?limit=2")
    assert "Entry 2" in response.text
    assert "Entry 0" not in response.text
    assert "offset=2" in response.text
