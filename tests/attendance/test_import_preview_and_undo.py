"""Imports held for confirmation when their times are far from the session, removed again
with the session's figures as they were, and unmatched attendees resolved in bulk."""

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, func, select
from typer.testing import CliRunner

from app.attendance import held, service, suggestions, undo
from app.attendance.matching import Directory
from app.attendance.previews import OutsideSession
from app.attendance.schemas import ImportPreview
from app.cli import app as cli
from app.dashboards.schemas import DashboardFilters
from app.dashboards.service import overview
from app.models import (
    Attendance,
    AttendanceImport,
    AuditEntry,
    Platform,
    SessionStatus,
    StorySession,
    utcnow,
)
from app.models.attendance import HeldImport
from tests.attendance.support import SAMPLES
from tests.conftest import PageClient
from tests.factories import create_attendance, create_person, create_session

ZOOM = SAMPLES / "zoom" / "zoomclass_participants_heroes.csv"
"""11/19/2021, 10:00 AM to 12:00 PM (America/Chicago): 27 people."""
GENERAL = (
    SAMPLES / "teams" / "Raikonif_meetingAttendanceReport_General_2022-09-16_v2022_lf.anon.csv"
)
"""9/16/2022, 5:58 PM to 8:09 PM (America/New_York): 22 people."""
CHICAGO = ZoneInfo("America/Chicago")
ZOOM_EXPLANATION = (
    "This report is from Fri 19 Nov 2021 09:54–12:01; the session was Tue 30 Nov 2021 "
    "16:00–17:00 (America/Chicago time)."
)


def _far_session(db: Session) -> StorySession:
    """A session eleven days after the Zoom sample's meeting: its report is not this one's."""
    return create_session(
        db,
        title="Later session",
        starts_at=datetime(2021, 11, 30, 16, tzinfo=CHICAGO),
        timezone="America/Chicago",
        duration_minutes=60,
        status=SessionStatus.completed,
    )


def _general_session(db: Session) -> StorySession:
    return create_session(
        db,
        title="General",
        starts_at=datetime(2022, 9, 16, 18, 0, tzinfo=ZoneInfo("America/New_York")),
        timezone="America/New_York",
        duration_minutes=120,
        platform=Platform.teams,
        status=SessionStatus.completed,
    )


def _counts(db: Session) -> tuple[int, int]:
    """(attendance rows, imports) in the whole database."""
    rows = db.exec(select(func.count()).select_from(Attendance)).one()
    imports = db.exec(select(func.count()).select_from(AttendanceImport)).one()
    return rows, imports


def _figures(db: Session, story_session: StorySession) -> dict[str, Any]:
    """Everything a person could read about the session's attendance: the dashboard summary,
    the per-level counts and the rows themselves (without their ids)."""
    assert story_session.id is not None
    rows = db.exec(select(Attendance).where(Attendance.session_id == story_session.id)).all()
    return {
        "overview": overview(db, filters=DashboardFilters()).model_dump(),
        "levels": [
            count.model_dump() for count in service.level_counts(db, story_session=story_session)
        ],
        "rows": sorted(
            (
                row.person_id or 0,
                row.raw_email,
                row.raw_name,
                row.source.value,
                row.minutes_present,
                row.attended,
                row.level_id or 0,
                row.department,
                row.external,
                str(row.first_join),
                str(row.last_leave),
                row.import_id or 0,
            )
            for row in rows
        ),
    }


# -- held for confirmation -------------------------------------------------------------------


def test_report_far_from_the_session_is_held_and_stores_nothing(db: Session) -> None:
    story_session = _far_session(db)
    create_person(db, email="loki_asgardian@marvel.com", name="Loki Laufeyson", level_key="vp")
    before = _counts(db)

    with pytest.raises(OutsideSession) as raised:
        service.import_report(
            db, story_session=story_session, data=ZOOM.read_bytes(), filename="heroes.csv"
        )

    preview = raised.value.preview
    assert raised.value.status_code == 409
    assert preview.explanation == ZOOM_EXPLANATION
    assert (preview.people_found, preview.matched, preview.unmatched) == (27, 1, 26)
    assert {c.level.key: c.attended for c in preview.per_level if c.attended} == {
        "vp": 1,
        "unknown": 23,  # 3 of the 26 unmatched were there under 5 minutes
    }
    assert _counts(db) == before


def test_report_near_the_session_is_imported_without_asking(db: Session) -> None:
    story_session = create_session(
        db,
        starts_at=datetime(2021, 11, 19, 13, tzinfo=CHICAGO),  # 1 hour after the meeting ended
        timezone="America/Chicago",
        status=SessionStatus.completed,
    )
    report = service.import_report(
        db, story_session=story_session, data=ZOOM.read_bytes(), filename="heroes.csv"
    )
    assert report.people_found == 27
    assert _counts(db) == (27, 1)


def test_held_page_shows_the_mismatch_and_import_anyway_stores_the_previewed_rows(
    organizer_web: PageClient, db: Session
) -> None:
    story_session = _far_session(db)
    create_person(db, email="loki_asgardian@marvel.com", name="Loki Laufeyson", level_key="vp")
    before = _counts(db)
    upload = organizer_web.submit(
        f"/sessions/{story_session.id}/attendance/imports",
        {"date_order": "auto"},
        files={"file": ("heroes.csv", ZOOM.read_bytes(), "text/csv")},
    )
    assert upload.status_code == 303
    location = upload.headers["location"]
    assert location.startswith(f"/sessions/{story_session.id}/attendance/imports/held/")
    assert _counts(db) == before
    token = location.rsplit("/", 1)[1]
    preview = held.held_preview(db.get_one(HeldImport, token))

    page = organizer_web.get(location)
    assert page.status_code == 200
    assert f'<p class="notice" role="status">{ZOOM_EXPLANATION} Nothing has been imported yet.' in (
        page.text
    )
    assert ">Import anyway</button>" in page.text
    assert ">Cancel</button>" in page.text

    confirmed = organizer_web.submit(location)
    assert confirmed.status_code == 303
    report = service.get_import_report(
        db,
        story_session=story_session,
        import_id=int(confirmed.headers["location"].rsplit("/", 1)[1]),
    )
    assert (report.people_found, report.matched, report.unmatched, report.attended) == (
        preview.people_found,
        preview.matched,
        preview.unmatched,
        preview.attended,
    )
    assert service.level_counts(db, story_session=story_session) == preview.per_level
    assert _counts(db) == (before[0] + preview.people_found, before[1] + 1)
    assert db.get(HeldImport, token) is None
    # The choice is used up: a second "Import anyway" is refused, and imports nothing more.
    again = organizer_web.submit(location)
    assert again.status_code == 404
    assert "no longer waiting" in again.text
    assert _counts(db) == (before[0] + preview.people_found, before[1] + 1)


def test_cancelling_a_held_import_stores_nothing_and_says_so(
    organizer_web: PageClient, db: Session
) -> None:
    story_session = _far_session(db)
    upload = organizer_web.submit(
        f"/sessions/{story_session.id}/attendance/imports",
        files={"file": ("heroes.csv", ZOOM.read_bytes(), "text/csv")},
    )
    cancelled = organizer_web.submit(upload.headers["location"] + "/cancel")
    assert cancelled.status_code == 303
    assert cancelled.headers["location"] == (
        f"/sessions/{story_session.id}/attendance?done=cancelled#imports"
    )
    page = organizer_web.get(cancelled.headers["location"])
    assert '<p class="notice" role="status">Nothing was imported.</p>' in page.text
    assert _counts(db) == (0, 0)
    assert db.exec(select(HeldImport)).all() == []


def test_unknown_or_expired_held_import_is_a_clear_error(
    organizer_web: PageClient, db: Session
) -> None:
    story_session = _far_session(db)
    base = f"/sessions/{story_session.id}/attendance/imports/held"
    unknown = organizer_web.submit(f"{base}/not-a-token")
    assert unknown.status_code == 404
    assert "This import is no longer waiting" in unknown.text
    assert "upload the file again" in unknown.text

    upload = organizer_web.submit(
        f"/sessions/{story_session.id}/attendance/imports",
        files={"file": ("heroes.csv", ZOOM.read_bytes(), "text/csv")},
    )
    token = upload.headers["location"].rsplit("/", 1)[1]
    waiting = db.get_one(HeldImport, token)
    waiting.expires_at = utcnow() - timedelta(seconds=1)
    db.flush()
    for response in (organizer_web.get(f"{base}/{token}"), organizer_web.submit(f"{base}/{token}")):
        assert response.status_code == 404
        assert "it expired (2 hours after the upload)" in response.text
    assert _counts(db) == (0, 0)

    # A token is good for its own session only.
    other = _far_session(db)
    elsewhere = organizer_web.submit(f"/sessions/{other.id}/attendance/imports/held/{token}")
    assert elsewhere.status_code == 404


def test_api_far_report_is_409_until_confirmed(organizer_api: TestClient, db: Session) -> None:
    story_session = _far_session(db)
    url = f"/api/v1/sessions/{story_session.id}/attendance/imports"
    refused = organizer_api.post(url, files={"file": ("heroes.csv", ZOOM.read_bytes(), "text/csv")})
    assert refused.status_code == 409
    assert refused.json() == {
        "detail": f"{ZOOM_EXPLANATION} Nothing was imported: check that this is the report of "
        "this session, or confirm to import it anyway."
    }
    assert _counts(db) == (0, 0)

    confirmed = organizer_api.post(
        url,
        data={"confirm": "true"},
        files={"file": ("heroes.csv", ZOOM.read_bytes(), "text/csv")},
    )
    assert confirmed.status_code == 201, confirmed.text
    assert confirmed.json()["people_found"] == 27
    assert _counts(db) == (27, 1)


def test_openapi_documents_the_409_and_confirm(organizer_api: TestClient) -> None:
    schema = organizer_api.get("/openapi.json").json()
    operation = schema["paths"]["/api/v1/sessions/{session_id}/attendance/imports"]["post"]
    assert "confirm=true" in operation["responses"]["409"]["description"]
    body = operation["requestBody"]["content"]["multipart/form-data"]["schema"]
    form = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
    assert "far from the session" in form["properties"]["confirm"]["description"]
    removal = schema["paths"]["/api/v1/sessions/{session_id}/attendance/imports/{import_id}"]
    assert "204" in removal["delete"]["responses"]


def test_cli_far_report_needs_yes(db: Session) -> None:
    story_session = _far_session(db)
    command = ["import", "attendance", str(story_session.id), str(ZOOM)]
    refused = CliRunner().invoke(cli, command)
    assert refused.exit_code == 1
    assert "This report is from Fri 19 Nov 2021 09:54–12:01" in refused.output
    assert "run again with --yes" in refused.output
    assert _counts(db) == (0, 0)

    confirmed = CliRunner().invoke(cli, [*command, "--yes"])
    assert confirmed.exit_code == 0, confirmed.output
    assert "Zoom meeting participants report" in confirmed.output
    assert _counts(db) == (27, 1)


# -- removing an import ----------------------------------------------------------------------


def test_removing_an_import_returns_every_figure_to_what_it_was(db: Session) -> None:
    story_session = _general_session(db)
    create_person(db, email="avery.dunmore@example.com", name="Avery Dunmore", level_key="vp")
    create_person(db, email="emerson.dunmore@example.com", name="Emerson Dunmore")
    create_person(db, email="riley.k@corp.example", name="Riley Kimball", level_key="director")
    create_person(db, email="ada@corp.example", name="Ada Lovelace", level_key="c-suite")
    # Another import (a plain CSV) and a person marked by hand, whom the report adds minutes to.
    service.import_report(
        db, story_session=story_session, data=b"Email,Minutes\nada@corp.example,40\n", filename="a"
    )
    service.mark_present(db, story_session=story_session, email="riley.k@corp.example")
    before = _figures(db, story_session)

    report = service.import_report(
        db, story_session=story_session, data=GENERAL.read_bytes(), filename="general.csv"
    )
    assert _figures(db, story_session) != before
    record = undo.get_import(db, story_session=story_session, import_id=report.import_id)
    removed = undo.remove_import(db, story_session=story_session, record=record)

    assert (removed.deleted, removed.restored, removed.reverted) == (21, 0, 1)
    assert _figures(db, story_session) == before
    assert db.get(AttendanceImport, report.import_id) is None


def test_removing_a_newer_report_brings_back_the_one_it_replaced(db: Session) -> None:
    story_session = create_session(
        db,
        starts_at=datetime(2026, 3, 3, 15, tzinfo=ZoneInfo("UTC")),
        status=SessionStatus.completed,
    )
    ada = create_person(db)
    create_person(db, email="bob@example.com", name="Bob")
    first = service.import_report(
        db,
        story_session=story_session,
        data=b"Email,Minutes\nada@example.com,40\nbob@example.com,30\nguest@else.example,9\n",
        filename="first.csv",
    )
    before = _figures(db, story_session)
    newer = service.import_report(
        db, story_session=story_session, data=b"Email,Minutes\nada@example.com,45\n", filename="b"
    )
    assert newer.replaced == 3

    record = undo.get_import(db, story_session=story_session, import_id=newer.import_id)
    removed = undo.remove_import(db, story_session=story_session, record=record)
    assert (removed.deleted, removed.restored) == (1, 3)
    assert _figures(db, story_session) == before

    # The first import's rows are its own again: removing it leaves the session empty.
    record = undo.get_import(db, story_session=story_session, import_id=first.import_id)
    undo.remove_import(db, story_session=story_session, record=record)
    assert db.exec(select(Attendance).where(Attendance.person_id == ada.id)).all() == []
    assert _counts(db) == (0, 0)


def test_api_delete_import_removes_only_its_rows_and_is_audited(
    organizer_api: TestClient, db: Session
) -> None:
    story_session = create_session(
        db,
        starts_at=datetime(2026, 3, 3, 15, tzinfo=ZoneInfo("UTC")),
        status=SessionStatus.completed,
    )
    create_person(db)
    grace = create_person(db, email="grace@example.com", name="Grace Hopper")
    create_attendance(db, story_session=story_session, person=grace)
    base = f"/api/v1/sessions/{story_session.id}/attendance/imports"
    imported = organizer_api.post(
        base, files={"file": ("a.csv", b"Email,Minutes\nada@example.com,40\n", "text/csv")}
    ).json()

    removed = organizer_api.delete(f"{base}/{imported['import_id']}")
    assert removed.status_code == 204
    rows = db.exec(select(Attendance).where(Attendance.session_id == story_session.id)).all()
    assert [row.person_id for row in rows] == [grace.id]
    entry = db.exec(
        select(AuditEntry).where(
            AuditEntry.entity == "attendance_import", AuditEntry.action == "removed"
        )
    ).one()
    assert entry.entity_id == imported["import_id"]
    assert entry.summary.startswith("Removed the import of a.csv from the attendance of")
    assert "1 rows deleted" in entry.summary

    again = organizer_api.delete(f"{base}/{imported['import_id']}")
    assert again.status_code == 404
    assert "it may have been removed already" in again.json()["detail"]


def test_page_lists_imports_and_removal_keeps_the_place_with_a_notice(
    organizer_web: PageClient, db: Session
) -> None:
    story_session = _general_session(db)
    url = f"/sessions/{story_session.id}/attendance"
    organizer_web.submit(
        f"{url}/imports", files={"file": ("general.csv", GENERAL.read_bytes(), "text/csv")}
    )
    record = db.exec(select(AttendanceImport)).one()
    page = organizer_web.get(f"{url}?show=unmatched&offset=0").text
    section = page.split('<h2 id="imports">', 1)[1].split("</section>", 1)[0]
    assert "general.csv" in section
    assert "Microsoft Teams" in section
    assert "organizer-web@example.com" in section
    assert '<td class="num">22</td>' in section
    assert f'action="{url}/imports/{record.id}/remove"' in section
    assert 'name="back" value="show=unmatched&amp;offset=0"' in section
    report_page = organizer_web.get(f"{url}/imports/{record.id}").text
    assert f'action="{url}/imports/{record.id}/remove"' in report_page

    removed = organizer_web.submit(
        f"{url}/imports/{record.id}/remove", {"back": "show=unmatched&offset=0&done=external"}
    )
    assert removed.status_code == 303
    assert removed.headers["location"] == f"{url}?show=unmatched&offset=0&done=removed&n=22#imports"
    after = organizer_web.get(removed.headers["location"]).text
    assert (
        '<p class="notice" role="status">Import removed: its 22 rows are gone, and the '
        "session's figures are what they were before it.</p>"
    ) in after.replace("&#39;", "'")
    assert _counts(db) == (0, 0)


# -- resolving in bulk -----------------------------------------------------------------------


def _unmatched_session(db: Session) -> tuple[StorySession, dict[str, Attendance]]:
    story_session = create_session(db, starts_at=utcnow() - timedelta(days=1))
    rows = {}
    for name, email in (
        ("Jordan Pryce", ""),  # one letter from Jordan Price
        ("S. Radcliffe", ""),  # Skyler or Sam: never guessed
        ("Pat Guest", "pat@partner.example"),  # not one of the company's domains
        ("New Starter", "new.starter@corp.example"),  # the company's, but not in the directory
    ):
        row = create_attendance(db, story_session=story_session, raw_name=name, level_key="unknown")
        row.raw_email = email
        rows[name] = row
    db.flush()
    return story_session, rows


def test_suggestions_match_a_similar_name_and_an_outside_domain_and_leave_ties(
    db: Session,
) -> None:
    jordan = create_person(db, email="jordan.price@corp.example", name="Jordan Price")
    create_person(db, email="skyler@corp.example", name="Skyler Radcliffe")
    create_person(db, email="sam@corp.example", name="Sam Radcliffe")
    story_session, rows = _unmatched_session(db)

    found = {s.name: s for s in suggestions.suggestions(db, story_session=story_session)}
    assert (found["Jordan Pryce"].kind, found["Jordan Pryce"].person_id) == ("person", jordan.id)
    assert found["Jordan Pryce"].choice == f"{rows['Jordan Pryce'].id}:person:{jordan.id}"
    assert (found["S. Radcliffe"].kind, found["S. Radcliffe"].reason) == (
        "none",
        "2 people have names as similar as this",
    )
    assert (found["Pat Guest"].kind, found["Pat Guest"].reason) == (
        "external",
        "partner.example is not one of the company's email domains",
    )
    assert found["New Starter"].kind == "none"


def test_accepting_ticked_suggestions_resolves_them_and_keeps_the_place(
    organizer_web: PageClient, db: Session
) -> None:
    jordan = create_person(db, email="jordan.price@corp.example", name="Jordan Price")
    create_person(db, email="skyler@corp.example", name="Skyler Radcliffe")
    create_person(db, email="sam@corp.example", name="Sam Radcliffe")
    story_session, rows = _unmatched_session(db)
    url = f"/sessions/{story_session.id}/attendance"
    attendance = organizer_web.get(f"{url}?sort=name&offset=0").text
    assert f'href="{url}/suggestions?back=sort%3Dname%26offset%3D0"' in attendance

    page = organizer_web.get(f"{url}/suggestions?back=sort%3Dname%26offset%3D0").text
    ticked = f'value="{rows["Jordan Pryce"].id}:person:{jordan.id}" checked'
    assert ticked in page
    assert f'value="{rows["Pat Guest"].id}:external" checked' in page
    assert f'value="{rows["S. Radcliffe"].id}:' not in page  # left for the organizer
    assert "2 people have names as similar as this" in page
    assert 'name="back" value="sort=name&amp;offset=0"' in page

    accepted = organizer_web.submit(
        f"{url}/suggestions",
        {
            "accept": [
                f"{rows['Jordan Pryce'].id}:person:{jordan.id}",
                f"{rows['Pat Guest'].id}:external",
            ],
            "back": "sort=name&offset=0",
        },
    )
    assert accepted.status_code == 303
    assert accepted.headers["location"] == f"{url}?sort=name&offset=0&done=accepted&n=2#unmatched"
    for row in rows.values():
        db.refresh(row)
    assert rows["Jordan Pryce"].person_id == jordan.id
    assert rows["Pat Guest"].external is True
    assert (rows["S. Radcliffe"].person_id, rows["S. Radcliffe"].external) == (None, False)
    assert (rows["New Starter"].person_id, rows["New Starter"].external) == (None, False)
    shown = organizer_web.get(accepted.headers["location"]).text
    section = shown.split('<h2 id="unmatched">', 1)[1].split("</section>", 1)[0]
    assert '<p class="notice" role="status">Accepted 2 suggestions.</p>' in section


def test_a_suggestion_no_longer_current_is_skipped(db: Session) -> None:
    jordan = create_person(db, email="jordan.price@corp.example", name="Jordan Price")
    story_session, rows = _unmatched_session(db)
    choice = f"{rows['Jordan Pryce'].id}:person:{jordan.id}"
    service.mark_external(
        db, story_session=story_session, attendance_id=rows["Jordan Pryce"].id or 0
    )
    accepted = suggestions.accept_suggestions(db, story_session=story_session, choices=[choice])
    assert (accepted.matched, accepted.external, accepted.skipped) == (0, 0, 1)
    assert rows["Jordan Pryce"].person_id is None


def test_mark_all_external_keeps_the_place_and_confirms(
    organizer_web: PageClient, db: Session
) -> None:
    story_session, rows = _unmatched_session(db)
    matched = create_attendance(db, story_session=story_session, person=create_person(db))
    url = f"/sessions/{story_session.id}/attendance"
    page = organizer_web.get(f"{url}?show=unmatched").text
    assert f'action="{url}/unmatched/mark-external"' in page
    assert "Mark all 4 as external" in page

    marked = organizer_web.submit(f"{url}/unmatched/mark-external", {"back": "show=unmatched"})
    assert marked.status_code == 303
    assert marked.headers["location"] == f"{url}?show=unmatched&done=external-all&n=4#unmatched"
    externals = db.exec(
        select(Attendance.raw_name).where(
            Attendance.session_id == story_session.id, col(Attendance.external)
        )
    ).all()
    assert sorted(externals) == sorted(rows)
    db.refresh(matched)
    assert matched.external is False
    shown = organizer_web.get(marked.headers["location"]).text
    assert (
        '<p class="notice" role="status">Marked 4 unmatched attendees as not employees.</p>'
        in shown
    )
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "marked_external")).one()
    assert entry.summary.startswith("Marked all 4 unmatched attendees at")


def test_resolving_one_attendee_keeps_the_place_and_confirms(
    organizer_web: PageClient, db: Session
) -> None:
    jordan = create_person(db, email="jordan.price@corp.example", name="Jordan Price")
    story_session, rows = _unmatched_session(db)
    url = f"/sessions/{story_session.id}/attendance"
    page = organizer_web.get(f"{url}?show=unmatched&sort=name").text
    assert 'name="back" value="show=unmatched&amp;sort=name"' in page

    resolved = organizer_web.submit(
        f"{url}/{rows['Jordan Pryce'].id}/resolve",
        {"email": "jordan.price@corp.example", "back": "show=unmatched&sort=name"},
    )
    assert resolved.status_code == 303
    assert resolved.headers["location"] == f"{url}?show=unmatched&sort=name&done=resolved#unmatched"
    db.refresh(rows["Jordan Pryce"])
    assert rows["Jordan Pryce"].person_id == jordan.id
    shown = organizer_web.get(resolved.headers["location"]).text
    section = shown.split('<h2 id="unmatched">', 1)[1].split("</section>", 1)[0]
    assert (
        '<p class="notice" role="status">Matched. The next import will recognise them too.</p>'
        in section
    )

    external = organizer_web.submit(
        f"{url}/{rows['Pat Guest'].id}/external", {"back": "offset=100&show=all"}
    )
    assert external.headers["location"] == f"{url}?offset=100&show=all&done=external#unmatched"


def test_viewer_can_neither_preview_remove_nor_resolve_in_bulk(
    viewer_web: PageClient, viewer_api: TestClient, organizer_api: TestClient, db: Session
) -> None:
    story_session, rows = _unmatched_session(db)
    imported = organizer_api.post(
        f"/api/v1/sessions/{story_session.id}/attendance/imports",
        files={"file": ("a.csv", b"Email\nguest@else.example\n", "text/csv")},
    ).json()
    far = _far_session(db)
    with pytest.raises(OutsideSession):
        service.import_report(db, story_session=far, data=ZOOM.read_bytes(), filename="z.csv")
    waiting = held.import_or_hold(
        db, story_session=far, data=ZOOM.read_bytes(), filename="z.csv", date_order="auto"
    )
    assert isinstance(waiting, ImportPreview)
    url = f"/sessions/{story_session.id}/attendance"
    before = _figures(db, story_session)

    page = viewer_web.get(url).text
    assert "a.csv" in page  # the import is listed…
    assert "Remove this import" not in page  # …without the means to remove it
    assert "mark-external" not in page
    assert "/suggestions" not in page
    report_page = viewer_web.get(f"{url}/imports/{imported['import_id']}").text
    assert "people in the file" in report_page
    assert "Remove this import" not in report_page
    for response in (
        viewer_web.submit(f"{url}/imports/{imported['import_id']}/remove"),
        viewer_web.submit(f"{url}/unmatched/mark-external"),
        viewer_web.submit(f"{url}/suggestions", {"accept": [f"{rows['Pat Guest'].id}:external"]}),
        viewer_web.get(f"{url}/suggestions"),
        viewer_web.get(f"/sessions/{far.id}/attendance/imports/held/{waiting.token}"),
        viewer_web.submit(f"/sessions/{far.id}/attendance/imports/held/{waiting.token}"),
        viewer_api.delete(f"/api/v1{url}/imports/{imported['import_id']}"),
        viewer_api.post(f"/api/v1{url}/unmatched/mark-external"),
        viewer_api.post(f"/api/v1{url}/suggestions", json={"accept": []}),
    ):
        assert response.status_code == 403, response.request.url
    assert _figures(db, story_session) == before
    assert db.exec(select(HeldImport)).one().token == waiting.token


def test_similar_names_in_another_order_or_with_an_initial_are_suggested(db: Session) -> None:
    skyler = create_person(db, email="skyler@corp.example", name="Skyler Radcliffe")
    jordan = create_person(db, email="jordan.price@corp.example", name="Jordan Price")
    directory = Directory.load(db)

    def best(name: str) -> list[int] | None:
        found = directory.similar(name)
        return found.person_ids if found else None

    assert best("Radcliffe, Skyler") == [skyler.id]
    assert best("S. Radcliffe (Guest)") == [skyler.id]
    assert best("Jordan Pryce") == [jordan.id]
    assert best("Jordan Smith") is None  # one word in common is not a similar name
