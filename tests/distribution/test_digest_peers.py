"""The digest's social proof: how many at each executive level came or committed this quarter."""

import io
from datetime import UTC, datetime, time, timedelta
from email import message_from_bytes, policy

from pypdf import PdfReader
from sqlmodel import Session, select

from app.distribution.digests import make_digest
from app.mail.compose import compose
from app.models import Cadence, Commitment, Delivery, RenderedPdf, SessionStatus
from tests.distribution.helpers import approve_recap, create_list
from tests.factories import create_attendance, create_person, create_session

MONDAY = datetime(2026, 3, 16, 8, 0, tzinfo=UTC)  # in Q1 2026
SENTENCE = "2 of 3 at SVP/VP attended a session in Q1 2026; 1 made a commitment"


def test_digest_says_how_many_peers_came_and_committed_this_quarter(db: Session) -> None:
    vps = [
        create_person(db, email=f"vp{i}@example.com", name=f"VP {i}", level_key="vp")
        for i in range(3)
    ]
    chief = create_person(db, email="ceo@example.com", name="Chief", level_key="c-suite")
    dlist = create_list(
        db,
        name="Operating committee",
        cadence=Cadence.weekly,
        digest_weekday=0,
        digest_time=time(7, 30),
        timezone="UTC",
        people=[chief],
        created_at=MONDAY - timedelta(days=20),
    )
    held = create_session(
        db, title="Billing", status=SessionStatus.completed, starts_at=MONDAY - timedelta(days=4)
    )
    last_year = create_session(
        db, title="Old", status=SessionStatus.completed, starts_at=datetime(2025, 12, 1, tzinfo=UTC)
    )
    for vp in vps[:2]:
        create_attendance(db, story_session=held, person=vp)
    create_attendance(db, story_session=last_year, person=vps[2])  # Q4 2025: not this quarter
    db.add(Commitment(session_id=held.id or 0, person_id=vps[0].id or 0, text="Call back"))
    version = approve_recap(db, held, themes=[])
    version.approved_at = MONDAY - timedelta(days=2)
    db.flush()

    digest = make_digest(db, list_id=dlist.id or 0, now=MONDAY)
    assert digest is not None
    # The C-suite: the chief alone, who neither came nor committed.
    assert [
        (p["level"], p["people"], p["attended"], p["committed"]) for p in digest.document["peers"]
    ] == [
        ("c-suite", 1, 0, 0),
        ("vp", 3, 2, 1),
    ]
    delivery = db.exec(select(Delivery).where(Delivery.to_email == "ceo@example.com")).one()
    message = compose(db, delivery)
    message["To"] = delivery.to_email
    parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
    text = parsed.get_body(preferencelist=("plain",))
    html = parsed.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    assert "YOUR PEERS THIS QUARTER" in text.get_content()
    assert SENTENCE + "." in text.get_content()
    assert SENTENCE + "." in html.get_content()
    pdf = db.get(RenderedPdf, digest.pdf_id)
    assert pdf is not None
    pages = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Your peers this quarter" in pages
    assert "2 of 3 at SVP/VP attended a session in Q1 2026" in " ".join(pages.split())
