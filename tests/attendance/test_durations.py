"""Durations in the textual forms the platforms write (FORMATS.md §0.9)."""

import pytest

from app.attendance.parsing.durations import parse_duration


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("78", 78),  # Zoom and Webex: integer minutes
        ("12,5", 12.5),
        ("1h 2m 3s", 62 + 3 / 60),  # Teams
        ("1h 54m", 114),
        ("29m 24s", 29 + 24 / 60),
        ("59s", 59 / 60),
        ("2 godz. 19 min 19 s", 139 + 19 / 60),  # Teams in Polish
        ("1 godz. 57 min 16 sek.", 117 + 16 / 60),  # older Polish exports
        ("1 hr 2 min", 62),  # Google Meet
        ("56 min", 56),
        ("30 sec", 0.5),
        ("2 hrs", 120),
        ("01:05:51", 65 + 51 / 60),  # Zoom dashboard
    ],
)
def test_parse_duration_forms(text: str, minutes: float) -> None:
    assert parse_duration(text) == pytest.approx(minutes)


@pytest.mark.parametrize("text", ["", "--", "soon", "1x", "1h and a bit", "h 2"])
def test_parse_duration_rejects_other_text(text: str) -> None:
    with pytest.raises(ValueError, match="is not a duration"):
        parse_duration(text)
