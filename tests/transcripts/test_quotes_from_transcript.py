"""Quotes picked from the transcript: consecutive cues of one storyteller, consent as typed."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.errors import Invalid
from app.models import Consent, RecapQuote
from app.recaps.approval import preview_document
from app.recaps.quotes import add_quote, list_quotes
from app.recaps.schemas import QuoteCreate, QuoteCues
from tests.conftest import PageClient
from tests.factories import create_transcript
from tests.transcripts.reading import CUES, reading_session
from tests.transcripts.support import held_session


def _cues(transcript_id: int | None, first: int, last: int) -> QuoteCreate:
    assert transcript_id is not None
    return QuoteCreate(cues=QuoteCues(transcript_id=transcript_id, first=first, last=last))


def test_consecutive_cues_of_a_storyteller_become_one_trimmed_quote(db: Session) -> None:
    reading = reading_session(db)
    add_quote(db, story_session=reading.story_session, data=_cues(reading.transcript.id, 3, 4))
    quote = db.exec(select(RecapQuote)).one()
    assert quote.text == (
        "Our invoices were wrong three months in a row. "
        "It took three weeks to get each one corrected."
    )
    assert (quote.speaker_id, quote.transcript_id) == (reading.ana.id, reading.transcript.id)
    assert (quote.start_seconds, quote.end_seconds) == (12.5, 26.0)
    assert (quote.first_cue, quote.last_cue) == (3, 4)
    (read,) = list_quotes(db, story_session=reading.story_session)
    assert (read.attribution, read.start_seconds, read.first_cue, read.last_cue) == (
        "Ana Ruiz, CFO, Acme Logistics",
        12.5,
        3,
        4,
    )


@pytest.mark.parametrize(
    ("consent", "expected"),
    [
        (Consent.named, "Ana Ruiz, CFO, Acme Logistics"),
        (Consent.company_only, "Acme Logistics"),
        (Consent.anonymous, "A customer"),
    ],
)
def test_a_transcript_quote_is_attributed_as_consent_says(
    db: Session, consent: Consent, expected: str
) -> None:
    reading = reading_session(db, consent=consent)
    add_quote(db, story_session=reading.story_session, data=_cues(reading.transcript.id, 7, 7))
    (entry,) = preview_document(db, story_session=reading.story_session).quotes
    assert (entry.text, entry.attribution, entry.start_seconds) == (
        "Fix the invoices, please.",
        expected,
        744.0,
    )


def test_a_storyteller_without_consent_cannot_be_quoted_from_the_transcript(
    db: Session,
) -> None:
    reading = reading_session(db, consent=Consent.none)
    with pytest.raises(Invalid) as refused:
        add_quote(db, story_session=reading.story_session, data=_cues(reading.transcript.id, 7, 7))
    assert str(refused.value.detail) == (
        "Ana Ruiz did not consent to being quoted, so their words cannot appear in the recap. "
        "Paraphrase them in the summary instead, or record their consent first."
    )
    assert db.exec(select(RecapQuote)).all() == []


def test_a_speaker_who_is_not_a_storyteller_is_refused_by_name(db: Session) -> None:
    reading = reading_session(db)
    with pytest.raises(Invalid) as refused:
        add_quote(db, story_session=reading.story_session, data=_cues(reading.transcript.id, 5, 5))
    assert str(refused.value.detail) == (
        "Brian Griffin is not one of this session's storytellers: confirm who they are first "
        "(on the transcript page's speakers), or quote a storyteller."
    )


def test_cues_of_two_speakers_are_refused(db: Session) -> None:
    reading = reading_session(db)
    with pytest.raises(Invalid) as refused:
        add_quote(db, story_session=reading.story_session, data=_cues(reading.transcript.id, 4, 5))
    assert str(refused.value.detail) == (
        "A quote is the words of one speaker: cues 4 to 5 are by Ana Ruiz and Brian Griffin. "
        "Pick consecutive cues of one speaker."
    )


def test_cues_past_the_end_are_refused(db: Session) -> None:
    reading = reading_session(db)
    with pytest.raises(Invalid) as refused:
        add_quote(db, story_session=reading.story_session, data=_cues(reading.transcript.id, 7, 8))
    assert str(refused.value.detail) == (
        "The transcript has 7 cues: cues 7 to 8 are not all in it. Pick cues that are."
    )


def test_another_sessions_transcript_is_refused(db: Session) -> None:
    reading = reading_session(db)
    other = create_transcript(db, held_session(db, title="Another story"), cues=CUES)
    with pytest.raises(Invalid) as refused:
        add_quote(db, story_session=reading.story_session, data=_cues(other.id, 7, 7))
    assert str(refused.value.detail) == (
        f"“How Acme pays its bills” has no transcript {other.id}: quote from one of "
        "its own transcripts."
    )


def test_cues_out_of_order_are_refused_by_the_schema() -> None:
    with pytest.raises(ValueError, match=r"The last cue \(2\) comes before the first \(4\)"):
        QuoteCues(transcript_id=1, first=4, last=2)


def test_api_quotes_cues_with_text_optional(organizer_api: TestClient, db: Session) -> None:
    reading = reading_session(db)
    base = f"/api/v1/sessions/{reading.story_session.id}/recap/quotes"
    response = organizer_api.post(
        base, json={"cues": {"transcript_id": reading.transcript.id, "first": 2, "last": 2}}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["text"], body["attribution"], body["start_seconds"], body["end_seconds"]) == (
        "Thank you for having me.",
        "Ana Ruiz, CFO, Acme Logistics",
        7.0,
        12.0,
    )
    assert (body["transcript_id"], body["first_cue"], body["last_cue"]) == (
        reading.transcript.id,
        2,
        2,
    )
    edited = organizer_api.patch(f"{base}/{body['id']}", json={"text": "Thanks for having me."})
    assert edited.json()["text"] == "Thanks for having me."
    assert edited.json()["start_seconds"] == 7.0


def test_api_refuses_cues_with_a_speaker_too(organizer_api: TestClient, db: Session) -> None:
    reading = reading_session(db)
    response = organizer_api.post(
        f"/api/v1/sessions/{reading.story_session.id}/recap/quotes",
        json={
            "speaker_id": reading.ana.id,
            "cues": {"transcript_id": reading.transcript.id, "first": 2, "last": 2},
        },
    )
    assert response.status_code == 422
    assert "takes its speaker from the cues" in response.text
    assert db.exec(select(RecapQuote)).all() == []


def test_api_typed_quote_still_needs_text(organizer_api: TestClient, db: Session) -> None:
    reading = reading_session(db)
    response = organizer_api.post(
        f"/api/v1/sessions/{reading.story_session.id}/recap/quotes",
        json={"speaker_id": reading.ana.id},
    )
    assert response.status_code == 422
    assert "Send the quote's text (or cues of a transcript to quote)" in response.text


def test_page_makes_a_quote_of_the_ticked_cues(organizer_web: PageClient, db: Session) -> None:
    reading = reading_session(db)
    sid = reading.story_session.id
    response = organizer_web.submit(
        f"/sessions/{sid}/transcript/quotes",
        {"transcript_id": reading.transcript.id, "cue": ["3", "4"], "back": "q=invoices"},
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/sessions/{sid}/transcript?q=invoices&done=quoted"
    quote = db.exec(select(RecapQuote)).one()
    assert quote.text.startswith("Our invoices were wrong three months in a row. It took")
    page = organizer_web.get(response.headers["location"])
    assert "Added to the recap&#39;s quotes: edit its words in the recap editor." in page.text
    editor = organizer_web.get(f"/sessions/{sid}/recap")
    assert (
        f'· from the <a href="/sessions/{sid}/transcript?offset=0#cue-3">transcript</a> at 0:12'
        in editor.text
    )
    assert 'Ana Ruiz, CFO, Acme Logistics, <span class="quote-at">at 0:12</span>' in editor.text


def test_page_refuses_cues_not_in_a_row_and_keeps_them_ticked(
    organizer_web: PageClient, db: Session
) -> None:
    reading = reading_session(db)
    response = organizer_web.submit(
        f"/sessions/{reading.story_session.id}/transcript/quotes",
        {"transcript_id": reading.transcript.id, "cue": ["2", "4"]},
    )
    assert response.status_code == 422
    assert "<strong>Nothing was saved:</strong>" in response.text
    assert (
        "Cues 2, 4 are not all in a row: a quote is one passage, so tick consecutive cues."
        in response.text
    )
    assert 'value="2" id="pick-2" form="quote-form" checked' in response.text
    assert db.exec(select(RecapQuote)).all() == []


def test_page_refuses_a_speaker_who_is_not_a_storyteller(
    organizer_web: PageClient, db: Session
) -> None:
    reading = reading_session(db)
    response = organizer_web.submit(
        f"/sessions/{reading.story_session.id}/transcript/quotes",
        {"transcript_id": reading.transcript.id, "cue": ["5"]},
    )
    assert response.status_code == 422
    assert (
        "Brian Griffin is not one of this session&#39;s storytellers: confirm who they are first"
        in response.text
    )


def test_page_refuses_nothing_ticked(organizer_web: PageClient, db: Session) -> None:
    reading = reading_session(db)
    response = organizer_web.submit(
        f"/sessions/{reading.story_session.id}/transcript/quotes",
        {"transcript_id": reading.transcript.id},
    )
    assert response.status_code == 422
    assert "Tick the cues to quote first" in response.text
