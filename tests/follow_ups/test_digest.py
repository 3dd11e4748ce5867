"""Storytellers' replies quoted in the next digest: with consent, attributed as it allows, once."""

import io
from datetime import UTC, datetime, time, timedelta

import pytest
from pypdf import PdfReader
from sqlmodel import Session, select

from app.distribution import digests
from app.distribution.digests import make_digest
from app.distribution.schemas import DigestDocument
from app.follow_ups import letters, replies
from app.follow_ups.schemas import DigestReply, FollowUpCreate, ReplyCreate
from app.mail.compose import compose
from app.models import Cadence, Consent, Delivery, DistributionList, FollowUpReply, SessionStatus
from tests.distribution.helpers import approve_recap, create_list
from tests.factories import create_person, create_session
from tests.follow_ups.support import body_of, told_story

MONDAY_9_PARIS = datetime(2026, 3, 16, 8, 0, tzinfo=UTC)


@pytest.fixture
def quick_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    # The PDF's own block is looked at in test_the_digest_pdf_quotes_the_reply.
    monkeypatch.setattr(digests, "digest_pdf_html", lambda doc: "<p>digest</p>")


def _weekly(db: Session, name: str = "Leaders' weekly") -> DistributionList:
    director = create_person(db, email=f"dir.{len(name)}@example.com", name="Dee Rector")
    return create_list(
        db,
        name=name,
        cadence=Cadence.weekly,
        digest_weekday=0,
        digest_time=time(8, 30),
        timezone="Europe/Paris",
        people=[director],
        created_at=MONDAY_9_PARIS - timedelta(days=20),
    )


def _new_recap(db: Session, title: str, at: datetime) -> None:
    story_session = create_session(
        db, title=title, status=SessionStatus.completed, starts_at=at - timedelta(days=1)
    )
    version = approve_recap(db, story_session)
    version.approved_at = at
    db.add(version)
    db.flush()


def _reply(
    db: Session, *, consent: Consent, may_quote: bool, text: str, title: str
) -> FollowUpReply:
    story = told_story(db, consent=consent, title=title)
    follow_up = letters.create_follow_up(db, story.story_session, data=FollowUpCreate())
    letters.send_follow_up(db, follow_up)
    reply = replies.record_reply(
        db,
        follow_up,
        data=ReplyCreate(helped=4, text=text, may_quote=may_quote),
        now=MONDAY_9_PARIS - timedelta(days=2),
    )
    return reply


@pytest.mark.usefixtures("quick_pdf")
def test_the_next_digest_quotes_replies_with_consent_once(db: Session) -> None:
    dlist = _weekly(db)
    named = _reply(db, consent=Consent.named, may_quote=True, text="It worked.", title="Named")
    company = _reply(
        db, consent=Consent.company_only, may_quote=True, text="Much better.", title="Company"
    )
    anonymous = _reply(
        db, consent=Consent.anonymous, may_quote=True, text="Thank you.", title="Anonymous"
    )
    unticked = _reply(db, consent=Consent.named, may_quote=False, text="Private.", title="Unticked")
    refused = _reply(db, consent=Consent.none, may_quote=True, text="Not me.", title="None")
    _new_recap(db, "This week's session", MONDAY_9_PARIS - timedelta(days=1))

    digest = make_digest(db, list_id=dlist.id or 0, now=MONDAY_9_PARIS)

    assert digest is not None
    quoted = digest.document["storyteller_replies"]
    assert [(q["text"], q["attribution"], q["session_title"]) for q in quoted] == [
        ("It worked.", "Ana Ruiz, CFO, Acme Logistics", "Named"),
        ("Much better.", "Acme Logistics", "Company"),
        ("Thank you.", "A customer", "Anonymous"),
    ]
    assert quoted[0]["helped_label"] == "It helped a lot"
    for reply in (named, company, anonymous, unticked, refused):
        db.refresh(reply)
    assert [r.quoted_in_digest_id for r in (named, company, anonymous)] == [digest.id] * 3
    assert unticked.quoted_in_digest_id is None
    assert refused.quoted_in_digest_id is None

    delivery = db.exec(select(Delivery).where(Delivery.digest_id == digest.id)).one()
    message = compose(db, delivery)
    text = body_of(message, "plain")
    html = body_of(message, "html")
    assert "THE STORYTELLERS HEARD BACK" in text
    assert "“It worked.”\n  — Ana Ruiz, CFO, Acme Logistics, on what we did after “Named”" in text
    assert "The storytellers heard back" in html
    assert "Not me." not in text + html
    assert "Private." not in text + html

    # The next week's digest (and another list's) quotes nothing already quoted.
    _new_recap(db, "Next week's session", MONDAY_9_PARIS + timedelta(days=6))
    later = make_digest(db, list_id=dlist.id or 0, now=MONDAY_9_PARIS + timedelta(days=7))
    assert later is not None
    assert later.document["storyteller_replies"] == []


@pytest.mark.usefixtures("quick_pdf")
def test_no_reply_no_section(db: Session) -> None:
    dlist = _weekly(db)
    _new_recap(db, "This week's session", MONDAY_9_PARIS - timedelta(days=1))
    digest = make_digest(db, list_id=dlist.id or 0, now=MONDAY_9_PARIS)
    assert digest is not None
    assert digest.document["storyteller_replies"] == []
    delivery = db.exec(select(Delivery).where(Delivery.digest_id == digest.id)).one()
    text = body_of(compose(db, delivery), "plain")
    assert "HEARD BACK" not in text


def test_the_digest_pdf_quotes_the_reply() -> None:
    doc = DigestDocument(
        company_name="Acme",
        list_name="Leaders",
        cadence=Cadence.weekly,
        period_start=MONDAY_9_PARIS - timedelta(days=7),
        period_end=MONDAY_9_PARIS,
        timezone="Europe/Paris",
        sessions=[],
        levels=[],
        open_items=[],
        themes=[],
        storyteller_replies=[
            DigestReply(
                reply_id=1,
                session_title="Refunds",
                text="It <i>worked</i>.",
                attribution="Acme Logistics",
                helped=5,
                helped_label="It made a real difference",
            )
        ],
    )
    real = digests.digest_pdf_html(doc)
    assert "The storytellers heard back" in real
    assert "It &lt;i&gt;worked&lt;/i&gt;." in real
    assert (
        "Acme Logistics, on what we did after “Refunds” · It made a real difference (5/5)" in real
    )
    from app.recaps.render import render_pdf

    pdf = render_pdf(real, subject="digest")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "The storytellers heard back" in text
    assert "It <i>worked</i>." in text
