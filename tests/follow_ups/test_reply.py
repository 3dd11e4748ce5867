"""The storyteller's reply link and page: signed for its own purpose, expiring, GET harmless."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.distribution.links import recap_link, unsubscribe_link
from app.follow_ups import letters
from app.follow_ups.replies import REPLY_PURPOSE, reply_url
from app.follow_ups.schemas import FollowUpCreate
from app.invitations.rsvps import RSVP_PURPOSE
from app.kit.signing import sign
from app.models import (
    AuditEntry,
    Consent,
    Delivery,
    DeliveryKind,
    FollowUp,
    FollowUpReply,
    Invitation,
    utcnow,
)
from tests.follow_ups.support import told_story


def _sent(db: Session, consent: Consent = Consent.named) -> FollowUp:
    story = told_story(db, consent=consent)
    follow_up = letters.create_follow_up(db, story.story_session, data=FollowUpCreate())
    letters.send_follow_up(db, follow_up)
    return follow_up


def _path(url: str) -> str:
    return urlsplit(url).path


def _replies(db: Session) -> list[FollowUpReply]:
    return list(db.exec(select(FollowUpReply).order_by(col(FollowUpReply.id))))


def test_opening_the_link_shows_the_form_and_changes_nothing(anon: TestClient, db: Session) -> None:
    follow_up = _sent(db)
    entries = len(db.exec(select(AuditEntry)).all())
    page = anon.get(_path(reply_url(follow_up)))
    assert page.status_code == 200
    assert "Did what we did help you?" in page.text
    for label in ("It did not help", "It helped a little", "It made a real difference"):
        assert label in page.text
    assert (
        "You may quote my reply to the company's leaders, as “Ana Ruiz, CFO, Acme Logistics”"
        in page.text
    )
    assert _replies(db) == []
    assert len(db.exec(select(AuditEntry)).all()) == entries


def test_a_reply_is_stored_with_its_rating_and_consent(anon: TestClient, db: Session) -> None:
    follow_up = _sent(db)
    path = _path(reply_url(follow_up))
    response = anon.post(
        path, data={"helped": "4", "text": "Refunds now <b>arrive</b> in days.", "may_quote": "on"}
    )
    assert response.status_code == 200
    assert "Thank you: your reply reached the team." in response.text
    assert "Refunds now &lt;b&gt;arrive&lt;/b&gt; in days." in response.text
    [reply] = _replies(db)
    assert (reply.follow_up_id, reply.helped, reply.text, reply.may_quote) == (
        follow_up.id,
        4,
        "Refunds now <b>arrive</b> in days.",
        True,
    )
    # The same answer again (a double click) is kept once; a new one is a reply of its own.
    anon.post(
        path, data={"helped": "4", "text": "Refunds now <b>arrive</b> in days.", "may_quote": "on"}
    )
    assert len(_replies(db)) == 1
    anon.post(path, data={"helped": "5", "text": "And they called me back."})
    assert [(r.helped, r.may_quote) for r in _replies(db)] == [(4, True), (5, False)]
    actions = db.exec(select(AuditEntry.action).where(AuditEntry.entity == "follow_up")).all()
    assert actions.count("replied") == 2


@pytest.mark.parametrize("helped", ["0", "6", "-1", "three", "4.5"])
def test_a_rating_outside_one_to_five_is_refused(
    anon: TestClient, db: Session, helped: str
) -> None:
    follow_up = _sent(db)
    response = anon.post(_path(reply_url(follow_up)), data={"helped": helped, "text": "Kept"})
    assert response.status_code == 422
    assert "Choose one of the five answers." in response.text
    assert ">Kept</textarea>" in response.text  # what was typed is shown again
    assert _replies(db) == []


def test_an_empty_reply_is_refused(anon: TestClient, db: Session) -> None:
    follow_up = _sent(db)
    response = anon.post(_path(reply_url(follow_up)), data={"text": "   "})
    assert response.status_code == 422
    assert "Rate whether it helped, or write a few words" in response.text
    assert _replies(db) == []


def test_too_long_a_reply_is_refused(anon: TestClient, db: Session) -> None:
    follow_up = _sent(db)
    response = anon.post(_path(reply_url(follow_up)), data={"helped": "3", "text": "x" * 5001})
    assert response.status_code == 422
    assert "at most 5000 characters" in response.text
    assert _replies(db) == []


def test_no_quoting_offered_without_consent(anon: TestClient, db: Session) -> None:
    follow_up = _sent(db, consent=Consent.none)
    page = anon.get(_path(reply_url(follow_up)))
    assert 'name="may_quote"' not in page.text
    assert "You asked not to be quoted" in page.text


def test_expired_and_tampered_links_are_refused(anon: TestClient, db: Session) -> None:
    follow_up = _sent(db)
    expired = sign(REPLY_PURPOSE, follow_up.id, expires_at=utcnow() - timedelta(seconds=1))
    for method in ("get", "post"):
        response = getattr(anon, method)(f"/p/follow-up/{expired}")
        assert response.status_code == 403
        assert "This link has expired" in response.text
    tampered = _path(reply_url(follow_up)) + "x"
    response = anon.post(tampered, data={"helped": "5"})
    assert response.status_code == 403
    assert "This link is not valid" in response.text
    assert _replies(db) == []


def test_the_link_expires_sixty_days_after_sending(db: Session) -> None:
    from app.follow_ups.replies import reply_link_expires

    follow_up = _sent(db)
    assert follow_up.sent_at is not None
    assert reply_link_expires(follow_up) == follow_up.sent_at + timedelta(days=60)


def test_an_unsent_follow_ups_token_finds_nothing(anon: TestClient, db: Session) -> None:
    story = told_story(db)
    draft = letters.create_follow_up(db, story.story_session, data=FollowUpCreate())
    token = sign(REPLY_PURPOSE, draft.id, expires_at=utcnow() + timedelta(days=1))
    assert anon.get(f"/p/follow-up/{token}").status_code == 404


def test_other_links_do_not_open_the_reply_page(anon: TestClient, db: Session) -> None:
    follow_up = _sent(db)
    delivery = db.exec(select(Delivery).where(Delivery.kind == DeliveryKind.follow_up)).one()
    later = utcnow() + timedelta(days=1)
    # Tokens carrying the same id, made for other purposes, are refused here.
    for token in (
        _path(recap_link(delivery)).rsplit("/", 1)[1],
        _path(unsubscribe_link(delivery)).rsplit("/", 1)[1],
        sign(RSVP_PURPOSE, follow_up.id, expires_at=later),
    ):
        response = anon.post(f"/p/follow-up/{token}", data={"helped": "5"})
        assert response.status_code == 403
        assert "This link is not valid" in response.text
    assert _replies(db) == []


def test_the_reply_link_opens_no_other_signed_page(anon: TestClient, db: Session) -> None:
    follow_up = _sent(db)
    token = _path(reply_url(follow_up)).rsplit("/", 1)[1]
    invitation = Invitation(session_id=follow_up.session_id, email="someone@example.com")
    db.add(invitation)
    db.flush()
    for path in (
        f"/p/recap/{token}",
        f"/p/unsubscribe/{token}",
        f"/p/rsvp/{token}",
        f"/p/commit/{token}",
        f"/p/commitments/close/{token}",
    ):
        response = anon.get(path)
        assert response.status_code == 403, path
        assert "This link is not valid" in response.text
