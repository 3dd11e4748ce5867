"""Every request body refuses a field it does not know, with a 422 that names it."""

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.db import id_of
from app.main import create_app
from app.models import Commitment, DistributionList, FollowUp, SessionStatus, Theme, utcnow
from app.recaps.action_items import create_action_item
from app.recaps.quotes import add_quote
from app.recaps.schemas import ActionItemCreate, QuoteCreate
from tests.factories import (
    create_attendance,
    create_person,
    create_series,
    create_session,
    create_speaker,
    create_user,
)

OPENAPI = create_app().openapi()
JSON_BODIES = [
    (method.upper(), path, operation["requestBody"]["content"]["application/json"]["schema"])
    for path, operations in OPENAPI["paths"].items()
    for method, operation in operations.items()
    if "application/json" in operation.get("requestBody", {}).get("content", {})
]


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    return _resolve(OPENAPI["components"]["schemas"][ref.rsplit("/", 1)[1]])


def _objects(schema: dict[str, Any], seen: set[str]) -> list[tuple[str, dict[str, Any]]]:
    """Every object schema reachable from `schema`, with a name to report it by."""
    ref = schema.get("$ref")
    if ref is not None:
        if ref in seen:
            return []
        seen.add(ref)
    resolved = _resolve(schema)
    found = [(ref or resolved.get("title", "?"), resolved)] if "properties" in resolved else []
    children = [*resolved.get("properties", {}).values(), *resolved.get("anyOf", [])]
    if "items" in resolved:
        children.append(resolved["items"])
    for child in children:
        found += _objects(child, seen)
    return found


def test_the_api_has_json_request_bodies_to_check() -> None:
    assert ("PUT", "/api/v1/sessions/{session_id}/recap") in {(m, p) for m, p, _ in JSON_BODIES}
    assert len(JSON_BODIES) >= 25


@pytest.mark.parametrize(("method", "path", "schema"), JSON_BODIES)
def test_every_object_in_a_request_body_forbids_unknown_fields(
    method: str, path: str, schema: dict[str, Any]
) -> None:
    objects = _objects(schema, set())
    assert objects
    assert [name for name, o in objects if o.get("additionalProperties") is not False] == []


@pytest.fixture
def path_ids(db: Session) -> dict[str, int | str]:
    """A row for every id a path names, so each request gets as far as reading its body."""
    person = create_person(db)
    story_session = create_session(
        db, status=SessionStatus.completed, starts_at=utcnow() - timedelta(days=2)
    )
    speaker = create_speaker(db, story_session)
    quote = add_quote(
        db, story_session=story_session, data=QuoteCreate(speaker_id=speaker.id, text="Fast.")
    )
    item = create_action_item(
        db, story_session=story_session, data=ActionItemCreate(description="Call back")
    )
    attendance = create_attendance(db, story_session=story_session, person=person)
    dlist = DistributionList(name="Operating committee")
    theme = Theme(name="Billing", key="billing")
    db.add_all([dlist, theme])
    follow_up = FollowUp(session_id=story_session.id or 0, speaker_id=speaker.id or 0, subject="Hi")
    db.add(follow_up)
    db.flush()
    commitment = Commitment(
        session_id=id_of(story_session), person_id=id_of(person), text="Call the five accounts"
    )
    db.add(commitment)
    db.flush()
    ids = {
        "person_id": person.id,
        "session_id": story_session.id,
        "quote_id": quote.id,
        "item_id": item.id,
        "attendance_id": attendance.id,
        "list_id": dlist.id,
        "theme_id": theme.id,
        "commitment_id": commitment.id,
        "follow_up_id": follow_up.id,
        "series_id": create_series(db).id,
        "user_id": create_user(db, email="someone@example.com").id,
    }
    # A transcript speaker is named by their label; no transcript is needed to read the body.
    return {name: value for name, value in ids.items() if value is not None} | {"label": "Ana Ruiz"}


def test_every_request_body_refuses_an_unknown_field_by_name(
    admin_api: TestClient, path_ids: dict[str, int | str]
) -> None:
    answers, expected = {}, {}
    for method, path, schema in JSON_BODIES:
        inside = [0] if _resolve(schema).get("type") == "array" else []
        body: Any = [{"surprise": 1}] if inside else {"surprise": 1}
        response = admin_api.request(method, path.format(**path_ids), json=body)
        detail = response.json()["detail"] if response.status_code == 422 else []
        answers[method, path] = [
            (e["loc"], e["msg"].split(":")[0]) for e in detail if e["type"] == "extra_forbidden"
        ]
        expected[method, path] = [(["body", *inside, "surprise"], "Unknown field 'surprise'")]
    assert answers == expected


def test_an_unknown_field_beside_valid_ones_is_refused_and_nothing_is_saved(
    organizer_api: TestClient,
) -> None:
    body = {
        "title": "How Acme runs its desk",
        "starts_at": "2099-03-02T16:00:00+01:00",
        "timezone": "Europe/Paris",
        "platform": "zoom",
        "speakers": [{"name": "Ana Ruiz", "consent": "named", "company": "Acme"}],
    }
    response = organizer_api.post("/api/v1/sessions", json=body)
    assert response.status_code == 422
    assert [(e["loc"], e["type"]) for e in response.json()["detail"]] == [
        (["body", "speakers", 0, "company"], "extra_forbidden")
    ]
    assert organizer_api.get("/api/v1/sessions").json()["total"] == 0
