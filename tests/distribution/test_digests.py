"""Weekly and monthly digests: due at a local time, bundling what is new, made once."""

import io
from datetime import UTC, datetime, time, timedelta

import pytest
from pypdf import PdfReader
from sqlmodel import Session, select

from app.distribution import digests
from app.distribution.digests import make_digest, scheduled_before
from app.distribution.tasks import send_due_digests
from app.models import (
    Cadence,
    Delivery,
    DeliveryKind,
    Digest,
    DigestRecap,
    DistributionList,
    RenderedPdf,
    SessionStatus,
)
from tests.distribution.helpers import approve_recap, create_list
from tests.factories import create_person, create_session

MONDAY_9_PARIS = datetime(2026, 3, 16, 8, 0, tzinfo=UTC)  # 09:00 in Paris (CET)


def _weekly(db: Session, *, allow_unsubscribe: bool = False) -> DistributionList:
    director = create_person(db, email="dir@example.com", name="Dee Rector", level_key="director")
    return create_list(
        db,
        name="Leaders' weekly",
        cadence=Cadence.weekly,
        digest_weekday=0,
        digest_time=time(8, 30),
        timezone="Europe/Paris",
        people=[director],
        outsiders=["chair@board.example"],
        created_at=MONDAY_9_PARIS - timedelta(days=20),
        allow_unsubscribe=allow_unsubscribe,
    )


def _approved(db: Session, title: str, *, at: datetime, themes: list[str]) -> None:
    story_session = create_session(
        db, title=title, status=SessionStatus.completed, starts_at=at - timedelta(days=1)
    )
    version = approve_recap(db, story_session, themes=themes)
    version.approved_at = at
    db.add(version)
    db.flush()


def test_scheduled_time_is_local_and_steps_back_when_not_yet_reached() -> None:
    weekly = DistributionList(
        name="w",
        cadence=Cadence.weekly,
        digest_weekday=0,
        digest_time=time(8, 30),
        timezone="Europe/Paris",
    )
    assert scheduled_before(weekly, MONDAY_9_PARIS) == datetime(2026, 3, 16, 7, 30, tzinfo=UTC)
    early = datetime(2026, 3, 16, 7, 0, tzinfo=UTC)
    assert scheduled_before(weekly, early) == datetime(2026, 3, 9, 7, 30, tzinfo=UTC)
    monthly = DistributionList(
        name="m",
        cadence=Cadence.monthly,
        digest_day=20,
        digest_time=time(8, 0),
        timezone="America/New_York",
    )
    assert scheduled_before(monthly, MONDAY_9_PARIS) == datetime(2026, 2, 20, 13, 0, tzinfo=UTC)
    assert scheduled_before(DistributionList(name="e"), MONDAY_9_PARIS) is None


def test_nothing_new_sends_nothing_but_counts_as_served(db: Session) -> None:
    dlist = _weekly(db)
    assert make_digest(db, list_id=dlist.id or 0, now=MONDAY_9_PARIS) is None
    assert db.exec(select(Digest)).all() == []
    assert db.exec(select(Delivery)).all() == []
    assert dlist.last_digest_at == datetime(2026, 3, 16, 7, 30, tzinfo=UTC)


def test_digest_bundles_new_recaps_once(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    dlist = _weekly(db)
    _approved(db, "Old news", at=MONDAY_9_PARIS - timedelta(days=30), themes=["Old"])
    _approved(
        db,
        "Billing, told by a CFO",
        at=MONDAY_9_PARIS - timedelta(days=3),
        themes=["Billing", "Support"],
    )
    _approved(
        db, "Onboarding at Meridian", at=MONDAY_9_PARIS - timedelta(days=2), themes=["Billing"]
    )
    _approved(db, "Too late for this one", at=MONDAY_9_PARIS - timedelta(minutes=10), themes=[])

    digest = make_digest(db, list_id=dlist.id or 0, now=MONDAY_9_PARIS)
    assert digest is not None
    titles = [s["title"] for s in digest.document["sessions"]]
    assert titles == ["Billing, told by a CFO", "Onboarding at Meridian"]
    # These recaps were frozen without how often each theme came up: no sentence to repeat.
    assert digest.document["themes"] == [
        {"theme": "Billing", "sessions": 2, "frequency": ""},
        {"theme": "Support", "sessions": 1, "frequency": ""},
    ]
    assert digest.document["levels"][0]["is_executive"] is True
    assert len(db.exec(select(DigestRecap)).all()) == 2
    deliveries = db.exec(select(Delivery).order_by(Delivery.to_email)).all()
    assert [(d.kind, d.to_email, d.digest_id) for d in deliveries] == [
        (DeliveryKind.digest, "chair@board.example", digest.id),
        (DeliveryKind.digest, "dir@example.com", digest.id),
    ]
    pdf = db.get(RenderedPdf, digest.pdf_id)
    assert pdf is not None
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Billing, told by a CFO" in text
    assert "Open action items" in text

    # The hourly job runs again (or twice at once): the list is served, nothing more is made.
    assert make_digest(db, list_id=dlist.id or 0, now=MONDAY_9_PARIS + timedelta(hours=1)) is None
    assert send_due_digests(now=MONDAY_9_PARIS + timedelta(hours=2)) == 0
    assert len(db.exec(select(Digest)).all()) == 1
    assert len(db.exec(select(Delivery)).all()) == 2

    # Next week, the recap approved after last week's scheduled time is in the next digest.
    monkeypatch.setattr(digests, "digest_pdf_html", lambda doc: "<p>A second digest</p>")
    second = make_digest(db, list_id=dlist.id or 0, now=MONDAY_9_PARIS + timedelta(days=7))
    assert second is not None
    assert [s["title"] for s in second.document["sessions"]] == ["Too late for this one"]


def test_digest_composes_with_its_pdf(db: Session) -> None:
    from email import message_from_bytes, policy

    from app.mail.compose import compose

    dlist = _weekly(db, allow_unsubscribe=True)
    _approved(
        db, "Billing, told by a CFO", at=MONDAY_9_PARIS - timedelta(days=3), themes=["Billing"]
    )
    digest = make_digest(db, list_id=dlist.id or 0, now=MONDAY_9_PARIS)
    assert digest is not None
    delivery = db.exec(select(Delivery).where(Delivery.to_email == "dir@example.com")).one()
    message = compose(db, delivery)
    message["To"] = delivery.to_email
    parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
    assert (
        parsed["Subject"]
        == "Weekly digest: 1 customer-story session — 24 February to 16 March 2026"
    )
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    (attachment,) = list(parsed.iter_attachments())
    pdf = db.get(RenderedPdf, digest.pdf_id)
    assert pdf is not None
    assert attachment.get_content() == pdf.content
