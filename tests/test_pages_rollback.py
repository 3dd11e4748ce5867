"""A refused form changes nothing: the page rolls back what the attempt flushed before it shows
the form again (app.kit.forms.form_failed), and the form keeps what was typed."""

from typing import Any

import pytest
from sqlalchemy import inspect
from sqlmodel import Session, select

from app.attendance import service as attendance
from app.dashboards import service as dashboards
from app.errors import Invalid
from app.models import Customer, StorySession
from tests.conftest import PageClient
from tests.factories import create_session

FLUSHED = "Flushed before the refusal"


class FlushThenRefuse:
    """A service that writes a row, flushes it, then refuses: what a half-done change looks like."""

    def __init__(self) -> None:
        self.rows: list[Customer] = []

    def __call__(self, session: Session, *args: Any, **kwargs: Any) -> Any:
        row = Customer(name=FLUSHED)
        session.add(row)
        session.flush()
        self.rows.append(row)
        raise Invalid("Refused after a flush.")


def _flushed_rows(db: Session) -> list[Customer]:
    return list(db.exec(select(Customer).where(Customer.name == FLUSHED)).all())


@pytest.fixture
def story_session(db: Session) -> StorySession:
    return create_session(db, title="Rollback rehearsal")


def test_attendance_form_refused_after_a_flush_leaves_nothing_and_keeps_the_email(
    organizer_web: PageClient,
    db: Session,
    story_session: StorySession,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    refuse = FlushThenRefuse()
    monkeypatch.setattr(attendance, "mark_present", refuse)

    response = organizer_web.submit(
        f"/sessions/{story_session.id}/attendance/mark", {"email": "typed@example.com"}
    )

    assert response.status_code == 422
    assert "Refused after a flush." in response.text
    assert 'role="alert"' in response.text
    assert 'value="typed@example.com"' in response.text
    assert len(refuse.rows) == 1
    assert inspect(refuse.rows[0]).transient  # rolled back: no longer in any session's state
    assert _flushed_rows(db) == []


def test_dashboard_refused_after_a_flush_leaves_nothing(
    organizer_web: PageClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    refuse = FlushThenRefuse()
    monkeypatch.setattr(dashboards, "overview", refuse)

    response = organizer_web.get("/dashboard")

    assert response.status_code == 422
    assert "Refused after a flush." in response.text
    assert inspect(refuse.rows[0]).transient
    assert _flushed_rows(db) == []


def test_a_form_that_succeeds_keeps_what_it_flushed(
    organizer_web: PageClient, db: Session, story_session: StorySession
) -> None:
    # The other side of the rule: only a refusal rolls back.
    response = organizer_web.submit(
        "/sessions",
        {
            "title": "Kept",
            "customer": "Kept Customer",
            "date": "2099-03-02",
            "time": "16:00",
            "timezone": "UTC",
            "duration_minutes": "60",
            "platform": "zoom",
            "join_url": "https://zoom.example.com/j/1",
        },
    )
    assert response.status_code == 303
    assert db.exec(select(Customer).where(Customer.name == "Kept Customer")).one()
