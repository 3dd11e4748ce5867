""" "Came up in 5 of the last 8 sessions": computed once into the recap, shown on its page, PDF,
email and in the digest."""

import hashlib
import io
import re
from datetime import UTC, datetime, time, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

from pypdf import PdfReader
from sqlmodel import Session, select

from app.distribution.digests import make_digest
from app.distribution.sending import send_recap
from app.mail.compose import compose
from app.models import (
    Cadence,
    Delivery,
    DeliveryKind,
    RecapStatus,
    RecapVersion,
    RenderedPdf,
    StorySession,
)
from app.recaps.builder import DraftChanges, build_document, theme_frequency
from app.recaps.document import RecapDocument
from app.recaps.render import recap_pdf_html, render_pdf, render_recap_html
from tests.dashboards.test_pages import count_queries
from tests.dashboards.theme_support import ThemeOrg, build_themes
from tests.distribution.helpers import PDF_BYTES, create_list
from tests.factories import create_person

NOW = datetime(2026, 10, 12, 12, 0, tzinfo=UTC)


def _doc(db: Session, org: ThemeOrg, n: int, draft: DraftChanges | None = None) -> RecapDocument:
    return build_document(
        db, story_session=org.sessions[n], recap=org.recaps.get(n), draft=draft, now=NOW
    )


def test_recap_says_how_many_of_the_last_8_sessions_raised_each_theme(db: Session) -> None:
    org = build_themes(db)
    assert _doc(db, org, 10).theme_frequency == {
        "Billing": "came up in 5 of the last 8 sessions",
        "Onboarding": "came up in 2 of the last 8 sessions",
    }
    # Fewer sessions before it: the window is what there is.
    assert _doc(db, org, 3).theme_frequency == {"Billing": "came up in 2 of the last 3 sessions"}
    assert _doc(db, org, 1).theme_frequency == {
        "Billing": "came up in the only session so far",
        "Support": "came up in the only session so far",
    }
    # A session not yet held counts itself and the 7 held before it (s4..s10).
    assert _doc(db, org, 11).theme_frequency == {"Billing": "came up in 5 of the last 8 sessions"}


def test_unsaved_themes_are_matched_by_name_and_a_new_one_counts_once(db: Session) -> None:
    org = build_themes(db)
    doc = _doc(db, org, 10, DraftChanges(themes=["billing ", "A new idea"]))
    assert doc.theme_frequency == {
        "billing ": "came up in 5 of the last 8 sessions",
        "A new idea": "came up in 1 of the last 8 sessions",
    }


def test_frequency_is_one_query_for_all_of_a_recaps_themes(db: Session) -> None:
    org = build_themes(db)
    names = ["Billing", "Onboarding", "Support", "Pricing", "Unused"]
    with count_queries(db) as statements:
        result = theme_frequency(db, story_session=org.sessions[10], themes=names)
    assert len(statements) == 1
    assert result["Support"] == "came up in 1 of the last 8 sessions"
    with count_queries(db) as none:
        assert theme_frequency(db, story_session=org.sessions[10], themes=[]) == {}
    assert none == []


def test_recap_page_and_pdf_print_the_sentence_beside_each_theme(db: Session) -> None:
    org = build_themes(db)
    doc = _doc(db, org, 10)
    html = render_recap_html(doc)
    assert (
        '<li>Billing<span class="theme-frequency"> · came up in 5 of the last 8 sessions'
        "</span></li>" in html
    )
    assert (
        '<li>Onboarding<span class="theme-frequency"> · came up in 2 of the last 8 sessions'
        "</span></li>" in html
    )
    pdf = render_pdf(recap_pdf_html(doc))
    text = re.sub(
        r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    )
    assert "Billing · came up in 5 of the last 8 sessions" in text
    assert "Onboarding · came up in 2 of the last 8 sessions" in text


def test_a_version_frozen_before_the_sentence_renders_its_themes_alone(db: Session) -> None:
    org = build_themes(db)
    frozen = _doc(db, org, 10).model_dump(mode="json")
    del frozen["theme_frequency"]
    old = RecapDocument.model_validate(frozen)
    assert old.theme_frequency == {}
    html = render_recap_html(old)
    assert "<li>Billing</li><li>Onboarding</li>" in html
    assert "came up in" not in html


def _version(db: Session, org: ThemeOrg, n: int, *, approved_at: datetime) -> RecapVersion:
    """Recap `n` approved as built now, with a stored PDF."""
    recap = org.recaps[n]
    recap.status, recap.latest_version = RecapStatus.approved, 1
    pdf = RenderedPdf(sha256=hashlib.sha256(PDF_BYTES).hexdigest(), content=PDF_BYTES, pages=1)
    db.add_all([recap, pdf])
    db.flush()
    version = RecapVersion(
        recap_id=recap.id or 0,
        number=1,
        document=_doc(db, org, n).model_dump(mode="json"),
        approved_at=approved_at,
        pdf_id=pdf.id,
    )
    db.add(version)
    db.flush()
    return version


def _parsed(message: EmailMessage) -> tuple[str, str]:
    message["From"] = "Storyroom <storyroom@example.com>"
    parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    text, html = parsed.get_body(("plain",)), parsed.get_body(("html",))
    assert text is not None
    assert html is not None
    return str(text.get_content()), str(html.get_content())


def test_recap_email_lists_the_themes_with_how_often_they_came_up(db: Session) -> None:
    org = build_themes(db)
    _version(db, org, 10, approved_at=NOW)
    ceo = create_person(db, email="grace@example.com", name="Grace", level_key="c-suite")
    dlist = create_list(db, people=[ceo])
    story: StorySession = org.sessions[10]
    _, (delivery,) = send_recap(db, story_session=story, list_ids=[dlist.id or 0])
    text, html = _parsed(compose(db, delivery))
    assert (
        "THEMES\nBilling — came up in 5 of the last 8 sessions\n"
        "Onboarding — came up in 2 of the last 8 sessions\n" in text
    )
    assert (
        '<strong>Themes:</strong> Billing <span style="color:#4a5566;">(came up in 5 of the '
        'last 8 sessions)</span> · Onboarding <span style="color:#4a5566;">(came up in 2 of '
        "the last 8 sessions)</span>" in html
    )


def test_digest_repeats_the_newest_recaps_sentence_per_theme(db: Session) -> None:
    org = build_themes(db)
    director = create_person(db, email="dee@example.com", name="Dee", level_key="director")
    dlist = create_list(
        db,
        name="Leaders' weekly",
        cadence=Cadence.weekly,
        digest_weekday=0,
        digest_time=time(8, 30),
        timezone="Europe/Paris",
        people=[director],
        created_at=NOW - timedelta(days=7),
    )
    _version(db, org, 9, approved_at=NOW - timedelta(days=6))
    _version(db, org, 10, approved_at=NOW - timedelta(days=5))
    digest = make_digest(db, list_id=dlist.id or 0, now=NOW)
    assert digest is not None
    assert digest.document["themes"] == [
        {"theme": "Onboarding", "sessions": 2, "frequency": "came up in 2 of the last 8 sessions"},
        {"theme": "Billing", "sessions": 1, "frequency": "came up in 5 of the last 8 sessions"},
    ]
    delivery = db.exec(select(Delivery).where(Delivery.kind == DeliveryKind.digest)).one()
    text, html = _parsed(compose(db, delivery))
    assert (
        "TOP THEMES\nOnboarding (2) — came up in 2 of the last 8 sessions\n"
        "Billing (1) — came up in 5 of the last 8 sessions\n" in text
    )
    assert (
        '<strong>Billing</strong> (1) <span style="color:#4a5566;">— came up in 5 of the last 8 '
        "sessions</span>" in html
    )
    pdf = db.get(RenderedPdf, digest.pdf_id)
    assert pdf is not None
    pdf_text = re.sub(
        r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    )
    assert "Onboarding came up in 2 of the last 8 sessions 2" in pdf_text
    assert "Billing came up in 5 of the last 8 sessions 1" in pdf_text
