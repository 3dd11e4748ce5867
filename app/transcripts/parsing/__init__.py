"""Transcripts and chats from Zoom, Teams, Meet or subtitles: bytes in, cues out.

`parse_transcript` is pure (no database); the format is found from the content, the file's
name only breaking a tie. Matching speakers to people happens elsewhere.
"""

import re
from pathlib import PurePath

from app.models import TranscriptKind
from app.transcripts.parsing import chat, documents, meet, srt, vtt
from app.transcripts.parsing import text as t
from app.transcripts.parsing.model import EXPECTED, ParsedCue, ParsedTranscript, TranscriptError

__all__ = [
    "EXPECTED",
    "FORMATS",
    "ParsedCue",
    "ParsedTranscript",
    "TranscriptError",
    "parse_transcript",
]

FORMATS: dict[str, tuple[str, TranscriptKind]] = {
    "zoom-vtt": (vtt.LABELS["zoom-vtt"], TranscriptKind.transcript),
    "teams-vtt": (vtt.LABELS["teams-vtt"], TranscriptKind.transcript),
    "webvtt": (vtt.LABELS["webvtt"], TranscriptKind.transcript),
    "teams-docx": (documents.LABEL, TranscriptKind.transcript),
    "meet-docx": (meet.LABELS["meet-docx"], TranscriptKind.transcript),
    "meet-txt": (meet.LABELS["meet-txt"], TranscriptKind.transcript),
    "srt": (srt.LABEL, TranscriptKind.transcript),
    "zoom-chat": (chat.LABEL, TranscriptKind.chat),
}
"""Each format key: how pages name it, and whether it is what was said or the chat."""

_ZIP = b"PK\x03\x04"
_SEPARATORS = re.compile(r"[,;\t]")
# Words of attendance reports' headers, English and the other languages of the samples.
_CSV_WORDS = (
    "email",
    "e-mail",
    "duration",
    "join",
    "leave",
    "meeting id",
    "participant",
    "attendee",
    "czas",  # Polish Teams reports: "Czas dołączenia", "Czas trwania"
    "メール",  # Japanese Zoom reports: "ユーザーメール", "参加時間"
    "参加",
)


def parse_transcript(data: bytes, *, filename: str = "") -> ParsedTranscript:
    """Read a transcript or chat into cues; TranscriptError, saying why, for any other file."""
    parsed = _read(data, filename)
    if not parsed.cues:
        left_out = f" ({parsed.warnings[0]})" if parsed.warnings else ""
        raise TranscriptError(
            f"The file reads as a {parsed.format_label} but no cue in it has words{left_out}.",
            expected="",
        )
    return parsed


def _read(data: bytes, filename: str) -> ParsedTranscript:
    if data.lstrip()[:4] == _ZIP:
        return documents.read(data)
    decoded = t.decode(data)
    lines = decoded.lines
    if vtt.looks_like(lines):
        return vtt.read(lines, decoded.encoding)
    head = t.first_lines(lines)
    if not head:
        raise TranscriptError("The file has no content: only blank lines.")
    if chat.looks_like(head):
        return chat.read(lines, decoded.encoding)
    if srt.looks_like(head):
        headerless_vtt = PurePath(filename).suffix.casefold() == ".vtt"
        return srt.read(lines, decoded.encoding, headerless_vtt=headerless_vtt)
    if meet.looks_like(head):
        return meet.read(list(enumerate(lines, start=1)), decoded.encoding, key="meet-txt")
    raise _refusal(head)


def _refusal(head: list[tuple[int, str]]) -> TranscriptError:
    rows = [line for _, line in head[:10] if len(_SEPARATORS.findall(line)) >= 2]
    if any(word in row.casefold() for row in rows for word in _CSV_WORDS):
        return TranscriptError(
            "The file looks like an attendance report (CSV), not a transcript: import it "
            "as the session's attendance instead."
        )
    if len(rows) >= 2:
        return TranscriptError("The file looks like a table (CSV), not a transcript.")
    return TranscriptError(
        f"No cue timings were found in the first {len(head)} lines (the file starts with "
        f"{t.quote(head[0][1])})."
    )
