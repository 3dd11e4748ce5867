"""Suggestions for the recap, computed from a transcript and kept with it.

Apart from importing so that confirming a speaker (app.transcripts.speakers) and erasure can
suggest again without importing the importer, which matches speakers with that module.
"""

from collections.abc import Collection, Sequence

from sqlalchemy import select as select_columns  # typed for any number of columns
from sqlmodel import Session, col, select

from app.db import id_of
from app.models import SpeakerMatch, Theme, Transcript, TranscriptCue, TranscriptSpeaker
from app.transcripts.suggestions import CueText, Suggestions, suggest


def store_suggestions(
    session: Session,
    *,
    transcript: Transcript,
    cues: Sequence[CueText],
    customers: Collection[str],
) -> Suggestions:
    """Suggest from `cues`, the `customers` (storyteller labels) being whose words count,
    against the organisation's existing themes; kept on the transcript."""
    themes = [
        (id_of(theme), theme.name) for theme in session.exec(select(Theme).order_by(col(Theme.id)))
    ]
    result = suggest(cues, customer_speakers=customers, themes=themes)
    transcript.suggestions = result.model_dump()
    session.add(transcript)
    session.flush()
    return result


def recompute_suggestions(session: Session, *, transcript: Transcript) -> Suggestions:
    """Suggest again from the stored cues: after who the customer is changed, or words were
    erased."""
    transcript_id = id_of(transcript)
    labels = dict(
        session.exec(
            select(TranscriptSpeaker.id, TranscriptSpeaker.label).where(
                TranscriptSpeaker.transcript_id == transcript_id
            )
        ).all()
    )
    customers = set(
        session.exec(
            select(TranscriptSpeaker.label).where(
                TranscriptSpeaker.transcript_id == transcript_id,
                TranscriptSpeaker.match == SpeakerMatch.storyteller,
            )
        ).all()
    )
    cues = [
        CueText(
            position=position,
            speaker=labels.get(speaker_id, "") if speaker_id is not None else "",
            start_seconds=start,
            end_seconds=end,
            text=text,
        )
        for position, speaker_id, start, end, text in session.execute(
            select_columns(
                col(TranscriptCue.position),
                col(TranscriptCue.speaker_id),
                col(TranscriptCue.start_seconds),
                col(TranscriptCue.end_seconds),
                col(TranscriptCue.text),
            )
            .where(col(TranscriptCue.transcript_id) == transcript_id)
            .order_by(col(TranscriptCue.position))
        ).all()
    ]
    return store_suggestions(session, transcript=transcript, cues=cues, customers=customers)
