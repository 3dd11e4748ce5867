"""Encodings, line endings, broken cues named by line, refusals, and text cleaning."""

import codecs
import io
import zipfile
from pathlib import Path

import pytest
from docx import Document
from hypothesis import given, settings
from hypothesis import strategies as st

from app.transcripts.parsing import EXPECTED, ParsedTranscript, TranscriptError, parse_transcript
from app.transcripts.parsing.text import stamp

ZOOM = "WEBVTT\n\n1\n00:00:01.000 --> 00:00:03.500\nAna Ruiz: Olá, ça va? Über gut.\n\n"
ZOOM += "2\n00:00:04.000 --> 00:00:06.000\nBob Lee: Fine.\n"


def _said(parsed: ParsedTranscript) -> list[tuple[str, float, float, str]]:
    return [(c.speaker, c.start_seconds, c.end_seconds, c.text) for c in parsed.cues]


def _refusal(data: bytes, filename: str = "") -> str:
    with pytest.raises(TranscriptError) as refused:
        parse_transcript(data, filename=filename)
    assert refused.value.status_code == 422
    return str(refused.value.detail)


SAID = [
    ("Ana Ruiz", 1.0, 3.5, "Olá, ça va? Über gut."),
    ("Bob Lee", 4.0, 6.0, "Fine."),
]


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (ZOOM.encode(), "UTF-8"),
        (codecs.BOM_UTF8 + ZOOM.encode(), "UTF-8 with BOM"),
        (ZOOM.replace("\n", "\r\n").encode("utf-16"), "UTF-16LE with BOM"),
        (codecs.BOM_UTF16_BE + ZOOM.encode("utf-16-be"), "UTF-16BE with BOM"),
        (ZOOM.encode("utf-16-le"), "UTF-16LE without BOM"),
        (ZOOM.replace("\n", "\r").encode("cp1252"), "Windows-1252"),
    ],
    ids=["utf8", "utf8-bom", "utf16le-bom-crlf", "utf16be-bom", "utf16le", "cp1252-cr"],
)
def test_encodings_and_line_endings_read_the_same_cues(data: bytes, encoding: str) -> None:
    parsed = parse_transcript(data, filename="zoom.vtt")

    assert (parsed.format, parsed.encoding) == ("zoom-vtt", encoding)
    assert _said(parsed) == SAID
    assert [c.line for c in parsed.cues] == [4, 8]


def test_cp1252_chat_with_curly_quotes() -> None:
    data = "10:00:01\tAna Ruiz:\tIt’s “great” – thanks\r\n".encode("cp1252")

    parsed = parse_transcript(data)

    assert (parsed.encoding, _said(parsed)) == (
        "Windows-1252",
        [("Ana Ruiz", 36001.0, 36001.0, "It’s “great” – thanks")],
    )


def test_broken_cue_timings_refuse_the_file_naming_each_line() -> None:
    data = (
        b"WEBVTT\n\n1\n00:00:01.000 --> 00:00:0x.000\nAna: a\n\n"
        b"2\n00:00:04,000 --> 00:00:05,000\nAna: b\n\n"
        b"3\n00:00:09.000 --> 00:00:07.000\nAna: c\n\n"
        b"4\n00:00:10.000 --> 00:00:11.000\nAna: fine\n"
    )

    assert _refusal(data) == (
        "3 cues of this WebVTT file cannot be read. "
        "Line 4: the cue timings “00:00:01.000 --> 00:00:0x.000” cannot be read: expected "
        "“00:01:02.500 --> 00:01:05.000”. "
        "Line 8: the cue timings “00:00:04,000 --> 00:00:05,000” cannot be read (WebVTT writes "
        "a dot before the milliseconds, not a comma): expected “00:01:02.500 --> 00:01:05.000”. "
        "Line 12: the cue ends at 00:00:07.000, before it starts at 00:00:09.000. "
        "Correct those lines, or download the file again from the meeting's recording."
    )


def test_many_broken_cues_name_the_first_five_and_count_the_rest() -> None:
    cues = "".join(f"{i}\n00:00:09.000 --> 00:00:01.000\nAna: x\n\n" for i in range(1, 9))

    message = _refusal(f"WEBVTT\n\n{cues}".encode())

    assert message.startswith("8 cues of this WebVTT file cannot be read. Line 4: ")
    assert ". Line 20: " in message
    assert "Line 24" not in message
    assert ". And 3 more. Correct those lines" in message


def test_srt_cue_ending_before_it_starts_is_refused_with_its_line() -> None:
    data = b"1\n00:00:05,000 --> 00:00:02,000\nAna: late\n"

    assert _refusal(data).startswith(
        "One cue of this subtitles file cannot be read. Line 2: the cue ends at 00:00:02.000, "
        "before it starts at 00:00:05.000."
    )


def test_teams_docx_turn_going_back_in_time_is_refused_with_its_paragraph() -> None:
    document = Document()
    for text in ["Ana Ruiz   0:10", "Hello.", "Bob Lee   0:05", "Hi."]:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)

    assert _refusal(buffer.getvalue()).startswith(
        "One cue of this Word transcript cannot be read. Line 3: the time 00:00:05 comes before "
        "the turn above it (00:00:10)."
    )


@pytest.mark.parametrize(
    ("data", "found"),
    [
        (b"", "The file is empty."),
        (b" \r\n\t\n", "The file has only blanks."),
        (b"%PDF-1.7\n...", "This file is a PDF document, not a transcript."),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "This file is a PNG image, not a transcript."),
        (
            b"WEBVTT\x00\x01\x02\x03\x00\x00\x05binary",
            "This file is not text: it looks like binary data (or an encoding other than "
            "UTF-8, UTF-16 or Windows-1252).",
        ),
        (
            b"Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes)\n"
            b"Ana Ruiz,ana@example.com,03/05/2024 10:00:00 AM,03/05/2024 11:00:00 AM,60\n",
            "The file looks like an attendance report (CSV), not a transcript: import it as "
            "the session's attendance instead.",
        ),
        (
            b"Dear all,\nplease find the notes below.\n",
            "No cue timings were found in the first 2 lines (the file starts with “Dear all,”).",
        ),
    ],
    ids=["empty", "blank", "pdf", "png", "binary", "attendance-csv", "letter"],
)
def test_files_that_are_not_transcripts_are_refused_saying_what_was_expected(
    data: bytes, found: str
) -> None:
    assert _refusal(data) == f"{found} {EXPECTED}"


ATTENDANCE = Path(__file__).parents[1] / "attendance" / "fixtures"


@pytest.mark.parametrize(
    "path",
    sorted(ATTENDANCE.rglob("*.csv")),
    ids=lambda path: path.name,
)
def test_every_attendance_report_sample_is_refused_as_one(path: Path) -> None:
    assert _refusal(path.read_bytes(), filename=path.name) == (
        "The file looks like an attendance report (CSV), not a transcript: import it as the "
        f"session's attendance instead. {EXPECTED}"
    )


def test_a_table_that_is_not_an_attendance_report_is_refused_as_a_table() -> None:
    data = b"product,price,stock\nwidget,3,10\ngadget,5,0\n"

    assert _refusal(data) == f"The file looks like a table (CSV), not a transcript. {EXPECTED}"


def test_a_transcript_or_chat_with_nothing_said_is_refused() -> None:
    empty_vtt = b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Ana Ruiz></v>\n"
    private_only = b"10:00:00 From Ana Ruiz to Bob Lee(Privately) : hi\n"

    assert _refusal(empty_vtt) == (
        "The file reads as a Microsoft Teams transcript (WebVTT) but no cue in it has words."
    )
    assert _refusal(private_only) == (
        "The file reads as a Zoom meeting chat but no cue in it has words (1 private message "
        "was left out (line 1): only messages to everyone are the room's.)."
    )


def test_other_text_is_refused_after_looking_at_forty_lines() -> None:
    data = "".join(f"note {i}\n" for i in range(100)).encode()

    assert _refusal(data).startswith(
        "No cue timings were found in the first 40 lines (the file starts with “note 0”)."
    )


def test_zip_that_is_not_a_word_document_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")

    assert _refusal(buffer.getvalue()) == (
        f"This file is a zip archive, not a Word transcript. {EXPECTED}"
    )


def test_excel_workbook_is_refused_by_name() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Target="xl/workbook.xml" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
            "</Relationships>",
        )
        archive.writestr(
            "xl/workbook.xml",
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>',
        )

    assert _refusal(buffer.getvalue(), filename="report.xlsx") == (
        f"This file is an Excel workbook, not a Word transcript. {EXPECTED}"
    )


def test_srt_speaker_name_may_end_in_an_initial_but_a_question_is_not_a_name() -> None:
    data = (
        b"1\n00:00:01,000 --> 00:00:02,000\nAna R.: hello\n\n"
        b"2\n00:00:03,000 --> 00:00:04,000\nWhy?: no reason\n"
    )

    assert [(c.speaker, c.text) for c in parse_transcript(data).cues] == [
        ("Ana R.", "hello"),
        ("", "Why?: no reason"),
    ]


def test_text_cleaning_removes_markup_reads_entities_and_keeps_html_as_text() -> None:
    data = (
        b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n"
        b"<v Ana Ruiz><b>Bold</b>   and\t<i>spaced</i> &lt;script&gt;alert(1)&lt;/script&gt;</v>\n"
    )

    parsed = parse_transcript(data)

    assert _said(parsed) == [("Ana Ruiz", 1.0, 2.0, "Bold and spaced <script>alert(1)</script>")]


def test_a_cue_with_two_voices_becomes_two_cues_and_empty_cues_are_skipped() -> None:
    data = (
        b"WEBVTT\n\nNOTE a comment\n\n00:00:01.000 --> 00:00:04.000\n"
        b"<v Ana Ruiz>Hello.</v>\n<v Bob Lee>Hi, Ana.</v>\n\n"
        b"00:00:05.000 --> 00:00:06.000\n<v Bob Lee> </v>\n\n"
        b"00:00:07.000 --> 00:00:08.000\n<v.loud Bob Lee>Great.\n"
    )

    parsed = parse_transcript(data)

    assert _said(parsed) == [
        ("Ana Ruiz", 1.0, 4.0, "Hello."),
        ("Bob Lee", 1.0, 4.0, "Hi, Ana."),
        ("Bob Lee", 7.0, 8.0, "Great."),
    ]
    assert [c.line for c in parsed.cues] == [5, 5, 12]


def test_a_cue_written_without_a_blank_line_before_the_next_still_ends_there() -> None:
    data = (
        b"WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nAna Ruiz: one\n"
        b"2\n00:00:03.000 --> 00:00:04.000\nAna Ruiz: two\n"
    )

    assert _said(parse_transcript(data)) == [
        ("Ana Ruiz", 1.0, 2.0, "one 2"),
        ("Ana Ruiz", 3.0, 4.0, "two"),
    ]


def test_cues_stay_in_file_order_and_past_any_session_end() -> None:
    data = (
        b"WEBVTT\n\n00:00:09.000 --> 00:00:10.000\nAna Ruiz: later\n\n"
        b"00:00:01.000 --> 00:00:02.000\nAna Ruiz: earlier\n\n"
        b"30:00:00.000 --> 30:00:05.000\nAna Ruiz: far past the end\n"
    )

    assert [(c.text, c.start_seconds) for c in parse_transcript(data).cues] == [
        ("later", 9.0),
        ("earlier", 1.0),
        ("far past the end", 108000.0),
    ]


def test_headerless_webvtt_is_read_as_subtitles_and_the_name_decides_the_label() -> None:
    data = b"1\n00:00:01.000 --> 00:00:02.500\nAna Ruiz: hello\n"

    as_vtt = parse_transcript(data, filename="meeting.VTT")
    as_srt = parse_transcript(data, filename="meeting.srt")

    assert (as_vtt.format, as_vtt.format_label, as_vtt.warnings) == (
        "webvtt",
        "Subtitles (WebVTT without its header)",
        ["Line 1: the file does not start with “WEBVTT”; its cues were read as subtitles."],
    )
    assert (as_srt.format, as_srt.warnings) == ("srt", [])
    assert _said(as_vtt) == _said(as_srt) == [("Ana Ruiz", 1.0, 2.5, "hello")]


def test_chat_reactions_are_left_out_with_a_warning() -> None:
    data = (
        b"00:01:00\tAna Ruiz:\tWe loved the new portal\n"
        b'00:01:05\tBob Lee:\tReacted to "We loved the new po..." with \xf0\x9f\x91\x8d\n'
        b"00:01:09\tBob Lee:\tSame here\n"
        b"and the app too\n"
    )

    parsed = parse_transcript(data, filename="chat.txt")

    assert _said(parsed) == [
        ("Ana Ruiz", 60.0, 60.0, "We loved the new portal"),
        ("Bob Lee", 69.0, 69.0, "Same here and the app too"),
    ]
    assert parsed.warnings == ["1 emoji reaction to messages was left out."]


def test_timings_without_the_arrow_are_broken_cues_not_silently_skipped() -> None:
    vtt = (
        b"WEBVTT\n\n1\n00:00:01.000 -> 00:00:02.000\nAna: lost\n\n"
        b"2\n00:00:03.000 --> 00:00:04.000\nok\n"
    )
    srt = b"1\n00:00:01,000 --> 00:00:02,000\nfine\n\n2\n00:00:03,000 - 00:00:04,000\nlost\n"

    assert _refusal(vtt).startswith(
        "One cue of this WebVTT file cannot be read. Line 4: the cue timings "
        "“00:00:01.000 -> 00:00:02.000” cannot be read"
    )
    assert _refusal(srt).startswith(
        "One cue of this subtitles file cannot be read. Line 6: the cue timings "
        "“00:00:03,000 - 00:00:04,000” cannot be read"
    )


def test_short_webvtt_timings_and_a_header_after_blank_lines() -> None:
    data = b"\n\nWEBVTT\n\n00:01.500 --> 01:02.000\n<v Ana Ruiz>Short timings.</v>\n"

    parsed = parse_transcript(data)

    assert (parsed.format, _said(parsed)) == (
        "teams-vtt",
        [("Ana Ruiz", 1.5, 62.0, "Short timings.")],
    )
    assert parsed.cues[0].line == 5


def test_chat_saved_from_the_meeting_window_has_clock_times_the_cloud_chat_does_not() -> None:
    saved = b"14:03:21 From Ana Ruiz to Everyone : hello\n"
    cloud = b"00:03:21\tAna Ruiz:\thello\n\tand welcome\n"

    assert parse_transcript(saved).clock_times is True
    parsed = parse_transcript(cloud)
    assert (parsed.clock_times, _said(parsed)) == (
        False,
        [("Ana Ruiz", 201.0, 201.0, "hello and welcome")],
    )


def test_cloud_chat_naming_whom_a_message_went_to() -> None:
    data = (
        b"00:01:00\tAna Ruiz to Everyone:\tHello all\n"
        b"00:01:30\tBob Lee to Ana Ruiz(Direct Message):\tpsst\n"
        b"00:02:00\tCarol Diaz:\tHi\n"
    )

    parsed = parse_transcript(data)

    assert _said(parsed) == [
        ("Ana Ruiz", 60.0, 60.0, "Hello all"),
        ("Carol Diaz", 120.0, 120.0, "Hi"),
    ]
    assert parsed.warnings == [
        "1 private message was left out (line 2): only messages to everyone are the room's."
    ]


# A generated transcript round-trips: the seed is fixed (derandomize), as in test_api_fuzz.
_names = st.lists(
    st.sampled_from(["Ana", "Bob", "Carol", "Dan", "Ruiz", "Lee", "O'Neil", "Zoë", "(Acme)"]),
    min_size=1,
    max_size=3,
).map(" ".join)
_words = st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzÄéß0123456789?!.,'\"&<>", min_size=1, max_size=9),
    min_size=1,
    max_size=12,
)
_cues = st.lists(
    st.tuples(_names, st.integers(0, 10_000_000), st.integers(0, 60_000), _words),
    min_size=1,
    max_size=25,
)


def _escape(word: str) -> str:
    return word.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@settings(derandomize=True, max_examples=80, deadline=None)
@given(cues=_cues, teams=st.booleans(), crlf=st.booleans())
def test_generated_webvtt_round_trips_speaker_times_and_text(
    cues: list[tuple[str, int, int, list[str]]], teams: bool, crlf: bool
) -> None:
    blocks = ["WEBVTT", ""]
    for number, (name, start, length, words) in enumerate(cues, start=1):
        text = " ".join(_escape(word) for word in words)
        half = len(words) // 2
        if half and teams:  # a cue of two lines, as Teams writes long turns
            text = (
                " ".join(map(_escape, words[:half])) + "\n" + " ".join(map(_escape, words[half:]))
            )
        payload = f"<v {name}>{text}</v>" if teams else f"{name}: {text}"
        ident = f"0f1c2d3e-{number:04d}/{number}-0" if teams else str(number)
        blocks += [
            ident,
            f"{stamp(start / 1000)} --> {stamp((start + length) / 1000)}",
            payload,
            "",
        ]
    data = ("\r\n" if crlf else "\n").join(blocks).encode()

    parsed = parse_transcript(data, filename="generated.vtt")

    assert parsed.format == ("teams-vtt" if teams else "zoom-vtt")
    assert _said(parsed) == [
        (name, start / 1000, (start + length) / 1000, " ".join(words))
        for name, start, length, words in cues
    ]


_fragments = st.sampled_from(
    [
        "WEBVTT",
        "\n",
        "\r\n",
        "\t",
        " ",
        "-->",
        "->",
        "00:00:01.000",
        "00:00:0",
        "1:02:03",
        "0:03",
        ",500",
        "99:99:99.999",
        "From ",
        " to ",
        "Everyone",
        "(Privately)",
        ":",
        "Ana Ruiz",
        "<v ",
        ">",
        "</v>",
        "<",
        "&amp;",
        "&",
        "NOTE",
        "STYLE",
        "Transcript",
        "Meeting ended after ",
        "1",
        "é",
        "\ufeff",
    ]
)


def _outcome(data: bytes, filename: str = "") -> ParsedTranscript | str:
    """What a person would see: the cues read, or the refusal's message."""
    try:
        return parse_transcript(data, filename=filename)
    except TranscriptError as refused:
        return str(refused.detail)


@settings(derandomize=True, max_examples=300, deadline=None)
@given(text=st.lists(_fragments, max_size=60).map("".join), filename=st.sampled_from(["", "a.vtt"]))
def test_any_text_is_read_or_refused_never_crashes(text: str, filename: str) -> None:
    outcome = _outcome(text.encode(), filename)

    if isinstance(outcome, str):
        assert outcome.endswith(".")  # a refusal; any other exception fails the test
    else:
        assert all(c.text and c.end_seconds >= c.start_seconds >= 0 for c in outcome.cues)
        assert all(c.text == " ".join(c.text.split()) for c in outcome.cues)


@settings(derandomize=True, max_examples=100, deadline=None)
@given(data=st.binary(max_size=400))
def test_any_bytes_are_read_or_refused_never_crash(data: bytes) -> None:
    outcome = _outcome(data)

    assert isinstance(outcome, ParsedTranscript) or outcome.endswith(".")
