from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import Customer, SessionSpeaker, SessionStatus, utcnow
from tests.conftest import PageClient
from tests.factories import create_attendance, create_customer, create_person, create_session


def _future(days: int = 10) -> datetime:
    return (utcnow() + timedelta(days=days)).replace(microsecond=0)


def _body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Why Nordwind switched carriers",
        "customer": "Nordwind Freight",
        "speakers": [{"name": "Ines Roy", "title": "COO", "consent": "named"}],
        "starts_at": _future().isoformat(),
        "timezone": "Europe/Paris",
        "duration_minutes": 45,
        "platform": "zoom",
        "join_url": "https://zoom.example.com/j/42",
    }
    body.update(overrides)
    return body


def test_create_session_returns_it_with_local_start(organizer_api: TestClient) -> None:
    starts = datetime(utcnow().year + 1, 1, 12, 15, 0, tzinfo=UTC)
    response = organizer_api.post("/api/v1/sessions", json=_body(starts_at=starts.isoformat()))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["title"] == "Why Nordwind switched carriers"
    assert body["customer"] == "Nordwind Freight"
    assert body["status"] == "scheduled"
    assert body["sequence"] == 0
    assert datetime.fromisoformat(body["starts_at"]) == starts
    assert body["starts_local"] == f"{starts.year}-01-12T16:00:00+01:00"
    assert datetime.fromisoformat(body["ends_at"]) == starts + timedelta(minutes=45)
    me = organizer_api.get("/api/v1/auth/me").json()
    assert body["organizer_id"] == me["id"]


def test_create_session_reuses_customer_by_name_case_insensitively(
    organizer_api: TestClient, db: Session
) -> None:
    existing = create_customer(db, name="Nordwind Freight")
    response = organizer_api.post("/api/v1/sessions", json=_body(customer="nordwind freight"))
    assert response.json()["customer_id"] == existing.id
    assert len(db.exec(select(Customer)).all()) == 1


def test_read_session_by_id(organizer_api: TestClient) -> None:
    created = organizer_api.post("/api/v1/sessions", json=_body()).json()
    response = organizer_api.get(f"/api/v1/sessions/{created['id']}")
    assert response.status_code == 200
    assert response.json() == created


def test_read_unknown_session_is_404_with_message(viewer_api: TestClient) -> None:
    response = viewer_api.get("/api/v1/sessions/999999")
    assert response.status_code == 404
    assert response.json() == {"detail": "There is no session with id 999999."}


def test_read_session_with_out_of_range_id_is_422(viewer_api: TestClient) -> None:
    response = viewer_api.get("/api/v1/sessions/99999999999999")
    assert response.status_code == 422


def test_speakers_and_consent_round_trip(organizer_api: TestClient, db: Session) -> None:
    speakers = [
        {"name": "Ines Roy", "title": "COO", "consent": "named", "email": " Ines.Roy@Acme.example"},
        {"name": "Tom Berg", "title": "", "consent": "company_only", "email": ""},
        {"name": "A. Nonymous", "title": "Buyer", "consent": "anonymous", "email": ""},
    ]
    created = organizer_api.post("/api/v1/sessions", json=_body(speakers=speakers)).json()
    stored = db.exec(select(SessionSpeaker).where(SessionSpeaker.session_id == created["id"]))
    ids = [s.id for s in stored]
    speakers[0]["email"] = "ines.roy@acme.example"  # stored as the outbox compares addresses
    assert created["speakers"] == [{"id": i, **s} for i, s in zip(ids, speakers, strict=True)]
    replaced = organizer_api.patch(
        f"/api/v1/sessions/{created['id']}",
        json={"speakers": [{"name": "Lea Park", "consent": "none"}]},
    ).json()
    [lea] = db.exec(select(SessionSpeaker).where(SessionSpeaker.session_id == created["id"]))
    assert lea.name == "Lea Park"
    assert replaced["speakers"] == [
        {"id": lea.id, "name": "Lea Park", "title": "", "consent": "none", "email": ""}
    ]


def test_a_speaker_email_that_is_not_an_address_is_refused(organizer_api: TestClient) -> None:
    speakers = [{"name": "Ines Roy", "email": "ines at acme"}]
    response = organizer_api.post("/api/v1/sessions", json=_body(speakers=speakers))
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "speakers", 0, "email"]
    assert "'ines at acme' is not an email address" in error["msg"]


def test_speakers_keep_their_ids_through_an_edit(organizer_api: TestClient) -> None:
    speakers = [{"name": "Ines Roy", "consent": "named"}, {"name": "Tom Berg", "consent": "none"}]
    created = organizer_api.post("/api/v1/sessions", json=_body(speakers=speakers)).json()
    ines, tom = created["speakers"]
    url = f"/api/v1/sessions/{created['id']}"
    # The list as read, sent back: nothing changes, ids included.
    assert organizer_api.patch(url, json={"speakers": created["speakers"]}).json()["speakers"] == [
        ines,
        tom,
    ]
    edited = organizer_api.patch(
        url,
        json={
            "speakers": [
                {"name": "TOM BERG", "title": "CFO", "consent": "named"},
                {"id": ines["id"], "name": "Ines Roy-Martin", "consent": "company_only"},
                {"name": "Lea Park"},
            ]
        },
    ).json()["speakers"]
    # Listed in the order they were first added.
    assert edited[:2] == [
        {
            "id": ines["id"],
            "name": "Ines Roy-Martin",
            "title": "",
            "consent": "company_only",
            "email": "",
        },
        {"id": tom["id"], "name": "TOM BERG", "title": "CFO", "consent": "named", "email": ""},
    ]
    assert edited[2]["name"] == "Lea Park"
    assert edited[2]["id"] not in {ines["id"], tom["id"]}


def test_a_speaker_id_of_another_session_is_refused(organizer_api: TestClient) -> None:
    other = organizer_api.post("/api/v1/sessions", json=_body()).json()
    created = organizer_api.post("/api/v1/sessions", json=_body()).json()
    foreign = other["speakers"][0]["id"]
    response = organizer_api.patch(
        f"/api/v1/sessions/{created['id']}",
        json={"speakers": [{"id": foreign, "name": "Ines Roy"}]},
    )
    assert response.status_code == 422
    assert response.json()["detail"] == (
        f"Speaker {foreign} is not a speaker of this session: send the id of one of its "
        "speakers (as the session's speakers list them), or none for a new one."
    )
    assert organizer_api.get(f"/api/v1/sessions/{created['id']}").json() == created


def test_unknown_consent_is_refused(organizer_api: TestClient) -> None:
    response = organizer_api.post(
        "/api/v1/sessions", json=_body(speakers=[{"name": "X", "consent": "maybe"}])
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "speakers", 0, "consent"]


def test_naive_start_is_refused_with_a_clear_message(organizer_api: TestClient) -> None:
    naive = _future().replace(tzinfo=None).isoformat()
    response = organizer_api.post("/api/v1/sessions", json=_body(starts_at=naive))
    assert response.status_code == 422
    error = response.json()["detail"][0]
    assert error["loc"] == ["body", "starts_at"]
    assert "has no UTC offset" in error["msg"]


def test_unknown_timezone_is_refused(organizer_api: TestClient) -> None:
    response = organizer_api.post("/api/v1/sessions", json=_body(timezone="Mars/Olympus"))
    assert response.status_code == 422
    error = response.json()["detail"][0]
    assert error["loc"] == ["body", "timezone"]
    assert "Unknown timezone 'Mars/Olympus'" in error["msg"]


def test_past_start_is_refused(organizer_api: TestClient, db: Session) -> None:
    past = (utcnow() - timedelta(days=1)).isoformat()
    response = organizer_api.post("/api/v1/sessions", json=_body(starts_at=past))
    assert response.status_code == 422
    assert "is in the past" in response.json()["detail"]
    assert db.exec(select(Customer)).all() == []


def test_past_start_is_accepted_when_recorded_as_completed(organizer_api: TestClient) -> None:
    past = (utcnow() - timedelta(days=3)).isoformat()
    response = organizer_api.post(
        "/api/v1/sessions", json=_body(starts_at=past, status="completed")
    )
    assert response.status_code == 201
    assert response.json()["status"] == "completed"


def test_creating_a_cancelled_session_is_refused(organizer_api: TestClient) -> None:
    response = organizer_api.post("/api/v1/sessions", json=_body(status="cancelled"))
    assert response.status_code == 422


def test_duration_out_of_range_is_refused(organizer_api: TestClient) -> None:
    response = organizer_api.post("/api/v1/sessions", json=_body(duration_minutes=601))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "duration_minutes"]


def test_join_url_must_be_http(organizer_api: TestClient) -> None:
    response = organizer_api.post("/api/v1/sessions", json=_body(join_url="javascript:alert(1)"))
    assert response.status_code == 422
    assert "http:// or https://" in response.json()["detail"][0]["msg"]


def test_unknown_host_is_refused(organizer_api: TestClient) -> None:
    response = organizer_api.post("/api/v1/sessions", json=_body(host_id=424242))
    assert response.status_code == 422
    assert response.json() == {"detail": "There is no person with id 424242 to host this session."}


def test_known_host_is_kept(organizer_api: TestClient, db: Session) -> None:
    host = create_person(db, email="host@example.com", name="Hana Host")
    response = organizer_api.post("/api/v1/sessions", json=_body(host_id=host.id))
    assert response.json()["host_id"] == host.id


def test_patch_changes_fields_and_raises_sequence(organizer_api: TestClient) -> None:
    created = organizer_api.post("/api/v1/sessions", json=_body()).json()
    later = _future(days=20).isoformat()
    response = organizer_api.patch(
        f"/api/v1/sessions/{created['id']}", json={"starts_at": later, "customer": None}
    )
    assert response.status_code == 200
    body = response.json()
    assert datetime.fromisoformat(body["starts_at"]) == datetime.fromisoformat(later)
    assert body["customer"] is None
    assert body["sequence"] == 1
    assert body["title"] == created["title"]


def test_patch_description_only_keeps_sequence(organizer_api: TestClient) -> None:
    created = organizer_api.post("/api/v1/sessions", json=_body()).json()
    body = organizer_api.patch(
        f"/api/v1/sessions/{created['id']}", json={"description": "Bring questions."}
    ).json()
    assert body["description"] == "Bring questions."
    assert body["sequence"] == 0


def test_patch_null_title_is_refused(organizer_api: TestClient) -> None:
    created = organizer_api.post("/api/v1/sessions", json=_body()).json()
    response = organizer_api.patch(f"/api/v1/sessions/{created['id']}", json={"title": None})
    assert response.status_code == 422
    assert "cannot be null: title" in response.json()["detail"][0]["msg"]


def test_patch_into_the_past_is_refused(organizer_api: TestClient) -> None:
    created = organizer_api.post("/api/v1/sessions", json=_body()).json()
    past = (utcnow() - timedelta(hours=2)).isoformat()
    response = organizer_api.patch(f"/api/v1/sessions/{created['id']}", json={"starts_at": past})
    assert response.status_code == 422
    assert organizer_api.get(f"/api/v1/sessions/{created['id']}").json() == created


def test_delete_cancels_and_keeps_the_row(organizer_api: TestClient) -> None:
    created = organizer_api.post("/api/v1/sessions", json=_body()).json()
    response = organizer_api.delete(f"/api/v1/sessions/{created['id']}")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["sequence"] == 1
    again = organizer_api.get(f"/api/v1/sessions/{created['id']}").json()
    assert again["status"] == "cancelled"


def test_editing_a_cancelled_session_is_refused_except_description(
    organizer_api: TestClient,
) -> None:
    created = organizer_api.post("/api/v1/sessions", json=_body()).json()
    organizer_api.delete(f"/api/v1/sessions/{created['id']}")
    refused = organizer_api.patch(
        f"/api/v1/sessions/{created['id']}", json={"title": "New", "description": "Why"}
    )
    assert refused.status_code == 409
    assert refused.json() == {
        "detail": "This session is cancelled: only its description, series and recording link "
        "can change (refused: title)."
    }
    allowed = organizer_api.patch(
        f"/api/v1/sessions/{created['id']}", json={"description": "Moved to spring."}
    )
    assert allowed.status_code == 200
    assert allowed.json()["description"] == "Moved to spring."
    assert allowed.json()["title"] == created["title"]


def test_complete_a_started_session(organizer_api: TestClient, db: Session) -> None:
    story_session = create_session(db, starts_at=utcnow() - timedelta(minutes=10))
    response = organizer_api.post(f"/api/v1/sessions/{story_session.id}/complete")
    assert response.status_code == 200
    assert response.json()["status"] == "completed"


def test_complete_a_future_session_is_refused(organizer_api: TestClient, db: Session) -> None:
    story_session = create_session(db)
    response = organizer_api.post(f"/api/v1/sessions/{story_session.id}/complete")
    assert response.status_code == 409
    assert "once it has started" in response.json()["detail"]


def test_cancel_a_completed_session_is_refused(organizer_api: TestClient, db: Session) -> None:
    story_session = create_session(
        db, starts_at=utcnow() - timedelta(days=2), status=SessionStatus.completed
    )
    response = organizer_api.delete(f"/api/v1/sessions/{story_session.id}")
    assert response.status_code == 409
    assert response.json() == {
        "detail": "This session is completed: a session that happened cannot be cancelled."
    }


def test_viewer_cannot_create(viewer_api: TestClient) -> None:
    response = viewer_api.post("/api/v1/sessions", json=_body())
    assert response.status_code == 403


# Listing


def _titles(response: Any) -> list[str]:
    return [item["title"] for item in response.json()["items"]]


def test_list_upcoming_is_ascending_and_past_descending(
    viewer_api: TestClient, db: Session
) -> None:
    now = utcnow()
    for days in (3, 1, 2):
        create_session(db, title=f"future {days}", starts_at=now + timedelta(days=days))
    for days in (5, 4):
        create_session(
            db,
            title=f"past {days}",
            starts_at=now - timedelta(days=days),
            status=SessionStatus.completed,
        )
    upcoming = viewer_api.get("/api/v1/sessions", params={"when": "upcoming"})
    assert _titles(upcoming) == ["future 1", "future 2", "future 3"]
    assert upcoming.json()["total"] == 3
    past = viewer_api.get("/api/v1/sessions", params={"when": "past"})
    assert _titles(past) == ["past 4", "past 5"]
    everything = viewer_api.get("/api/v1/sessions")
    assert _titles(everything) == ["future 3", "future 2", "future 1", "past 4", "past 5"]


def test_list_pagination_reports_total(viewer_api: TestClient, db: Session) -> None:
    now = utcnow()
    for index in range(7):
        create_session(db, title=f"s{index}", starts_at=now + timedelta(days=index + 1))
    response = viewer_api.get(
        "/api/v1/sessions", params={"when": "upcoming", "limit": 3, "offset": 3}
    )
    body = response.json()
    assert body["total"] == 7
    assert (body["limit"], body["offset"]) == (3, 3)
    assert _titles(response) == ["s3", "s4", "s5"]


def test_list_filters_by_status_customer_title_and_range(
    viewer_api: TestClient, db: Session
) -> None:
    now = utcnow()
    acme = create_customer(db, name="Acme 100% Logistics")
    other = create_customer(db, name="Globex")
    create_session(db, title="Acme onboarding", customer=acme, starts_at=now + timedelta(days=1))
    create_session(db, title="Globex renewal", customer=other, starts_at=now + timedelta(days=2))
    cancelled = create_session(
        db, title="Acme churn", customer=acme, starts_at=now + timedelta(days=30)
    )
    cancelled.status = SessionStatus.cancelled
    db.flush()

    def titles(**params: str) -> list[str]:
        return sorted(_titles(viewer_api.get("/api/v1/sessions", params=params)))

    assert titles(customer="acme 100%") == ["Acme churn", "Acme onboarding"]
    assert titles(customer="100_") == []
    assert titles(status="cancelled") == ["Acme churn"]
    assert titles(q="RENEWAL") == ["Globex renewal"]
    window = {
        "starts_after": (now + timedelta(hours=36)).isoformat(),
        "starts_before": (now + timedelta(days=10)).isoformat(),
    }
    assert titles(**window) == ["Globex renewal"]


def test_list_filter_with_naive_bound_is_refused(viewer_api: TestClient) -> None:
    response = viewer_api.get("/api/v1/sessions", params={"starts_after": "2027-01-01T00:00:00"})
    assert response.status_code == 422
    assert "has no UTC offset" in response.json()["detail"][0]["msg"]


def test_list_filter_with_unknown_status_is_refused(viewer_api: TestClient) -> None:
    response = viewer_api.get("/api/v1/sessions", params={"status": "postponed"})
    assert response.status_code == 422


def test_blank_title_is_refused(organizer_api: TestClient) -> None:
    response = organizer_api.post("/api/v1/sessions", json=_body(title="   "))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "title"]


def test_openapi_documents_session_filters(organizer_api: TestClient) -> None:
    schema = organizer_api.app.openapi()  # type: ignore[attr-defined]
    parameters = schema["paths"]["/api/v1/sessions"]["get"]["parameters"]
    names = {parameter["name"] for parameter in parameters}
    assert names >= {"when", "status", "series_id", "customer", "q", "starts_after", "limit"}
    assert (
        "text/calendar"
        in (
            schema["paths"]["/api/v1/sessions/{session_id}.ics"]["get"]["responses"]["200"][
                "content"
            ]
        )
    )


def test_sessions_create_with_a_date_at_the_edge_of_time_is_422(organizer_api: TestClient) -> None:
    response = organizer_api.post(
        "/api/v1/sessions",
        json={
            "title": "0",
            "platform": "meet",
            "timezone": "UTC",
            "starts_at": "0001-01-01T00:00:05+01:00",
        },
    )
    assert response.status_code == 422
    assert "between the years 1900 and 9000" in str(response.json()["detail"])


def test_sessions_list_counts_attendance_and_executives(
    organizer_api: TestClient, db: Session
) -> None:
    held = create_session(
        db, starts_at=utcnow() - timedelta(days=7), status=SessionStatus.completed
    )
    create_session(db, starts_at=utcnow() + timedelta(days=7))
    vp = create_person(db, email="vp@example.com", name="Val Park", level_key="vp")
    ic = create_person(db)
    late = create_person(db, email="late@example.com", name="Late Comer")
    create_attendance(db, story_session=held, person=vp)
    create_attendance(db, story_session=held, person=ic)
    create_attendance(db, story_session=held, person=late, attended=False, minutes_present=2)

    items = organizer_api.get("/api/v1/sessions?when=all").json()["items"]
    counts = {item["id"]: (item["attended"], item["executives_attended"]) for item in items}
    assert counts[held.id] == (2, 1)
    assert sorted(counts.values()) == [(0, 0), (2, 1)]


def test_sessions_page_shows_attendance_with_a_link(organizer_web: PageClient, db: Session) -> None:
    held = create_session(
        db, starts_at=utcnow() - timedelta(days=7), status=SessionStatus.completed
    )
    create_attendance(db, story_session=held, person=create_person(db))
    page = organizer_web.get("/sessions?when=past")
    assert f'<a href="/sessions/{held.id}/attendance">1</a>' in page.text
    assert "no executives" in page.text
