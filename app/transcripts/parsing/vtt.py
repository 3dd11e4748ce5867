"""WebVTT transcripts: Zoom's (`Name: text` cues), Teams' (`<v Name>` voice spans), any other.

webvtt-py reads each cue block (timings, settings, tags, the voice span); the blocks are cut
here so that every cue keeps the line it starts on and a broken one can be named.
"""

import re
from collections.abc import Iterator

from webvtt.models import Caption
from webvtt.vtt import parse_item

from app.models import TranscriptKind
from app.transcripts.parsing import text as t
from app.transcripts.parsing.model import ParsedCue, ParsedTranscript

LABELS = {
    "zoom-vtt": "Zoom transcript (WebVTT)",
    "teams-vtt": "Microsoft Teams transcript (WebVTT)",
    "webvtt": "Subtitles (WebVTT)",
}
# More than this share of cues opening with "Name: " makes a Zoom transcript.
_ZOOM_SHARE = 0.6
_VOICE_NAME = re.compile(r"<v(?:\.[\w-]+)*[ \t]+([^>]*)>")
_VOICE = re.compile(r"<v(?:\.[\w-]+)*[ \t]+([^>]*)>(.*?)(?:</v>|(?=<v[ \t.])|\Z)", re.S)
_SKIPPED = ("NOTE", "STYLE", "REGION")


def looks_like(lines: list[str]) -> bool:
    """Whether the file opens as WebVTT does (blank lines before it are forgiven)."""
    head = t.first_lines(lines, 1)
    return bool(head) and head[0][1].lstrip().startswith("WEBVTT")


def _blocks(lines: list[str]) -> Iterator[tuple[int, list[str]]]:
    """(line of the first line, lines) for each block, cut as webvtt-py cuts them.

    A block ends at a blank line, or where a cue timings line cannot belong to it (a cue
    written with no blank line before it).
    """
    block: list[str] = []
    start = 0
    header = True
    for number, line in enumerate(lines, start=1):
        blank = not line.strip()
        # A timings line starts a new block unless it can be this one's (after an id).
        ends = blank or (
            "-->" in line and bool(block) and (header or len(block) > 1 or "-->" in block[0])
        )
        if block and ends:
            yield start, block
            block = []
            header = False
        if not blank:
            if not block:
                start = number
            block.append(line)
    if block:
        yield start, block


def _timing_line(first: int, block: list[str]) -> int:
    return next((first + i for i, line in enumerate(block) if "-->" in line), first)


def _voices(raw: str) -> list[tuple[str, str]]:
    """(speaker, raw text) of each voice span of a cue's text that has at least one."""
    if raw.count("<v") == 1:
        found = _VOICE_NAME.search(raw)
        return [(t.clean(found[1]) if found else "", raw)]
    return [(t.clean(who), said) for who, said in _VOICE.findall(raw)]


def read(lines: list[str], encoding: str) -> ParsedTranscript:
    """Read a WebVTT file; refuse it, naming the lines, if any cue is broken."""
    problems: list[tuple[int, str]] = []
    entries: list[tuple[int, float, float, str, str]] = []  # line, start, end, speaker, words
    voiced = False
    blocks = _blocks(lines)
    next(blocks, None)  # the WEBVTT header and its metadata
    for first, block in blocks:
        if block[0].startswith(_SKIPPED):
            continue
        has_timing = any("-->" in line for line in block)
        if not has_timing:
            for offset, written in enumerate(block[:2]):
                if t.almost_timing(written):
                    problems.append((first + offset, _bad_timing(written)))
                    break
            continue  # neither a cue nor a known block: WebVTT readers pass over it
        line = _timing_line(first, block)
        item = parse_item(block)
        if not isinstance(item, Caption):
            problems.append((line, _bad_timing(lines[line - 1])))
            continue
        start = item.start_time.in_milliseconds() / 1000
        end = item.end_time.in_milliseconds() / 1000
        t.check_order(line, start, end, problems)
        raw = "\n".join(item.lines)
        if "<v" in raw:
            voiced = True
            for speaker, said in _voices(raw):
                entries.append((line, start, end, speaker, t.clean(said)))
        else:
            entries.append((line, start, end, "", t.clean(raw)))
    t.refuse_broken(problems, "WebVTT file")

    splits = [None if voiced else t.split_speaker(entry[4]) for entry in entries]
    named = sum(1 for split in splits if split is not None)
    zoom = not voiced and bool(entries) and named / len(entries) > _ZOOM_SHARE
    cues: list[ParsedCue] = []
    for (line, start, end, speaker, words), split in zip(entries, splits, strict=True):
        if zoom and split is not None:
            speaker, words = split
        found = t.cue(speaker, start, end, words, line)
        if found is not None:
            cues.append(found)
    key = "teams-vtt" if voiced else "zoom-vtt" if zoom else "webvtt"
    return ParsedTranscript(
        kind=TranscriptKind.transcript,
        format=key,
        format_label=LABELS[key],
        encoding=encoding,
        cues=cues,
    )


def _bad_timing(line: str) -> str:
    hint = ""
    if re.search(r"\d,\d", line):
        hint = " (WebVTT writes a dot before the milliseconds, not a comma)"
    return (
        f"the cue timings {t.quote(line)} cannot be read{hint}: expected "
        "“00:01:02.500 --> 00:01:05.000”."
    )
