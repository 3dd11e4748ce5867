from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import Series, StorySession, utcnow


def _body(**overrides: Any) -> dict[str, Any]:
    year = utcnow().year + 1
    body: dict[str, Any] = {
        "title": "Customer voices",
        "rrule": "FREQ=WEEKLY;BYDAY=TU;COUNT=4",
        "timezone": "Europe/Paris",
        # Tuesdays around the last Sunday of March: Paris moves from +01:00 to +02:00.
        "first_start_local": f"{year}-03-16T16:00:00",
        "duration_minutes": 60,
        "platform": "teams",
        "join_url": "https://teams.example.com/l/1",
        "customer": "Initech",
    }
    body.update(overrides)
    return body


def _first_tuesday_on_or_after(day: datetime) -> datetime:
    return day + timedelta(days=(1 - day.weekday()) % 7)


def test_series_keeps_local_time_across_spring_dst_change(organizer_api: TestClient) -> None:
    year = utcnow().year + 1
    first = _first_tuesday_on_or_after(datetime(year, 3, 14, 16))  # noqa: DTZ001  (wall clock)
    response = organizer_api.post("/api/v1/series", json=_body(first_start_local=first.isoformat()))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["skipped_past"] == 0
    assert body["session_count"] == 4
    local = [s["starts_local"] for s in body["sessions"]]
    assert all(value[11:19] == "16:00:00" for value in local)
    offsets = [value[-6:] for value in local]
    assert offsets[0] == "+01:00"
    assert offsets[-1] == "+02:00"
    utc_hours = {
        datetime.fromisoformat(s["starts_at"]).astimezone(UTC).hour for s in body["sessions"]
    }
    assert utc_hours == {15, 14}
    assert {s["customer"] for s in body["sessions"]} == {"Initech"}
    assert {s["series_id"] for s in body["sessions"]} == {body["id"]}


def test_series_keeps_local_time_in_november_new_york(organizer_api: TestClient) -> None:
    year = utcnow().year + 1
    response = organizer_api.post(
        "/api/v1/series",
        json=_body(
            rrule=f"FREQ=MONTHLY;BYMONTHDAY=15;UNTIL={year}1231T000000Z",
            timezone="America/New_York",
            first_start_local=f"{year}-10-15T16:00:00",
        ),
    )
    assert response.status_code == 201, response.text
    starts = [s["starts_local"] for s in response.json()["sessions"]]
    assert starts == [
        f"{year}-10-15T16:00:00-04:00",
        f"{year}-11-15T16:00:00-05:00",
        f"{year}-12-15T16:00:00-05:00",
    ]


def test_series_skips_past_occurrences_and_reports_them(
    organizer_api: TestClient, db: Session
) -> None:
    first = (utcnow() - timedelta(weeks=3, hours=1)).replace(tzinfo=None, second=0, microsecond=0)
    response = organizer_api.post(
        "/api/v1/series",
        json=_body(
            rrule="FREQ=WEEKLY;COUNT=8", timezone="UTC", first_start_local=first.isoformat()
        ),
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["skipped_past"] == 4
    assert body["session_count"] == 4
    assert all(s["status"] == "scheduled" for s in body["sessions"])


def test_series_entirely_in_the_past_is_refused(organizer_api: TestClient, db: Session) -> None:
    response = organizer_api.post(
        "/api/v1/series", json=_body(first_start_local="2020-01-07T16:00:00")
    )
    assert response.status_code == 422
    assert "in the past" in response.json()["detail"]
    assert db.exec(select(Series)).all() == []


def test_never_ending_rule_is_refused(organizer_api: TestClient, db: Session) -> None:
    response = organizer_api.post("/api/v1/series", json=_body(rrule="FREQ=WEEKLY;BYDAY=TU"))
    assert response.status_code == 422
    assert response.json() == {
        "detail": "This rule never ends: add COUNT or UNTIL (e.g. COUNT=26)."
    }
    assert db.exec(select(StorySession)).all() == []


def test_rule_with_too_many_occurrences_is_refused(organizer_api: TestClient, db: Session) -> None:
    response = organizer_api.post("/api/v1/series", json=_body(rrule="FREQ=DAILY;COUNT=201"))
    assert response.status_code == 422
    assert "more than 200 sessions" in response.json()["detail"]
    assert db.exec(select(StorySession)).all() == []


def test_rule_with_exactly_200_occurrences_is_accepted(organizer_api: TestClient) -> None:
    response = organizer_api.post("/api/v1/series", json=_body(rrule="FREQ=DAILY;COUNT=200"))
    assert response.status_code == 201
    assert response.json()["session_count"] == 200


def test_unreadable_rule_is_refused_with_the_reason(organizer_api: TestClient) -> None:
    response = organizer_api.post("/api/v1/series", json=_body(rrule="FREQ=FORTNIGHTLY;COUNT=3"))
    assert response.status_code == 422
    assert response.json()["detail"].startswith("The RRULE could not be read: invalid 'FREQ'")


def test_rule_that_is_not_name_value_is_refused(organizer_api: TestClient) -> None:
    response = organizer_api.post("/api/v1/series", json=_body(rrule="every tuesday"))
    assert response.status_code == 422
    assert "is not NAME=VALUE" in response.json()["detail"]


def test_series_first_start_with_offset_is_refused(organizer_api: TestClient) -> None:
    response = organizer_api.post(
        "/api/v1/series", json=_body(first_start_local="2030-03-16T16:00:00+01:00")
    )
    assert response.status_code == 422
    assert "without an offset" in response.json()["detail"][0]["msg"]


def test_series_unknown_timezone_is_refused(organizer_api: TestClient) -> None:
    response = organizer_api.post("/api/v1/series", json=_body(timezone="Mars/Olympus"))
    assert response.status_code == 422
    assert "Unknown timezone 'Mars/Olympus'" in response.json()["detail"][0]["msg"]


def test_list_and_read_series(viewer_api: TestClient, organizer_api: TestClient) -> None:
    created = organizer_api.post("/api/v1/series", json=_body()).json()
    listing = viewer_api.get("/api/v1/series").json()
    assert listing["total"] == 1
    assert listing["items"][0]["title"] == "Customer voices"
    assert listing["items"][0]["scheduled_count"] == 4
    assert listing["items"][0]["next_starts_at"] == created["sessions"][0]["starts_at"]
    detail = viewer_api.get(f"/api/v1/series/{created['id']}").json()
    assert [s["id"] for s in detail["sessions"]] == [s["id"] for s in created["sessions"]]


def test_sessions_filter_by_series(viewer_api: TestClient, organizer_api: TestClient) -> None:
    created = organizer_api.post("/api/v1/series", json=_body()).json()
    organizer_api.post("/api/v1/series", json=_body(title="Other"))
    response = viewer_api.get("/api/v1/sessions", params={"series_id": created["id"]})
    assert response.json()["total"] == 4
    assert {item["series_id"] for item in response.json()["items"]} == {created["id"]}


def test_delete_series_cancels_future_sessions_only(organizer_api: TestClient, db: Session) -> None:
    created = organizer_api.post("/api/v1/series", json=_body()).json()
    first = db.get(StorySession, created["sessions"][0]["id"])
    assert first is not None
    first.starts_at = utcnow() - timedelta(days=1)
    db.flush()
    response = organizer_api.delete(f"/api/v1/series/{created['id']}")
    assert response.status_code == 200
    statuses = [s["status"] for s in response.json()["sessions"]]
    assert statuses == ["scheduled", "cancelled", "cancelled", "cancelled"]
    assert response.json()["scheduled_count"] == 1


def test_read_unknown_series_is_404(viewer_api: TestClient) -> None:
    response = viewer_api.get("/api/v1/series/424242")
    assert response.status_code == 404
    assert response.json() == {"detail": "There is no series with id 424242."}
