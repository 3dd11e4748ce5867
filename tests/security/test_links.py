"""Signed links: bound to one purpose and one recipient, tamper-proof, expiring with a clear
message; secrets are compared in constant time."""

import base64
import hmac
import itertools
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.attendance.service import CHECK_IN_PURPOSE
from app.config import get_settings
from app.distribution.links import (
    RECAP_LINK_PURPOSE,
    RECAP_READ_PURPOSE,
    UNSUBSCRIBE_PURPOSE,
    unsubscribe_link,
)
from app.distribution.sending import send_recap
from app.invitations import inviting
from app.invitations.rsvps import RSVP_PURPOSE
from app.invitations.schemas import Audience
from app.kit.signing import sign
from app.models import Attendance, Invitation, ListMember, Rsvp, SessionStatus, utcnow
from tests.distribution.helpers import approve_recap, create_list
from tests.factories import create_person, create_session

# Each kind of link: its purpose, and the public routes that take it (in the path or the body).
ROUTES = {
    CHECK_IN_PURPOSE: [("GET", "/p/check-in/{}"), ("POST", "/p/check-in/{}")],
    RSVP_PURPOSE: [("GET", "/p/rsvp/{}"), ("POST", "/p/rsvp/{}")],
    RECAP_LINK_PURPOSE: [("GET", "/p/recap/{}")],
    RECAP_READ_PURPOSE: [
        ("POST", "/p/recap/read"),
        ("POST", "/p/recap/pdf"),
        ("GET", "/p/recap/pdf/{}"),
    ],
    UNSUBSCRIBE_PURPOSE: [("GET", "/p/unsubscribe/{}"), ("POST", "/p/unsubscribe/{}")],
}
FORM = {"email": "ann@example.com", "answer": "accepted", "List-Unsubscribe": "One-Click"}


class Links:
    """One valid object per kind of link, for two recipients where it matters."""

    def __init__(self, db: Session) -> None:
        ended = create_session(
            db,
            title="What Meridian told us",
            status=SessionStatus.completed,
            starts_at=utcnow() - timedelta(hours=2),
        )
        approve_recap(db, ended)
        self.ann = create_person(db, email="ann@example.com", name="Ann Archer", level_key="vp")
        self.bob = create_person(db, email="bob@example.com", name="Bob Baker", level_key="vp")
        self.committee = create_list(db, people=[self.ann, self.bob], allow_unsubscribe=True)
        self.board = create_list(db, name="Board", people=[self.ann], allow_unsubscribe=True)
        _, added = send_recap(db, story_session=ended, list_ids=[self.committee.id or 0])
        self.delivery_a, self.delivery_b = sorted(added, key=lambda d: d.to_email)
        upcoming = create_session(db, title="Next one")
        inviting.invite(
            db,
            story_sessions=[upcoming],
            audience=Audience(emails=["ann@example.com"]),
        )
        self.invitation = db.exec(select(Invitation)).one()
        self.ids = {
            CHECK_IN_PURPOSE: ended.id,
            RSVP_PURPOSE: self.invitation.id,
            RECAP_LINK_PURPOSE: self.delivery_a.id,
            RECAP_READ_PURPOSE: self.delivery_a.id,
            UNSUBSCRIBE_PURPOSE: self.delivery_a.id,
        }

    def token(self, purpose: str, payload: Any = None, *, days: float = 1) -> str:
        payload = self.ids[purpose] if payload is None else payload
        return sign(purpose, payload, expires_at=utcnow() + timedelta(days=days))


@pytest.fixture
def links(db: Session) -> Links:
    return Links(db)


def _nothing_changed(db: Session, links: Links) -> None:
    for row in (links.delivery_a, links.invitation):
        db.refresh(row)
    assert links.delivery_a.read_at is None
    assert links.invitation.rsvp is Rsvp.needs_action
    assert db.exec(select(Attendance)).all() == []
    assert all(m.unsubscribed_at is None for m in db.exec(select(ListMember)).all())


def test_a_link_for_one_purpose_is_refused_on_every_other_route(
    anon: TestClient, db: Session, links: Links
) -> None:
    for route_purpose, routes in ROUTES.items():
        # Signed over the id that route expects: only the purpose stands between them.
        target_id = links.ids[route_purpose]
        for purpose in set(ROUTES) - {route_purpose}:
            token = links.token(purpose, target_id)
            for method, path in routes:
                response = anon.request(method, path.format(token), data={**FORM, "token": token})
                assert response.status_code == 403, (purpose, method, path)
                assert "This link is not valid. Check that you copied all of it." in response.text
    _nothing_changed(db, links)


def _forge(token: str, payload: Any) -> str:
    """The token with its payload swapped and its signature kept."""
    _, signature = token.rsplit(".", 1)
    body = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode())
    return body.decode().rstrip("=") + "." + signature


def test_a_tampered_payload_breaks_the_signature(
    anon: TestClient, db: Session, links: Links
) -> None:
    far_future = int((utcnow() + timedelta(days=3650)).timestamp())
    for purpose, routes in ROUTES.items():
        token = links.token(purpose)
        for payload, (method, path) in itertools.product(
            (
                {"p": links.delivery_b.id, "exp": far_future},
                {"p": links.ids[purpose], "exp": far_future},
            ),
            routes,
        ):
            forged = _forge(token, payload)
            response = anon.request(method, path.format(forged), data={**FORM, "token": forged})
            assert response.status_code == 403, (method, path, payload)
            assert "This link is not valid" in response.text
    _nothing_changed(db, links)


def test_an_expired_link_says_so(anon: TestClient, db: Session, links: Links) -> None:
    for purpose, routes in ROUTES.items():
        token = links.token(purpose, days=-1)
        for method, path in routes:
            response = anon.request(method, path.format(token), data={**FORM, "token": token})
            assert response.status_code == 403, (method, path)
            assert "This link has expired. Ask the organizer for a new one." in response.text
    _nothing_changed(db, links)


def test_a_recap_link_shows_only_its_recipients_data(
    anon: TestClient, db: Session, links: Links
) -> None:
    page = anon.get(f"/p/recap/{links.token(RECAP_LINK_PURPOSE)}")
    assert page.status_code == 200
    assert "What Meridian told us" in page.text
    for other in (
        "bob@example.com",
        "Bob Baker",
        str(unsubscribe_link(links.delivery_b)),
    ):
        assert other not in page.text
    db.refresh(links.delivery_a)
    db.refresh(links.delivery_b)
    assert links.delivery_a.read_at is None  # opening counts nothing; the page's script does
    assert links.delivery_b.read_at is None


def test_unsubscribing_acts_for_one_member_of_one_list(
    anon: TestClient, db: Session, links: Links
) -> None:
    response = anon.post(f"/p/unsubscribe/{links.token(UNSUBSCRIBE_PURPOSE)}")
    assert response.status_code == 200
    assert "You are unsubscribed" in response.text
    members = db.exec(select(ListMember)).all()
    unsubscribed = {(m.list_id, m.person_id) for m in members if m.unsubscribed_at is not None}
    # Ann left the committee only: still on the board, and Bob is untouched.
    assert unsubscribed == {(links.committee.id, links.ann.id)}


# -- constant-time comparisons ---------------------------------------------------------------


@pytest.fixture
def compared(monkeypatch: pytest.MonkeyPatch) -> list[tuple[bytes, bytes]]:
    """Every hmac.compare_digest call, recorded."""
    calls: list[tuple[bytes, bytes]] = []
    real: Callable[[Any, Any], bool] = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    return calls


def test_metrics_token_is_compared_in_constant_time(
    anon: TestClient, compared: list[tuple[bytes, bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "metrics_token", "m" * 40)
    response = anon.get("/metrics", headers={"Authorization": "Bearer " + "x" * 40})
    assert response.status_code in {401, 403, 404}
    assert (b"x" * 40, b"m" * 40) in compared


def test_csrf_token_is_compared_in_constant_time(
    anon: TestClient, compared: list[tuple[bytes, bytes]]
) -> None:
    anon.get("/login")
    response = anon.post(
        "/login", data={"email": "a@example.com", "password": "p", "csrf_token": "forged"}
    )
    assert response.status_code == 403
    assert any(given == b"forged" for given, _ in compared)


def test_signed_link_signature_is_compared_in_constant_time(
    anon: TestClient, links: Links, compared: list[tuple[bytes, bytes]]
) -> None:
    token = links.token(RECAP_LINK_PURPOSE)
    assert anon.get(f"/p/recap/{token[:-3]}abc").status_code == 403
    assert compared  # itsdangerous checks signatures with hmac.compare_digest


def test_bearer_tokens_and_feeds_are_looked_up_by_digest_never_compared_plain(
    organizer_api: TestClient, db: Session
) -> None:
    from app.models import ApiToken

    plain = organizer_api.headers["Authorization"].removeprefix("Bearer ")
    stored = db.exec(select(ApiToken)).all()
    assert stored
    assert all(token.token_hash != plain and plain not in token.token_hash for token in stored)
    assert organizer_api.get("/api/v1/auth/me").status_code == 200
