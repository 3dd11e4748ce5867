"""Whole-file behaviour: wrong kinds refused, row-level problems warned, date order decided."""

import os
from pathlib import Path

import pytest

from app.attendance.parsing import ReportError, parse_report
from tests.attendance.support import SAMPLES, attendee, read, utc

SHARED = Path(__file__).parents[3] / "shared" / "samples" / "attendance"
ZOOM_HEADER = "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes)\n"


def _refusal(data: bytes) -> str:
    with pytest.raises(ReportError) as refused:
        read(data, start="2024-03-05 10:00", minutes=60, tz="UTC")
    assert refused.value.status_code == 422
    return str(refused.value.detail)


def test_every_sample_file_has_a_test() -> None:
    tests = "".join(path.read_text() for path in Path(__file__).parent.glob("test_*.py"))
    reports = sorted(p.name for p in SAMPLES.rglob("*.csv"))

    assert len(reports) == 18
    assert [name for name in reports if name not in tests] == []


@pytest.mark.skipif(not SHARED.is_dir(), reason="the shared samples are not beside the repo")
def test_samples_are_byte_exact_copies_of_the_shared_ones() -> None:
    shared = {p.relative_to(SHARED): p.read_bytes() for p in SHARED.rglob("*") if p.is_file()}
    copied = {p.relative_to(SAMPLES): p.read_bytes() for p in SAMPLES.rglob("*") if p.is_file()}

    assert sorted(shared) == sorted(copied)
    assert [str(name) for name in shared if shared[name] != copied[name]] == []


@pytest.mark.parametrize(
    ("data", "found"),
    [
        (
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
            "This file is a PDF document, not a CSV file: export the attendance report as CSV.",
        ),
        (b"", "The file is empty (0 bytes)."),
        (b"  \r\n\t\n", "The file has no content: only blank lines or separators."),
        (b",,,\r\n;;\r\n", "The file has no content: only blank lines or separators."),
        (
            b"PK\x03\x04\x14\x00\x06\x00",
            "This file is an Excel workbook or a zip archive, not a CSV file: in Excel, use "
            "File > Save As > CSV UTF-8.",
        ),
        (bytes(range(256)) * 4, "This file is binary data (it contains NUL bytes)"),
        (bytes(range(1, 40)), "This file looks like binary data"),
        (
            b"id,product,price\n1,Widget,9.99\n",
            "the file starts with a row of 3 comma-separated columns (id, product, price)",
        ),
        (
            b"Dear team,\nplease find the list attached.\n",
            "the file starts with a row of 1 comma-separated column (Dear team)",
        ),
        (
            b"Work Email,Name,Job Title,Department\nann@example.com,Ann,VP Sales,Sales\n",
            "This looks like a directory (people) export (columns: Work Email, Name, Job "
            "Title, Department)",
        ),
    ],
)
def test_wrong_kind_of_file_is_refused_saying_what_it_is(data: bytes, found: str) -> None:
    message = _refusal(data)

    assert found in message
    assert "Expected a Zoom participants or webinar attendee report" in message


def test_random_bytes_are_refused() -> None:
    message = _refusal(os.urandom(4096))

    assert "binary data" in message or "not text" in message


def test_unclosed_quote_refuses_the_report_naming_its_line() -> None:
    data = (
        ZOOM_HEADER
        + "Ann,ann@example.com,03/05/2024 10:00:00 AM,03/05/2024 10:30:00 AM,30\n"
        + '"Bob,bob@example.com,03/05/2024 10:00:00 AM,03/05/2024 10:40:00 AM,40\n'
        + "Cat,cat@example.com,03/05/2024 10:10:00 AM,03/05/2024 10:20:00 AM,10\n"
    ).encode()

    assert _refusal(data).startswith(
        "Line 3 cannot be read as CSV: A quote opened on this line is never closed: close it, "
        "or remove it. Expected a Zoom participants"
    )


def test_binary_workbook_named_csv_is_refused_by_content() -> None:
    # The name says .csv; the bytes are an .xlsx (a zip with the workbook's parts).
    data = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml"

    assert _refusal(data).startswith(
        "This file is an Excel workbook or a zip archive, not a CSV file"
    )


def test_utf16_with_bom_and_semicolons_with_quoted_commas() -> None:
    data = (
        'E-mail;Name;Minutes\r\nann@example.com;"Lee, Ann";30\r\nbob@example.com;"Roe, Bob";20\r\n'
    ).encode("utf-16")

    report = read(data, start="2024-03-05 10:00", minutes=60, tz="UTC")

    assert (report.format, report.delimiter, report.encoding) == ("csv", ";", "UTF-16LE with BOM")
    assert [(a.email, a.name, a.minutes_present) for a in report.attendees] == [
        ("ann@example.com", "Lee, Ann", 30),
        ("bob@example.com", "Roe, Bob", 20),
    ]


def test_header_without_rows_is_refused() -> None:
    assert _refusal(ZOOM_HEADER.encode()) == (
        "This Zoom meeting participants report has no attendees: 0 rows were read and none "
        "could be counted."
    )


def test_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ReportError) as unknown:
        parse_report(
            ZOOM_HEADER.encode(),
            session_start=utc("2024-03-05 10:00:00"),
            session_end=utc("2024-03-05 11:00:00"),
            timezone="Mars/Olympus_Mons",
        )

    assert unknown.value.detail == (
        "Unknown time zone 'Mars/Olympus_Mons'. Expected an IANA name such as Europe/Paris."
    )


def test_unreadable_date_skips_only_that_row() -> None:
    data = (
        ZOOM_HEADER
        + "Ann,ann@example.com,03/05/2024 10:00:00 AM,03/05/2024 10:30:00 AM,30\n"
        + "Bob,bob@example.com,03/05/2024 10:00:00 AM,yesterday-ish,30\n"
        + "Cat,cat@example.com,03/05/2024 10:10:00 AM,03/05/2024 10:20:00 AM,10\n"
    ).encode()

    report = read(data, start="2024-03-05 10:00", minutes=60, tz="UTC")

    assert [a.email for a in report.attendees] == ["ann@example.com", "cat@example.com"]
    assert report.warnings == [
        "Row 3, column “Leave Time”: 'yesterday-ish' is not a date and time; row skipped."
    ]


def test_row_without_join_counts_from_its_duration() -> None:
    data = (ZOOM_HEADER + "Ann,ann@example.com,,03/05/2024 10:30:00 AM,20\n").encode()

    report = read(data, start="2024-03-05 10:00", minutes=60, tz="UTC")

    ann = attendee(report, email="ann@example.com")
    assert (ann.first_join, ann.minutes_present) == (utc("2024-03-05 10:10:00"), 20)
    assert report.warnings == ["Row 2: no join time; counted from its duration."]


def test_leave_before_join_is_skipped_with_a_warning() -> None:
    data = (
        ZOOM_HEADER
        + "Ann,ann@example.com,03/05/2024 10:30:00 AM,03/05/2024 10:00:00 AM,30\n"
        + "Ann,ann@example.com,03/05/2024 10:40:00 AM,03/05/2024 10:50:00 AM,10\n"
    ).encode()

    report = read(data, start="2024-03-05 10:00", minutes=60, tz="UTC")

    assert attendee(report, email="ann@example.com").minutes_present == 10
    assert report.warnings == ["Row 2: leave is before join; row skipped."]


def test_many_row_warnings_are_summarised() -> None:
    rows = "".join(f"P{i},p{i}@example.com,soon,later,5\n" for i in range(12))
    data = (ZOOM_HEADER + rows + "Ok,ok@example.com,,,5\n").encode()

    report = read(data, start="2024-03-05 10:00", minutes=60, tz="UTC")

    assert len(report.warnings) == 6
    assert report.warnings[-1] == "…and 7 more rows with an unreadable date."


def _ambiguous_log(late_row: str = "") -> bytes:
    # 700 rows dated 3/4/2024 (3 April or 4 March), more than the sample read up front.
    rows = "".join(f"P{i}\tJoined\t3/4/2024, 10:00:00\n" for i in range(700))
    return ("Full Name\tUser Action\tTimestamp\n" + rows + late_row).encode("utf-16")


def test_ambiguous_dates_follow_the_session_date() -> None:
    report = read(_ambiguous_log(), start="2024-04-03 10:00", minutes=60, tz="UTC")

    assert report.decisions[0] == (
        "Dates read day-first: 3/4/2024, 10:00:00 (row 2) is the session's date, "
        "3 April 2024, only when read day-first."
    )
    assert report.attendees[0].first_join == utc("2024-04-03 10:00:00")


def test_ambiguous_dates_follow_the_chosen_order_then_default_to_month_first() -> None:
    chosen = read(
        _ambiguous_log(), start="2024-06-01 10:00", minutes=60, tz="UTC", date_order="dmy"
    )
    default = read(_ambiguous_log(), start="2024-06-01 10:00", minutes=60, tz="UTC")

    assert chosen.decisions[0] == (
        "Dates such as 3/4/2024, 10:00:00 (row 2) fit either order; read day-first as chosen."
    )
    assert chosen.attendees[0].first_join == utc("2024-04-03 10:00:00")
    assert default.decisions[0].startswith(
        "Dates such as 3/4/2024, 10:00:00 (row 2) fit either order and neither reading is "
        "the session's date; read month-first."
    )
    assert default.attendees[0].first_join == utc("2024-03-04 10:00:00")


def test_a_late_unambiguous_row_overrules_a_guessed_order() -> None:
    late = "P0\tLeft\t3/13/2024, 10:30:00\n"  # row 702: only month-first fits

    report = read(_ambiguous_log(late), start="2024-04-03 10:00", minutes=60, tz="UTC")

    assert report.decisions[0] == "Dates read month-first: row 702 has 3/13/2024, 10:30:00."
    assert attendee(report, name="P0").first_join == utc("2024-03-04 10:00:00")


def test_rows_outside_the_session_only_warn_when_nothing_matches() -> None:
    data = ZOOM_HEADER + "Ann,ann@example.com,03/05/2024 10:00 AM,03/05/2024 10:30 AM,30\n"

    report = read(data.encode(), start="2025-01-01 10:00", minutes=60, tz="UTC")

    assert attendee(report, email="ann@example.com").minutes_present == 30
    assert report.warnings == [
        "None of the times in this file (05 Mar 2024 10:00 (UTC) to 05 Mar 2024 10:30 (UTC)) "
        "is within 6 hours of the session (01 Jan 2025 10:00 (UTC)); check that this is the "
        "report of this session."
    ]


def test_headers_match_in_any_case_and_padding_is_ignored() -> None:
    data = (
        b"NAME (ORIGINAL NAME),USER EMAIL,JOIN TIME,LEAVE TIME,DURATION (MINUTES),,,\r\n"
        b",,,,,,,\r\n"
        b"Ann,ANN@example.com,03/05/2024 10:00 AM,03/05/2024 10:30 AM,30,,,\r\n"
    )

    report = read(data, start="2024-03-05 10:00", minutes=60, tz="UTC")

    assert (report.format, report.rows_read) == ("zoom-participants", 1)
    assert attendee(report, email="ann@example.com").rows == [3]
