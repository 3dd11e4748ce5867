"""Durations in the textual forms the platforms write, as minutes.

Zoom and Webex give integer minutes; Teams `1h 2m 3s`, `59s` or Polish `2 godz. 19 min 19 s`
(older exports `sek.`); Google Meet `1 hr 2 min`, `56 min`, `30 sec`; Zoom's dashboard
`01:05:51`.
"""

import re

_UNITS: dict[str, float] = {}
for _words, _minutes in (
    (("h", "hr", "hrs", "hour", "hours", "godz", "godzina", "godziny", "godzin", "時間"), 60.0),
    (("m", "min", "mins", "minute", "minutes", "minut", "minuty", "分"), 1.0),
    (("s", "sec", "secs", "second", "seconds", "sek", "sekund", "sekundy", "秒"), 1 / 60),
):
    for _word in _words:
        _UNITS[_word] = _minutes

_PART = re.compile(r"(\d+(?:[.,]\d+)?)\s*([^\W\d_]+)\.?")
_CLOCK = re.compile(r"(\d+):([0-5]\d)(?::([0-5]\d))?")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def parse_duration(text: str) -> float:
    """Minutes in `text`; a bare number is minutes. ValueError when it is not a duration."""
    text = text.strip()
    if _NUMBER.fullmatch(text):
        return float(text.replace(",", "."))
    clock = _CLOCK.fullmatch(text)
    if clock:
        hours, minutes, seconds = clock.groups()
        return int(hours) * 60 + int(minutes) + int(seconds or 0) / 60
    total = 0.0
    end = 0
    found = False
    for part in _PART.finditer(text):
        if text[end : part.start()].strip(" ,"):
            break
        unit = _UNITS.get(part.group(2).casefold())
        if unit is None:
            break
        total += float(part.group(1).replace(",", ".")) * unit
        end = part.end()
        found = True
    else:
        if found and not text[end:].strip(" ,"):
            return total
    raise ValueError(f"{text!r} is not a duration")
