"""Importing a session's transcript or chat: parse, match the speakers, store the cues, suggest.

One transcript and one chat per session: a new file of a kind replaces the old one (its
speakers and cues go with it), keeping who an organizer confirmed the speakers to be; the same
file again changes nothing.
"""

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from fastapi import UploadFile
from sqlalchemy import delete
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool

from app.audit import service as audit
from app.config import get_settings
from app.db import id_of, insert_many, table_of
from app.errors import Conflict, Invalid
from app.kit.uploads import base_name, read_upload
from app.kit.words import counted
from app.models import (
    SessionStatus,
    SpeakerMatch,
    StorySession,
    Transcript,
    TranscriptCue,
    TranscriptKind,
    TranscriptSpeaker,
    User,
    utcnow,
)
from app.system.metrics import counted_import
from app.templating import clock, local_datetime
from app.transcripts.parsing import parse_transcript
from app.transcripts.parsing.model import ParsedCue, ParsedTranscript
from app.transcripts.queries import import_read
from app.transcripts.schemas import TranscriptImportRead
from app.transcripts.speakers import Found, match_speakers
from app.transcripts.suggesting import recompute_suggestions, store_suggestions
from app.transcripts.suggestions import CueText

__all__ = ["delete_transcript", "import_transcript", "import_upload", "recompute_suggestions"]

_DAY = 24 * 3600
_HALF_DAY = _DAY // 2
LATE_AFTER_END = 3600
"""Cues ending this many seconds after the session's planned end are kept, with a warning."""


@dataclass
class _Tally:
    first: int
    """Position of the speaker's first cue: speakers are stored in the order they speak."""
    cues: int = 0
    seconds: float = 0.0


def refuse_if_not_held(story_session: StorySession) -> None:
    """A cancelled session, or one still to come, has no transcript to import."""
    if story_session.status is SessionStatus.cancelled:
        raise Conflict(
            f"“{story_session.title}” was cancelled, so it has no transcript or chat to import."
        )
    if story_session.starts_at > utcnow():
        when = local_datetime(story_session.starts_at, story_session.timezone)
        raise Conflict(
            f"“{story_session.title}” has not taken place yet (it starts {when}, "
            f"{story_session.timezone} time): import its transcript after the session."
        )


@counted_import("transcript")
def import_transcript(
    session: Session,
    *,
    story_session: StorySession,
    data: bytes,
    filename: str,
    user: User | None,
) -> TranscriptImportRead:
    """Import a transcript or chat file into the session, replacing the one of its kind.

    The same file again is a no-op (`unchanged`); speakers an organizer confirmed keep their
    match; suggestions for the recap are computed from the customer's words."""
    refuse_if_not_held(story_session)
    filename = filename.replace("\x00", "").strip()[:255] or "upload"
    session_id = id_of(story_session)
    digest = hashlib.sha256(data).hexdigest()
    same = session.exec(
        select(Transcript).where(Transcript.session_id == session_id, Transcript.sha256 == digest)
    ).first()
    if same is not None:
        return import_read(session, transcript=same, unchanged=True)

    parsed = parse_transcript(data, filename=filename)
    if not parsed.cues:
        raise Invalid(f"{filename} has no cues: nothing was said or written in it.")
    if parsed.clock_times:
        parsed = _from_session_start(parsed, story_session)

    confirmed = _confirmed_speakers(session, session_id=session_id)
    replaced = session.exec(
        select(Transcript).where(
            Transcript.session_id == session_id, Transcript.kind == parsed.kind
        )
    ).first()
    if replaced is not None:
        # The database cascades to its speakers and cues; transcript quotes keep their words.
        session.exec(delete(Transcript).where(col(Transcript.id) == replaced.id))
        session.expunge(replaced)

    tallies: dict[str, _Tally] = {}
    for position, cue in enumerate(parsed.cues, start=1):
        label = _label(cue.speaker)
        if not label:
            continue
        tally = tallies.setdefault(label, _Tally(first=position))
        tally.cues += 1
        tally.seconds += cue.end_seconds - cue.start_seconds

    transcript = Transcript(
        session_id=session_id,
        kind=parsed.kind,
        format=parsed.format[:40],
        filename=filename,
        sha256=digest,
        cue_count=len(parsed.cues),
        duration_seconds=max(cue.end_seconds for cue in parsed.cues)
        - min(cue.start_seconds for cue in parsed.cues),
        warnings=[*parsed.warnings, *_timing_warnings(story_session, parsed.cues)],
        created_by_id=user.id if user is not None else audit.actor_of(session).user_id,
    )
    session.add(transcript)
    session.flush()
    transcript_id = id_of(transcript)

    matches = match_speakers(session, story_session=story_session, labels=list(tallies))
    matches.update({label: confirmed[label] for label in tallies if label in confirmed})
    speakers = [
        TranscriptSpeaker(
            transcript_id=transcript_id,
            label=label,
            match=matches[label][0],
            session_speaker_id=matches[label][1],
            person_id=matches[label][2],
            confirmed=label in confirmed,
            cue_count=tally.cues,
            seconds_spoken=round(tally.seconds, 3)
            if parsed.kind is TranscriptKind.transcript
            else 0.0,
        )
        for label, tally in sorted(tallies.items(), key=lambda item: item[1].first)
    ]
    session.add_all(speakers)
    session.flush()
    speaker_ids = {speaker.label: id_of(speaker) for speaker in speakers}

    def rows() -> Iterator[dict[str, object]]:
        # Plain rows in one executemany: ORM objects for 2,000 cues cost more than the parse.
        for position, cue in enumerate(parsed.cues, start=1):
            text = cue.text.replace("\x00", "")
            yield {
                "transcript_id": transcript_id,
                "position": position,
                "speaker_id": speaker_ids.get(_label(cue.speaker)),
                "start_seconds": cue.start_seconds,
                "end_seconds": cue.end_seconds,
                "text": text,
                "is_question": text.rstrip().endswith("?"),
            }

    insert_many(session, table_of(TranscriptCue), rows())

    customers = {label for label, found in matches.items() if found[0] is SpeakerMatch.storyteller}
    store_suggestions(
        session,
        transcript=transcript,
        cues=[
            CueText(
                position=position,
                speaker=_label(cue.speaker),
                start_seconds=cue.start_seconds,
                end_seconds=cue.end_seconds,
                text=cue.text,
            )
            for position, cue in enumerate(parsed.cues, start=1)
        ],
        customers=customers,
    )
    audit.record(
        session,
        action="imported",
        entity="transcript",
        entity_id=transcript_id,
        summary=f"Imported {transcript.filename} ({parsed.format_label}) as the "
        f"{parsed.kind.value} of “{story_session.title}”: {counted(len(parsed.cues), 'cue')}, "
        f"{counted(len(tallies), 'speaker')}"
        + (f", replacing {replaced.filename}" if replaced is not None else ""),
    )
    return import_read(session, transcript=transcript, format_label=parsed.format_label)


async def import_upload(
    session: Session, *, story_session: StorySession, file: UploadFile, user: User | None
) -> TranscriptImportRead:
    """Read an uploaded file within the size limit and import it, off the event loop."""
    data = await read_upload(file, max_bytes=get_settings().upload_max_bytes)
    return await run_in_threadpool(
        import_transcript,
        session,
        story_session=story_session,
        data=data,
        filename=base_name(file.filename) or "upload",
        user=user,
    )


def delete_transcript(session: Session, *, transcript: Transcript) -> None:
    """Remove a transcript or chat with its speakers and cues; quotes taken from it stay."""
    audit.record(
        session,
        action="deleted",
        entity="transcript",
        entity_id=transcript.id,
        summary=f"Deleted the {transcript.kind.value} {transcript.filename} of session "
        f"{transcript.session_id}",
    )
    session.delete(transcript)
    session.flush()


def _label(speaker: str) -> str:
    # The column holds 300 characters, and PostgreSQL refuses NUL in text.
    return speaker.replace("\x00", "").strip()[:300]


def _confirmed_speakers(session: Session, *, session_id: int) -> dict[str, Found]:
    """Who an organizer said each label is, in any of the session's transcripts."""
    rows = session.exec(
        select(
            TranscriptSpeaker.label,
            TranscriptSpeaker.match,
            TranscriptSpeaker.session_speaker_id,
            TranscriptSpeaker.person_id,
        )
        .join(Transcript, col(Transcript.id) == TranscriptSpeaker.transcript_id)
        .where(Transcript.session_id == session_id, col(TranscriptSpeaker.confirmed))
        .order_by(col(TranscriptSpeaker.id))
    ).all()
    found: dict[str, Found] = {}
    for label, match, storyteller, person in rows:
        match = SpeakerMatch(match)
        # A storyteller removed from the session, or a person deleted, is no choice to keep.
        if (match is SpeakerMatch.storyteller and storyteller is None) or (
            match is SpeakerMatch.person and person is None
        ):
            continue
        found[label] = (match, storyteller, person)
    return found


def _from_session_start(parsed: ParsedTranscript, story_session: StorySession) -> ParsedTranscript:
    """A chat saved from the meeting window writes the time of day in the session's zone:
    read as seconds from the session's start, like a recording's timings."""
    local = story_session.starts_at.astimezone(ZoneInfo(story_session.timezone))
    start = local.hour * 3600 + local.minute * 60 + local.second
    early = 0
    cues = []
    for cue in parsed.cues:
        offset = cue.start_seconds - start
        if offset < -_HALF_DAY:  # written after midnight, in a session that began before it
            offset += _DAY
        if offset < 0:
            early += 1
            offset = 0.0
        cues.append(replace(cue, start_seconds=offset, end_seconds=offset))
    warnings = list(parsed.warnings)
    if early:
        warnings.append(
            f"{counted(early, 'message')} {'was' if early == 1 else 'were'} written before "
            f"the session's start ({local:%H:%M}, {story_session.timezone} time) and "
            f"{'is' if early == 1 else 'are'} shown at 0:00."
        )
    return replace(parsed, cues=cues, warnings=warnings, clock_times=False)


def _timing_warnings(story_session: StorySession, cues: Sequence[ParsedCue]) -> list[str]:
    """Cues long after the session's planned end, or a file much longer than the session:
    kept, but perhaps another session's file."""
    planned = story_session.duration_minutes * 60
    late = [cue for cue in cues if cue.end_seconds > planned + LATE_AFTER_END]
    if late:
        return [
            f"{counted(len(late), 'cue')} {'ends' if len(late) == 1 else 'end'} more than an "
            f"hour after the session's planned end ({clock(planned)} into it), the first at "
            f"line {late[0].line} ({clock(late[0].start_seconds)}). They are kept: check that "
            f"this is the file of “{story_session.title}”."
        ]
    duration = max(cue.end_seconds for cue in cues) - min(cue.start_seconds for cue in cues)
    if duration > 2 * planned and duration - planned > LATE_AFTER_END / 2:
        return [
            f"The file lasts {clock(duration)}, much longer than the session's planned "
            f"{clock(planned)}: check that this is the file of “{story_session.title}”."
        ]
    return []
