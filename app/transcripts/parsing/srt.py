"""SubRip (.srt) subtitles, the fallback: numbered cues, `00:01:02,500 --> 00:01:05,000`.

Read line by line rather than by blank-separated blocks, so a cue written with no blank line
before the next one still ends at the next timings line. The same reading serves the older
Teams .docx layout, which is a WebVTT pasted into paragraphs.
"""

import re
from dataclasses import dataclass, field

from app.models import TranscriptKind
from app.transcripts.parsing import text as t
from app.transcripts.parsing.model import ParsedCue, ParsedTranscript

LABEL = "Subtitles (SubRip)"
HEADERLESS_VTT_LABEL = "Subtitles (WebVTT without its header)"
# Times as SRT, WebVTT and Teams' .docx write them: 00:00:01,000, 00:00:01.000, 0:0:1.250;
# anything after the end time (SRT's X1:… position, WebVTT's cue settings) is ignored.
TIMING = re.compile(r"\s*(\d+(?::\d+){1,2}(?:[.,]\d+)?)\s*-->\s*(\d+(?::\d+){1,2}(?:[.,]\d+)?)")
_INDEX = re.compile(r"\d+")


@dataclass(slots=True)
class _Open:
    line: int
    start: float
    end: float
    texts: list[str] = field(default_factory=list)


def looks_like(head: list[tuple[int, str]]) -> bool:
    """Whether the first lines have a cue timings line."""
    return any("-->" in line and TIMING.match(line) for _, line in head)


def read_cues(
    lines: list[str], *, speaker_line: bool = False
) -> tuple[list[ParsedCue], list[tuple[int, str]]]:
    """The cues, and (line, problem) for each timings line that cannot be read.

    `speaker_line`: the line after the timings names the speaker (the Teams .docx layout)
    when more lines follow it; otherwise a leading "Name:" or `<v Name>` does.
    """
    problems: list[tuple[int, str]] = []
    cues: list[ParsedCue] = []
    current: _Open | None = None
    index_line: str | None = None  # a number that may be the next cue's, held back
    block_start = True  # after a blank line or an index: where timings would be

    def close() -> None:
        if current is not None:
            found = _finish(current, speaker_line=speaker_line)
            if found is not None:
                cues.append(found)

    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped:
            if index_line is not None and current is not None:
                current.texts.append(index_line)
            index_line, block_start = None, True
            continue
        if (block_start or index_line is not None) and t.almost_timing(stripped):
            problems.append((number, _bad(line)))
            close()
            current, index_line = None, None
            continue
        block_start = False
        if "-->" in stripped:
            match = TIMING.match(stripped)
            start = end = None
            if match is not None:
                start, end = t.clock_seconds(match[1]), t.clock_seconds(match[2])
            if start is None or end is None:
                problems.append((number, _bad(line)))
                close()
                current, index_line = None, None
                continue
            t.check_order(number, start, end, problems)
            close()
            current, index_line = _Open(number, start, end), None
            continue
        if index_line is not None and current is not None:
            current.texts.append(index_line)
        index_line = None
        if _INDEX.fullmatch(stripped):
            index_line = stripped
        elif current is not None:
            current.texts.append(stripped)
    close()
    return cues, problems


def _finish(cue: _Open, *, speaker_line: bool) -> ParsedCue | None:
    texts = cue.texts
    speaker = ""
    if speaker_line and len(texts) > 1 and "<v" not in texts[0]:
        speaker, texts = t.clean(texts[0]), texts[1:]
    raw = "\n".join(texts)
    if not speaker and raw.startswith("<v"):
        voice = re.match(r"<v(?:\.[\w-]+)*[ \t]+([^>]*)>", raw)
        speaker = t.clean(voice[1]) if voice else ""
    words = t.clean(raw)
    if not speaker and (split := t.split_speaker(words)) is not None:
        speaker, words = split
    return t.cue(speaker, cue.start, cue.end, words, cue.line)


def _bad(line: str) -> str:
    return (
        f"the cue timings {t.quote(line)} cannot be read: expected “00:01:02,500 --> 00:01:05,000”."
    )


def read(lines: list[str], encoding: str, *, headerless_vtt: bool = False) -> ParsedTranscript:
    """Read SubRip subtitles (or a WebVTT without its header); refuse broken cues by line."""
    cues, problems = read_cues(lines)
    t.refuse_broken(problems, "subtitles file")
    warnings = []
    if headerless_vtt:
        warnings.append(
            "Line 1: the file does not start with “WEBVTT”; its cues were read as subtitles."
        )
    return ParsedTranscript(
        kind=TranscriptKind.transcript,
        format="webvtt" if headerless_vtt else "srt",
        format_label=HEADERLESS_VTT_LABEL if headerless_vtt else LABEL,
        encoding=encoding,
        cues=cues,
        warnings=warnings,
    )
