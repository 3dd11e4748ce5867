"""Questions from the room: chat questions in the recap, on the API, the page, PDF and email."""

import io
import re

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlmodel import Session, select

from app.distribution.emails import recap_context
from app.errors import Invalid
from app.mail.compose import render_email
from app.models import RecapQuestion, RecapStatus, TranscriptKind
from app.recaps.approval import approve_recap, preview_document, version_document
from app.recaps.document import RecapDocument
from app.recaps.editing import get_recap
from app.recaps.questions import (
    MAX_QUESTIONS,
    add_question,
    chat_questions,
    delete_question,
    list_questions,
)
from app.recaps.render import recap_pdf_html, render_pdf
from app.recaps.schemas import QuestionCreate
from tests.conftest import PageClient
from tests.factories import create_transcript
from tests.transcripts.reading import Reading, reading_session
from tests.transcripts.support import held_session


def _ask(db: Session, reading: Reading, position: int) -> RecapQuestion:
    assert reading.chat.id is not None
    return add_question(
        db,
        story_session=reading.story_session,
        data=QuestionCreate(transcript_id=reading.chat.id, position=position),
    )


def test_a_directory_askers_question_carries_their_name_and_level(db: Session) -> None:
    reading = reading_session(db)
    question = _ask(db, reading, 1)
    assert (question.text, question.asked_by, question.person_id) == (
        "Which team owns invoicing today?",
        "Ada Lovelace, C-suite",
        reading.ada.id,
    )


def test_an_unmatched_askers_question_carries_their_chat_name(db: Session) -> None:
    reading = reading_session(db)
    question = _ask(db, reading, 3)
    assert (question.text, question.asked_by, question.person_id) == (
        "Will the <b>slides</b> be shared?",
        "Guest 42",
        None,
    )


def test_the_same_question_twice_is_kept_once(db: Session) -> None:
    reading = reading_session(db)
    first = _ask(db, reading, 1)
    again = _ask(db, reading, 1)
    assert again.id == first.id
    assert [q.text for q in list_questions(db, story_session=reading.story_session)] == [
        "Which team owns invoicing today?"
    ]


def test_a_message_that_is_not_a_question_is_refused(db: Session) -> None:
    reading = reading_session(db)
    with pytest.raises(Invalid) as refused:
        _ask(db, reading, 2)
    assert str(refused.value.detail) == (
        "Message 2 of the chat is not a question asked in the chat: only chat questions go "
        "under “Questions from the room”."
    )


def test_a_question_from_the_transcript_is_refused(db: Session) -> None:
    reading = reading_session(db, cues=[("Ana Ruiz", 1.0, 2.0, "Any questions?")])
    assert reading.transcript.id is not None
    with pytest.raises(Invalid, match="Message 1 of the transcript is not a question asked"):
        add_question(
            db,
            story_session=reading.story_session,
            data=QuestionCreate(transcript_id=reading.transcript.id, position=1),
        )


def test_the_twenty_first_question_is_refused(db: Session) -> None:
    story_session = held_session(db)
    chat = create_transcript(
        db,
        story_session,
        cues=[("Guest", n, n, f"Question {n}?") for n in range(MAX_QUESTIONS + 1)],
        kind=TranscriptKind.chat,
    )
    assert chat.id is not None
    for position in range(1, MAX_QUESTIONS + 1):
        add_question(
            db,
            story_session=story_session,
            data=QuestionCreate(transcript_id=chat.id, position=position),
        )
    with pytest.raises(Invalid) as refused:
        add_question(
            db,
            story_session=story_session,
            data=QuestionCreate(transcript_id=chat.id, position=MAX_QUESTIONS + 1),
        )
    assert str(refused.value.detail) == (
        "This recap already has 20 questions from the room, the most it can hold is 20. "
        "Remove one first."
    )


def test_adding_or_removing_a_question_makes_an_approved_recap_a_draft(db: Session) -> None:
    reading = reading_session(db)
    question = _ask(db, reading, 1)
    approve_recap(db, story_session=reading.story_session)

    def status() -> RecapStatus | None:
        recap = get_recap(db, story_session=reading.story_session)
        return recap.status if recap else None

    assert status() is RecapStatus.approved
    delete_question(db, story_session=reading.story_session, question_id=question.id or 0)
    assert status() is RecapStatus.draft
    assert list_questions(db, story_session=reading.story_session) == []


def test_a_version_frozen_before_questions_reads_with_none() -> None:
    frozen = preview_like_old_version()
    assert frozen.questions == []
    assert frozen.recording_url == ""


def preview_like_old_version() -> RecapDocument:
    """A document as versions approved before this change stored it: no questions key."""
    from tests.recaps.documents import typical_document

    payload = typical_document(quotes=1).model_dump(mode="json")
    del payload["questions"], payload["recording_url"]
    for quote in payload["quotes"]:
        del quote["start_seconds"]
    return RecapDocument.model_validate(payload)


def test_the_document_lists_questions_in_order(db: Session) -> None:
    reading = reading_session(db)
    _ask(db, reading, 3)
    _ask(db, reading, 1)
    doc = preview_document(db, story_session=reading.story_session)
    assert [(q.text, q.asked_by) for q in doc.questions] == [
        ("Will the <b>slides</b> be shared?", "Guest 42"),
        ("Which team owns invoicing today?", "Ada Lovelace, C-suite"),
    ]
    version = approve_recap(db, story_session=reading.story_session)
    assert version_document(version).questions == doc.questions


def test_api_adds_lists_and_removes_questions(organizer_api: TestClient, db: Session) -> None:
    reading = reading_session(db)
    base = f"/api/v1/sessions/{reading.story_session.id}/recap/questions"
    created = organizer_api.post(base, json={"transcript_id": reading.chat.id, "position": 1})
    assert created.status_code == 201, created.text
    body = created.json()
    assert {k: body[k] for k in ("text", "asked_by", "person_id", "position")} == {
        "text": "Which team owns invoicing today?",
        "asked_by": "Ada Lovelace, C-suite",
        "person_id": reading.ada.id,
        "position": 1,
    }
    assert [q["id"] for q in organizer_api.get(base).json()] == [body["id"]]
    refused = organizer_api.post(base, json={"transcript_id": reading.chat.id, "position": 9})
    assert refused.status_code == 422
    assert refused.json() == {"detail": "The chat has 3 messages: there is no message 9."}
    assert organizer_api.delete(f"{base}/{body['id']}").status_code == 204
    assert organizer_api.get(base).json() == []
    assert organizer_api.delete(f"{base}/{body['id']}").status_code == 404


def test_viewer_cannot_add_a_question(viewer_api: TestClient, db: Session) -> None:
    reading = reading_session(db)
    response = viewer_api.post(
        f"/api/v1/sessions/{reading.story_session.id}/recap/questions",
        json={"transcript_id": reading.chat.id, "position": 1},
    )
    assert response.status_code == 403
    assert db.exec(select(RecapQuestion)).all() == []


def test_page_adds_and_removes_a_chat_question(organizer_web: PageClient, db: Session) -> None:
    reading = reading_session(db)
    sid = reading.story_session.id
    page = organizer_web.get(f"/sessions/{sid}/transcript")
    panel = page.text.split('id="questions"', 1)[1].split("</section>", 1)[0]
    assert re.findall(r'<p class="chat-text">([^<]*)</p>', panel) == [
        "Which team owns invoicing today?",
        "Will the &lt;b&gt;slides&lt;/b&gt; be shared?",
    ]
    assert panel.count(">Add to recap</button>") == 2
    added = organizer_web.submit(
        f"/sessions/{sid}/transcript/questions",
        {"transcript_id": reading.chat.id, "position": 3},
    )
    assert added.status_code == 303
    page = organizer_web.get(added.headers["location"])
    assert "Added to the recap under “Questions from the room”." in page.text
    panel = page.text.split('id="questions"', 1)[1].split("</section>", 1)[0]
    assert panel.count(">Add to recap</button>") == 1
    assert panel.count('<span class="in-recap">In the recap</span>') == 1
    [question] = chat_questions(db, story_session=reading.story_session)[1:]
    removed = organizer_web.submit(
        f"/sessions/{sid}/transcript/questions/{question.question_id}/delete"
    )
    assert removed.status_code == 303
    assert list_questions(db, story_session=reading.story_session) == []


def test_recap_page_lists_questions_from_the_room_escaped(
    organizer_web: PageClient, db: Session
) -> None:
    reading = reading_session(db)
    _ask(db, reading, 3)
    editor = organizer_web.get(f"/sessions/{reading.story_session.id}/recap")
    section = editor.text.split("<h2>Questions from the room</h2>", 1)[1].split("</section>")[0]
    assert re.sub(r"\s+", " ", section).strip() == (
        '<ul class="questions"> <li><span class="question-text">Will the &lt;b&gt;slides&lt;/b&gt;'
        ' be shared?</span> <span class="asked-by">— Guest 42</span></li> </ul>'
    )


def _text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def test_the_pdf_lists_questions_from_the_room_escaped(db: Session) -> None:
    reading = reading_session(db)
    _ask(db, reading, 1)
    _ask(db, reading, 3)
    doc = preview_document(db, story_session=reading.story_session)
    text = _text_of(render_pdf(recap_pdf_html(doc)).content)
    assert (
        "Questions from the room Which team owns invoicing today? — Ada Lovelace, C-suite "
        "Will the <b>slides</b> be shared? — Guest 42 Who heard it"
    ) in text


def test_the_email_lists_questions_from_the_room_escaped(db: Session) -> None:
    reading = reading_session(db)
    _ask(db, reading, 1)
    _ask(db, reading, 3)
    doc = preview_document(db, story_session=reading.story_session)
    text, html = render_email(
        "recap", {**recap_context(doc), "link": "https://storyroom.example/r/1"}
    )
    assert (
        "QUESTIONS FROM THE ROOM\n\n- Which team owns invoicing today? — Ada Lovelace, C-suite\n\n"
        "- Will the <b>slides</b> be shared? — Guest 42\n"
    ) in text
    assert "Will the &lt;b&gt;slides&lt;/b&gt; be shared?" in html
    assert "<b>slides</b>" not in html
    assert "Questions from the room" in html
