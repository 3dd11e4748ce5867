"""Importing a transcript or chat into a session: what is stored, replaced, kept and refused."""

from collections.abc import Collection, Sequence
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event
from sqlmodel import Session, col, select

from app.errors import Conflict, Invalid
from app.models import (
    AuditEntry,
    SessionStatus,
    SpeakerMatch,
    Theme,
    Transcript,
    TranscriptCue,
    TranscriptKind,
    TranscriptSpeaker,
    utcnow,
)
from app.transcripts import suggesting
from app.transcripts.importing import import_transcript, recompute_suggestions
from app.transcripts.schemas import SpeakerConfirm
from app.transcripts.speakers import confirm_speaker
from app.transcripts.suggestions import CueText, Suggestions, ThemeSuggestion
from tests.factories import create_person, create_session, create_speaker
from tests.transcripts.support import (
    ZOOM_CHAT,
    ZOOM_TRANSCRIPT,
    counts,
    held_session,
    zoom_vtt,
)


class Recorder:
    """Stands in for `suggest`: remembers what it was given, answers one theme."""

    def __init__(self) -> None:
        self.calls: list[tuple[list[CueText], set[str], list[tuple[int, str]]]] = []

    def __call__(
        self,
        cues: Sequence[CueText],
        *,
        customer_speakers: Collection[str],
        themes: Sequence[tuple[int, str]],
    ) -> Suggestions:
        self.calls.append((list(cues), set(customer_speakers), list(themes)))
        self.answer = Suggestions(
            themes=[ThemeSuggestion(name="Billing", theme_id=None, why="said twice", score=1.0)],
            summary=f"{len(cues)} cues",
        )
        return self.answer


@pytest.fixture
def suggested(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    recorder = Recorder()
    monkeypatch.setattr(suggesting, "suggest", recorder)
    return recorder


def _speakers(db: Session, transcript_id: int) -> dict[str, tuple[SpeakerMatch, bool, int]]:
    rows = db.exec(
        select(TranscriptSpeaker).where(TranscriptSpeaker.transcript_id == transcript_id)
    ).all()
    return {row.label: (row.match, row.confirmed, row.cue_count) for row in rows}


def test_the_zoom_sample_is_stored_with_its_cues_speakers_and_seconds_spoken(
    db: Session, suggested: Recorder
) -> None:
    story_session = held_session(db)
    create_speaker(db, story_session, name="Paul McCartney")

    imported = import_transcript(
        db,
        story_session=story_session,
        data=ZOOM_TRANSCRIPT.read_bytes(),
        filename=ZOOM_TRANSCRIPT.name,
        user=None,
    )

    assert (imported.kind, imported.format, imported.cue_count) == (
        TranscriptKind.transcript,
        "zoom-vtt",
        300,
    )
    assert imported.duration_seconds == pytest.approx(3337.111)
    assert [
        (s.label, s.match, s.cue_count, round(s.seconds_spoken, 3)) for s in imported.speakers
    ] == [
        ("Paul McCartney", SpeakerMatch.storyteller, 242, 2275.05),
        ("Andrew Knight", SpeakerMatch.unknown, 45, 356.071),
        ("John Lennon", SpeakerMatch.unknown, 7, 19.89),
        ("George Harrison", SpeakerMatch.unknown, 3, 4.29),
        ("Ringo Starr", SpeakerMatch.unknown, 1, 1.98),
    ]
    assert imported.speakers[0].who == "Paul McCartney"
    assert imported.unchanged is False
    assert counts(db) == (1, 5, 300)
    cues = db.exec(
        select(TranscriptCue)
        .where(TranscriptCue.transcript_id == imported.id)
        .order_by(col(TranscriptCue.position))
    ).all()
    assert [c.position for c in cues] == list(range(1, 301))
    assert cues[0].text == "Okay, so we're recording. We're streaming"
    assert cues[0].start_seconds == pytest.approx(4.859)
    assert cues[33].speaker_id is None  # "And that": the cue names nobody
    # The customer is Paul: suggestions are made from his words, the transcript's cues given.
    [(given, customers, themes)] = suggested.calls
    assert (len(given), customers, themes) == (300, {"Paul McCartney"}, [])
    assert given[0] == CueText(1, "Andrew Knight", 4.859, 7.41, cues[0].text)


def test_the_zoom_sample_gets_suggestions_from_the_storytellers_words_alone(db: Session) -> None:
    story_session = held_session(db)
    create_speaker(db, story_session, name="Paul McCartney")

    imported = import_transcript(
        db,
        story_session=story_session,
        data=ZOOM_TRANSCRIPT.read_bytes(),
        filename=ZOOM_TRANSCRIPT.name,
        user=None,
    )

    transcript = db.get(Transcript, imported.id)
    assert transcript is not None
    suggestions = Suggestions.model_validate(transcript.suggestions)
    assert suggestions.quotes != []
    assert {quote.speaker for quote in suggestions.quotes} == {"Paul McCartney"}
    assert suggestions.summary != ""


def test_the_suggestions_are_stored_with_the_transcript_and_see_the_existing_themes(
    db: Session, suggested: Recorder
) -> None:
    story_session = held_session(db)
    theme = Theme(name="Billing", key="billing")
    db.add(theme)
    db.flush()

    imported = import_transcript(
        db,
        story_session=story_session,
        data=zoom_vtt(("Ana Ruiz", 1, 4, "Invoices arrive late."), ("Bo", 5, 6, "Why?")),
        filename="t.vtt",
        user=None,
    )

    transcript = db.get(Transcript, imported.id)
    assert transcript is not None
    assert transcript.suggestions == suggested.answer.model_dump()
    assert transcript.suggestions["summary"] == "2 cues"
    assert suggested.calls[0][2] == [(theme.id, "Billing")]


def test_the_same_file_again_changes_nothing_and_says_so(db: Session, suggested: Recorder) -> None:
    story_session = held_session(db)
    data = zoom_vtt(("Ana Ruiz", 1, 4, "Invoices arrive late."))
    first = import_transcript(
        db, story_session=story_session, data=data, filename="a.vtt", user=None
    )

    again = import_transcript(
        db, story_session=story_session, data=data, filename="b.vtt", user=None
    )

    assert again.unchanged is True
    assert again.model_dump(exclude={"unchanged"}) == first.model_dump(exclude={"unchanged"})
    assert counts(db) == (1, 1, 1)
    assert len(suggested.calls) == 1


def test_a_new_file_replaces_the_old_one_and_keeps_the_confirmed_speakers(
    db: Session, suggested: Recorder
) -> None:
    story_session = held_session(db)
    storyteller = create_speaker(db, story_session, name="Ana Ruiz")
    host = create_person(db, email="lee@example.com", name="Lee Park")
    import_transcript(
        db,
        story_session=story_session,
        data=zoom_vtt(("AR", 1, 4, "Invoices arrive late."), ("Host", 5, 6, "Thanks.")),
        filename="first.vtt",
        user=None,
    )
    confirm_speaker(
        db,
        story_session=story_session,
        label="AR",
        data=SpeakerConfirm(session_speaker_id=storyteller.id),
        user=None,
    )
    confirm_speaker(
        db,
        story_session=story_session,
        label="Host",
        data=SpeakerConfirm(person_id=host.id),
        user=None,
    )

    second = import_transcript(
        db,
        story_session=story_session,
        data=zoom_vtt(
            ("AR", 1, 4, "Invoices arrive late."),
            ("Host", 5, 6, "Thanks."),
            ("Guest", 7, 8, "Hello."),
        ),
        filename="second.vtt",
        user=None,
    )

    assert second.filename == "second.vtt"
    assert [t.filename for t in db.exec(select(Transcript)).all()] == ["second.vtt"]
    assert counts(db) == (1, 3, 3)
    assert [(s.label, s.match, s.who, s.confirmed) for s in second.speakers] == [
        ("AR", SpeakerMatch.storyteller, "Ana Ruiz", True),
        ("Host", SpeakerMatch.person, "Lee Park", True),
        ("Guest", SpeakerMatch.unknown, "", False),
    ]
    assert suggested.calls[-1][1] == {"AR"}


def test_a_transcript_and_a_chat_are_kept_side_by_side(db: Session, suggested: Recorder) -> None:
    story_session = held_session(db)
    transcript = import_transcript(
        db,
        story_session=story_session,
        data=ZOOM_TRANSCRIPT.read_bytes(),
        filename=ZOOM_TRANSCRIPT.name,
        user=None,
    )
    chat = import_transcript(
        db,
        story_session=story_session,
        data=ZOOM_CHAT.read_bytes(),
        filename=ZOOM_CHAT.name,
        user=None,
    )

    assert (chat.kind, chat.format, chat.cue_count) == (TranscriptKind.chat, "zoom-chat", 10)
    assert [(s.label, s.cue_count, s.seconds_spoken) for s in chat.speakers] == [
        ("Andrew Knight", 6, 0),
        ("Ringo Starr", 1, 0),
        ("George Harrison", 1, 0),
        ("John Lennon", 1, 0),
        ("Paul McCartney", 1, 0),
    ]
    assert db.get(Transcript, transcript.id) is not None
    assert counts(db) == (2, 10, 310)


def test_a_session_still_to_come_is_refused_and_nothing_is_written(
    db: Session, suggested: Recorder
) -> None:
    story_session = create_session(db, title="Next week", starts_at=utcnow() + timedelta(days=7))

    with pytest.raises(Conflict) as refused:
        import_transcript(
            db,
            story_session=story_session,
            data=zoom_vtt(("Ana Ruiz", 1, 4, "Hi.")),
            filename="t.vtt",
            user=None,
        )

    assert "“Next week” has not taken place yet" in str(refused.value.detail)
    assert counts(db) == (0, 0, 0)


def test_a_cancelled_session_is_refused(db: Session, suggested: Recorder) -> None:
    story_session = create_session(
        db,
        title="Called off",
        starts_at=utcnow() - timedelta(days=1),
        status=SessionStatus.cancelled,
    )

    with pytest.raises(Conflict) as refused:
        import_transcript(
            db,
            story_session=story_session,
            data=zoom_vtt(("Ana Ruiz", 1, 4, "Hi.")),
            filename="t.vtt",
            user=None,
        )

    assert refused.value.detail == (
        "“Called off” was cancelled, so it has no transcript or chat to import."
    )
    assert counts(db) == (0, 0, 0)


def test_a_file_that_is_no_transcript_is_refused_and_the_old_one_stays(
    db: Session, suggested: Recorder
) -> None:
    story_session = held_session(db)
    import_transcript(
        db,
        story_session=story_session,
        data=zoom_vtt(("Ana Ruiz", 1, 4, "Hi.")),
        filename="t.vtt",
        user=None,
    )

    with pytest.raises(Invalid) as refused:
        import_transcript(
            db,
            story_session=story_session,
            data=b"Name,Email\nAda,ada@example.com\n",
            filename="people.csv",
            user=None,
        )

    assert "Expected a transcript or chat saved from the meeting" in str(refused.value.detail)
    assert counts(db) == (1, 1, 1)


def test_cues_long_after_the_planned_end_are_kept_with_a_warning(
    db: Session, suggested: Recorder
) -> None:
    story_session = held_session(db, title="Short one", minutes=30)

    imported = import_transcript(
        db,
        story_session=story_session,
        data=zoom_vtt(
            ("Ana Ruiz", 60, 70, "Hello."),
            ("Ana Ruiz", 5400, 5410, "Still here."),
            ("Ana Ruiz", 5500, 5510, "Bye."),
        ),
        filename="t.vtt",
        user=None,
    )

    assert imported.cue_count == 3
    assert imported.warnings == [
        "2 cues end more than an hour after the session's planned end (30:00 into it), the "
        "first at line 8 (1:30:00). They are kept: check that this is the file of “Short one”."
    ]


def test_a_file_much_longer_than_the_session_gets_a_warning(
    db: Session, suggested: Recorder
) -> None:
    story_session = held_session(db, title="Short one", minutes=30)

    imported = import_transcript(
        db,
        story_session=story_session,
        data=zoom_vtt(("Ana Ruiz", 0, 10, "Hello."), ("Ana Ruiz", 4500, 4510, "Bye.")),
        filename="t.vtt",
        user=None,
    )

    assert imported.warnings == [
        "The file lasts 1:15:10, much longer than the session's planned 30:00: check that "
        "this is the file of “Short one”."
    ]


def test_the_import_is_audited(db: Session, suggested: Recorder) -> None:
    story_session = held_session(db, title="Desk")

    imported = import_transcript(
        db,
        story_session=story_session,
        data=zoom_vtt(("Ana Ruiz", 1, 4, "Hi."), ("Bo", 5, 6, "Hello.")),
        filename="desk.vtt",
        user=None,
    )

    entry = db.exec(select(AuditEntry).where(AuditEntry.entity == "transcript")).one()
    assert (entry.action, entry.entity_id, entry.summary) == (
        "imported",
        imported.id,
        "Imported desk.vtt (Zoom transcript (WebVTT)) as the transcript of “Desk”: 2 cues, "
        "2 speakers",
    )


def test_recomputing_suggestions_reads_the_stored_cues_and_the_customer(
    db: Session, suggested: Recorder
) -> None:
    story_session = held_session(db)
    storyteller = create_speaker(db, story_session, name="Ana Ruiz")
    imported = import_transcript(
        db,
        story_session=story_session,
        data=zoom_vtt(
            ("AR", 1, 4, "Invoices arrive late."),
            ("AR", 4, 5, "Every month."),
            ("", 5, 6, "Noise."),
        ),
        filename="t.vtt",
        user=None,
    )
    assert suggested.calls[0][1] == set()

    confirm_speaker(
        db,
        story_session=story_session,
        label="AR",
        data=SpeakerConfirm(session_speaker_id=storyteller.id),
        user=None,
    )

    transcript = db.get(Transcript, imported.id)
    assert transcript is not None
    cues, customers, _ = suggested.calls[-1]
    assert (len(suggested.calls), customers) == (2, {"AR"})
    assert cues == [
        CueText(1, "AR", 1.0, 4.0, "Invoices arrive late."),
        CueText(2, "AR", 4.0, 5.0, "Every month."),
        CueText(3, "", 5.0, 6.0, "Noise."),
    ]
    assert recompute_suggestions(db, transcript=transcript).summary == "3 cues"


def test_two_thousand_cues_are_stored_in_one_statement_and_a_few_queries(db: Session) -> None:
    story_session = held_session(db, minutes=120)
    create_speaker(db, story_session, name="Ana Ruiz")
    for n in range(50):
        create_person(db, email=f"p{n}@example.com", name=f"Person {n}")
    data = zoom_vtt(
        *(
            (("Ana Ruiz", "Lee Park", "Bo Chen")[n % 3], n * 3.5, n * 3.5 + 3, f"Point {n}, said.")
            for n in range(2000)
        )
    )
    statements: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    connection = db.connection()
    event.listen(connection, "before_cursor_execute", record)
    try:
        imported = import_transcript(
            db, story_session=story_session, data=data, filename="long.vtt", user=None
        )
    finally:
        event.remove(connection, "before_cursor_execute", record)

    assert (imported.cue_count, len(imported.speakers)) == (2000, 3)
    assert counts(db) == (1, 3, 2000)
    assert len([s for s in statements if "INSERT INTO transcript_cue" in s]) == 1
    assert len(statements) <= 25, statements


def test_a_confirmed_storyteller_removed_from_the_session_is_not_kept_by_the_next_import(
    db: Session, suggested: Recorder
) -> None:
    story_session = held_session(db)
    storyteller = create_speaker(db, story_session, name="Ana Ruiz")
    cues = (("AR", 1.0, 4.0, "Invoices arrive late."), ("AR", 4.0, 5.0, "Every month."))
    import_transcript(
        db, story_session=story_session, data=zoom_vtt(*cues), filename="a.vtt", user=None
    )
    confirm_speaker(
        db,
        story_session=story_session,
        label="AR",
        data=SpeakerConfirm(session_speaker_id=storyteller.id),
        user=None,
    )
    db.delete(storyteller)
    db.flush()
    db.expire_all()

    again = import_transcript(
        db,
        story_session=story_session,
        data=zoom_vtt(*cues, ("AR", 5.0, 6.0, "Still.")),
        filename="b.vtt",
        user=None,
    )

    assert [(s.label, s.match, s.confirmed) for s in again.speakers] == [
        ("AR", SpeakerMatch.unknown, False)
    ]


def test_a_file_name_with_a_nul_is_stored_without_it(db: Session, suggested: Recorder) -> None:
    story_session = held_session(db)

    imported = import_transcript(
        db,
        story_session=story_session,
        data=zoom_vtt(("Ana Ruiz", 1, 4, "Hi."), ("Ana Ruiz", 4, 5, "Bye.")),
        filename="desk\x00.vtt",
        user=None,
    )

    assert imported.filename == "desk.vtt"


def test_chat_saved_with_clock_times_is_read_from_the_session_start(db: Session) -> None:
    # 23:58 Paris on a winter day: the chat runs past midnight, one message is early.
    story_session = create_session(
        db,
        starts_at=datetime(2026, 11, 30, 22, 58, tzinfo=UTC),
        timezone="Europe/Paris",
        status=SessionStatus.completed,
    )
    chat = (
        b"23:57:00 From Ana Ruiz to Everyone : Hello, early!\n"
        b"23:58:40 From Ana Ruiz to Everyone : Welcome\n"
        b"00:00:05 From Bob Lee to Everyone : Can you share the slides?\n"
    )

    done = import_transcript(
        db, story_session=story_session, data=chat, filename="chat.txt", user=None
    )

    cues = db.exec(
        select(TranscriptCue.start_seconds, TranscriptCue.text)
        .where(TranscriptCue.transcript_id == done.id)
        .order_by(col(TranscriptCue.position))
    ).all()
    assert cues == [
        (0.0, "Hello, early!"),
        (40.0, "Welcome"),
        (125.0, "Can you share the slides?"),
    ]
    assert done.warnings[-1] == (
        "1 message was written before the session's start (23:58, Europe/Paris time) and is "
        "shown at 0:00."
    )
