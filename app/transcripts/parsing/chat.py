"""Zoom's saved meeting chat, in its two layouts.

- cloud recording (2020+): `00:21:14<TAB>Andrew Knight:<TAB>Hello everyone`, times from the
  recording's start;
- saved from the meeting window (older clients): `10:05:12 From Jane Doe to Everyone : Hi`
  or `10:05:12 From Jane Doe : Hi`, and (5.x) `10:05:12 From  Jane Doe  to  Everyone:` with
  the message on the lines below; times of day (`clock_times`).

A line without a time continues the message above it. Private messages (`to Bob(Privately)`,
`to Bob(Direct Message)`) were not said to the room: they are left out, with a warning.
"""

import re

from app.models import TranscriptKind
from app.transcripts.parsing import text as t
from app.transcripts.parsing.model import ParsedCue, ParsedTranscript

LABEL = "Zoom meeting chat"
_TAB = re.compile(r"(\d{1,2}:\d{2}:\d{2})\t(?P<who>[^\t]+?):[ \t](?P<text>.*)")
_FROM = re.compile(
    r"(\d{1,2}:\d{2}:\d{2})\s+From\s+(?P<who>.+?)(?:\s+to\s+(?P<to>.+?))?\s*:(?:\s(?P<text>.*))?"
)
# The cloud layout may name whom a message went to: "Ana Ruiz to Bob Lee(Direct Message)".
_TAB_TARGET = re.compile(
    r"(?P<who>.+?) to (?P<to>Everyone|.+?\((?:privately|direct message)\))", re.IGNORECASE
)
_PRIVATE = re.compile(r"\((?:privately|direct message)\)\s*$", re.IGNORECASE)
# Zoom writes reactions to a message as messages of their own.
_REACTION = re.compile(r'(?:Reacted to ".*" with \S+|Removed a \S+ reaction from ".*")')
_HALF_DAY = 12 * 3600
_DAY = 24 * 3600
_SHOWN = 3


def looks_like(head: list[tuple[int, str]]) -> bool:
    """Whether the first lines have a chat message in either layout."""
    return any(_TAB.match(line) or _FROM.match(line.strip()) for _, line in head)


def _seconds(clock: str) -> int:
    hours, minutes, seconds = (int(part) for part in clock.split(":"))
    return hours * 3600 + minutes * 60 + seconds


def read(lines: list[str], encoding: str) -> ParsedTranscript:
    """Read a saved chat: one cue per message to everyone, ending where it starts."""
    warnings: list[str] = []
    private: list[int] = []
    reactions = 0
    # (line, seconds, author, lines of text); None while in a private message.
    messages: list[tuple[int, float, str, list[str]]] = []
    current: list[str] | None = None
    clock_times: bool | None = None  # decided by the first message's layout
    previous: int | None = None
    day = 0
    for number, line in enumerate(lines, start=1):
        match = _TAB.match(line) or _FROM.match(line.strip())
        if match is None:
            if current is not None and line.strip():
                current.append(line)
            continue
        if clock_times is None:
            clock_times = match.re is _FROM
        clock = _seconds(match[1])
        if previous is not None and clock + _HALF_DAY < previous:
            day += _DAY
            warnings.append(
                f"Line {number}: the time goes back from {t.stamp(previous)[:8]} to "
                f"{match[1]}; read as the next day (the chat ran past midnight)."
            )
        previous = clock
        who, target = match["who"], match.groupdict().get("to") or ""
        if match.re is _TAB and (addressed := _TAB_TARGET.fullmatch(who)) is not None:
            who, target = addressed["who"], addressed["to"]
        if _PRIVATE.search(target):
            private.append(number)
            current = None
            continue
        current = [match["text"] or ""]
        messages.append((number, float(clock + day), who, current))

    cues: list[ParsedCue] = []
    for number, seconds, who, texts in messages:
        words = t.clean("\n".join(texts))
        if _REACTION.fullmatch(words):
            reactions += 1
            continue
        found = t.cue(who, seconds, seconds, words, number)
        if found is not None:
            cues.append(found)
    if private:
        shown = ", ".join(str(number) for number in private[:_SHOWN])
        more = f" and {len(private) - _SHOWN} more" if len(private) > _SHOWN else ""
        warnings.append(
            f"{len(private)} private {'message was' if len(private) == 1 else 'messages were'} "
            f"left out (line{'s' if len(private) > 1 else ''} {shown}{more}): only messages "
            "to everyone are the room's."
        )
    if reactions:
        warnings.append(
            f"{reactions} emoji {'reaction' if reactions == 1 else 'reactions'} to messages "
            f"{'was' if reactions == 1 else 'were'} left out."
        )
    return ParsedTranscript(
        kind=TranscriptKind.chat,
        format="zoom-chat",
        format_label=LABEL,
        encoding=encoding,
        cues=cues,
        warnings=warnings,
        clock_times=bool(clock_times),
    )
