"""Zoom reports: every sample under fixtures/samples/zoom, the webinar fixture, and variants.

Expected minutes are worked out by hand from the rows named in each comment: intervals are
merged (overlaps counted once) and summed; times carry no zone and are read in the
session's time zone.
"""

import pytest

from app.attendance.parsing import ParsedReport, ReportError
from app.models import AttendanceSource
from tests.attendance.support import attendee, clock, read, utc


def _heroes(name: str) -> ParsedReport:
    return read(
        f"samples/zoom/{name}", start="2021-11-19 10:00", minutes=120, tz="America/New_York"
    )


def test_zoom_participants_merges_rejoins_and_two_devices() -> None:
    report = _heroes("zoomclass_participants_heroes.csv")

    assert report.format == "zoom-participants"
    assert report.platform == AttendanceSource.zoom
    assert report.encoding == "UTF-8"
    assert report.delimiter == ","
    assert report.rows_read == 31
    # 31 rows, four people on two rows each (Power Girl, Swarm, Dazzler, Cyborg Superman).
    assert len(report.attendees) == 27
    assert report.decisions[0] == "Dates read month-first: row 2 has 11/19/2021 09:54:15 AM."
    # rows 20, 24: 10:14:30-10:24:26 and 10:24:12-12:01:58 overlap → 10:14:30-12:01:58
    swarm = attendee(report, email="swarm_mutant@marvel.com")
    assert swarm.minutes_present == clock("1:47:28")
    assert swarm.intervals == [(utc("2021-11-19 15:14:30"), utc("2021-11-19 17:01:58"))]
    assert swarm.rows == [20, 24]
    # rows 5, 16: two devices, 10:08:26-12:01:58 contains 10:11:31-12:01:58
    power_girl = attendee(report, email="power-girl_kryptonian@dc.com")
    assert power_girl.minutes_present == clock("1:53:32")
    assert power_girl.name == "003_Power Girl (Kara Zor-L)"
    # rows 27, 28: 11:01:02-11:02:35 (1:33) and 11:02:46-11:29:38 (26:52), a gap between
    dazzler = attendee(report, email="dazzler_mutant@marvel.com")
    assert dazzler.minutes_present == clock("0:28:25")
    assert len(dazzler.intervals) == 2
    # rows 6, 30: 10:08:32-11:00:13 (51:41) and 11:28:11-12:01:58 (33:47)
    assert attendee(report, email="cyborg-superman_cyborg@dc.com").minutes_present == clock(
        "1:25:28"
    )
    # row 2: 09:54:15-12:01:59 EST (UTC-5)
    loki = attendee(report, email="loki_asgardian@marvel.com")
    assert loki.minutes_present == clock("2:07:44")
    assert loki.first_join == utc("2021-11-19 14:54:15")
    assert loki.last_leave == utc("2021-11-19 17:01:59")
    assert loki.name == "015_Loki (Loki Laufeyson)"


def test_zoom_participants_with_meeting_block_reads_the_block() -> None:
    report = _heroes("zoomclass_participants_heroes_full.csv")

    assert report.format == "zoom-participants"
    # the block: 11/19/2021 10:00:00 AM to 12:00:00 PM, EST
    assert report.meeting_start == utc("2021-11-19 15:00:00")
    assert report.meeting_end == utc("2021-11-19 17:00:00")
    assert len(report.attendees) == 27
    # row 5 lost its zero padding (9:54:15 AM): same 09:54:15-12:01:59 as above
    loki = attendee(report, email="loki_asgardian@marvel.com")
    assert loki.minutes_present == clock("2:07:44")
    assert loki.rows == [5]
    assert attendee(report, email="swarm_mutant@marvel.com").minutes_present == clock("1:47:28")


def test_zoom_unique_users_with_block_uses_the_file_totals() -> None:
    report = read(
        "samples/zoom/zoomGroupStats_meeting001_participants_unique-users.anon.csv",
        start="2020-09-24 11:30",
        minutes=80,
        tz="America/New_York",
    )

    assert report.format == "zoom-unique-users"
    assert report.encoding == "UTF-8 with BOM"
    assert report.meeting_start == utc("2020-09-24 15:35:16")
    assert report.meeting_end == utc("2020-09-24 16:49:20")
    assert [a.name for a in report.attendees][:3] == [
        "Andrew Knight",
        "George Harrison",
        "John Lennon",
    ]
    assert len(report.attendees) == 10
    # Total Duration (Minutes) column, rows 5, 7, 9, 14
    assert attendee(report, email="knightap@example.com").minutes_present == 75
    lennon = attendee(report, name="John Lennon")
    assert (lennon.email, lennon.minutes_present, lennon.intervals) == ("", 70, [])
    assert attendee(report, email="ringorocks@example.com").name == "Ringo Starr"
    assert attendee(report, name="Eric's iPad (Clapton)").minutes_present == 57
    assert attendee(report, email="paul@example.com").name == "Paul McCartney (Wings)"


def test_zoom_unique_users_2020_three_columns() -> None:
    report = read(
        "samples/zoom/har1eyk_20200901_lecture_unique-users_with-meeting-header.anon.csv",
        start="2020-09-01 09:00",
        minutes=75,
        tz="America/New_York",
    )

    assert report.format == "zoom-unique-users"
    assert len(report.attendees) == 30
    # 09/01/2020 fits either order; 1 September is the session's date
    assert report.decisions[0] == (
        "Dates read month-first: 09/01/2020 09:03:16 AM (row 2) is the session's date, "
        "1 September 2020, only when read month-first."
    )
    assert report.meeting_start == utc("2020-09-01 13:03:16")
    assert attendee(report, email="jonathan98@example.com").minutes_present == 57
    assert attendee(report, email="todd74@example.com").name == "Dr. Jason Terry DDS"
    assert attendee(report, email="sclark@example.com").minutes_present == 0


def test_zoom_unique_users_2025_lower_case_header() -> None:
    report = read(
        "samples/zoom/bloombar_xx-report_unique-users.csv",
        start="2025-04-08 10:00",
        minutes=60,
        tz="America/New_York",
    )

    assert report.format == "zoom-unique-users"
    assert [(a.email, a.minutes_present) for a in report.attendees] == [
        ("john.doe@example.com", 28),
        ("jane.smith@example.com", 34),
        ("bob.brown@example.com", 45),
        ("alice.williams@example.com", 29),
        ("michael.brown@example.com", 31),
    ]
    assert attendee(report, email="bob.brown@example.com").name == "Bob Johnson"


def test_zoom_japanese_headers_and_excel_dates() -> None:
    report = read(
        "samples/zoom/yu-9824_example2_japanese-headers.csv",
        start="2020-12-08 09:00",
        minutes=220,
        tz="Asia/Tokyo",
    )

    assert report.format == "zoom-participants"
    assert len(report.attendees) == 114
    # the e-mails were cut by the author ("jiro1…"): not addresses, so people go by name
    assert report.warnings[0] == (
        "Row 2, column “ユーザーメール”: 'jiro1…' is not an e-mail address; ignored."
    )
    assert report.warnings[-1] == "…and 109 more rows with an e-mail that is not an address."
    # row 2: 2020/12/8 8:55 to 12:41 JST (UTC+9), no seconds after Excel
    first = attendee(report, name="次郎1")
    assert first.email == ""
    assert first.minutes_present == clock("3:46:00")
    assert first.first_join == utc("2020-12-07 23:55:00")
    # row 5: 8:56 to 8:56, an empty interval (Zoom's own column says 1)
    fourth = attendee(report, name="次郎4")
    assert (fourth.minutes_present, fourth.intervals) == (0, [])
    assert fourth.first_join == utc("2020-12-07 23:56:00")
    # row 115 (the last): 11:11 to 12:41
    assert attendee(report, name="次郎114").minutes_present == 90


def test_zoom_qos_dashboard_export_is_refused() -> None:
    with pytest.raises(ReportError) as refused:
        read(
            "samples/zoom/jfrazx_dashboard-meeting-participants-qos.csv",
            start="2017-08-01 16:50",
            minutes=70,
            tz="America/Los_Angeles",
        )

    assert refused.value.status_code == 422
    assert "Zoom dashboard participants (QoS) export" in refused.value.detail
    assert "(columns: Meeting ID, Host, Email, User Type" in refused.value.detail
    assert "Expected a Zoom participants or webinar attendee report" in refused.value.detail


def test_zoom_webinar_sections_and_absent_registrants() -> None:
    # fixtures/zoom_webinar_attendee_report.csv follows FORMATS.md §1.2: three sections,
    # every row padded to 14 fields, registrants who did not attend shown with "--".
    report = read(
        "zoom_webinar_attendee_report.csv",
        start="2025-03-22 19:15",
        minutes=60,
        tz="America/New_York",
    )

    assert report.format == "zoom-webinar"
    assert report.format_label == "Zoom webinar attendee report"
    assert report.decisions == ["2 registrants did not attend (Attended = No) and are not counted."]
    # Actual Start Time Mar 22, 2025 7:13 PM EDT, Actual Duration 60 minutes
    assert report.meeting_start == utc("2025-03-22 23:13:00")
    assert report.meeting_end == utc("2025-03-23 00:13:00")
    assert sorted(a.email for a in report.attendees) == [
        "ada.attendee@example.com",
        "hana.host@example.com",
        "paul.panel@example.com",
    ]
    # row 7: 19:10:05-20:14:05 in the Host section
    hana = attendee(report, email="hana.host@example.com")
    assert (hana.role, hana.minutes_present) == ("host", 64)
    # rows 10, 11 (panelist) and 17 (attendee section): 19:12:00-19:40:00, 19:35:00-20:05:30
    # and 20:05:00-20:12:00 chain into 19:12:00-20:12:00
    paul = attendee(report, email="paul.panel@example.com")
    assert (paul.role, paul.minutes_present, paul.rows) == ("panelist", 60, [10, 11, 17])
    # rows 15, 16: 19:13:27-19:52:39 (39:12) and 19:55:00-20:10:00 (15:00)
    ada = attendee(report, email="ada.attendee@example.com")
    assert (ada.role, ada.minutes_present) == ("attendee", clock("0:54:12"))


def test_zoom_2023_lower_case_header_skips_waiting_room_rows() -> None:
    data = (
        "\ufeffName (original name),Email,Join time,Leave time,Duration (minutes),Guest,"
        "Recording disclaimer response,In waiting room\r\n"
        "Ann Lee,ann@example.com,03/05/2024 09:58:10 AM,03/05/2024 10:00:00 AM,2,No,,Yes\r\n"
        "Ann Lee,ann@example.com,03/05/2024 10:00:00 AM,03/05/2024 10:45:30 AM,46,No,OK,No\r\n"
    ).encode()

    report = read(data, start="2024-03-05 10:00", minutes=60, tz="Europe/Paris")

    assert report.format == "zoom-participants"
    # row 2 is waiting-room time; row 3: 10:00:00-10:45:30
    assert attendee(report, email="ann@example.com").minutes_present == clock("0:45:30")
    assert report.decisions[-1] == (
        "1 row is time in the waiting room (In Waiting Room = Yes), which is not attendance."
    )


def test_zoom_admin_export_takes_the_participant_columns() -> None:
    # The account-admin export repeats `User Email` and `Duration (Minutes)`: the first
    # pair is the host's and the meeting's.
    data = (
        b"Topic,Meeting ID,User Name,User Email,Department,Group,Has Zoom Rooms,Creation Time,"
        b"Start Time,End Time,Duration (Minutes),Participants,Name (Original Name),User Email,"
        b"Join Time,Leave Time,Duration (Minutes),Guest\n"
        b"Story,852 1848 6288,Host Person,host@example.com,CX,,No,15/08/2022 01:00,"
        b"15/08/2022 01:27,15/08/2022 02:30,63,2,Bea Guest,bea@example.com,"
        b"15/08/2022 01:30,15/08/2022 02:10,40,Yes\n"
    )

    report = read(data, start="2022-08-15 01:30", minutes=60, tz="UTC")

    assert [(a.email, a.minutes_present) for a in report.attendees] == [("bea@example.com", 40)]
    assert report.decisions[0] == "Dates read day-first: row 2 has 15/08/2022 01:30."


def test_zoom_korean_headers() -> None:
    data = (
        "이름(원래 이름),이메일,참가 시간,나간 시간,기간(분)\n"
        "김민수,minsu@example.com,2024-05-02 14:00:00,2024-05-02 14:31:00,31\n"
    ).encode()

    report = read(data, start="2024-05-02 14:00", minutes=60, tz="Asia/Seoul")

    assert report.format == "zoom-participants"
    assert attendee(report, email="minsu@example.com").first_join == utc("2024-05-02 05:00:00")
