"""Google Meet's transcript document (a Google Doc, downloaded as .docx or .txt).

    Customer story: Acme (2024-03-05 10:02 GMT) - Transcript
    Attendees
    Ana Ruiz, Bob Lee
    Transcript
    00:00:00
    Ana Ruiz: Thanks for having me.
    Bob Lee: Welcome!
    00:05:00
    …
    Meeting ended after 00:47:12 👋

Meet writes a time only every few minutes: each paragraph's time is estimated from the words
said before it in its section, up to the next time (or the meeting's end).
"""

import re

from app.models import TranscriptKind
from app.transcripts.parsing import text as t
from app.transcripts.parsing.model import ParsedCue, ParsedTranscript

LABELS = {
    "meet-docx": "Google Meet transcript (.docx)",
    "meet-txt": "Google Meet transcript (.txt)",
}
_TIME = re.compile(r"\d{1,2}:\d{2}:\d{2}")
_ENDED = re.compile(r"Meeting ended after (\d{1,2}:\d{2}:\d{2})", re.IGNORECASE)
_HEADINGS = frozenset({"transcript", "attendees"})
# About 150 words a minute, for the last section when the meeting's end is not written.
_SECONDS_PER_WORD = 0.4


def looks_like(head: list[tuple[int, str]]) -> bool:
    """A bare timestamp line, and a "Transcript" heading or a `Name: text` line."""
    stripped = [line.strip() for _, line in head]
    if not any(_TIME.fullmatch(line) for line in stripped):
        return False
    return any(line.casefold() in _HEADINGS for line in stripped) or any(
        t.split_speaker(line) is not None for line in stripped
    )


def read(lines: list[tuple[int, str]], encoding: str, *, key: str) -> ParsedTranscript:
    """Read the document's (line or paragraph number, text) lines."""
    sections: list[tuple[float, list[tuple[int, str, str]]]] = []
    ended: float | None = None
    speaker = ""
    started = False
    for number, line in lines:
        stripped = line.strip()
        if not stripped:
            continue
        if _TIME.fullmatch(stripped):
            seconds = t.clock_seconds(stripped)
            sections.append((seconds or 0.0, []))
            started = True
            continue
        if (match := _ENDED.match(stripped)) is not None:
            ended = t.clock_seconds(match[1])
            break
        if not started:
            continue  # the title, attendees and "Transcript" heading
        words = t.clean(stripped)
        split = t.split_speaker(words)
        if split is not None:
            speaker, words = split
        sections[-1][1].append((number, speaker, words))

    cues: list[ParsedCue] = []
    for index, (start, paragraphs) in enumerate(sections):
        counts = [len(words.split()) for _, _, words in paragraphs]
        total = sum(counts) or 1
        if index + 1 < len(sections):
            end = sections[index + 1][0]
        elif ended is not None and ended >= start:
            end = ended
        else:
            end = start + total * _SECONDS_PER_WORD
        span = max(end - start, 0.0)
        said = 0
        for (number, who, words), count in zip(paragraphs, counts, strict=True):
            begin = start + span * said / total
            said += count
            found = t.cue(
                who, round(begin, 3), round(start + span * said / total, 3), words, number
            )
            if found is not None:
                cues.append(found)
    warnings = []
    if cues:
        warnings.append(
            "Google Meet writes a time every few minutes only: the times of the paragraphs "
            "in between are estimated from their words."
        )
    return ParsedTranscript(
        kind=TranscriptKind.transcript,
        format=key,
        format_label=LABELS[key],
        encoding=encoding,
        cues=cues,
        warnings=warnings,
    )
