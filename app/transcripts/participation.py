"""Taking part: who spoke in a session or wrote in its chat, as evidence beyond being present.

Only speakers matched to directory people count (a storyteller is a customer, an unknown or
ambiguous label is nobody yet). An executive who asked a question took part; the attendance
page shows it, and the engagement ladder counts it as attending even when the platform's
attendance report missed them.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlmodel import Session

from app.db import table_of
from app.kit.words import counted
from app.models import (
    Attendance,
    Person,
    Transcript,
    TranscriptCue,
    TranscriptKind,
    TranscriptSpeaker,
)

_TRANSCRIPT = table_of(Transcript)
_SPEAKER = table_of(TranscriptSpeaker)
_CUE = table_of(TranscriptCue)
_ATTENDANCE = table_of(Attendance)
_PERSON = table_of(Person)


@dataclass(frozen=True, slots=True)
class Participation:
    """What one person said or wrote in one session."""

    seconds_spoken: float = 0
    cues: int = 0
    """Cues spoken in the transcript."""
    chat_messages: int = 0
    questions: int = 0
    """Chat messages that are questions."""

    @property
    def text(self) -> str:
        """ "spoke 4 min · asked 2 questions in chat", in the words of `participation_text`."""
        return participation_text(
            seconds_spoken=self.seconds_spoken,
            cues=self.cues,
            chat_messages=self.chat_messages,
            questions=self.questions,
        )


def participation_text(
    *, seconds_spoken: float, cues: int, chat_messages: int, questions: int
) -> str:
    """One line: "spoke 4 min · asked 2 questions in chat" (or "wrote 3 messages in chat")."""
    parts = []
    if cues:
        minutes = int(seconds_spoken / 60 + 0.5)  # half up: round() would make 2.5 min 2
        parts.append(f"spoke {minutes} min" if minutes else "spoke briefly")
    if questions:
        parts.append(f"asked {counted(questions, 'question')} in chat")
    elif chat_messages:
        parts.append(f"wrote {counted(chat_messages, 'message')} in chat")
    return " · ".join(parts)


def participation(
    session: Session, *, session_ids: Sequence[int]
) -> dict[tuple[int, int], Participation]:
    """(session id, person id) → what they said or wrote, for speakers matched to people.

    Two grouped statements whatever the number of people: speaking and chat totals from the
    speakers, then the chat questions from the cues.
    """
    if not session_ids:
        return {}
    ids = sorted(set(session_ids))
    spoken = _TRANSCRIPT.c.kind == TranscriptKind.transcript
    chat = _TRANSCRIPT.c.kind == TranscriptKind.chat
    joined = _SPEAKER.join(_TRANSCRIPT, _TRANSCRIPT.c.id == _SPEAKER.c.transcript_id)
    totals = (
        select(
            _TRANSCRIPT.c.session_id,
            _SPEAKER.c.person_id,
            func.sum(case((spoken, _SPEAKER.c.seconds_spoken), else_=0)),
            func.sum(case((spoken, _SPEAKER.c.cue_count), else_=0)),
            func.sum(case((chat, _SPEAKER.c.cue_count), else_=0)),
        )
        .select_from(joined)
        .where(
            _TRANSCRIPT.c.session_id.in_(ids),
            _SPEAKER.c.person_id.is_not(None),
            _SPEAKER.c.cue_count > 0,
        )
        .group_by(_TRANSCRIPT.c.session_id, _SPEAKER.c.person_id)
    )
    asked = (
        select(_TRANSCRIPT.c.session_id, _SPEAKER.c.person_id, func.count())
        .select_from(joined.join(_CUE, _CUE.c.speaker_id == _SPEAKER.c.id))
        .where(
            _TRANSCRIPT.c.session_id.in_(ids),
            _SPEAKER.c.person_id.is_not(None),
            chat,
            _CUE.c.is_question.is_(True),
        )
        .group_by(_TRANSCRIPT.c.session_id, _SPEAKER.c.person_id)
    )
    connection = session.connection()
    questions = {
        (session_id, person_id): int(count)
        for session_id, person_id, count in connection.execute(asked)
    }
    return {
        (session_id, person_id): Participation(
            seconds_spoken=float(seconds or 0),
            cues=int(cues or 0),
            chat_messages=int(messages or 0),
            questions=questions.get((session_id, person_id), 0),
        )
        for session_id, person_id, seconds, cues, messages in connection.execute(totals)
    }


@dataclass(frozen=True, slots=True)
class Participant:
    """Someone who took part in a session, for a page that names them."""

    person_id: int
    name: str
    participation: Participation


@dataclass(frozen=True, slots=True)
class SessionParticipation:
    """A session's participants, and those of them the attendance report does not list."""

    by_person: dict[int, Participation]
    participants: list[Participant]
    """Everyone who took part, by name."""
    not_in_report: list[Participant]
    """Took part, yet have no attendance row at all: shown, never added silently."""


def session_participation(session: Session, *, session_id: int) -> SessionParticipation:
    """Who took part in one session, and who of them has no attendance row (three statements)."""
    by_person = {
        person_id: taken
        for (_, person_id), taken in participation(session, session_ids=[session_id]).items()
    }
    if not by_person:
        return SessionParticipation(by_person={}, participants=[], not_in_report=[])
    listed = select(_ATTENDANCE.c.person_id).where(
        _ATTENDANCE.c.session_id == session_id, _ATTENDANCE.c.person_id.is_not(None)
    )
    people = (
        select(_PERSON.c.id, _PERSON.c.name, _PERSON.c.id.in_(listed))
        .where(_PERSON.c.id.in_(sorted(by_person)))
        .order_by(_PERSON.c.name, _PERSON.c.id)
    )
    rows = session.connection().execute(people).all()
    participants = [
        Participant(person_id=person_id, name=name, participation=by_person[person_id])
        for person_id, name, _ in rows
    ]
    return SessionParticipation(
        by_person=by_person,
        participants=participants,
        not_in_report=[
            participant
            for participant, (_, _, in_report) in zip(participants, rows, strict=True)
            if not in_report
        ],
    )
