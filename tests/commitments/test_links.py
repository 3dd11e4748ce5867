"""Commitment links: signed, single-purpose, expiring, and refused on every other route."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.commitments import links
from app.distribution.links import RECAP_LINK_PURPOSE, UNSUBSCRIBE_PURPOSE
from app.kit.signing import LinkError, sign
from app.models import Commitment, utcnow
from tests.commitments.helpers import add_commitment, make_world


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_a_commitment_link_opens_the_form_of_its_person_and_session(
    db: Session, anon: TestClient
) -> None:
    world = make_world(db)
    url = links.commitment_link(
        person_id=world.leader.id or 0, session_id=world.story_session.id or 0
    )

    person, story_session = links.open_commitment_link(db, token=url.rsplit("/", 1)[1])
    page = anon.get(_path(url))

    assert (person.id, story_session.id) == (world.leader.id, world.story_session.id)
    assert page.status_code == 200
    assert "What will you or your team do about what you heard?" in page.text
    assert "Vera Vance" in page.text
    assert "What Meridian told us" in page.text


def test_an_expired_commitment_link_is_refused_with_a_reason(db: Session, anon: TestClient) -> None:
    world = make_world(db)
    token = links.commitment_token(
        person_id=world.leader.id or 0,
        session_id=world.story_session.id or 0,
        now=utcnow() - timedelta(days=400),
    )

    page = anon.get(f"/p/commit/{token}")
    posted = anon.post(f"/p/commit/{token}", data={"text": "Too late"})

    assert page.status_code == 403
    assert "This link has expired" in page.text
    assert posted.status_code == 403
    assert db.exec(select(Commitment)).all() == []


def test_a_tampered_commitment_link_is_refused(db: Session, anon: TestClient) -> None:
    world = make_world(db)
    token = links.commitment_token(
        person_id=world.leader.id or 0, session_id=world.story_session.id or 0
    )
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")

    page = anon.get(f"/p/commit/{tampered}")

    assert page.status_code == 403
    assert "This link is not valid" in page.text
    with pytest.raises(LinkError):
        links.open_commitment_link(db, token=tampered)


def test_a_commitment_token_opens_no_other_signed_route(db: Session, anon: TestClient) -> None:
    world = make_world(db)
    token = links.commitment_token(
        person_id=world.leader.id or 0, session_id=world.story_session.id or 0
    )

    for method, path, data in (
        ("GET", f"/p/recap/{token}", None),
        ("POST", "/p/recap/read", {"token": token}),
        ("POST", "/p/recap/pdf", {"token": token}),
        ("GET", f"/p/unsubscribe/{token}", None),
        ("GET", f"/p/check-in/{token}", None),
        ("GET", f"/p/rsvp/{token}", None),
        ("GET", f"/p/commitments/close/{token}", None),
        ("POST", f"/p/commitments/close/{token}", {"status": "done", "note": "Did it"}),
    ):
        response = anon.request(method, path, data=data)
        assert response.status_code in (403, 404), f"{method} {path}: {response.status_code}"
        assert "Did it" not in response.text


def test_other_purposes_cannot_make_a_commitment(db: Session, anon: TestClient) -> None:
    world = make_world(db)
    commitment = add_commitment(db, world.story_session, world.leader)
    close_url = links.close_link(commitment, status="done")
    expires = utcnow() + timedelta(days=1)
    pair = [world.leader.id, world.story_session.id]
    tokens = [
        close_url.split("/")[-1].split("?")[0],  # a close token cannot create
        sign(RECAP_LINK_PURPOSE, pair, expires_at=expires),
        sign(UNSUBSCRIBE_PURPOSE, pair, expires_at=expires),
        sign("check-in", pair, expires_at=expires),
    ]

    for token in tokens:
        response = anon.post(f"/p/commit/{token}", data={"text": "Sneaked in"})
        assert response.status_code == 403, token
        assert "This link is not valid" in response.text

    assert [c.text for c in db.exec(select(Commitment)).all()] == [commitment.text]


def test_a_close_token_for_a_deleted_commitment_says_so(db: Session, anon: TestClient) -> None:
    world = make_world(db)
    commitment = add_commitment(db, world.story_session, world.leader)
    url = links.close_link(commitment, status="done")
    db.delete(commitment)
    db.flush()

    page = anon.get(_path(url))

    assert page.status_code == 404
    assert "This commitment no longer exists" in page.text
