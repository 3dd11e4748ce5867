import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.db import SessionDep, install_session_turns
from app.errors import install_error_handlers


def test_a_write_refused_at_commit_is_a_conflict_the_client_sees(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The commit runs before the response is sent: a client is never told "created" for a
    # write that a unique index then refused because another request got there first.
    def refuse(self: Session) -> None:
        raise IntegrityError("INSERT …", {}, Exception("UNIQUE constraint failed: list.name"))

    app = FastAPI()
    install_error_handlers(app)
    install_session_turns(app)

    @app.post("/api/v1/things")
    def create_thing(session: SessionDep) -> dict[str, str]:
        return {"status": "created"}

    monkeypatch.setattr(Session, "commit", refuse)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.post("/api/v1/things")
    assert response.status_code == 409
    assert "reload and try again" in response.json()["detail"]


def _operations(app: FastAPI) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, operations in app.openapi()["paths"].items()
        for method, operation in operations.items()
    ]


def test_every_operation_with_a_request_body_documents_the_400(app: FastAPI) -> None:
    operations = _operations(app)
    with_body = {(m, p) for m, p, o in operations if "requestBody" in o}
    assert ("POST", "/api/v1/people") in with_body
    assert ("PUT", "/api/v1/lists/{list_id}/series") in with_body
    assert {(m, p) for m, p, o in operations if "400" in o["responses"]} == with_body
    error_schema = {"$ref": "#/components/schemas/ErrorMessage"}
    assert {
        o["responses"]["400"]["content"]["application/json"]["schema"] == error_schema
        for m, p, o in operations
        if (m, p) in with_body
    } == {True}


def test_a_body_that_is_not_utf8_gets_the_documented_400(
    app: FastAPI, admin_api: TestClient
) -> None:
    answers = {}
    for method, path, operation in _operations(app):
        content = operation.get("requestBody", {}).get("content", {})
        if "application/json" in content:
            url = re.sub(r"\{[a-z_]+\}", "999999", path)
            response = admin_api.request(
                method,
                url,
                content=b'{"name": "\xff"}',
                headers={"content-type": "application/json"},
            )
            answers[method, path] = (response.status_code, response.json())
    assert len(answers) >= 25
    expected = {"detail": "The request body is not valid UTF-8: send JSON encoded as UTF-8."}
    assert answers == dict.fromkeys(answers, (400, expected))
