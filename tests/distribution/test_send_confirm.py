"""Sending asks first: who it goes to before it goes, a test to yourself, and a send scheduled
for later that the worker sends when it is due."""

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.config import get_settings
from app.distribution.sending import plan_send, send_recap
from app.distribution.tasks import send_scheduled_recaps
from app.models import (
    Delivery,
    DeliveryKind,
    DistributionList,
    Recap,
    RecapStatus,
    RecapVersion,
    ScheduledSend,
    SessionStatus,
    StorySession,
    utcnow,
)
from tests.conftest import PageClient
from tests.distribution.helpers import approve_recap, create_list
from tests.factories import create_person, create_session
from tests.mail.conftest import SmtpServer, free_port

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    """A real SMTP server on loopback that the app sends to."""
    server = SmtpServer(port=free_port())
    server.start()
    monkeypatch.setattr(get_settings(), "smtp_url", server.url())
    try:
        yield server
    finally:
        server.stop()


def _completed(db: Session) -> StorySession:
    return create_session(
        db,
        title="What Meridian told us",
        status=SessionStatus.completed,
        starts_at=utcnow() - timedelta(days=1),
    )


def _committee(db: Session, people: int = 11) -> DistributionList:
    members = [
        create_person(db, email=f"exec{index:02}@example.com", name=f"Exec {index:02}")
        for index in range(people)
    ]
    return create_list(db, name="Operating committee (demo)", people=members)


def _recap(db: Session) -> Recap:
    return db.exec(select(Recap)).one()


def _deliveries(db: Session, kind: DeliveryKind | None = None) -> list[Delivery]:
    query = select(Delivery).order_by(col(Delivery.id))
    if kind is not None:
        query = query.where(Delivery.kind == kind)
    return list(db.exec(query.execution_options(populate_existing=True)))


def _paris_field(moment: datetime) -> str:
    """A datetime-local field's value for `moment`, read in the session's timezone."""
    return moment.astimezone(PARIS).strftime("%Y-%m-%dT%H:%M")


# -- who it goes to --------------------------------------------------------------------------


def test_review_shows_how_many_and_who_before_sending_and_sends_nothing(
    organizer_web: PageClient, db: Session
) -> None:
    story_session = _completed(db)
    approve_recap(db, story_session)
    committee = _committee(db)
    url = f"/sessions/{story_session.id}/recap"

    page = organizer_web.get(f"{url}/deliveries")
    assert f'action="{url}/send/review"' in page.text
    assert "Review recipients and send…" in page.text

    review = organizer_web.submit(
        f"{url}/send/review",
        {
            "list_ids": [str(committee.id)],
            "extra_emails": "chair@board.example, EXEC00@example.com\nceo@other.example",
        },
    )

    assert review.status_code == 200
    text = review.text
    assert (
        "This recap goes to 11 people on “Operating committee (demo)” and 2 more addresses." in text
    )
    recipients = re.search(r'<details class="dist-recipients">(.*?)</details>', text, re.S)
    assert recipients is not None
    listed = re.findall(r"<li>(.*?)</li>", recipients.group(1))
    assert len(listed) == 13
    assert "Show the 13 recipients" in recipients.group(1)
    assert 'Exec 00 <span class="muted">exec00@example.com</span>' in listed[0]
    assert listed[-2:] == ["chair@board.example", "ceo@other.example"]
    confirm = text.split('id="confirm-heading"', 1)[1]
    assert f'<form method="post" action="{url}/send"' in confirm
    assert f'<input type="hidden" name="list_ids" value="{committee.id}">' in confirm
    assert "Send now to 13 people" in confirm
    assert 'type="datetime-local"' in confirm
    assert _deliveries(db) == []
    assert _recap(db).status is RecapStatus.approved

    sent = organizer_web.submit(
        f"{url}/send",
        {
            "list_ids": [str(committee.id)],
            "extra_emails": "chair@board.example, EXEC00@example.com\nceo@other.example",
            "when": "now",
        },
    )
    assert sent.status_code == 303
    assert len(_deliveries(db, DeliveryKind.recap)) == 13


def test_plan_counts_each_address_once_and_those_who_already_have_it(db: Session) -> None:
    story_session = _completed(db)
    approve_recap(db, story_session)
    committee = _committee(db, people=3)
    board = create_list(db, name="Board", outsiders=["chair@board.example", "exec01@example.com"])
    send_recap(db, story_session=story_session, list_ids=[board.id or 0])

    plan = plan_send(
        db,
        story_session=story_session,
        list_ids=[committee.id or 0, board.id or 0],
        extra_emails=["Chair@Board.example", "new@example.org"],
    )

    assert [r.email for r in plan.recipients] == [
        "exec00@example.com",
        "exec01@example.com",
        "exec02@example.com",
        "chair@board.example",
        "new@example.org",
    ]
    assert (plan.on_lists, plan.extra, plan.already) == (4, 1, 2)
    assert plan.summary() == (
        "This recap goes to 4 people on “Operating committee (demo)” and “Board” and "
        "1 more address. 2 of them already have version 1 and will not get it again."
    )


def test_review_refused_says_why_and_sends_nothing(organizer_web: PageClient, db: Session) -> None:
    story_session = _completed(db)
    response = organizer_web.submit(
        f"/sessions/{story_session.id}/recap/send/review", {"extra_emails": "a@example.org"}
    )
    assert response.status_code == 409
    assert "has not been approved yet" in response.text
    assert _deliveries(db) == []


def test_api_preview_lists_recipients_and_send_reports_the_count(
    organizer_api: TestClient, db: Session
) -> None:
    story_session = _completed(db)
    approve_recap(db, story_session)
    committee = _committee(db, people=2)
    base = f"/api/v1/sessions/{story_session.id}/recap"
    body = {"list_ids": [committee.id], "extra_emails": ["chair@board.example"]}

    preview = organizer_api.post(f"{base}/send/preview", json=body)

    assert preview.status_code == 200
    assert preview.json() == {
        "version": 1,
        "recipients": 3,
        "on_lists": 2,
        "extra": 1,
        "already": 0,
        "summary": "This recap goes to 2 people on “Operating committee (demo)” and "
        "1 more address.",
        "items": [
            {
                "email": "exec00@example.com",
                "name": "Exec 00",
                "person_id": preview.json()["items"][0]["person_id"],
                "list_id": committee.id,
            },
            {
                "email": "exec01@example.com",
                "name": "Exec 01",
                "person_id": preview.json()["items"][1]["person_id"],
                "list_id": committee.id,
            },
            {"email": "chair@board.example", "name": "", "person_id": None, "list_id": None},
        ],
    }
    assert _deliveries(db) == []

    sent = organizer_api.post(f"{base}/send", json=body)
    assert sent.status_code == 200
    assert (sent.json()["recipients"], sent.json()["queued"]) == (3, 3)
    again = organizer_api.post(f"{base}/send", json=body)
    assert (again.json()["recipients"], again.json()["queued"]) == (3, 0)


# -- a test to yourself ----------------------------------------------------------------------


def test_send_a_test_goes_to_the_signed_in_user_only_over_smtp(
    organizer_web: PageClient, db: Session, smtp: SmtpServer
) -> None:
    story_session = _completed(db)
    version = approve_recap(db, story_session)
    _committee(db, people=3)
    url = f"/sessions/{story_session.id}/recap/deliveries"
    assert "Send a test to me" in organizer_web.get(url).text

    response = organizer_web.submit(f"/sessions/{story_session.id}/recap/send-test")

    assert response.status_code == 303
    assert response.headers["location"] == f"{url}?done=test"
    assert smtp.recipients() == ["organizer-web@example.com"]
    message: EmailMessage = smtp.received[0].message
    assert message["To"].addresses[0].addr_spec == "organizer-web@example.com"
    assert message["Subject"].startswith("[Test] Recap: What Meridian told us — ")
    (attachment,) = message.iter_attachments()
    assert attachment.get_content_type() == "application/pdf"
    (test,) = _deliveries(db)
    assert (test.kind, test.to_email, test.status.value) == (
        DeliveryKind.recap_test,
        "organizer-web@example.com",
        "sent",
    )
    assert _deliveries(db, DeliveryKind.recap) == []
    db.refresh(version)
    assert version.sent_at is None
    assert _recap(db).status is RecapStatus.approved
    page = organizer_web.get(response.headers["location"]).text
    assert "A test is on its way to organizer-web@example.com" in page
    assert "The recap has not been sent to anyone yet." in page

    organizer_web.submit(f"/sessions/{story_session.id}/recap/send-test")
    assert smtp.recipients() == ["organizer-web@example.com"] * 2  # a second test is sent too


def test_send_a_test_refused_before_approval_or_after_changes(
    organizer_api: TestClient, db: Session
) -> None:
    story_session = _completed(db)
    url = f"/api/v1/sessions/{story_session.id}/recap/send-test"
    assert organizer_api.post(url).status_code == 409
    approve_recap(db, story_session, status=RecapStatus.draft)
    refused = organizer_api.post(url)
    assert refused.status_code == 409
    assert "changes since version 1" in refused.json()["detail"]
    assert _deliveries(db) == []


def test_api_send_test_creates_one_test_delivery(organizer_api: TestClient, db: Session) -> None:
    story_session = _completed(db)
    approve_recap(db, story_session)
    response = organizer_api.post(f"/api/v1/sessions/{story_session.id}/recap/send-test")
    assert response.status_code == 201
    assert (response.json()["kind"], response.json()["to_email"]) == (
        "recap_test",
        "organizer@example.com",
    )
    status = organizer_api.get(f"/api/v1/sessions/{story_session.id}/recap/deliveries").json()
    assert (status["counts"]["total"], status["items"], status["sent_at"]) == (0, [], None)


# -- scheduled sends -------------------------------------------------------------------------


def test_scheduling_in_the_past_is_refused_with_the_time_it_named(
    organizer_web: PageClient, db: Session
) -> None:
    story_session = _completed(db)
    approve_recap(db, story_session)
    committee = _committee(db, people=2)
    past = utcnow() - timedelta(hours=1)

    response = organizer_web.submit(
        f"/sessions/{story_session.id}/recap/send",
        {"list_ids": [str(committee.id)], "when": "later", "send_at": _paris_field(past)},
    )

    assert response.status_code == 422
    assert "“Send at” must be in the future: " in response.text
    assert "(Europe/Paris) has passed" in response.text
    # The confirmation is shown again, with the time that was typed, to choose another.
    assert "This recap goes to 2 people" in response.text
    assert f'value="{_paris_field(past)}"' in response.text
    assert db.exec(select(ScheduledSend)).all() == []
    assert _deliveries(db) == []

    empty = organizer_web.submit(
        f"/sessions/{story_session.id}/recap/send",
        {"list_ids": [str(committee.id)], "when": "later", "send_at": ""},
    )
    assert empty.status_code == 422
    assert "Choose the day and time to send at" in empty.text


def test_scheduled_send_is_shown_and_sent_by_the_worker_when_due(
    organizer_web: PageClient, db: Session
) -> None:
    story_session = _completed(db)
    version = approve_recap(db, story_session)
    committee = _committee(db, people=2)
    due = (utcnow() + timedelta(days=1)).replace(second=0, microsecond=0)
    url = f"/sessions/{story_session.id}/recap/deliveries"

    response = organizer_web.submit(
        f"/sessions/{story_session.id}/recap/send",
        {
            "list_ids": [str(committee.id)],
            "extra_emails": "chair@board.example",
            "when": "later",
            "send_at": _paris_field(due),
        },
    )

    assert response.status_code == 303
    assert response.headers["location"] == f"{url}?done=scheduled"
    scheduled = db.exec(select(ScheduledSend)).one()
    assert scheduled.send_at == due
    assert scheduled.list_ids == [committee.id]
    assert scheduled.extra_emails == ["chair@board.example"]
    page = organizer_web.get(f"{url}?done=scheduled").text
    assert "The send is scheduled" in page
    assert due.astimezone(PARIS).strftime("%a %d %b %Y, %H:%M") in page
    assert "Cancel scheduled send" in page
    assert _deliveries(db) == []

    # A member added before it is due receives it too: the list is read when it goes out.
    late = create_person(db, email="late@example.com", name="Late Joiner")
    from app.models import ListMember

    db.add(ListMember(list_id=committee.id or 0, person_id=late.id))
    db.flush()

    assert send_scheduled_recaps(now=due - timedelta(minutes=1)) == 0
    assert _deliveries(db) == []
    assert send_scheduled_recaps(now=due + timedelta(seconds=30)) == 1

    rows = _deliveries(db, DeliveryKind.recap)
    assert sorted(d.to_email for d in rows) == [
        "chair@board.example",
        "exec00@example.com",
        "exec01@example.com",
        "late@example.com",
    ]
    assert {d.payload.get("sent_by") for d in rows} == {"organizer-web@example.com"}
    db.refresh(scheduled)
    db.refresh(version)
    assert scheduled.sent_at is not None
    assert version.sent_at is not None
    assert send_scheduled_recaps(now=due + timedelta(minutes=5)) == 0  # sent once
    assert "Cancel scheduled send" not in organizer_web.get(url).text


def test_cancel_scheduled_send_and_the_worker_sends_nothing(
    organizer_web: PageClient, db: Session
) -> None:
    story_session = _completed(db)
    approve_recap(db, story_session)
    committee = _committee(db, people=1)
    due = utcnow() + timedelta(hours=2)
    base = f"/sessions/{story_session.id}/recap"
    organizer_web.submit(
        f"{base}/send",
        {"list_ids": [str(committee.id)], "when": "later", "send_at": _paris_field(due)},
    )
    again = organizer_web.submit(
        f"{base}/send",
        {"list_ids": [str(committee.id)], "when": "later", "send_at": _paris_field(due)},
    )
    assert again.status_code == 409
    assert "A send is already scheduled for" in again.text

    cancelled = organizer_web.submit(f"{base}/scheduled-send/cancel")

    assert cancelled.status_code == 303
    page = organizer_web.get(cancelled.headers["location"]).text
    assert "The scheduled send is cancelled: nothing was sent." in page
    assert "Cancel scheduled send" not in page
    assert db.exec(select(ScheduledSend)).one().cancelled_at is not None
    assert send_scheduled_recaps(now=due + timedelta(minutes=1)) == 0
    assert _deliveries(db) == []


def test_scheduled_send_refused_when_due_keeps_the_reason(
    organizer_api: TestClient, db: Session
) -> None:
    story_session = _completed(db)
    approve_recap(db, story_session)
    committee = _committee(db, people=1)
    base = f"/api/v1/sessions/{story_session.id}/recap"
    due = utcnow() + timedelta(hours=3)
    scheduled = organizer_api.post(
        f"{base}/send", json={"list_ids": [committee.id], "send_at": due.isoformat()}
    )
    assert scheduled.status_code == 200
    assert (scheduled.json()["queued"], scheduled.json()["recipients"]) == (0, 1)
    assert scheduled.json()["scheduled"]["send_at"] == due.isoformat().replace("+00:00", "Z")

    recap = _recap(db)
    recap.status = RecapStatus.draft  # edited since it was approved
    db.add(recap)
    db.flush()
    assert send_scheduled_recaps(now=due + timedelta(minutes=1)) == 0

    status = organizer_api.get(f"{base}/deliveries").json()
    assert status["scheduled"]["error"].startswith(
        "Not sent at the scheduled time: The recap has changes since version 1 was approved"
    )
    assert _deliveries(db) == []
    dismissed = organizer_api.delete(f"{base}/scheduled-send")
    assert dismissed.status_code == 204
    assert organizer_api.get(f"{base}/deliveries").json()["scheduled"] is None
    assert organizer_api.delete(f"{base}/scheduled-send").status_code == 404


def test_api_send_at_in_the_past_or_without_offset_is_refused(
    organizer_api: TestClient, db: Session
) -> None:
    story_session = _completed(db)
    approve_recap(db, story_session)
    committee = _committee(db, people=1)
    url = f"/api/v1/sessions/{story_session.id}/recap/send"
    past = organizer_api.post(
        url,
        json={"list_ids": [committee.id], "send_at": (utcnow() - timedelta(minutes=5)).isoformat()},
    )
    assert past.status_code == 422
    assert "must be in the future" in past.json()["detail"]
    naive = organizer_api.post(
        url, json={"list_ids": [committee.id], "send_at": "2099-01-01T09:00:00"}
    )
    assert naive.status_code == 422
    assert db.exec(select(ScheduledSend)).all() == []
    assert _deliveries(db) == []
    assert db.exec(select(RecapVersion)).one().sent_at is None
