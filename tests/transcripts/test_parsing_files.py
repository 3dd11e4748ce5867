"""Every fixture read whole: the real Zoom files and the formats written from documentation."""

from pathlib import Path

import pytest

from app.models import TranscriptKind
from app.transcripts.parsing import (
    FORMATS,
    ParsedCue,
    ParsedTranscript,
    TranscriptError,
    parse_transcript,
)

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).parents[3] / "shared" / "samples" / "transcripts" / "zoom"


def _parse(name: str) -> ParsedTranscript:
    path = FIXTURES / name
    return parse_transcript(path.read_bytes(), filename=path.name)


def _said(parsed: ParsedTranscript) -> list[tuple[str, float, float, str]]:
    return [(c.speaker, c.start_seconds, c.end_seconds, c.text) for c in parsed.cues]


def _counts(parsed: ParsedTranscript) -> dict[str, int]:
    counts: dict[str, int] = {}
    for cue in parsed.cues:
        counts[cue.speaker] = counts.get(cue.speaker, 0) + 1
    return counts


def test_every_fixture_file_has_a_test() -> None:
    tests = "".join(path.read_text() for path in Path(__file__).parent.glob("test_parsing*.py"))
    files = sorted(
        p.name for p in FIXTURES.rglob("*") if p.is_file() and p.suffix not in {".py", ""}
    )

    assert len(files) == 13
    assert [name for name in files if name not in tests] == []


@pytest.mark.skipif(not SHARED.is_dir(), reason="the shared samples are not beside the repo")
def test_zoom_samples_are_byte_exact_copies_of_the_shared_ones() -> None:
    shared = {p.name: p.read_bytes() for p in SHARED.iterdir() if p.is_file()}
    copied = {name: (FIXTURES / "zoom" / name).read_bytes() for name in shared}

    assert [name for name in shared if shared[name] != copied[name]] == []


def test_zoom_meeting_transcript_real_sample() -> None:
    parsed = _parse("zoom/zoomGroupStats_meeting001_transcript.vtt")

    assert (parsed.kind, parsed.format, parsed.format_label, parsed.encoding) == (
        TranscriptKind.transcript,
        "zoom-vtt",
        "Zoom transcript (WebVTT)",
        "UTF-8",
    )
    assert len(parsed.cues) == 300
    assert _counts(parsed) == {
        "Andrew Knight": 45,
        "Paul McCartney": 242,
        "George Harrison": 3,
        "Ringo Starr": 1,
        "John Lennon": 7,
        "": 2,
    }
    assert parsed.cues[0] == ParsedCue(
        "Andrew Knight", 4.859, 7.41, "Okay, so we're recording. We're streaming", 4
    )
    last = parsed.cues[-1]
    assert (last.speaker, last.start_seconds, last.end_seconds, last.line) == (
        "Andrew Knight",
        3326.82,
        3341.97,
        1200,
    )
    assert last.text.startswith("Certainly, if you are in person ensure we have here rockets.")
    assert last.text.endswith("So thanks everyone. See you in our next program.")
    # Zoom writes no name when it could not tell who spoke.
    assert [c for c in parsed.cues if not c.speaker] == [
        ParsedCue("", 150.06, 150.42, "And that", 136),
        ParsedCue("", 168.0, 169.32, "Yes. Okay.", 152),
    ]
    assert parsed.warnings == []


def test_zoom_transcript_cleaner_example_real_sample() -> None:
    parsed = _parse("zoom/transcript-cleaner_example_transcript.vtt")

    assert (parsed.format, len(parsed.cues)) == ("zoom-vtt", 20)
    assert _counts(parsed) == {"Stewie Griffin": 10, "Brian Griffin": 10}
    assert _said(parsed)[0] == (
        "Stewie Griffin",
        1.22,
        7.5,
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit. Vestibulum vehicula neque "
        "non est tempor.",
    )
    assert _said(parsed)[-1] == (
        "Brian Griffin",
        64.001,
        68.0,
        "Aliquam erat volutpat. Aenean facilisis turpis nec nisl fermentum.",
    )


def test_zoom_cloud_chat_real_sample_crlf_and_curly_quotes() -> None:
    parsed = _parse("zoom/zoomGroupStats_meeting001_chat.txt")

    assert (parsed.kind, parsed.format, parsed.format_label) == (
        TranscriptKind.chat,
        "zoom-chat",
        "Zoom meeting chat",
    )
    assert len(parsed.cues) == 10
    assert _said(parsed)[0] == (
        "Andrew Knight",
        1274.0,
        1274.0,
        "Hello Everyone - It’s great to see folks dropping into the session. We’ll get started "
        "here in just about 5 minutes.",
    )
    assert _said(parsed)[-1] == ("Paul McCartney", 2209.0, 2209.0, "Fuselage")
    assert _counts(parsed) == {
        "Andrew Knight": 6,
        "Ringo Starr": 1,
        "George Harrison": 1,
        "John Lennon": 1,
        "Paul McCartney": 1,
    }
    assert [c.line for c in parsed.cues] == list(range(1, 11))


def test_zoom_older_chat_multiline_private_and_midnight() -> None:
    parsed = _parse("zoom/zoom_chat_from_everyone.txt")

    day = 24 * 3600
    assert _said(parsed) == [
        ("Ana Ruiz", 86320.0, 86320.0, "Hello from Madrid!"),
        ("Bob Lee", 86350.0, 86350.0, "Can you share the slides? And the recording, please."),
        ("Carol Diaz", 86399.0, 86399.0, "Great question"),
        ("Ana Ruiz", day + 5.0, day + 5.0, "Sure, I will post them & the link here. Thanks all"),
    ]
    assert [c.line for c in parsed.cues] == [1, 3, 6, 8]
    assert parsed.warnings == [
        "Line 7: the time goes back from 23:59:59 to 00:00:02; read as the next day (the chat "
        "ran past midnight).",
        "2 private messages were left out (lines 5, 7): only messages to everyone are the room's.",
    ]


def test_zoom_participants_report_is_refused_as_attendance() -> None:
    data = (FIXTURES / "zoom" / "zoomGroupStats_meeting001_participants.csv").read_bytes()

    with pytest.raises(TranscriptError) as refused:
        parse_transcript(data, filename="zoomGroupStats_meeting001_participants.csv")

    assert str(refused.value).startswith(
        "The file looks like an attendance report (CSV), not a transcript: import it as the "
        "session's attendance instead. Expected a transcript or chat saved from the meeting"
    )


def test_teams_webvtt_voices_notes_styles_settings_and_tags() -> None:
    parsed = _parse("teams/teams_transcript.vtt")

    assert (parsed.format, parsed.format_label) == (
        "teams-vtt",
        "Microsoft Teams transcript (WebVTT)",
    )
    assert _said(parsed) == [
        (
            "Ana Ruiz",
            3.12,
            7.48,
            "Thanks for having me. We moved our whole support desk over in March.",
        ),
        ("Ana Ruiz", 7.48, 11.0, 'And the first week was "rough" & slow.'),
        ("Bob Lee", 12.01, 15.9, "What changed after that?"),
        ("Ana Ruiz (Acme)", 62.0, 69.25, "Honestly? Your team called us back <within an hour>."),
        ("Bob Lee", 3600.0, 3604.0, "Thank you, Ana."),
    ]
    assert [c.line for c in parsed.cues] == [12, 17, 27, 31, 35]


def test_generic_webvtt_without_speakers() -> None:
    parsed = _parse("other/subtitles.vtt")

    assert (parsed.format, parsed.format_label) == ("webvtt", "Subtitles (WebVTT)")
    assert _said(parsed) == [
        ("", 1.0, 4.0, "Welcome to the customer story session."),
        ("", 4.5, 8.0, "Today we hear from Acme: how their support changed."),
        ("", 9.0, 12.25, "Thank you for joining."),
    ]


def test_srt_with_and_without_a_leading_name() -> None:
    parsed = _parse("other/subtitles.srt")

    assert (parsed.format, parsed.format_label) == ("srt", "Subtitles (SubRip)")
    assert _said(parsed) == [
        ("Ana Ruiz", 1.0, 4.0, "We switched in March."),
        ("", 4.5, 8.0, "It took a while to settle."),
        ("Bob Lee", 9.0, 12.25, "What helped most? 2 things, really."),
    ]
    assert [c.line for c in parsed.cues] == [2, 6, 10]


def test_teams_docx_2023_layout_name_and_time_then_words() -> None:
    parsed = _parse("teams/teams_transcript_2023.docx")

    assert (parsed.format, parsed.format_label, parsed.encoding) == (
        "teams-docx",
        "Microsoft Teams transcript (.docx)",
        "Word document (.docx)",
    )
    # Ends: the next turn's start, or sooner when the words were said long before it.
    assert _said(parsed) == [
        ("Bob Lee", 3.0, 9.0, "Welcome, everyone. Ana, thanks for joining us."),
        (
            "Ana Ruiz (Acme)",
            9.0,
            9.0 + 2.0 + 20 * 0.6,
            "Thanks for having me. We moved our support desk over in March. And the first "
            "week was rough & slow.",
        ),
        ("Carol Diaz", 3723.0, 3730.0, "What changed after that? Let us talk at 3:00"),
        (
            "Ana Ruiz (Acme)",
            3730.0,
            3730.0 + 2.0 + 8 * 0.6,
            "Your team called us back within an hour.",
        ),
    ]
    assert [c.line for c in parsed.cues] == [5, 7, 10, 11]


def test_teams_docx_older_layout_pasted_webvtt() -> None:
    parsed = _parse("teams/teams_transcript_pasted_vtt.docx")

    assert parsed.format == "teams-docx"
    assert _said(parsed) == [
        ("Bob Lee", 0.0, 4.25, "Welcome, everyone."),
        ("Ana Ruiz", 4.25, 9.9, "Thanks for having me."),
        ("Ana Ruiz", 10.0, 15.48, "We moved our support desk over in March."),
        ("Carol Diaz", 62.0, 65.0, "What changed after that?"),
    ]
    assert [c.line for c in parsed.cues] == [1, 4, 7, 10]


def test_meet_docx_times_between_timestamps_estimated_from_words() -> None:
    parsed = _parse("meet/meet_transcript.docx")

    assert (parsed.format, parsed.format_label) == ("meet-docx", "Google Meet transcript (.docx)")
    # 00:00:00 to 00:05:00 shared by 7 and 11 words; 00:05:00 to the end (07:30) by 4 and 10.
    assert _said(parsed) == [
        ("Bob Lee", 0.0, 116.667, "Welcome, everyone. Ana, thanks for joining us."),
        (
            "Ana Ruiz",
            116.667,
            300.0,
            "Thanks for having me. We moved our support desk in March.",
        ),
        ("Carol Diaz", 300.0, 342.857, "What changed after that?"),
        ("Ana Ruiz", 342.857, 450.0, "Your team called us back within an hour, every time."),
    ]
    assert [c.line for c in parsed.cues] == [6, 7, 9, 10]
    assert parsed.warnings == [
        "Google Meet writes a time every few minutes only: the times of the paragraphs in "
        "between are estimated from their words."
    ]


def test_meet_txt_continuation_paragraph_keeps_the_speaker() -> None:
    parsed = _parse("meet/meet_transcript.txt")

    assert (parsed.format, parsed.format_label) == ("meet-txt", "Google Meet transcript (.txt)")
    assert [(c.speaker, c.text, c.line) for c in parsed.cues] == [
        ("Bob Lee", "Welcome, everyone. Ana, thanks for joining us.", 7),
        ("Ana Ruiz", "Thanks for having me. We moved our support desk over in March.", 8),
        ("Ana Ruiz", "And the first week was rough.", 9),
        ("Carol Diaz", "What changed after that?", 12),
        ("Ana Ruiz", "Your team called us back within an hour, every time.", 13),
    ]
    assert (parsed.cues[0].start_seconds, parsed.cues[2].end_seconds) == (0.0, 300.0)
    assert parsed.cues[-1].end_seconds == 450.0


def test_word_document_that_is_not_a_transcript_is_refused() -> None:
    with pytest.raises(TranscriptError) as refused:
        _parse("other/minutes.docx")

    assert str(refused.value).startswith(
        "This Word document is not a transcript: its first 40 paragraphs (from “Minutes”) have "
        "no speaker with a time (“Ana Ruiz   0:03”)"
    )


def test_formats_name_every_key_a_parser_returns() -> None:
    assert {key: label for key, (label, _) in FORMATS.items()} == {
        "zoom-vtt": "Zoom transcript (WebVTT)",
        "teams-vtt": "Microsoft Teams transcript (WebVTT)",
        "webvtt": "Subtitles (WebVTT)",
        "teams-docx": "Microsoft Teams transcript (.docx)",
        "meet-docx": "Google Meet transcript (.docx)",
        "meet-txt": "Google Meet transcript (.txt)",
        "srt": "Subtitles (SubRip)",
        "zoom-chat": "Zoom meeting chat",
    }
    assert [key for key, (_, kind) in FORMATS.items() if kind is TranscriptKind.chat] == [
        "zoom-chat"
    ]
