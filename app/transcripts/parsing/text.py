"""What every transcript reader shares: bytes to lines, cue text cleaned, times read, refusals."""

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass

from app.kit import tables
from app.transcripts.parsing.model import ParsedCue, TranscriptError

HEAD_LINES = 40
MAX_BROKEN = 5
# Markup as cue text writes it: <v Name>, </v>, <c.red>, <i>, <b>, <00:00:01.000>. A "<" not
# followed by a tag name ("I <3 it", "a < b") is text and stays.
_TAG = re.compile(r"</?[A-Za-z][\w.-]*(?:\s[^<>]*)?>|<\d+(?::\d+)+(?:\.\d+)?>")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# "Ana Ruiz: text": a name of a few words before the first ": " of the line.
_NAME_PREFIX = re.compile(r"(?P<name>[^:<>\[\]{}\d\s][^:<>\[\]{}]{0,79}?):\s+(?P<text>\S.*)", re.S)
_NAME_WORDS = 8
# [h+:]mm:ss[.,fraction]: WebVTT, SRT and the Teams .docx layouts.
_CLOCK = re.compile(r"(?:(\d{1,3}):)?(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?")


# Cue timings written wrong: "00:00:01.000 -> 00:00:02.000", "00:00:01 - 00:00:02".
_ALMOST_TIMING = re.compile(r"\s*\d+:\d{2}[\d:.,]*\s*(?:-+>?|=>|–|—|to)\s*\d+:\d{2}")


@dataclass(frozen=True, slots=True)
class Text:
    """A file decoded: its lines (1-based line N is lines[N - 1]) and encoding for people."""

    lines: list[str]
    encoding: str


def decode(data: bytes) -> Text:
    """The file's lines, decoded as every upload is (`app.kit.tables`); refused if not text."""
    if not data.strip():
        raise TranscriptError("The file is empty." if not data else "The file has only blanks.")
    kind = tables.document_kind(data)
    if kind is not None:
        raise TranscriptError(f"This file is {kind}, not a transcript.")
    try:
        source = tables.open_table(data, subject="the transcript")
    except tables.NotATable:
        raise TranscriptError(
            "This file is not text: it looks like binary data (or an encoding other than "
            "UTF-8, UTF-16 or Windows-1252)."
        ) from None
    with source.open() as stream:
        content = stream.read()
    lines = _LINE_BREAK.split(content)
    if lines and lines[0].startswith("\ufeff"):
        lines[0] = lines[0][1:]
    return Text(lines=lines, encoding=source.label)


def clean(text: str) -> str:
    """Cue text as it is stored: markup removed, entities read, whitespace collapsed."""
    if "<" in text:
        text = _TAG.sub("", text)
    if "&" in text:
        text = html.unescape(text)
    return " ".join(text.split())


def split_speaker(text: str) -> tuple[str, str] | None:
    """("Ana Ruiz", "Hello") for "Ana Ruiz: Hello"; None when the text names nobody."""
    match = _NAME_PREFIX.match(text)
    if match is None:
        return None
    name = match["name"].strip()
    # A name may end in an initial ("Ana R."), not in a question or a list.
    if len(name.split()) > _NAME_WORDS or name.endswith(("?", "!", ",")):
        return None
    return name, match["text"]


def clock_seconds(text: str) -> float | None:
    """Seconds in "01:02:03.450", "2:03", "0:0:2.90"; None when it is not such a time."""
    match = _CLOCK.fullmatch(text.strip())
    if match is None:
        return None
    hours, minutes, seconds, fraction = match.groups()
    if hours is None and len(minutes) == 1 and fraction is None and len(seconds) == 1:
        return None
    if int(seconds) > 59 or (hours is not None and int(minutes) > 59):
        return None
    value = float(int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds))
    return value + (int(fraction.ljust(3, "0")) / 1000 if fraction else 0.0)


def almost_timing(line: str) -> bool:
    """Whether a line is cue timings without the "-->" arrow (so no reader would see a cue)."""
    return "-->" not in line and _ALMOST_TIMING.match(line) is not None


def stamp(seconds: float) -> str:
    """00:01:02.500, for messages."""
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def refuse_broken(problems: list[tuple[int, str]], what: str) -> None:
    """Refuse the file when some cues are broken, naming the first few of their lines."""
    if not problems:
        return
    # Each message is a sentence of its own.
    shown = " ".join(f"Line {line}: {message}" for line, message in problems[:MAX_BROKEN])
    more = len(problems) - MAX_BROKEN
    count = f"{len(problems)} cues" if len(problems) > 1 else "One cue"
    raise TranscriptError(
        f"{count} of this {what} cannot be read. {shown}"
        + (f" And {more} more." if more > 0 else ""),
        expected="Correct those lines, or download the file again from the meeting's recording.",
    )


def check_order(line: int, start: float, end: float, problems: list[tuple[int, str]]) -> None:
    """Note a cue that ends before it starts (a transcript's times never go back in a cue)."""
    if end < start:
        problems.append(
            (line, f"the cue ends at {stamp(end)}, before it starts at {stamp(start)}.")
        )


def quote(line: str, limit: int = 60) -> str:
    """A line shown in a message: stripped, cut with an ellipsis."""
    shown = " ".join(line.split())
    return f"“{shown[:limit]}…”" if len(shown) > limit else f"“{shown}”"


def first_lines(lines: Iterable[str], count: int = HEAD_LINES) -> list[tuple[int, str]]:
    """(line number, line) of the first `count` lines that are not blank."""
    found: list[tuple[int, str]] = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            found.append((number, line))
            if len(found) >= count:
                break
    return found


def cue(speaker: str, start: float, end: float, words: str, line: int) -> ParsedCue | None:
    """A cue of already `clean` words; None when there are none (empty cues are skipped)."""
    if not words:
        return None
    return ParsedCue(
        speaker=" ".join(speaker.split()),
        start_seconds=start,
        end_seconds=end,
        text=words,
        line=line,
    )
