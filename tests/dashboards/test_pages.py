import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import Session

from app.models import EngagementStage, Invitation, LeaderStage, Rsvp, SessionStatus
from tests.conftest import PageClient
from tests.dashboards.support import build_org
from tests.factories import create_attendance, create_person, create_session

PAGES = [
    "/dashboard",
    "/dashboard/levels",
    "/dashboard/leaders",
    "/dashboard/leaders/grid",
    "/dashboard/funnel",
    "/dashboard/departments",
]


@contextmanager
def count_queries(db: Session) -> Iterator[list[str]]:
    """Every statement the app sends through the test connection (savepoints aside)."""
    statements: list[str] = []
    connection = db.get_bind()

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    event.listen(connection, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(connection, "before_cursor_execute", record)


def _grow(db: Session) -> None:
    """More people, sessions and attendance than build_org made."""
    people = [
        create_person(
            db,
            email=f"more{i}@example.com",
            name=f"More {i}",
            department=f"Dept {i % 4}",
            level_key=("vp", "director", "manager", "ic")[i % 4],
        )
        for i in range(24)
    ]
    for month in range(4, 10):
        story_session = create_session(
            db,
            title=f"More {month}",
            starts_at=datetime(2025, month, 1, 15, tzinfo=UTC),
            status=SessionStatus.completed,
        )
        for someone in people[month:]:
            create_attendance(db, story_session=story_session, person=someone)
        for someone in people[: month * 2]:
            db.add(
                Invitation(
                    session_id=story_session.id or 0,
                    person_id=someone.id,
                    email=someone.email,
                    rsvp=Rsvp.accepted if month % 2 else Rsvp.declined,
                )
            )
    db.flush()


@pytest.mark.parametrize("url", PAGES)
def test_dashboard_page_query_count_does_not_grow_with_the_data(
    viewer_web: PageClient, db: Session, url: str
) -> None:
    build_org(db)
    with count_queries(db) as small:
        assert viewer_web.get(url).status_code == 200
    _grow(db)
    with count_queries(db) as large:
        assert viewer_web.get(url).status_code == 200
    assert len(large) == len(small)
    assert len(small) <= 12, small


def _stat(text: str, label: str) -> str:
    """The value of the key figure with this label."""
    before = text.split(f'<div class="label">{label}</div>', 1)[0]
    return before.rsplit('<div class="value">', 1)[1].split("</div>", 1)[0]


def test_overview_page_shows_leaders_first_and_rates(viewer_web: PageClient, db: Session) -> None:
    build_org(db)
    response = viewer_web.get("/dashboard")
    assert response.status_code == 200
    text = response.text
    # The VP came to 2 of the 3 sessions held (no one was invited): regular.
    assert _stat(text, "Executives who come regularly") == "33%"
    assert "1 of 3 attended at least half of the sessions they were invited to" in text
    assert _stat(text, "Executives who came at least once") == "67%"
    assert "2 of 3, in 3 sessions held" in text
    assert _stat(text, "Unique people") == "7"
    assert "14 attendances in 3 sessions" in text
    assert text.index("Executives who come regularly") < text.index("Unique people")
    assert '<title id="trend-title">Share of each level at each session</title>' in text
    assert '<title id="trend-narrow-title">Share of each level at each session</title>' in text
    assert ">100%</text>" in text
    assert 'aria-current="page">Dashboard</a>' in text


def test_overview_page_filter_narrows_the_figures(viewer_web: PageClient, db: Session) -> None:
    build_org(db)
    text = viewer_web.get("/dashboard", params={"start": "2026-02-01", "level": "ic"}).text
    assert "5 attendances in 2 sessions" in text
    assert '<option value="ic" selected>' in text
    assert 'href="/dashboard/export.csv?start=2026-02-01&amp;level=ic"' in text


def test_dashboard_page_with_a_bad_filter_keeps_the_input_and_says_why(
    viewer_web: PageClient, db: Session
) -> None:
    response = viewer_web.get("/dashboard/levels", params={"start": "2026-13-01", "view": "today"})
    assert response.status_code == 422
    assert "start: 2026-13-01 is not a date like 2026-03-31" in response.text
    assert 'value="2026-13-01"' in response.text
    reversed_period = viewer_web.get(
        "/dashboard", params={"start": "2026-03-01", "end": "2026-02-01"}
    )
    assert reversed_period.status_code == 422
    assert "ends before, on 2026-02-01" in reversed_period.text


def test_levels_page_switches_between_the_two_views(viewer_web: PageClient, db: Session) -> None:
    build_org(db)
    was = viewer_web.get("/dashboard/levels").text
    today = viewer_web.get("/dashboard/levels", params={"view": "today"}).text
    assert "Share per month, by level at the time" in was
    assert "Share per month, by level today" in today
    assert 'href="/dashboard/levels?view=today"' in was


def test_leaders_page_shows_stages_never_attended_and_targets(
    organizer_web: PageClient, db: Session
) -> None:
    org = build_org(db)
    db.add(LeaderStage(person_id=org.cfo.id or 0, target_stage=EngagementStage.commitment))
    db.flush()
    text = organizer_web.get("/dashboard/leaders").text
    assert "2 steps to go" not in text  # ignorance → commitment is 3 rungs
    assert "3 steps to go" in text
    never = text.split('id="never-heading"', 1)[1].split("</section>", 1)[0]
    assert ">CFO</a>" in never
    assert ">VP</a>" not in never
    assert f'href="/dashboard/leaders/{org.cfo.id}/stage"' in text


def test_stage_form_saves_and_redirects_to_the_leaders(
    organizer_web: PageClient, db: Session
) -> None:
    org = build_org(db)
    url = f"/dashboard/leaders/{org.vp.id}/stage"
    assert "Engagement stage of VP" in organizer_web.get(url).text
    response = organizer_web.submit(url, {"override_stage": "action", "target_stage": "action"})
    assert (response.status_code, response.headers["location"]) == (303, "/dashboard/leaders")
    text = organizer_web.get("/dashboard/leaders").text
    assert "set by organizer (computed: Buy-in)" in text
    assert "On target" in text


def test_stage_form_with_an_unknown_stage_re_renders_with_the_error(
    organizer_web: PageClient, db: Session
) -> None:
    org = build_org(db)
    response = organizer_web.submit(
        f"/dashboard/leaders/{org.vp.id}/stage", {"override_stage": "nirvana"}
    )
    assert response.status_code == 422
    assert "Choose a stage from the list" in response.text
    assert db.get(LeaderStage, 1) is None


def _csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def test_overview_csv_has_one_row_per_session(viewer_web: PageClient, db: Session) -> None:
    build_org(db)
    response = viewer_web.get("/dashboard/export.csv")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="storyroom-sessions.csv"' in response.headers["content-disposition"]
    rows = _csv_rows(response.text)
    assert rows[0][:4] == ["Date", "Timezone", "Session", "Attendees"]
    assert rows[1][:4] == ["2026-01-10 16:00", "Europe/Paris", "Session 01-10", "5"]
    assert len(rows) == 4


def test_leaders_csv_neutralises_formula_names(viewer_web: PageClient, db: Session) -> None:
    build_org(db)
    create_person(
        db, email="evil@example.com", name="=HYPERLINK(1)", department="-Ops", level_key="vp"
    )
    rows = _csv_rows(viewer_web.get("/dashboard/leaders/export.csv").text)
    evil = next(row for row in rows if row[0].startswith("'="))
    assert evil[:4] == ["'=HYPERLINK(1)", "", "'-Ops", "SVP/VP"]
    assert rows[0][7:10] == ["Invitations accepted", "Recaps received", "Recaps read"]
    assert evil[7:10] == ["0", "0", "0"]


def test_levels_and_departments_csv_follow_the_filters(viewer_web: PageClient, db: Session) -> None:
    build_org(db)
    levels = _csv_rows(viewer_web.get("/dashboard/levels/export.csv?view=today").text)
    assert levels[0] == [
        "Level",
        "Attendances",
        "Unique people",
        "Average per session",
        "Headcount today",
        "Participation (%)",
    ]
    assert levels[5] == ["Individual contributor", "7", "3", "2.3", "4", "75.0"]
    departments = _csv_rows(
        viewer_web.get("/dashboard/departments/export.csv?department=Support").text
    )
    assert [row[:4] for row in departments[1:]] == [["Support", "3", "2", "66.7"]]
