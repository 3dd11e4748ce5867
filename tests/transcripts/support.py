"""Helpers for the transcript tests: a session that took place, small Zoom files, the samples."""

from datetime import timedelta
from pathlib import Path

from sqlmodel import Session, func, select

from app.models import SessionStatus, StorySession, Transcript, TranscriptCue, TranscriptSpeaker
from app.models import utcnow as now
from tests.factories import create_session

SAMPLES = Path(__file__).parent / "fixtures"
"""Copies of ../shared/samples/transcripts, and fixtures written from the formats' documentation."""
ZOOM_TRANSCRIPT = SAMPLES / "zoom" / "zoomGroupStats_meeting001_transcript.vtt"
ZOOM_CHAT = SAMPLES / "zoom" / "zoomGroupStats_meeting001_chat.txt"


def held_session(
    session: Session, *, title: str = "How Acme runs its support desk", minutes: int = 60
) -> StorySession:
    """A session that took place two days ago."""
    return create_session(
        session,
        title=title,
        starts_at=now() - timedelta(days=2),
        duration_minutes=minutes,
        status=SessionStatus.completed,
    )


def _stamp(seconds: float) -> str:
    hours, rest = divmod(round(seconds * 1000), 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def zoom_vtt(*cues: tuple[str, float, float, str]) -> bytes:
    """A Zoom cloud-recording transcript of (speaker, start, end, text) cues."""
    blocks = [
        f"{number}\n{_stamp(start)} --> {_stamp(end)}\n{speaker + ': ' if speaker else ''}{text}"
        for number, (speaker, start, end, text) in enumerate(cues, start=1)
    ]
    return ("WEBVTT\n\n" + "\n\n".join(blocks) + "\n").encode()


def zoom_chat(*messages: tuple[str, float, str]) -> bytes:
    """A Zoom saved chat of (author, seconds into the meeting, text) messages."""
    lines = []
    for author, seconds, text in messages:
        hours, rest = divmod(int(seconds), 3600)
        lines.append(f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}\t{author}:\t{text}")
    return ("\n".join(lines) + "\n").encode()


def counts(session: Session) -> tuple[int, int, int]:
    """How many transcripts, speakers and cues are stored."""
    return (
        session.exec(select(func.count()).select_from(Transcript)).one(),
        session.exec(select(func.count()).select_from(TranscriptSpeaker)).one(),
        session.exec(select(func.count()).select_from(TranscriptCue)).one(),
    )
