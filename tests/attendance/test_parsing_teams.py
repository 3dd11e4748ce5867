"""Microsoft Teams reports: every sample under fixtures/samples/teams.

Expected minutes are worked out by hand from the rows named in each comment: a person's
segments are merged (overlaps once), and a join with no later leave runs to the session's
end. Times carry no zone (read in the session's zone) except Live Events (UTC).
"""

import pytest

from app.attendance.parsing import ReportError
from app.models import AttendanceSource
from tests.attendance.support import attendee, clock, read, utc


def test_teams_event_log_pairs_joined_and_left() -> None:
    report = read(
        "samples/teams/ujjwalravi_sample_file_v2020.csv",
        start="2021-06-01 15:00",
        minutes=60,
        tz="Asia/Kolkata",
    )

    assert report.format == "teams-event-log"
    assert report.platform == AttendanceSource.teams
    assert (report.encoding, report.delimiter) == ("UTF-16LE with BOM", "\t")
    assert report.rows_read == 117
    assert len(report.attendees) == 65
    assert report.decisions[0] == (
        "Dates read month-first: 6/1/2021, 2:59:38 PM (row 2) is the session's date, "
        "1 June 2021, only when read month-first."
    )
    # rows 3-6: Joined 3:00:52, Left 3:53:38, Joined 3:53:38 (a reconnect), Left 4:00:29
    reconnect = attendee(report, name="ECE_3B_1BI19EC081")
    assert reconnect.minutes_present == clock("0:59:37")
    assert len(reconnect.intervals) == 1
    # row 2: Joined 2:59:38 PM and never Left: counted to the session's end, 4:00 PM IST
    organizer = attendee(report, name="Avery Dunmore")
    assert organizer.minutes_present == clock("1:00:22")
    assert organizer.last_leave == utc("2021-06-01 10:30:00")
    # rows 81-96: eight segments 3:42 + 0:48 + 2:05 + 0:08 + 4:22 + 0:09 + 1:04 + 13:45
    flaky = attendee(report, name="ECE_3B_1BI19EC094")
    assert flaky.minutes_present == clock("0:26:03")
    assert len(flaky.intervals) == 8
    # rows 107-109: 3:19:01-3:34:56 (15:55), then 3:51:59 to the end at 4:00 (8:01)
    assert attendee(report, name="Logan Kimball").minutes_present == clock("0:23:56")
    assert report.attendees[0].email == ""


def test_teams_event_log_joined_before_counts_from_the_log_start() -> None:
    report = read(
        "samples/teams/oscarsiles_meetingAttendanceList_17_v2020_joined-before.csv",
        start="2020-08-31 09:30",
        minutes=60,
        tz="Europe/London",
    )

    assert report.format == "teams-event-log"
    assert len(report.attendees) == 26
    assert report.decisions == [
        "Dates read month-first: row 2 has 8/31/2020, 9:30:29 AM.",
        "15 people were already in the meeting when the log began (“Joined before”, e.g. "
        "row 3); counted from that moment, 31 Aug 2020 09:30 (Europe/London).",
        "26 joins have no leave (first: row 2); counted until the session's end, "
        "31 Aug 2020 10:30 (Europe/London).",
    ]
    # rows 4-6: Joined before 9:30:29, Left 10:00:00 (29:31), Joined 10:00:16 to 10:30 (29:44)
    assert attendee(report, name="Casey Radcliffe").minutes_present == clock("0:59:15")
    # rows 8-10: 9:30:29-9:45:37 (15:08), 9:45:51 to 10:30 (44:09)
    assert attendee(report, name="Emerson Dunmore").minutes_present == clock("0:59:17")
    # row 31: Joined 9:43:12, to 10:30
    cameron = attendee(report, name="Cameron Kimball")
    assert cameron.minutes_present == clock("0:46:48")
    assert cameron.first_join == utc("2020-08-31 08:43:12")


def test_teams_event_log_day_first_from_the_session_date() -> None:
    # Every timestamp is 11/12/2020: the session on 11 December decides day-first.
    report = read(
        "samples/teams/dominikhoebert_meetingAttendanceList_v2020_ddmmyyyy.csv",
        start="2020-12-11 12:25",
        minutes=215,
        tz="Europe/Vienna",
    )

    assert report.decisions == [
        "Dates read day-first: 11/12/2020, 12:27:24 (row 2) is the session's date, "
        "11 December 2020, only when read day-first."
    ]
    assert len(report.attendees) == 5
    # rows 2-9: 17:54 + 11:07 + 0:38 + 5:36
    max_ = attendee(report, name="Mustermann Max")
    assert max_.minutes_present == clock("0:35:15")
    assert max_.first_join == utc("2020-12-11 11:27:24")
    # rows 28-39 (the last row has no final newline): 5:46 + 10:43 + 1:37 + 7:08 + 0:16 + 0:07
    hans = attendee(report, name="Müller Hans")
    assert hans.minutes_present == clock("0:25:37")
    assert hans.rows[-1] == 39


def test_teams_event_log_month_first_when_the_session_says_so() -> None:
    report = read(
        "samples/teams/dominikhoebert_meetingAttendanceList_v2020_ddmmyyyy.csv",
        start="2020-11-12 12:25",
        minutes=215,
        tz="Europe/Vienna",
    )

    assert report.decisions[0].startswith("Dates read month-first: 11/12/2020, 12:27:24")
    assert attendee(report, name="Mustermann Max").first_join == utc("2020-11-12 11:27:24")


def test_teams_event_log_excel_resave_is_read_like_the_original() -> None:
    report = read(
        "samples/teams/gspahlin_meetingAttendanceList_v2020_excel-resaved.csv",
        start="2020-11-04 09:50",
        minutes=20,
        tz="America/Chicago",
    )

    assert report.format == "teams-event-log"
    assert (report.encoding, report.delimiter) == ("UTF-8 with BOM", ",")
    assert len(report.attendees) == 38
    # rows 3, 4: Joined before 9:50:12, Left 10:06:45
    assert attendee(report, name="Kray Thorn").minutes_present == clock("0:16:33")
    # row 2: Joined 9:50:12, no Left: to the session's end at 10:10
    assert attendee(report, name="Avery Dunmore").minutes_present == clock("0:19:48")
    # row 58 (the last): Joined 10:06:23 to 10:10
    assert attendee(report, name="John Carmack").minutes_present == clock("0:03:37")


def test_teams_meeting_summary_report() -> None:
    report = read(
        "samples/teams/FilipDolejsi_demo_v2022-meeting-summary.anon.csv",
        start="2022-02-18 14:45",
        minutes=75,
        tz="Europe/Prague",
    )

    assert report.format == "teams-summary-2021"
    assert report.format_label == "Microsoft Teams attendance report (2021–22, Meeting Summary)"
    assert report.meeting_start == utc("2022-02-18 13:47:02")
    assert report.meeting_end == utc("2022-02-18 15:02:16")
    # rows 11, 12: 2:47:20-2:48:09 (0:49) and 3:13:16-4:02:16 (49:00); the author edited
    # the Duration column, so the times decide
    barac = attendee(report, email="jbarac@example.com")
    assert barac.minutes_present == clock("0:49:49")
    assert (barac.role, barac.upn) == ("attendee", "jbarac@example.com")
    # row 10: 2:47:17-3:10:31 (its Duration says 14s)
    assert attendee(report, email="mjacob@example.com").minutes_present == clock("0:23:14")
    assert attendee(report, email="pbobby@example.com").role == "presenter"


def test_teams_meeting_summary_padded_with_guests_and_ext_upn() -> None:
    report = read(
        "samples/teams/Raikonif_meetingAttendanceReport_2022-04-25_v2022_crlf-padded.anon.csv",
        start="2022-04-25 08:20",
        minutes=120,
        tz="Europe/Madrid",
    )

    assert report.format == "teams-summary-2021"
    assert len(report.attendees) == 10
    assert report.warnings == []
    # rows 15, 16: 8:31:24-10:00:52 (1:29:28) and 10:10:05-10:16:21 (6:16)
    harper = attendee(report, email="harper.radcliffe@example.com")
    assert harper.minutes_present == clock("1:35:44")
    assert harper.upn == "harper.radcliffe_example.net#ext#@example.com"
    # row 11: a guest with no e-mail or UPN, 8:30:25-10:16:25
    guest = attendee(report, name="Casey Radcliffe (Guest)")
    assert (guest.email, guest.upn, guest.minutes_present) == ("", "", 106)


def test_teams_meeting_summary_rejoins_and_spanish_guest() -> None:
    report = read(
        "samples/teams/Raikonif_meetingAttendanceReport_General_2022-09-16_v2022_lf.anon.csv",
        start="2022-09-16 18:00",
        minutes=135,
        tz="Europe/Madrid",
    )

    # "Total Number of Participants 22" counts people, and so do we (25 rows)
    assert (report.rows_read, len(report.attendees)) == (25, 22)
    # rows 13-15: 5:58:36-7:49:07 (1:50:31), 7:50:17-7:50:39 (22s), 8:08:55-8:09:20 (25s)
    emerson = attendee(report, email="emerson.dunmore@example.com")
    assert emerson.minutes_present == clock("1:51:18")
    assert len(emerson.intervals) == 3
    # rows 24, 25: 6:01:56-6:31:21 (29:25) and 6:55:02-7:22:05 (27:03)
    assert attendee(report, email="riley.kimball@example.com").minutes_present == clock("0:56:28")
    # row 31: 6:16:23-7:48:42
    assert attendee(report, name="Hayden Zeller (Invitado)").minutes_present == clock("1:32:19")
    assert attendee(report, email="avery.dunmore@example.com").role == "host"


def test_teams_sectioned_webinar_takes_segments_from_section_3() -> None:
    report = read(
        "samples/teams/WebinarStats_TeamsWebinarTest_v2023-webinar.anon.csv",
        start="2023-04-17 19:30",
        minutes=15,
        tz="Europe/London",
    )

    assert report.format == "teams-sectioned"
    assert report.decisions == ["Dates read month-first: row 7 has 4/17/23, 7:29:57 PM."]
    assert report.warnings == [
        "Row 24: no join time and no duration; ignored.",
        "Row 25: no join time and no duration; ignored.",
    ]
    assert report.meeting_start == utc("2023-04-17 18:29:57")
    assert len(report.attendees) == 5
    # section 3 rows 23, 26: 7:31:47-7:35:04 (3:17) and 7:36:48-7:37:02 (14s); rows 24, 25
    # have a leave time only. (Section 2 says 3m 30s, the same sum, truncated.)
    one = attendee(report, email="person.one@example.com")
    assert one.minutes_present == clock("0:03:31")
    assert one.name == "One, Person"
    assert one.rows == [15, 23, 24, 25, 26]
    # row 27: 7:31:48-7:35:02; e-mail and UPN differ
    two = attendee(report, email="16twoper@example.com")
    assert (two.upn, two.minutes_present) == ("16birele@example.com", clock("0:03:14"))
    # rows 17, 28: no e-mail, found by name: 7:35:36-7:36:36
    assert attendee(report, name="personfirstname").minutes_present == 1
    assert attendee(report, name="Person Two (Guest)").minutes_present == clock("0:01:59")
    assert attendee(report, email="avery.dunmore@example.com").role == "host"


def test_teams_sectioned_utf16be_day_first_two_digit_years() -> None:
    report = read(
        "samples/teams/dvaneynde_IDL-14-11-22_v2022-sections_utf16be_ddmmyy.anon.csv",
        start="2022-11-14 09:30",
        minutes=20,
        tz="Europe/Brussels",
    )

    assert (report.format, report.encoding) == ("teams-sectioned", "UTF-16BE with BOM")
    assert report.decisions == ["Dates read day-first: row 4 has 14/11/22, 09:29:07."]
    assert report.meeting_end == utc("2022-11-14 08:50:14")
    # row 27: 09:35:21-09:50:12; the name holds a bare comma in a tab file
    santiago = attendee(report, email="sdc@example.com")
    assert santiago.name == "De Compostela, Santiago"
    assert santiago.minutes_present == clock("0:14:51")
    # row 21: 09:30:46-09:50:12, the organizer
    jan = attendee(report, email="jan.janssens.ext@example.com")
    assert (jan.role, jan.minutes_present) == ("host", clock("0:19:26"))


def test_teams_sectioned_polish() -> None:
    report = read(
        "samples/teams/mlodyjesienin_raport-obecnosci_v2023_polish.csv",
        start="2025-03-10 08:00",
        minutes=140,
        tz="Europe/Warsaw",
    )

    assert report.format == "teams-sectioned"
    assert report.meeting_start == utc("2025-03-10 07:00:48")
    assert report.decisions[0] == (
        "Dates read month-first: 3/10/25, 8:00:48 AM (row 4) is the session's date, "
        "10 March 2025, only when read month-first."
    )
    assert report.warnings == [
        "Row 11, column “Adres e-mail”: 'EMAIL' is not an e-mail address; ignored.",
        "6 rows under “3. Działania podczas spotkania” name people not listed in the "
        "participants section (e.g. row 22, “uczestnik jakis2”); ignored.",
    ]
    assert len(report.attendees) == 7
    # rows 11 and 21 (the only section-3 name the author left unchanged): 8:02:00-10:20:08
    first = attendee(report, name="uczestnik jakis1")
    assert (first.role, first.upn, first.email) == ("host", "id@uczelnia.pl", "")
    assert first.minutes_present == clock("2:18:08")
    # row 12 has no section-3 rows: its "2 godz. 15 min 14 s", spanning 8:00:50-10:16:04
    second = attendee(report, name="zuczestnik jakis 2")
    assert second.role == "presenter"
    assert second.minutes_present == pytest.approx(135 + 14 / 60)
    assert second.first_join == utc("2025-03-10 07:00:50")
    # row 14: "1 godz. 57 min 16 s"
    assert attendee(report, name="auczestnik jakis4").minutes_present == pytest.approx(
        117 + 16 / 60
    )


def test_teams_live_event_is_utc_and_leaves_out_other_days() -> None:
    # Session 2 March 2023 11:00-12:00 in London (GMT, so local = UTC).
    report = read(
        "samples/teams/WebinarStats_AttendeeReportTest_live-event.anon.csv",
        start="2023-03-02 11:00",
        minutes=60,
        tz="Europe/London",
    )

    assert report.format == "teams-live-event"
    assert report.rows_read == 1891
    assert "Times read as UTC, as Teams Live Events reports write them." in report.decisions
    assert report.warnings[0].startswith("362 rows are more than 6 hours from the session")
    # rows 32, 33: Joined 11:02, Left 11:57
    assert attendee(report, email="person1@example.com").minutes_present == 55
    # rows 198, 199: an event team member, 10:52-12:08
    team = attendee(report, email="person52@example.com")
    assert (team.role, team.minutes_present) == ("presenter", 76)
    # rows 334-338: viewing sessions 11:00-13:00, 11:05-11:58 and 11:00 with no Left
    # (to the session's end, 12:00) → 11:00-13:00
    assert attendee(report, email="person98@example.com").minutes_present == 120
    # rows 1135-1142: 17 and 28 February are left out; on 2 March 10:46-10:51 and
    # 10:51-12:09 touch → 10:46-12:09
    producer = attendee(report, email="person369@example.com")
    assert producer.minutes_present == 83
    assert producer.first_join == utc("2023-03-02 10:46:00")
    anonymous = [a for a in report.attendees if not a.name and not a.email]
    assert len(anonymous) == 15


def test_teams_sectioned_without_participants_rows_is_refused() -> None:
    data = "1. Summary\nMeeting title\tEmpty\n\n2. Participants\nName\tFirst join\tLast leave\n"
    with pytest.raises(ReportError) as refused:
        read(data.encode("utf-16"), start="2024-01-01 10:00", minutes=60, tz="UTC")

    assert refused.value.detail == (
        "This Microsoft Teams attendance report (2022+, sectioned) has no attendees: 0 rows "
        "were read and none could be counted."
    )
