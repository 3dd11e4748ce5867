"""Later recaps say what leaders committed to after earlier sessions, and what they did."""

import io
from datetime import timedelta

from pypdf import PdfReader
from sqlmodel import Session

from app.distribution.emails import recap_context
from app.models import CommitmentStatus, utcnow
from app.recaps.builder import build_document
from app.recaps.document import COMMITMENTS_SHOWN, CommitmentEntry, RecapDocument
from app.recaps.render import recap_pdf_html, render_pdf
from tests.commitments.helpers import add_commitment, held_session
from tests.factories import create_person, create_series
from tests.recaps.documents import typical_document


def _series_world(db: Session) -> tuple[RecapDocument, RecapDocument]:
    """Two earlier sessions of a series with commitments, a later one, and a one-off."""
    series = create_series(db)
    first = held_session(db, title="January story", days_ago=60, series=series)
    second = held_session(db, title="February story", days_ago=30, series=series)
    later = held_session(db, title="March story", days_ago=1, series=series)
    one_off = held_session(db, title="A one-off town hall", days_ago=1)
    vera = create_person(db, email="vera@example.com", name="Vera Vance", level_key="vp")
    dan = create_person(db, email="dan@example.com", name="Dan Director", level_key="director")
    today = utcnow().date()
    add_commitment(
        db,
        first,
        vera,
        text="Call every churned account",
        status=CommitmentStatus.done,
        closed_at=utcnow() - timedelta(days=10),
        note="Called 42; 9 came back",
    )
    add_commitment(
        db,
        first,
        dan,
        text="Old dropped promise",
        status=CommitmentStatus.dropped,
        closed_at=utcnow() - timedelta(days=45),  # before the previous session: reported then
    )
    add_commitment(
        db,
        second,
        dan,
        text="Rewrite the refund policy",
        due_on=today - timedelta(days=3),
        note="Draft with legal",
    )
    add_commitment(
        db,
        second,
        vera,
        text="Dropped after review",
        status=CommitmentStatus.dropped,
        closed_at=utcnow() - timedelta(days=5),
    )
    add_commitment(db, later, vera, text="Made after this very session")
    add_commitment(db, one_off, vera, text="A town hall promise")
    return (
        build_document(db, story_session=later, recap=None),
        build_document(db, story_session=one_off, recap=None),
    )


def test_the_later_recap_lists_earlier_commitments_with_status_and_latest_update(
    db: Session,
) -> None:
    later, one_off = _series_world(db)

    rows = {entry.text: entry for entry in later.commitments}

    assert set(rows) == {
        "Call every churned account",
        "Rewrite the refund policy",
        "Dropped after review",
    }
    assert (
        rows["Call every churned account"].status,
        rows["Call every churned account"].latest_update,
    ) == (
        "done",
        "Called 42; 9 came back",
    )
    refund = rows["Rewrite the refund policy"]
    assert (refund.owner, refund.level, refund.status, refund.overdue) == (
        "Dan Director",
        "Director",
        "open",
        True,
    )
    assert refund.session_title == "February story"
    kept = later.commitments_kept()
    assert (kept.total, kept.done, kept.dropped, kept.open, kept.overdue) == (3, 1, 1, 1, 1)
    assert [entry.status for entry in kept.shown] == ["done", "dropped", "open"]
    assert one_off.commitments == []  # a one-off session has no earlier session to report


def test_the_pdf_has_the_section_and_the_email_a_line(db: Session) -> None:
    later, _ = _series_world(db)

    reader = PdfReader(io.BytesIO(render_pdf(recap_pdf_html(later)).content))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    context = recap_context(later)

    assert "What leaders committed to, and what they did" in text
    assert "3 commitments from earlier sessions: 1 done, 1 dropped, 1 open (1 overdue)." in text
    assert "Rewrite the refund policy" in text
    assert "Draft with legal" in text
    assert "Called 42; 9 came back" in text
    assert context["commitments_line"] == (
        "Leaders' commitments from earlier sessions: 1 done, 1 dropped, 1 open (1 overdue)."
    )


def test_a_recap_without_commitments_has_no_section_and_many_are_condensed() -> None:
    plain = typical_document()
    many = plain.model_copy(
        update={
            "commitments": [
                CommitmentEntry(
                    text=f"Promise {index}",
                    owner=f"Leader {index}",
                    level="SVP/VP",
                    status="open",
                    due_on=None,
                    session_title="Earlier",
                    session_date=utcnow().date(),
                )
                for index in range(COMMITMENTS_SHOWN + 5)
            ]
        }
    )

    assert "What leaders committed to" not in recap_pdf_html(plain)
    html = recap_pdf_html(many)
    assert "What leaders committed to, and what they did" in html
    assert f"Promise {COMMITMENTS_SHOWN - 1}<" in html
    assert f"Promise {COMMITMENTS_SHOWN}<" not in html
    assert "And 5 more." in html
    assert recap_context(plain)["commitments_line"] == ""
