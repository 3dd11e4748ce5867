"""Sending a recap: one delivery per recipient, deduplicated, in the decision's transaction."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.audit import service as audit
from app.distribution.lists import set_list_series
from app.distribution.sending import send_recap
from app.errors import Conflict, Invalid
from app.models import (
    Cadence,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    ListMember,
    Recap,
    RecapStatus,
    Series,
    SessionStatus,
    StorySession,
    utcnow,
)
from tests.conftest import PageClient
from tests.distribution.helpers import approve_recap, create_list, create_series
from tests.factories import create_person, create_session, create_user


def _completed(db: Session, series: Series | None = None) -> StorySession:
    return create_session(
        db, status=SessionStatus.completed, starts_at=utcnow() - timedelta(days=1), series=series
    )


def test_send_dedups_across_lists_and_case_and_marks_sent(db: Session) -> None:
    story_session = _completed(db)
    version = approve_recap(db, story_session)
    ceo = create_person(db, email="ceo@example.com", name="Grace Hopper", level_key="c-suite")
    cfo = create_person(db, email="cfo@example.com", name="Ada Byron")
    gone = create_person(db, email="gone@example.com", name="Left Company", active=False)
    committee = create_list(db, people=[ceo, cfo, gone], outsiders=["Chair@Board.example"])
    board = create_list(db, name="Board", people=[ceo], outsiders=["chair@board.example"])
    quitter = create_person(db, email="quit@example.com", name="Opted Out")
    db.add(ListMember(list_id=board.id or 0, person_id=quitter.id, unsubscribed_at=utcnow()))
    db.flush()

    sent_version, added = send_recap(
        db,
        story_session=story_session,
        list_ids=[committee.id or 0, board.id or 0],
        extra_emails=["CEO@EXAMPLE.COM", "New.Person@Example.org"],
    )

    rows = db.exec(select(Delivery).order_by(Delivery.to_email)).all()
    assert [(d.to_email, d.list_id) for d in rows] == [
        ("ceo@example.com", committee.id),
        ("cfo@example.com", committee.id),
        ("chair@board.example", committee.id),
        ("new.person@example.org", None),
    ]
    assert {d.dedup_key for d in rows} == {f"recap:{version.id}:{d.to_email}" for d in rows}
    assert all(d.kind is DeliveryKind.recap and d.status is DeliveryStatus.queued for d in rows)
    assert len(added) == 4
    assert sent_version.sent_at is not None
    recap = db.exec(select(Recap)).one()
    assert recap.status is RecapStatus.sent


def test_sending_again_adds_only_new_recipients(db: Session) -> None:
    story_session = _completed(db)
    approve_recap(db, story_session)
    dlist = create_list(db, outsiders=["a@example.org"])
    send_recap(db, story_session=story_session, list_ids=[dlist.id or 0])
    _, added = send_recap(
        db,
        story_session=story_session,
        list_ids=[dlist.id or 0],
        extra_emails=["b@example.org"],
    )
    assert [d.to_email for d in added] == ["b@example.org"]
    assert len(db.exec(select(Delivery)).all()) == 2


def test_send_refuses_unapproved_or_changed_recap(db: Session) -> None:
    story_session = _completed(db)
    dlist = create_list(db, outsiders=["a@example.org"])
    with pytest.raises(Conflict, match="not been approved yet"):
        send_recap(db, story_session=story_session, list_ids=[dlist.id or 0])
    approve_recap(db, story_session, status=RecapStatus.draft)
    with pytest.raises(Conflict, match="changes since version 1 was approved"):
        send_recap(db, story_session=story_session, list_ids=[dlist.id or 0])
    assert db.exec(select(Delivery)).all() == []


def test_send_refuses_digest_lists_and_bad_addresses(db: Session) -> None:
    story_session = _completed(db)
    approve_recap(db, story_session)
    digest = create_list(
        db, name="Weekly", cadence=Cadence.weekly, digest_weekday=0, outsiders=["a@x.org"]
    )
    with pytest.raises(Invalid, match="'Weekly' receive recaps in a digest"):
        send_recap(db, story_session=story_session, list_ids=[digest.id or 0])
    with pytest.raises(Invalid, match="Not an email address: 'nope'"):
        send_recap(
            db,
            story_session=story_session,
            list_ids=[],
            extra_emails=["nope"],
        )
    with pytest.raises(Invalid, match="Nobody to send to"):
        send_recap(db, story_session=story_session, list_ids=[])
    assert db.exec(select(Delivery)).all() == []
    assert db.exec(select(Recap)).one().status is RecapStatus.approved


def test_api_send_and_status(organizer_api: TestClient, db: Session) -> None:
    story_session = _completed(db)
    approve_recap(db, story_session)
    dlist = create_list(db, outsiders=["a@example.org", "b@example.org"])
    response = organizer_api.post(
        f"/api/v1/sessions/{story_session.id}/recap/send",
        json={"list_ids": [dlist.id], "extra_emails": ["A@example.org"]},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["queued"] == 2
    assert body["version"] == 1
    assert body["counts"]["total"] == 2
    status = organizer_api.get(f"/api/v1/sessions/{story_session.id}/recap/deliveries").json()
    assert [item["to_email"] for item in status["items"]] == ["a@example.org", "b@example.org"]
    listed = organizer_api.get(f"/api/v1/deliveries?session_id={story_session.id}").json()
    assert listed["total"] == 2


def test_api_send_refused_changes_nothing(organizer_api: TestClient, db: Session) -> None:
    story_session = _completed(db)
    approve_recap(db, story_session)
    dlist = create_list(db, outsiders=["a@example.org"])
    response = organizer_api.post(
        f"/api/v1/sessions/{story_session.id}/recap/send",
        json={"list_ids": [dlist.id], "extra_emails": ["not an address"]},
    )
    assert response.status_code == 422
    assert db.exec(select(Delivery)).all() == []


def test_viewer_cannot_send(viewer_api: TestClient, db: Session) -> None:
    story_session = _completed(db)
    approve_recap(db, story_session)
    response = viewer_api.post(
        f"/api/v1/sessions/{story_session.id}/recap/send", json={"extra_emails": ["a@x.org"]}
    )
    assert response.status_code == 403
    assert db.exec(select(Delivery)).all() == []


def test_deliveries_page_preticks_series_lists_and_shows_status(
    organizer_web: PageClient, db: Session
) -> None:
    series = create_series(db)
    story_session = _completed(db, series=series)
    approve_recap(db, story_session)
    default = create_list(db, outsiders=["a@example.org"])
    other = create_list(db, name="Board", outsiders=["b@example.org"])
    set_list_series(db, dlist=default, series_ids=[series.id or 0])
    url = f"/sessions/{story_session.id}/recap/deliveries"
    page = organizer_web.get(url)
    assert f'name="list_ids" value="{default.id}" checked' in page.text
    assert f'name="list_ids" value="{other.id}">' in page.text

    sent = organizer_web.submit(
        f"/sessions/{story_session.id}/recap/send",
        {"list_ids": [str(default.id)], "extra_emails": "c@example.org\nd@example.org"},
    )
    assert sent.status_code == 303
    failed = db.exec(select(Delivery).where(Delivery.to_email == "c@example.org")).one()
    failed.status = DeliveryStatus.failed
    failed.last_error = "550 5.1.1 <c@example.org>: Recipient address rejected"
    failed.attempts = 1
    db.add(failed)
    db.flush()
    page = organizer_web.get(url)
    assert "550 5.1.1" in page.text
    assert "Resend all failed (1)" in page.text
    assert f"/recap/deliveries/{failed.id}/resend" in page.text
    for email in ("a@example.org", "c@example.org", "d@example.org"):
        assert email in page.text


def test_send_page_shows_why_sending_was_refused(organizer_web: PageClient, db: Session) -> None:
    story_session = _completed(db)
    response = organizer_web.submit(
        f"/sessions/{story_session.id}/recap/send", {"extra_emails": "a@example.org"}
    )
    assert response.status_code == 409
    assert "has not been approved yet" in response.text


def test_api_send_reaches_the_outbox(organizer_api: TestClient, db: Session) -> None:
    from email import message_from_bytes, policy

    from app.config import get_settings

    story_session = _completed(db)
    approve_recap(db, story_session)
    dlist = create_list(db, outsiders=["outbox-check@example.org"])
    before = set(get_settings().outbox_dir.glob("*.eml"))
    response = organizer_api.post(
        f"/api/v1/sessions/{story_session.id}/recap/send", json={"list_ids": [dlist.id]}
    )
    assert response.status_code == 200
    status = organizer_api.get(f"/api/v1/sessions/{story_session.id}/recap/deliveries").json()
    assert [item["status"] for item in status["items"]] == ["sent"]
    (written,) = set(get_settings().outbox_dir.glob("*.eml")) - before
    message = message_from_bytes(written.read_bytes(), policy=policy.default)
    assert message["To"].addresses[0].addr_spec == "outbox-check@example.org"
    assert message["Subject"].startswith("Recap: How Acme runs its support desk — ")


def test_send_keeps_the_acting_users_address_as_sent_by_and_nothing_without_one(
    db: Session,
) -> None:
    first, second = _completed(db), _completed(db)
    approve_recap(db, first)
    approve_recap(db, second)
    dlist = create_list(db, outsiders=["chair@board.example"])

    _, (by_system,) = send_recap(db, story_session=first, list_ids=[dlist.id or 0])
    with audit.acting_as(create_user(db, email="Sender@Example.com")):
        _, (by_user,) = send_recap(db, story_session=second, list_ids=[dlist.id or 0])

    assert (by_system.payload, by_user.payload) == ({}, {"sent_by": "sender@example.com"})


def test_deliveries_refuse_a_session_id_no_database_can_hold(organizer_api: TestClient) -> None:
    # Found by the stateful fuzz: a larger integer than the column holds was a 500 on SQLite.
    response = organizer_api.get("/api/v1/deliveries?session_id=99999999999999999999")
    assert response.status_code == 422
    assert "session_id" in response.text
