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
