"""Sending the letter: one Delivery through the outbox, over real SMTP, with the reply link."""

import re
from urllib.parse import urlsplit

import pytest
from sqlmodel import Session, select

from app.audit import service as audit
from app.errors import Conflict
from app.follow_ups import letters
from app.follow_ups.replies import REPLY_PURPOSE
from app.follow_ups.schemas import FollowUpCreate
from app.kit.signing import unsign
from app.mail.sender import send_due
from app.models import AuditEntry, Delivery, DeliveryKind, DeliveryStatus, Recap, RecapVersion
from tests.factories import create_user
from tests.follow_ups.support import OWN_WORDS, body_of, told_story
from tests.mail.conftest import SmtpServer

LINK = re.compile(r"https?://[^\s\"<>]+/p/follow-up/[A-Za-z0-9_.\-]+")


def test_the_letter_reaches_the_storyteller_over_smtp_once(
    db: Session, smtp_settings: SmtpServer
) -> None:
    organizer = create_user(db, email="cx.lead@example.com")
    organizer.name = "Chloé Martin"
    story = told_story(db)
    with audit.acting_as(organizer):
        follow_up = letters.create_follow_up(db, story.story_session, data=FollowUpCreate())
        delivery = letters.send_follow_up(db, follow_up)
        # A second click: refused, and nothing more is queued.
        with pytest.raises(Conflict, match="was sent"):
            letters.send_follow_up(db, follow_up)
    assert (delivery.kind, delivery.dedup_key) == (
        DeliveryKind.follow_up,
        f"follow_up:{follow_up.id}",
    )
    assert follow_up.sent_at is not None
    assert follow_up.sent_by_id == organizer.id
    assert [
        e.action for e in db.exec(select(AuditEntry).where(AuditEntry.entity == "follow_up"))
    ] == [
        "created",
        "sent",
    ]

    assert send_due().sent == 1
    assert send_due().sent == 0
    [received] = smtp_settings.received
    assert received.rcpt_tos == ["ana.ruiz@acme.example"]
    message = received.message
    assert "ana.ruiz@acme.example" in message["To"]
    assert "Ana Ruiz" in message["To"]
    assert message["Subject"] == "What we did with your story: How Acme waits for refunds"
    assert message["Reply-To"] == "cx.lead@example.com"
    text = body_of(message, "plain")
    html = body_of(message, "html")
    assert f"“{OWN_WORDS}”" in text
    assert "With thanks,\nChloé Martin" in text
    # The HTML escapes what the organizer typed (the quote has an ampersand).
    assert "refund &amp; nobody" in html
    [link] = set(LINK.findall(text))
    assert link in html
    token = urlsplit(link).path.rsplit("/", 1)[1]
    assert unsign(REPLY_PURPOSE, token) == follow_up.id
    db.expire_all()
    assert db.exec(select(Delivery)).one().status is DeliveryStatus.sent


def test_html_typed_in_the_letter_is_shown_not_run(db: Session, smtp_settings: SmtpServer) -> None:
    story = told_story(db)
    follow_up = letters.create_follow_up(
        db,
        story.story_session,
        data=FollowUpCreate(subject="<b>Hi</b>", body='<script>alert("x")</script>\n\nThanks'),
    )
    letters.send_follow_up(db, follow_up)
    send_due()
    [received] = smtp_settings.received
    html = body_of(received.message, "html")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "<title>&lt;b&gt;Hi&lt;/b&gt;</title>" in html
    assert received.message["Subject"] == "<b>Hi</b>"


def test_no_address_is_refused_and_nothing_is_queued(db: Session) -> None:
    story = told_story(db, email="")
    follow_up = letters.create_follow_up(db, story.story_session, data=FollowUpCreate())
    with pytest.raises(Conflict, match="Ana Ruiz has no email address"):
        letters.send_follow_up(db, follow_up)
    assert follow_up.sent_at is None
    assert db.exec(select(Delivery)).all() == []


def test_a_recap_whose_versions_are_gone_is_refused(db: Session) -> None:
    story = told_story(db)
    follow_up = letters.create_follow_up(db, story.story_session, data=FollowUpCreate())
    recap = db.exec(select(Recap)).one()
    for version in db.exec(select(RecapVersion)):
        db.delete(version)
    recap.latest_version = 0
    db.add(recap)
    db.flush()
    with pytest.raises(Conflict, match="has not been approved yet"):
        letters.send_follow_up(db, follow_up)
    assert db.exec(select(Delivery)).all() == []
