"""Erasing a person removes their words and name from transcripts, chats and recap questions."""

from dataclasses import dataclass

import pytest
from sqlmodel import Session, col, select

from app.dashboards import service as dashboards
from app.dashboards.schemas import DashboardFilters
from app.models import (
    EngagementStage,
    Person,
    Recap,
    RecapQuestion,
    Role,
    SessionSpeaker,
    SessionStatus,
    StorySession,
    Transcript,
    TranscriptCue,
    TranscriptKind,
    TranscriptSpeaker,
)
from app.people import service
from app.people.erasure import erase_person
from app.transcripts.participation import participation
from tests.conftest import _page_client
from tests.factories import (
    create_person,
    create_session,
    create_speaker,
    create_transcript,
)
from tests.people.test_erase import traces

NAME = "Ada Lovelace"
EMAIL = "ada.lovelace@example.com"
HER_WORDS = ("zebra invoices", "marmalade portal", "kumquat")


@dataclass
class World:
    ada: Person
    host: Person
    story: StorySession
    ana: SessionSpeaker
    namesake: SessionSpeaker
    spoken: Transcript
    chat: Transcript
    recap: Recap


@pytest.fixture
def world(db: Session) -> World:
    ada = create_person(db, email=EMAIL, name=NAME, level_key="vp")
    service.add_alias(db, person=ada, kind="name", value="Ada King")  # type: ignore[arg-type]
    host = create_person(db, email="hal@example.com", name="Hal Host")
    story = create_session(db, status=SessionStatus.completed)
    ana = create_speaker(db, story)
    # A customer who shares her name is someone else: her words stay.
    namesake = create_speaker(db, story, name=NAME, title="Buyer")
    spoken = create_transcript(
        db,
        story,
        cues=[
            ("Hal Host", 0, 20, f"Welcome. {NAME} has the first question."),
            ("Ada L.", 20, 80, "Why do zebra invoices never match?"),
            ("Ana Ruiz", 80, 200, "Because the portal changed. It broke every invoice."),
            ("Ada L.", 200, 260, "And the marmalade portal?"),
            (NAME, 260, 300, "I am the customer Ada Lovelace. Hello."),
            ("ada king ", 300, 310, "kumquat, said by an unmatched speaker named for her"),
            ("Ana Ruiz", 310, 400, "We would stay if the invoices matched."),
        ],
        who={"Hal Host": host, "Ada L.": ada, "Ana Ruiz": ana, NAME: namesake},
    )
    spoken.suggestions = {
        "quotes": [
            {"speaker": "Ana Ruiz", "first_cue": 3, "last_cue": 3, "text": "Because the portal…"},
            {"speaker": "Ada L.", "first_cue": 2, "last_cue": 2, "text": "Why do zebra invoices…"},
            {"speaker": "Ana Ruiz", "first_cue": 7, "last_cue": 7, "text": "We would stay…"},
        ],
        "themes": [{"name": "Invoices", "theme_id": None, "why": "", "score": 1.0}],
        "summary": "Why do zebra invoices never match? Because the portal changed.",
        "summary_cues": [2, 3],
    }
    db.add(spoken)
    chat = create_transcript(
        db,
        story,
        kind=TranscriptKind.chat,
        cues=[
            ("Ada Lovelace", 100, 100, "Who owns the zebra invoices?"),
            ("Hal Host", 110, 110, f"Good one, {NAME}"),
        ],
        who={"Ada Lovelace": ada, "Hal Host": host},
    )
    recap = Recap(session_id=story.id or 0)
    db.add(recap)
    db.flush()
    asked = db.exec(
        select(TranscriptCue).where(
            TranscriptCue.transcript_id == chat.id, TranscriptCue.position == 1
        )
    ).one()
    db.add_all(
        [
            RecapQuestion(
                recap_id=recap.id or 0,
                text=asked.text,
                asked_by=f"{NAME}, SVP/VP",
                person_id=ada.id,
                cue_id=asked.id,
            ),
            RecapQuestion(recap_id=recap.id or 0, text="Is there a date?", asked_by="Hal Host"),
        ]
    )
    db.flush()
    return World(ada, host, story, ana, namesake, spoken, chat, recap)


def _cues(db: Session, transcript: Transcript) -> list[tuple[int, str, str]]:
    rows = db.exec(
        select(TranscriptCue.position, TranscriptSpeaker.label, TranscriptCue.text)
        .join(TranscriptSpeaker, col(TranscriptSpeaker.id) == TranscriptCue.speaker_id)
        .where(TranscriptCue.transcript_id == transcript.id)
        .order_by(col(TranscriptCue.position))
    ).all()
    return [(position, label, text) for position, label, text in rows]


def test_erasure_removes_her_words_and_name_from_transcripts_and_chat(
    db: Session, world: World
) -> None:
    assert traces(db, (NAME, *HER_WORDS)) != []

    report = erase_person(db, person=world.ada)

    assert (
        report.transcript_cues_removed,
        report.transcript_speakers_anonymised,
        report.transcript_speakers_removed,
        report.recap_questions_removed,
        report.transcript_suggestions_dropped,
    ) == (4, 2, 1, 1, 2)
    db.expire_all()
    assert _cues(db, world.spoken) == [
        (1, "Hal Host", "Welcome. Erased person has the first question."),
        (3, "Ana Ruiz", "Because the portal changed. It broke every invoice."),
        # The customer of the same name is someone else: her words stay, though the text
        # scrub, which cannot tell namesakes apart, takes the name out of them.
        (5, "Erased person", "I am the customer Erased person. Hello."),
        (7, "Ana Ruiz", "We would stay if the invoices matched."),
    ]
    assert _cues(db, world.chat) == [(2, "Hal Host", "Good one, Erased person")]
    speakers = db.exec(
        select(TranscriptSpeaker.label, TranscriptSpeaker.person_id, TranscriptSpeaker.cue_count)
        .where(TranscriptSpeaker.person_id == world.ada.id)
        .order_by(col(TranscriptSpeaker.id))
    ).all()
    assert [(label.split(" (")[0], person, count) for label, person, count in speakers] == [
        ("Erased person", world.ada.id, 2),
        ("Erased person", world.ada.id, 1),
    ]
    unmatched = select(TranscriptSpeaker).where(TranscriptSpeaker.label == "ada king ")
    assert db.exec(unmatched).all() == []
    spoken = db.get(Transcript, world.spoken.id)
    assert spoken is not None
    assert spoken.cue_count == 4
    assert (spoken.suggestions["summary"], spoken.suggestions["summary_cues"]) == ("", [])
    assert [quote["first_cue"] for quote in spoken.suggestions["quotes"]] == [3, 7]
    assert spoken.suggestions["themes"] == [
        {"name": "Invoices", "theme_id": None, "why": "", "score": 1.0}
    ]
    questions = db.exec(select(RecapQuestion.text, RecapQuestion.asked_by)).all()
    assert questions == [("Is there a date?", "Hal Host")]
    # Nothing of hers anywhere; the customer who shares her name keeps it.
    assert traces(db, (NAME, *HER_WORDS)) == ["session_speaker.name: Ada Lovelace"]


def test_erasure_keeps_her_taking_part_as_a_figure(db: Session, world: World) -> None:
    filters = DashboardFilters()
    before = {row.person_id: row.stage for row in dashboards.leaders(db, filters=filters).items}
    assert before[world.ada.id or 0] == EngagementStage.buy_in

    erase_person(db, person=world.ada)

    after = {row.person_id: row.stage for row in dashboards.leaders(db, filters=filters).items}
    assert after == before
    found = participation(db, session_ids=[world.story.id or 0])
    taken = found[(world.story.id or 0, world.ada.id or 0)]
    # Her words are gone, so the chat questions are no longer known; the counts stay.
    assert (taken.cues, taken.chat_messages, taken.questions) == (2, 1, 0)


def test_erasure_of_someone_who_never_spoke_changes_no_transcript(
    db: Session, world: World
) -> None:
    bystander = create_person(db, email="quiet@example.com", name="Quiet Person")
    before = _cues(db, world.spoken), _cues(db, world.chat)

    report = erase_person(db, person=bystander)

    assert (
        report.transcript_cues_removed,
        report.transcript_speakers_anonymised,
        report.transcript_speakers_removed,
        report.recap_questions_removed,
        report.transcript_suggestions_dropped,
    ) == (0, 0, 0, 0, 0)
    db.expire_all()
    assert (_cues(db, world.spoken), _cues(db, world.chat)) == before
    assert len(db.exec(select(RecapQuestion)).all()) == 2


def test_erase_page_counts_the_transcript_lines_and_questions_removed(
    app: object, db: Session, world: World
) -> None:
    web = _page_client(app, db, Role.admin)

    done = web.submit(f"/people/{world.ada.id}/erase")

    assert done.status_code == 200
    assert "Transcript and chat lines removed</dt><dd>4</dd>" in done.text
    assert "Chat questions removed from recaps</dt><dd>1</dd>" in done.text
