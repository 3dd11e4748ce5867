"""Transcripts: what was said in a session and what was written in its chat, cue by cue."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import enum_type, instant_field, utcnow


class TranscriptKind(StrEnum):
    transcript = "transcript"
    """What was spoken: each cue has a start, an end and a speaker."""
    chat = "chat"
    """What was written in the meeting's chat: each message has a time and an author."""


class SpeakerMatch(StrEnum):
    """How a transcript speaker was told apart; `confirmed` once an organizer said so."""

    storyteller = "storyteller"
    """One of the session's customer speakers (`session_speaker_id`)."""
    person = "person"
    """Someone in the directory (`person_id`), found as attendance reports are matched."""
    ambiguous = "ambiguous"
    """Several directory people share the name: never guessed."""
    unknown = "unknown"


class Transcript(SQLModel, table=True):
    """One imported transcript or chat of a session; a new file of the same kind replaces it.

    `suggestions` holds what was computed from it at import (candidate quotes, themes and a
    summary, see `app.transcripts.suggestions`), shown to the organizer and never sent as is.
    """

    __table_args__ = (UniqueConstraint("session_id", "kind", name="uq_transcript_session_id_kind"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="story_session.id", ondelete="CASCADE")
    kind: TranscriptKind = Field(sa_type=enum_type(TranscriptKind))
    format: str = Field(max_length=40)
    """zoom-vtt, teams-vtt, teams-docx, meet-docx, meet-txt, srt, zoom-chat, …"""
    filename: str = Field(max_length=255)
    sha256: str = Field(max_length=64)
    cue_count: int = 0
    duration_seconds: float = 0
    """From the first cue's start to the last cue's end."""
    warnings: list[str] = Field(default_factory=list, sa_type=JSON)
    suggestions: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = instant_field(default_factory=utcnow, index=True)


class TranscriptSpeaker(SQLModel, table=True):
    """A name as the transcript or chat shows it, and who that is."""

    __tablename__ = "transcript_speaker"
    __table_args__ = (
        UniqueConstraint("transcript_id", "label", name="uq_transcript_speaker_transcript_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    transcript_id: int = Field(foreign_key="transcript.id", index=True, ondelete="CASCADE")
    label: str = Field(max_length=300)
    """The name exactly as the file writes it ("Ana Ruiz (Acme)")."""
    match: SpeakerMatch = Field(default=SpeakerMatch.unknown, sa_type=enum_type(SpeakerMatch))
    session_speaker_id: int | None = Field(
        default=None, foreign_key="session_speaker.id", index=True, ondelete="SET NULL"
    )
    person_id: int | None = Field(
        default=None, foreign_key="person.id", index=True, ondelete="SET NULL"
    )
    confirmed: bool = False
    """An organizer confirmed or corrected the match; a re-import keeps it."""
    cue_count: int = 0
    seconds_spoken: float = 0
    """Summed cue lengths; 0 for chat, whose messages have no length."""


class TranscriptCue(SQLModel, table=True):
    """One cue of a transcript, or one chat message (`end_seconds` equal to its start)."""

    __tablename__ = "transcript_cue"
    __table_args__ = (
        Index("ix_transcript_cue_transcript_id_position", "transcript_id", "position"),
    )

    id: int | None = Field(default=None, primary_key=True)
    transcript_id: int = Field(foreign_key="transcript.id", ondelete="CASCADE")
    position: int
    """1, 2, 3… in the order of the file."""
    speaker_id: int | None = Field(
        default=None, foreign_key="transcript_speaker.id", index=True, ondelete="CASCADE"
    )
    """Empty for a cue no name is given for."""
    start_seconds: float
    """From the start of the recording (chat: of the meeting)."""
    end_seconds: float
    text: str = Field(sa_type=Text)
    is_question: bool = False
    """Ends with a question mark: chat questions can go into the recap."""


class RecapQuestion(SQLModel, table=True):
    """A question asked in the chat, kept in the recap under "Questions from the room"."""

    __tablename__ = "recap_question"

    id: int | None = Field(default=None, primary_key=True)
    recap_id: int = Field(foreign_key="recap.id", index=True, ondelete="CASCADE")
    text: str = Field(max_length=2000)
    asked_by: str = Field(default="", max_length=300)
    """As the recap prints it: the asker's name and level, or "" for nobody named."""
    person_id: int | None = Field(
        default=None, foreign_key="person.id", index=True, ondelete="SET NULL"
    )
    cue_id: int | None = Field(default=None, foreign_key="transcript_cue.id", ondelete="SET NULL")
    position: int = 0
