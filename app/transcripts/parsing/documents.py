"""Word documents (.docx): Microsoft Teams' transcript download and Google Meet's transcript.

Teams has written two layouts:

- since 2023, a header (title, date, duration) then, for each turn, `Ana Ruiz   0:03` (the
  name, spaces or a tab, the time from the start as M:SS or H:MM:SS) and the words in the
  paragraph(s) below; "Ana Ruiz started transcription" lines in between;
- before, a WebVTT pasted into paragraphs: `0:0:0.0 --> 0:0:1.250`, the name, the words.

A "line" of these files is a paragraph, counted from 1 (line breaks inside a paragraph split
it into lines of the same number).
"""

import io
import re
import zipfile

from app.models import TranscriptKind
from app.transcripts.parsing import meet, srt
from app.transcripts.parsing import text as t
from app.transcripts.parsing.model import ParsedCue, ParsedTranscript, TranscriptError

LABEL = "Microsoft Teams transcript (.docx)"
ENCODING = "Word document (.docx)"
# "Ana Ruiz   0:03", "Ana Ruiz\t1:02:03": spaces or a tab between the name and the time.
_TURN = re.compile(r"(?P<name>\S.*?)(?:\t|\s{2,}| )(?P<time>\d{1,2}:\d{2}(?::\d{2})?)")
_TRANSCRIPTION = re.compile(r".+ (?:started|stopped) transcription", re.IGNORECASE)
_TURN_NAME_WORDS = 6
# A turn's end is not written: the next turn's start, unless the words were said well before
# it (a silence, a screen share), about 100 words a minute at the slowest.
_SECONDS_PER_WORD = 0.6
_PAUSE = 2.0


def paragraphs(data: bytes) -> list[tuple[int, str]]:
    """(paragraph number, text) of each line of the document's body; refused if not Word."""
    # Imported here: python-docx (and lxml) is a tenth of a second the rest never needs.
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as error:
        what = "a zip archive"
        if "spreadsheetml" in str(error):
            what = "an Excel workbook"
        elif "presentationml" in str(error):
            what = "a PowerPoint presentation"
        raise TranscriptError(f"This file is {what}, not a Word transcript.") from None
    lines: list[tuple[int, str]] = []
    for number, paragraph in enumerate(document.paragraphs, start=1):
        lines.extend((number, part) for part in paragraph.text.split("\n"))
    return lines


def _turn(line: str) -> tuple[str, float] | None:
    match = _TURN.fullmatch(line.strip())
    if match is None:
        return None
    name, seconds = match["name"].strip(), t.clock_seconds(match["time"])
    if seconds is None or len(name.split()) > _TURN_NAME_WORDS or name[-1] in ".?!,;:":
        return None
    if "  " not in line and "\t" not in line and not all(w[:1].isupper() for w in name.split()):
        return None  # one space only: "we meet at 3:00" ends a sentence, not a name
    return name, seconds


def read(data: bytes) -> ParsedTranscript:
    """Read a .docx transcript from Teams or Meet; refuse any other Word document."""
    lines = paragraphs(data)
    head = t.first_lines((line for _, line in lines), t.HEAD_LINES)
    numbered = [(lines[i - 1][0], text) for i, text in head]
    if srt.looks_like(numbered):
        return _pasted_vtt(lines)
    if meet.looks_like(numbered):
        return meet.read(lines, ENCODING, key="meet-docx")
    if sum(1 for _, line in numbered if _turn(line) is not None) >= 1:
        return _turns(lines)
    shown = t.quote(numbered[0][1]) if numbered else "nothing"
    raise TranscriptError(
        f"This Word document is not a transcript: its first {t.HEAD_LINES} paragraphs "
        f"(from {shown}) have no speaker with a time (“Ana Ruiz   0:03”), cue timings "
        "(“0:0:1.250 --> 0:0:4.000”) or Google Meet timestamps (“00:05:00”)."
    )


def _pasted_vtt(lines: list[tuple[int, str]]) -> ParsedTranscript:
    # read_cues numbers lines from 1; map them back to paragraph numbers.
    cues, problems = srt.read_cues([text for _, text in lines], speaker_line=True)
    paragraph = [number for number, _ in lines]
    problems = [(paragraph[line - 1], message) for line, message in problems]
    t.refuse_broken(problems, "Word transcript")
    return _transcript([_renumbered(cue, paragraph[cue.line - 1]) for cue in cues])


def _renumbered(cue: ParsedCue, line: int) -> ParsedCue:
    return ParsedCue(cue.speaker, cue.start_seconds, cue.end_seconds, cue.text, line)


def _turns(lines: list[tuple[int, str]]) -> ParsedTranscript:
    # (paragraph, speaker, start, lines of words)
    turns: list[tuple[int, str, float, list[str]]] = []
    for number, line in lines:
        stripped = line.strip()
        if not stripped or _TRANSCRIPTION.fullmatch(stripped):
            continue
        found = _turn(stripped)
        if found is not None:
            turns.append((number, found[0], found[1], []))
        elif turns:
            turns[-1][3].append(stripped)
    cues: list[ParsedCue] = []
    problems: list[tuple[int, str]] = []
    for index, (number, speaker, start, texts) in enumerate(turns):
        words = t.clean(" ".join(texts))
        end = start + _PAUSE + len(words.split()) * _SECONDS_PER_WORD
        if index + 1 < len(turns):
            end = min(end, turns[index + 1][2])
            next_start = turns[index + 1][2]
            if next_start < start:
                problems.append(
                    (
                        turns[index + 1][0],
                        f"the time {t.stamp(next_start)[:8]} comes before the turn above it "
                        f"({t.stamp(start)[:8]}).",
                    )
                )
        found_cue = t.cue(speaker, start, max(end, start), words, number)
        if found_cue is not None:
            cues.append(found_cue)
    t.refuse_broken(problems, "Word transcript")
    return _transcript(cues)


def _transcript(cues: list[ParsedCue]) -> ParsedTranscript:
    return ParsedTranscript(
        kind=TranscriptKind.transcript,
        format="teams-docx",
        format_label=LABEL,
        encoding=ENCODING,
        cues=cues,
    )
