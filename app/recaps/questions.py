"""Questions from the room: questions asked in the session's chat, kept in its recap."""

from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from app.db import id_of
from app.errors import Invalid, NotFound
from app.models import (
    Level,
    Person,
    Recap,
    RecapQuestion,
    SpeakerMatch,
    StorySession,
    Transcript,
    TranscriptCue,
    TranscriptKind,
    TranscriptSpeaker,
)
from app.recaps.editing import check_open, get_recap, start_edit
from app.recaps.schemas import QuestionCreate, QuestionRead

MAX_QUESTIONS = 20
MAX_QUESTION_CHARS = 2_000


def _read(question: RecapQuestion) -> QuestionRead:
    return QuestionRead(
        id=id_of(question),
        text=question.text,
        asked_by=question.asked_by,
        person_id=question.person_id,
        cue_id=question.cue_id,
        position=question.position,
    )


def _rows(session: Session, recap_id: int | None) -> list[RecapQuestion]:
    if recap_id is None:
        return []
    return list(
        session.exec(
            select(RecapQuestion)
            .where(RecapQuestion.recap_id == recap_id)
            .order_by(col(RecapQuestion.position), col(RecapQuestion.id))
        )
    )


def list_questions(session: Session, *, story_session: StorySession) -> list[QuestionRead]:
    """The recap's questions from the room, in the order they were added."""
    recap = get_recap(session, story_session=story_session)
    return [_read(q) for q in _rows(session, recap.id if recap else None)]


@dataclass(frozen=True)
class ChatQuestion:
    """A question asked in the session's chat, and whether the recap already lists it."""

    transcript_id: int
    position: int
    asker: str
    """The chat name as written; "" for a message that names nobody."""
    start_seconds: float
    text: str
    question_id: int | None
    """The recap's question made of it, once added."""


def chat_questions(
    session: Session, *, story_session: StorySession, limit: int = 200
) -> list[ChatQuestion]:
    """The questions asked in the session's chat, in order, each with the recap question made
    of it (if any)."""
    recap = get_recap(session, story_session=story_session)
    added = {q.cue_id: id_of(q) for q in _rows(session, recap.id if recap else None) if q.cue_id}
    rows = session.exec(
        select(TranscriptCue, TranscriptSpeaker.label)
        .join(Transcript, col(Transcript.id) == TranscriptCue.transcript_id)
        .join(
            TranscriptSpeaker,
            col(TranscriptSpeaker.id) == TranscriptCue.speaker_id,
            isouter=True,
        )
        .where(
            Transcript.session_id == story_session.id,
            Transcript.kind == TranscriptKind.chat,
            col(TranscriptCue.is_question).is_(True),
        )
        .order_by(col(TranscriptCue.position))
        .limit(limit)
    ).all()
    return [
        ChatQuestion(
            transcript_id=cue.transcript_id,
            position=cue.position,
            asker=label or "",
            start_seconds=cue.start_seconds,
            text=cue.text,
            question_id=added.get(id_of(cue)),
        )
        for cue, label in rows
    ]


def _asker(session: Session, speaker: TranscriptSpeaker | None) -> tuple[str, int | None]:
    """Who asked, as the recap prints it: a directory person's name and level, else the chat
    name as written."""
    if speaker is None:
        return "", None
    if speaker.match is SpeakerMatch.person and speaker.person_id is not None:
        found = session.exec(
            select(Person, Level)
            .join(Level, col(Level.id) == Person.level_id)
            .where(Person.id == speaker.person_id)
        ).first()
        if found is not None:
            person, level = found
            return f"{person.name}, {level.name}", id_of(person)
    return speaker.label, None


def add_question(
    session: Session, *, story_session: StorySession, data: QuestionCreate
) -> RecapQuestion:
    """Add a question asked in the session's chat to its recap; the same one twice is kept once."""
    check_open(story_session)
    transcript = session.get(Transcript, data.transcript_id)
    if transcript is None or transcript.session_id != story_session.id:
        raise Invalid(
            f"“{story_session.title}” has no chat {data.transcript_id}: add a question from "
            "its own chat."
        )
    cue = session.exec(
        select(TranscriptCue).where(
            TranscriptCue.transcript_id == transcript.id, TranscriptCue.position == data.position
        )
    ).first()
    if cue is None:
        raise Invalid(
            f"The {transcript.kind.value} has {transcript.cue_count} messages: there is no "
            f"message {data.position}."
        )
    if transcript.kind is not TranscriptKind.chat or not cue.is_question:
        raise Invalid(
            f"Message {cue.position} of the {transcript.kind.value} is not a question asked in "
            "the chat: only chat questions go under “Questions from the room”."
        )
    recap = get_recap(session, story_session=story_session)
    existing = _rows(session, recap.id if recap else None)
    for question in existing:
        if question.cue_id == cue.id:
            return question
    if len(existing) >= MAX_QUESTIONS:
        raise Invalid(
            f"This recap already has {len(existing)} questions from the room, the most it can "
            f"hold is {MAX_QUESTIONS}. Remove one first."
        )
    speaker = session.get(TranscriptSpeaker, cue.speaker_id) if cue.speaker_id else None
    asked_by, person_id = _asker(session, speaker)
    recap = start_edit(session, story_session=story_session)
    last = session.exec(
        select(func.max(RecapQuestion.position)).where(RecapQuestion.recap_id == recap.id)
    ).one()
    question = RecapQuestion(
        recap_id=id_of(recap),
        text=" ".join(cue.text.split())[:MAX_QUESTION_CHARS],
        asked_by=asked_by[:300],
        person_id=person_id,
        cue_id=cue.id,
        position=(last or 0) + 1,
    )
    session.add(question)
    session.flush()
    return question


def get_question(
    session: Session, *, story_session: StorySession, question_id: int
) -> RecapQuestion:
    """One question of the session's recap, or 404."""
    question = session.get(RecapQuestion, question_id)
    recap = session.get(Recap, question.recap_id) if question else None
    if question is None or recap is None or recap.session_id != story_session.id:
        raise NotFound(f"The recap of “{story_session.title}” has no question {question_id}.")
    return question


def delete_question(session: Session, *, story_session: StorySession, question_id: int) -> None:
    """Take a question out of the recap."""
    question = get_question(session, story_session=story_session, question_id=question_id)
    start_edit(session, story_session=story_session)
    session.delete(question)
    session.flush()
