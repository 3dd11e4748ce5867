"""What the transcript API and pages read and send: imports, transcripts, cues and speakers."""

from datetime import datetime
from typing import Self

from pydantic import BaseModel, Field, model_validator

from app.deps import MAX_ID
from app.kit.schemas import Input
from app.models import SpeakerMatch, TranscriptKind
from app.people.schemas import LevelRef
from app.transcripts.suggestions import Suggestions


class SpeakerCount(BaseModel):
    """One speaker of an import: who they were taken to be and how much they said."""

    label: str
    """The name exactly as the file writes it."""
    match: SpeakerMatch
    who: str
    """The storyteller's or the person's name; "" for an ambiguous or unknown speaker."""
    confirmed: bool
    """An organizer confirmed this speaker in an earlier import of the session: kept."""
    session_speaker_id: int | None
    person_id: int | None
    cue_count: int
    seconds_spoken: float


class TranscriptRead(BaseModel):
    """A stored transcript or chat of a session, as lists show it."""

    id: int
    session_id: int
    kind: TranscriptKind
    format: str
    format_label: str
    filename: str
    cue_count: int
    duration_seconds: float
    speaker_count: int
    warnings: list[str]
    created_at: datetime


class TranscriptImportRead(TranscriptRead):
    """What an import of a transcript or chat stored, or found already stored."""

    speakers: list[SpeakerCount]
    """Most seconds spoken first (chat: most messages)."""
    unchanged: bool = False
    """True when this exact file was imported before: nothing was changed."""


class TranscriptDetail(TranscriptRead):
    """One transcript with its speakers and what was suggested from it for the recap."""

    speakers: list[SpeakerCount]
    suggestions: Suggestions


class CueRead(BaseModel):
    position: int
    """1, 2, 3… in the order of the file."""
    speaker: str
    """The speaker's label; "" for a cue that names nobody."""
    start_seconds: float
    end_seconds: float
    text: str
    is_question: bool


class SpeakerRead(BaseModel):
    """One name heard or written in a session (transcript and chat together), and who it is."""

    label: str
    match: SpeakerMatch
    confirmed: bool
    session_speaker_id: int | None
    storyteller: str | None
    """The storyteller's name when the speaker is one."""
    person_id: int | None
    person: str | None
    """The directory person's name when the speaker is one."""
    level: LevelRef | None
    """The person's level now."""
    cue_count: int
    """Cues spoken in the transcript."""
    seconds_spoken: float
    chat_messages: int


class SpeakerConfirm(Input):
    """Who a speaker is: exactly one of a directory person, a storyteller, or nobody known."""

    person_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    session_speaker_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    unknown: bool = False
    """True: neither a storyteller nor someone in the directory (a guest, a room)."""

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        given = [self.person_id is not None, self.session_speaker_id is not None, self.unknown]
        if sum(given) != 1:
            raise ValueError("Send exactly one of person_id, session_speaker_id or unknown: true.")
        return self
