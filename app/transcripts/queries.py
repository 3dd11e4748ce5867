"""Reading transcripts: a session's list, one with its speakers and suggestions, its cues a page
at a time (searched and filtered by speaker)."""

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.db import id_of
from app.errors import NotFound
from app.kit import search
from app.models import (
    Person,
    SessionSpeaker,
    StorySession,
    Transcript,
    TranscriptCue,
    TranscriptKind,
    TranscriptSpeaker,
)
from app.transcripts.parsing import FORMATS
from app.transcripts.schemas import (
    CueRead,
    SpeakerCount,
    TranscriptDetail,
    TranscriptImportRead,
    TranscriptRead,
)
from app.transcripts.suggestions import Suggestions


def format_label(format: str) -> str:
    """The name pages give a stored format ("Zoom transcript (WebVTT)")."""
    known = FORMATS.get(format)
    return known[0] if known else format


def get_transcript(
    session: Session, *, story_session: StorySession, transcript_id: int
) -> Transcript:
    """The session's transcript or chat with this id, or 404."""
    transcript = session.get(Transcript, transcript_id)
    if transcript is None or transcript.session_id != story_session.id:
        raise NotFound(
            f"Session {story_session.id} has no transcript or chat with id {transcript_id}."
        )
    return transcript


def list_transcripts(session: Session, *, story_session: StorySession) -> list[TranscriptRead]:
    """The session's transcript and chat (at most one of each), the transcript first."""
    speakers = (
        select(TranscriptSpeaker.transcript_id, func.count().label("speakers"))
        .group_by(col(TranscriptSpeaker.transcript_id))
        .subquery()
    )
    rows = session.exec(
        select(Transcript, func.coalesce(speakers.c.speakers, 0))
        .join(speakers, speakers.c.transcript_id == Transcript.id, isouter=True)
        .where(Transcript.session_id == id_of(story_session))
        .order_by(col(Transcript.kind) != TranscriptKind.transcript, col(Transcript.id))
    ).all()
    return [_read(transcript, speaker_count) for transcript, speaker_count in rows]


def _read(transcript: Transcript, speaker_count: int) -> TranscriptRead:
    return TranscriptRead(
        id=id_of(transcript),
        session_id=transcript.session_id,
        kind=transcript.kind,
        format=transcript.format,
        format_label=format_label(transcript.format),
        filename=transcript.filename,
        cue_count=transcript.cue_count,
        duration_seconds=transcript.duration_seconds,
        speaker_count=speaker_count,
        warnings=list(transcript.warnings),
        created_at=transcript.created_at,
    )


def speaker_counts(session: Session, *, transcript: Transcript) -> list[SpeakerCount]:
    """The transcript's speakers with who they are: most seconds spoken (then cues) first."""
    rows = session.exec(
        select(TranscriptSpeaker, SessionSpeaker.name, Person.name)
        .join(
            SessionSpeaker,
            col(SessionSpeaker.id) == TranscriptSpeaker.session_speaker_id,
            isouter=True,
        )
        .join(Person, col(Person.id) == TranscriptSpeaker.person_id, isouter=True)
        .where(TranscriptSpeaker.transcript_id == id_of(transcript))
        .order_by(
            col(TranscriptSpeaker.seconds_spoken).desc(),
            col(TranscriptSpeaker.cue_count).desc(),
            col(TranscriptSpeaker.id),
        )
    ).all()
    return [
        SpeakerCount(
            label=speaker.label,
            match=speaker.match,
            who=storyteller or person or "",
            confirmed=speaker.confirmed,
            session_speaker_id=speaker.session_speaker_id,
            person_id=speaker.person_id,
            cue_count=speaker.cue_count,
            seconds_spoken=speaker.seconds_spoken,
        )
        for speaker, storyteller, person in rows
    ]


def import_read(
    session: Session, *, transcript: Transcript, unchanged: bool = False, format_label: str = ""
) -> TranscriptImportRead:
    """What an import stored, as the API and the import page show it."""
    speakers = speaker_counts(session, transcript=transcript)
    read = _read(transcript, len(speakers))
    return TranscriptImportRead(
        **read.model_dump(exclude={"format_label"}),
        format_label=format_label or read.format_label,
        speakers=speakers,
        unchanged=unchanged,
    )


def transcript_detail(session: Session, *, transcript: Transcript) -> TranscriptDetail:
    """One transcript with its speakers and the suggestions computed from it."""
    speakers = speaker_counts(session, transcript=transcript)
    read = _read(transcript, len(speakers))
    return TranscriptDetail(
        **read.model_dump(),
        speakers=speakers,
        suggestions=Suggestions.model_validate(transcript.suggestions or {}),
    )


def cues_page(
    session: Session,
    *,
    transcript: Transcript,
    q: str = "",
    speaker_label: str | None = None,
    limit: int,
    offset: int,
) -> tuple[list[CueRead], int]:
    """One page of the transcript's cues in order, and how many match: `q` is found anywhere
    in a cue's text whatever its case (`%` and `_` are plain characters), `speaker_label`
    keeps one speaker's cues ("" those that name nobody)."""
    query = (
        select(TranscriptCue, TranscriptSpeaker.label)
        .join(
            TranscriptSpeaker,
            col(TranscriptSpeaker.id) == TranscriptCue.speaker_id,
            isouter=True,
        )
        .where(TranscriptCue.transcript_id == id_of(transcript))
    )
    q = q.replace("\x00", "").strip()
    if q:
        # ILIKE on PostgreSQL; elsewhere lower() of both sides, so SQLite folds the same way.
        query = query.where(
            col(TranscriptCue.text).ilike(search.containing(q), escape=search.ESCAPE)
        )
    if speaker_label is not None:
        query = query.where(
            col(TranscriptCue.speaker_id).is_(None)
            if not speaker_label
            else TranscriptSpeaker.label == speaker_label.replace("\x00", "")
        )
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(col(TranscriptCue.position)).limit(limit).offset(offset)
    ).all()
    return [
        CueRead(
            position=cue.position,
            speaker=label or "",
            start_seconds=cue.start_seconds,
            end_seconds=cue.end_seconds,
            text=cue.text,
            is_question=cue.is_question,
        )
        for cue, label in rows
    ], total
