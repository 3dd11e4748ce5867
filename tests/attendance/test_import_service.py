"""Importing reports into a session: matching to the directory, snapshots, safe re-imports.

Expected minutes come from the sample file by hand: the Teams "General" report (2022 summary
format, times in the session's zone) lists each join/leave; a person's minutes are the union
of their rows, rounded.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, col, select

from app.attendance import service
from app.attendance.parsing import ReportError
from app.config import get_settings
from app.errors import NotFound
from app.models import (
    AliasKind,
    Attendance,
    AttendanceImport,
    AttendanceSource,
    PersonAlias,
    Platform,
    SessionStatus,
    StorySession,
)
from app.people.service import add_alias
from tests.attendance.support import SAMPLES
from tests.factories import create_person, create_session, get_level

GENERAL = (
    SAMPLES / "teams" / "Raikonif_meetingAttendanceReport_General_2022-09-16_v2022_lf.anon.csv"
)
QOS = SAMPLES / "zoom" / "jfrazx_dashboard-meeting-participants-qos.csv"


def _general_session(db: Session) -> StorySession:
    # The report: 9/16/2022 5:58 PM to 8:09 PM, local time; the organizer was in New York.
    return create_session(
        db,
        title="General",
        starts_at=datetime(2022, 9, 16, 18, 0, tzinfo=ZoneInfo("America/New_York")),
        timezone="America/New_York",
        duration_minutes=120,
        platform=Platform.teams,
        status=SessionStatus.completed,
    )


def _rows(db: Session, story_session: StorySession) -> dict[str, Attendance]:
    rows = db.exec(select(Attendance).where(Attendance.session_id == story_session.id)).all()
    return {row.raw_email or row.raw_name: row for row in rows}


def _import(db: Session, story_session: StorySession, data: bytes, name: str = "report.csv"):  # type: ignore[no-untyped-def]
    return service.import_report(db, story_session=story_session, data=data, filename=name)


def test_import_matches_by_email_alias_and_name_and_keeps_the_rest(db: Session) -> None:
    story_session = _general_session(db)
    avery = create_person(
        db, email="avery.dunmore@example.com", name="Avery Dunmore", level_key="vp"
    )
    emerson = create_person(db, email="emerson.dunmore@example.com", name="Emerson Dunmore")
    riley = create_person(db, email="riley.k@corp.example", name="Riley Kimball")
    harper = create_person(db, email="h.radcliffe@corp.example", name="Someone Else")
    assert harper.id is not None
    add_alias(db, person=harper, kind=AliasKind.email, value="Harper.Radcliffe@example.com")
    # Two directory people share Logan Kimball's name: never guessed.
    create_person(db, email="logan.1@corp.example", name="Logan Kimball", department="Sales")
    create_person(db, email="logan.2@corp.example", name="Logan Kimball", department="Support")
    db.flush()

    report = _import(db, story_session, GENERAL.read_bytes())

    assert report.format == "teams-summary-2021"
    assert report.source is AttendanceSource.teams
    assert report.people_found == 22  # as the file's summary says; Emerson has 3 rows, Riley 2
    assert report.matched == 4
    assert report.matched_by == {"email": 2, "alias": 1, "name": 1}
    assert report.unmatched == 18
    assert report.ambiguous == ["Logan Kimball"]
    rows = _rows(db, story_session)
    # Emerson: 5:58:36–7:49:07 PM, 7:50:17–7:50:39, 8:08:55–8:09:20 → 110m31s + 22s + 25s.
    assert rows["emerson.dunmore@example.com"].person_id == emerson.id
    assert rows["emerson.dunmore@example.com"].minutes_present == 111
    # Riley (matched by name, the file's email is not his): 6:01:56–6:31:21 + 6:55:02–7:22:05.
    assert rows["riley.kimball@example.com"].person_id == riley.id
    assert rows["riley.kimball@example.com"].minutes_present == 56
    assert rows["harper.radcliffe@example.com"].person_id == harper.id
    assert rows["avery.dunmore@example.com"].level_id == avery.level_id
    first_join = rows["avery.dunmore@example.com"].first_join
    assert first_join == datetime(2022, 9, 16, 17, 58, 5, tzinfo=ZoneInfo("America/New_York"))
    logan = rows["logan.kimball@example.com"]
    assert (logan.person_id, logan.level_id) == (None, get_level(db, "unknown").id)
    assert logan.raw_name == "Logan Kimball"
    assert any("Logan Kimball" in warning for warning in report.warnings)


def test_import_snapshots_level_and_department_at_the_time(db: Session) -> None:
    story_session = _general_session(db)
    avery = create_person(
        db,
        email="avery.dunmore@example.com",
        name="Avery Dunmore",
        level_key="director",
        department="Support",
    )
    _import(db, story_session, GENERAL.read_bytes())
    vp = get_level(db, "vp")
    assert vp.id is not None
    avery.level_id = vp.id
    avery.department = "Customer Success"
    db.flush()
    row = _rows(db, story_session)["avery.dunmore@example.com"]
    db.refresh(row)
    assert (row.level_id, row.department) == (get_level(db, "director").id, "Support")


def test_import_counts_attended_by_the_minimum(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "attendance_min_minutes", 30)
    story_session = _general_session(db)
    report = _import(db, story_session, GENERAL.read_bytes())
    rows = _rows(db, story_session)
    assert rows["riley.kimball@example.com"].attended is True  # 56 minutes
    assert rows["skyler.radcliffe@example.com"].minutes_present == 6  # 6:06:08–6:12:26
    assert rows["skyler.radcliffe@example.com"].attended is False
    assert report.min_minutes == 30
    assert report.attended == sum(row.attended for row in rows.values())


def test_import_of_the_same_file_again_changes_nothing(db: Session) -> None:
    story_session = _general_session(db)
    first = _import(db, story_session, GENERAL.read_bytes())
    before = sorted(
        (r.raw_email, r.minutes_present, r.id) for r in _rows(db, story_session).values()
    )
    again = _import(db, story_session, GENERAL.read_bytes(), name="renamed.csv")
    after = sorted(
        (r.raw_email, r.minutes_present, r.id) for r in _rows(db, story_session).values()
    )
    assert again.repeated is True
    assert again.import_id == first.import_id
    assert before == after
    assert len(db.exec(select(AttendanceImport)).all()) == 1


def test_newer_report_from_the_same_source_replaces_the_rows(db: Session) -> None:
    story_session = create_session(
        db,
        starts_at=datetime(2026, 3, 3, 15, tzinfo=ZoneInfo("UTC")),
        status=SessionStatus.completed,
    )
    ada = create_person(db)
    create_person(db, email="bob@example.com", name="Bob")
    _import(db, story_session, b"Email,Minutes\nada@example.com,40\nbob@example.com,30\n")
    report = _import(db, story_session, b"Email,Minutes\nada@example.com,45\n")
    rows = _rows(db, story_session)
    assert report.replaced == 2
    assert list(rows) == ["ada@example.com"]
    assert (rows["ada@example.com"].person_id, rows["ada@example.com"].minutes_present) == (
        ada.id,
        45,
    )


def test_report_keeps_and_enriches_a_check_in(db: Session) -> None:
    story_session = create_session(
        db,
        starts_at=datetime(2026, 3, 3, 15, tzinfo=ZoneInfo("UTC")),
        status=SessionStatus.completed,
    )
    ada = create_person(db)
    service.mark_present(
        db, story_session=story_session, email="ADA@example.com", source=AttendanceSource.check_in
    )
    _import(db, story_session, b"Email,Minutes\nada@example.com,42\n")
    row = db.exec(select(Attendance).where(Attendance.person_id == ada.id)).one()
    assert (row.source, row.minutes_present, row.attended) == (AttendanceSource.check_in, 42, True)


def test_wrong_kind_of_file_is_refused_and_changes_nothing(db: Session) -> None:
    story_session = _general_session(db)
    with pytest.raises(ReportError, match="QoS"):
        _import(db, story_session, QOS.read_bytes())
    assert db.exec(select(Attendance)).all() == []
    assert db.exec(select(AttendanceImport)).all() == []


def test_resolving_an_unmatched_attendee_remembers_them_for_the_next_import(db: Session) -> None:
    story_session = _general_session(db)
    skyler = create_person(db, email="s.radcliffe@corp.example", name="S. Radcliffe")
    _import(db, story_session, GENERAL.read_bytes())
    row = _rows(db, story_session)["skyler.radcliffe@example.com"]
    assert row.person_id is None
    assert row.id is not None
    assert story_session.id is not None
    assert skyler.id is not None

    resolved = service.resolve_unmatched(
        db, story_session=story_session, attendance_id=row.id, person=skyler
    )
    assert (resolved.id, resolved.person_id, resolved.level_id) == (
        row.id,
        skyler.id,
        skyler.level_id,
    )
    alias = db.exec(select(PersonAlias).where(PersonAlias.person_id == skyler.id)).one()
    assert (alias.kind, alias.normalized) == (AliasKind.email, "skyler.radcliffe@example.com")

    later = create_session(
        db,
        starts_at=datetime(2022, 9, 30, 18, tzinfo=ZoneInfo("America/New_York")),
        timezone="America/New_York",
        status=SessionStatus.completed,
    )
    _import(db, later, b"Email,Minutes\nSkyler.Radcliffe@example.com,20\n")
    assert _rows(db, later)["skyler.radcliffe@example.com"].person_id == skyler.id


def test_marking_external_takes_the_row_out_of_the_unmatched_list(db: Session) -> None:
    story_session = _general_session(db)
    _import(db, story_session, GENERAL.read_bytes())
    assert story_session.id is not None
    unmatched, total = service.list_attendance(db, story_session=story_session, status="unmatched")
    service.mark_external(db, story_session=story_session, attendance_id=unmatched[0].id)
    _, remaining = service.list_attendance(db, story_session=story_session, status="unmatched")
    assert remaining == total - 1


def test_level_counts_put_executives_first_with_explicit_zeroes(db: Session) -> None:
    story_session = _general_session(db)
    create_person(db, email="avery.dunmore@example.com", name="Avery Dunmore", level_key="vp")
    _import(db, story_session, GENERAL.read_bytes())
    assert story_session.id is not None
    counts = service.level_counts(db, story_session=story_session)
    assert [(c.level.key, c.attended) for c in counts] == [
        ("c-suite", 0),
        ("vp", 1),
        ("director", 0),
        ("manager", 0),
        ("ic", 0),
        ("unknown", 21),
    ]


def test_mark_present_unknown_email_is_404_with_advice(db: Session) -> None:
    story_session = _general_session(db)
    with pytest.raises(
        NotFound, match=r"No one in the directory has the email nobody@example\.com"
    ):
        service.mark_present(db, story_session=story_session, email="Nobody@example.com")
    assert (
        db.exec(select(Attendance).where(col(Attendance.session_id) == story_session.id)).all()
        == []
    )


def test_mark_present_by_email_finds_people_as_an_import_would(db: Session) -> None:
    # A check-in looks one email up instead of loading the directory: the same rules hold.
    story_session = _general_session(db)
    ada = create_person(db, email="ada@corp.example", name="Ada Lovelace")
    grace = create_person(db, email="grace@corp.example", name="Grace Hopper")
    assert grace.id is not None
    add_alias(db, person=grace, kind=AliasKind.email, value="G.Hopper@Old.Example")
    create_person(db, email="gone@corp.example", name="Gone Person", active=False)

    def present(email: str) -> int | None:
        return service.mark_present(db, story_session=story_session, email=email).person_id

    assert present(" ADA@corp.example ") == ada.id
    assert present("g.hopper@old.example") == grace.id  # an email alias
    assert present("ada_corp.example#EXT#@tenant.onmicrosoft.com") == ada.id  # a guest UPN
    with pytest.raises(NotFound):
        present("gone@corp.example")  # no longer active
    with pytest.raises(NotFound):
        present("ada\x00@corp.example")  # PostgreSQL refuses a NUL in a query: never sent
