from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.dashboards.support import build_org


def test_overview_api_returns_the_figures(viewer_api: TestClient, db: Session) -> None:
    org = build_org(db)
    response = viewer_api.get("/api/v1/dashboard/overview")
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["sessions_held"], body["attendees"], body["unique_people"]) == (3, 14, 7)
    assert (body["executives"], body["executives_attended"]) == (3, 2)
    assert (body["recaps_sent"], body["recaps_read"]) == (0, 0)
    assert body["sessions"][0]["session_id"] == org.s1.id
    assert body["sessions"][0]["starts_at"] == "2026-01-10T15:00:00Z"


def test_overview_api_applies_query_filters(viewer_api: TestClient, db: Session) -> None:
    org = build_org(db)
    body = viewer_api.get(
        "/api/v1/dashboard/overview",
        params={"start": "2026-02-01", "series_id": org.series.id, "level": "ic"},
    ).json()
    assert (body["sessions_held"], body["attendees"]) == (1, 2)
    assert body["filters"] == {
        "start": "2026-02-01",
        "end": None,
        "series_id": org.series.id,
        "department": None,
        "level": "ic",
    }


def test_dashboard_api_rejects_bad_filters_with_a_message(viewer_api: TestClient) -> None:
    bad_date = viewer_api.get("/api/v1/dashboard/overview", params={"start": "31/02/2026"})
    assert bad_date.status_code == 422
    assert bad_date.json()["detail"][0]["loc"] == ["query", "start"]
    level = viewer_api.get("/api/v1/dashboard/levels", params={"level": "boss"})
    assert level.status_code == 422
    assert "There is no level 'boss'" in level.json()["detail"]
    series = viewer_api.get("/api/v1/dashboard/departments", params={"series_id": 4242})
    assert (series.status_code, series.json()) == (
        404,
        {"detail": "There is no series with id 4242."},
    )


def test_levels_api_has_both_views(viewer_api: TestClient, db: Session) -> None:
    build_org(db)
    was = viewer_api.get("/api/v1/dashboard/levels").json()
    today = viewer_api.get("/api/v1/dashboard/levels", params={"view": "today"}).json()
    assert (was["view"], today["view"]) == ("as_it_was", "today")
    assert [m["month"] for m in was["months"]] == ["2026-01", "2026-02", "2026-03"]
    # The unmatched guest has no person, so no level today: counted as unknown in both views.
    assert {r["level"]["key"]: r["attendances"] for r in today["rows"]}["unknown"] == 1
    assert viewer_api.get("/api/v1/dashboard/levels", params={"view": "x"}).status_code == 422


def test_leaders_api_is_paginated(viewer_api: TestClient, db: Session) -> None:
    build_org(db)
    body = viewer_api.get("/api/v1/dashboard/leaders", params={"limit": 2, "offset": 1}).json()
    assert [r["name"] for r in body["items"]] == ["CFO", "VP"]
    assert (body["total"], body["limit"], body["offset"], body["leaders"]) == (3, 2, 1, 3)
    assert body["items"][0]["stage"] == "ignorance"
    never = viewer_api.get("/api/v1/dashboard/leaders", params={"never_attended": True}).json()
    assert [r["name"] for r in never["items"]] == ["CFO"]


def test_departments_api_returns_rates(viewer_api: TestClient, db: Session) -> None:
    build_org(db)
    body = viewer_api.get("/api/v1/dashboard/departments", params={"limit": 2}).json()
    assert body["total"] == 4
    assert [(r["department"], r["participation_rate"]) for r in body["items"]] == [
        ("Sales", 1.0),
        ("Executive", 1.0),
    ]


def test_put_leader_stage_sets_override_and_target(organizer_api: TestClient, db: Session) -> None:
    org = build_org(db)
    response = organizer_api.put(
        f"/api/v1/dashboard/leaders/{org.cfo.id}/stage",
        json={"override_stage": "buy_in", "target_stage": "commitment"},
    )
    assert response.status_code == 200, response.text
    assert (response.json()["override_stage"], response.json()["target_stage"]) == (
        "buy_in",
        "commitment",
    )
    leaders = organizer_api.get("/api/v1/dashboard/leaders").json()["items"]
    cfo = next(r for r in leaders if r["name"] == "CFO")
    assert (cfo["computed_stage"], cfo["stage"], cfo["gap"]) == ("ignorance", "buy_in", 1)


def test_put_leader_stage_refuses_unknown_people_and_stages(
    organizer_api: TestClient, viewer_api: TestClient, db: Session
) -> None:
    org = build_org(db)
    missing = organizer_api.put("/api/v1/dashboard/leaders/99999/stage", json={})
    assert missing.status_code == 404
    bad = organizer_api.put(
        f"/api/v1/dashboard/leaders/{org.cfo.id}/stage", json={"target_stage": "nirvana"}
    )
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "target_stage"]
    denied = viewer_api.put(f"/api/v1/dashboard/leaders/{org.cfo.id}/stage", json={})
    assert denied.status_code == 403
