"""Google Meet, Webex and plain CSV lists.

No real Meet or Webex export exists in the samples; the fixtures are built to the layouts
FORMATS.md §3 and §4 document (see fixtures/README.md).
"""

from app.models import AttendanceSource
from tests.attendance.support import FIXTURES, attendee, read, utc


def test_meet_2020_columns_anchor_times_to_the_session_date() -> None:
    report = read(
        "meet_2020_attendance_report.csv", start="2024-05-14 10:00", minutes=60, tz="Europe/Paris"
    )

    assert (report.format, report.platform) == ("meet", AttendanceSource.meet)
    assert report.decisions == [
        "Times of day without a date are read on the session's date, 14 May 2024 (Europe/Paris)."
    ]
    # row 2: 9:58 AM-11:00 AM CEST (UTC+2)
    maria = attendee(report, email="maria.organizer@example.com")
    assert maria.minutes_present == 62
    assert maria.first_join == utc("2024-05-14 07:58:00")
    # rows 3, 4: 10:05-10:50 and 10:55-11:00
    assert attendee(report, email="sam.student@example.com").minutes_present == 50
    # row 5: a dial-in without e-mail, 10:10-10:40
    assert attendee(report, name="Dial-in (+1 555-0100)").minutes_present == 30
    # row 6: no exit time; 10:04 plus its "56 min"
    assert attendee(report, email="larry@example.com").last_leave == utc("2024-05-14 09:00:00")
    assert report.warnings == ["Row 6: no leave time; counted from its duration."]


def test_meet_2024_columns_narrow_spaces_masks_duplicates_and_midnight() -> None:
    report = read(
        "meet_2024_first_last_names.csv",
        start="2024-05-14 22:30",
        minutes=60,
        tz="America/Los_Angeles",
    )

    assert report.format == "meet"
    assert report.warnings == ["Row 4: e-mail 'li***@s***.com' is masked; treated as unknown."]
    # rows 2, 3 are the same row twice: 10:30 PM-11:25 PM, counted once
    priya = attendee(report, email="priya.patel@example.com")
    assert (priya.name, priya.minutes_present, priya.rows) == ("Priya Patel", 55, [2, 3])
    # row 4: masked address, so the person goes by name
    assert attendee(report, name="Liam External").minutes_present == 20
    # row 5: "10:28PM" without a space
    assert attendee(report, email="chen.wei@example.com").minutes_present == 62
    # row 6: 11:50 PM to 12:30 AM the next day
    owl = attendee(report, email="night.owl@example.com")
    assert owl.minutes_present == 40
    assert owl.last_leave == utc("2024-05-15 07:30:00")


def test_webex_utf16_tab_report() -> None:
    report = read(
        "webex_attendee_report.csv", start="2023-01-18 10:00", minutes=60, tz="Europe/Berlin"
    )

    assert (report.format, report.platform) == ("webex", AttendanceSource.webex)
    assert (report.encoding, report.delimiter) == ("UTF-16LE with BOM", "\t")
    assert report.decisions == ["Dates read month-first: row 2 has 01/18/2023 10:00:05 AM."]
    # row 2: 10:00:05-11:02:05 CET
    helen = attendee(report, email="helen.host@example.com")
    assert (helen.role, helen.minutes_present) == ("host", 62)
    # rows 3, 4: the same address in two cases, 10:05-10:35 and 10:30-10:50 → 10:05-10:50
    brian = attendee(report, email="brian@example.com")
    assert (brian.minutes_present, brian.rows) == (45, [3, 4])
    # row 6: no times, Duration 25 (minutes); a cohost is a host
    caro = attendee(report, email="caro@example.com")
    assert (caro.role, caro.minutes_present, caro.first_join) == ("host", 25, None)
    assert attendee(report, name="Call-in User_3").minutes_present == 30


def test_webex_without_bom_is_recognised_by_its_nul_bytes() -> None:
    data = (FIXTURES / "webex_attendee_report.csv").read_bytes()[2:]  # drop FF FE

    report = read(data, start="2023-01-18 10:00", minutes=60, tz="Europe/Berlin")

    assert (report.format, report.encoding) == ("webex", "UTF-16LE without BOM")
    assert attendee(report, email="brian@example.com").minutes_present == 45


def test_csv_with_emails_only_counts_the_whole_session() -> None:
    data = b"Email\r\nAda@Example.com\r\n\r\nbob@example.com\r\nada@example.com\r\n"

    report = read(data, start="2024-02-01 09:00", minutes=45, tz="Europe/London")

    assert (report.format, report.platform) == ("csv", AttendanceSource.csv)
    assert [(a.email, a.minutes_present) for a in report.attendees] == [
        ("ada@example.com", 45),
        ("bob@example.com", 45),
    ]
    assert attendee(report, email="ada@example.com").rows == [2, 5]
    assert report.decisions == [
        "The list has no join, leave or minutes columns: everyone on it is counted present "
        "for the whole session (45 minutes)."
    ]


def test_csv_semicolons_day_first_and_minutes() -> None:
    data = (
        b"E-mail;Name;Join;Leave;Minutes\n"
        b"ann@example.com;Ann;25/04/2022 10:02;25/04/2022 10:40;38\n"
        b"ann@example.com;Ann;25/04/2022 10:35;25/04/2022 11:00;25\n"
        b"carl@example.com;Carl;;;12\n"
    )

    report = read(data, start="2022-04-25 10:00", minutes=60, tz="Europe/Madrid")

    assert (report.format, report.delimiter, report.encoding) == ("csv", ";", "UTF-8")
    assert report.decisions == ["Dates read day-first: row 2 has 25/04/2022 10:02."]
    # rows 2 and 3: 10:02-10:40 and 10:35-11:00 overlap → 10:02-11:00
    assert attendee(report, email="ann@example.com").minutes_present == 58
    # row 4: no times, 12 minutes
    assert attendee(report, email="carl@example.com").minutes_present == 12


def test_csv_in_windows_1252() -> None:
    data = "Email,Name,Minutes\nzoe@example.com,Zo\xe9 M\xfcller,30\n".encode("cp1252")

    report = read(data, start="2022-04-25 10:00", minutes=60, tz="UTC")

    assert report.encoding == "Windows-1252"
    assert attendee(report, email="zoe@example.com").name == "Zoé Müller"


def test_name_without_email_joins_the_same_name_with_one() -> None:
    data = (
        b"Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes)\n"
        b"Dana Diaz,dana@example.com,03/05/2024 10:00:00 AM,03/05/2024 10:30:00 AM,30\n"
        b"Dana Diaz,,03/05/2024 10:20:00 AM,03/05/2024 10:50:00 AM,30\n"
    )

    report = read(data, start="2024-03-05 10:00", minutes=60, tz="UTC")

    # rows 2, 3: one person on two devices, 10:00-10:50
    assert [(a.email, a.minutes_present) for a in report.attendees] == [("dana@example.com", 50)]
    assert report.decisions[-1] == (
        "1 name without an e-mail joined to the same name with one, e.g. row 3: "
        "“Dana Diaz” is dana@example.com."
    )
