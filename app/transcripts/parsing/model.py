"""What a transcript parser hands back: plain, frozen data with no database in sight."""

from dataclasses import dataclass, field

from app.errors import Invalid
from app.models import TranscriptKind

EXPECTED = (
    "Expected a transcript or chat saved from the meeting: a Zoom transcript (.vtt) or saved "
    "chat (.txt), a Microsoft Teams transcript (.vtt or .docx), a Google Meet transcript "
    "(.docx or .txt), or subtitles (.srt)."
)


class TranscriptError(Invalid):
    """The file is not a transcript or chat we can read; the message says what was found."""

    def __init__(self, found: str, *, expected: str = EXPECTED) -> None:
        super().__init__(f"{found} {expected}".strip())


@dataclass(frozen=True, slots=True)
class ParsedCue:
    speaker: str
    """The name as the file writes it, stripped; "" when the cue names nobody."""
    start_seconds: float
    """From the start of the recording (chat: of the meeting), never negative."""
    end_seconds: float
    """Not before the start; a chat message ends where it starts."""
    text: str
    """The words, whitespace collapsed, markup removed; never empty."""
    line: int
    """Line (or .docx paragraph) of the file the cue starts on, for messages."""


@dataclass(frozen=True, slots=True)
class ParsedTranscript:
    kind: TranscriptKind
    format: str
    """A short stable key: zoom-vtt, teams-vtt, webvtt, teams-docx, meet-docx, meet-txt, srt,
    zoom-chat."""
    format_label: str
    """How pages name it: "Zoom transcript (WebVTT)"."""
    encoding: str
    cues: list[ParsedCue]
    warnings: list[str] = field(default_factory=list)
    """What was read in a way the organizer may want to check, with line numbers."""
    clock_times: bool = False
    """The times are the time of day the file was written in (a chat saved from the meeting
    window: 14:03:21), not from the start of the recording: align them to the session."""
