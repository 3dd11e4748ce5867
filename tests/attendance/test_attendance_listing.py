"""Everyone in a session: sortable columns, search, a level filter and sessions attended.

The session (held) has Ana (VP, Sales, 50 min, joined 10:05), Ben (IC, no department, 50 min,
joined 10:01), Cleo (director, Ops, 20 min under the minimum, never joined: a manual row) and
an unmatched guest "zed" (30 min). Sessions attended over all time: Ana 3 (this one and two
earlier), Ben 1, Cleo 0, the guest none (not a person).
"""

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.attendance import service
from app.models import Person, SessionStatus, StorySession
from tests.conftest import PageClient
from tests.factories import create_attendance, create_person, create_session

START = datetime(2026, 3, 10, 10, tzinfo=UTC)


def _build(db: Session) -> tuple[StorySession, dict[str, Person]]:
    ana = create_person(db, email="ana@example.com", name="Ana", department="Sales", level_key="vp")
    ben = create_person(db, email="ben@example.com", name="Ben", level_key="ic")
    cleo = create_person(
        db, email="cleo@example.com", name="Cleo", department="Ops", level_key="director"
    )
    story = create_session(
        db, title="March", starts_at=START, status=SessionStatus.completed, timezone="UTC"
    )
    for month in (1, 2):
        earlier = create_session(
            db, starts_at=START.replace(month=month), status=SessionStatus.completed
        )
        create_attendance(db, story_session=earlier, person=ana)
    rows = [
        create_attendance(db, story_session=story, person=ana, minutes_present=50),
        create_attendance(db, story_session=story, person=ben, minutes_present=50),
        create_attendance(db, story_session=story, person=cleo, minutes_present=20, attended=False),
        create_attendance(db, story_session=story, minutes_present=30, raw_name="zed"),
    ]
    rows[0].first_join = START + timedelta(minutes=5)
    rows[1].first_join = START + timedelta(minutes=1)
    rows[3].first_join = START + timedelta(minutes=2)
    for row in rows:
        db.add(row)
    db.flush()
    return story, {"ana": ana, "ben": ben, "cleo": cleo}


def _names(db: Session, story: StorySession, **kwargs: Any) -> list[str]:
    rows, _ = service.list_attendance(db, story_session=story, **kwargs)
    return [row.name for row in rows]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("-minutes", ["Ana", "Ben", "zed", "Cleo"]),  # the default: ties in import order
        ("minutes", ["Cleo", "zed", "Ana", "Ben"]),
        ("name", ["Ana", "Ben", "Cleo", "zed"]),
        ("-name", ["zed", "Cleo", "Ben", "Ana"]),
        ("level", ["Ana", "Cleo", "Ben", "zed"]),  # a guest has no level: last
        ("-level", ["Ben", "Cleo", "Ana", "zed"]),
        ("department", ["Cleo", "Ana", "Ben", "zed"]),  # no department last, ties by name
        ("joined", ["Ben", "zed", "Ana", "Cleo"]),  # never joined: last
        ("-joined", ["Ana", "zed", "Ben", "Cleo"]),
        ("-attended", ["Ana", "Ben", "Cleo", "zed"]),
        ("attended", ["Cleo", "zed", "Ben", "Ana"]),  # 0 and none tie: by name
    ],
)
def test_list_attendance_sorts_each_column(db: Session, sort: Any, expected: list[str]) -> None:
    story, _ = _build(db)
    assert _names(db, story, sort=sort) == expected


def test_list_attendance_default_order_is_unchanged(db: Session) -> None:
    story, _ = _build(db)
    assert _names(db, story) == _names(db, story, sort="-minutes")


def test_list_attendance_searches_names_and_emails_and_filters_a_level(db: Session) -> None:
    story, _ = _build(db)
    assert _names(db, story, q="cle") == ["Cleo"]
    assert _names(db, story, q="ben@example") == ["Ben"]
    assert _names(db, story, q="ZED") == ["zed"]  # the report's name, for a guest
    assert _names(db, story, q="50%") == []  # a wildcard is a character
    assert _names(db, story, level="vp") == ["Ana"]
    assert _names(db, story, level="director", q="ana") == []
    rows, total = service.list_attendance(db, story_session=story, level="ic", sort="name")
    assert ([row.name for row in rows], total) == (["Ben"], 1)


def test_list_attendance_unknown_level_is_an_error(db: Session) -> None:
    story, _ = _build(db)
    with pytest.raises(Exception, match="There is no level 'boss'"):
        service.list_attendance(db, story_session=story, level="boss")


def _rows(text: str) -> list[str]:
    section = text.split('id="everyone"', 1)[1]
    body = section.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr>\s*<td>(?:<a href=\"/people/\d+\">)?([^<]+)", body)


def test_attendance_page_sorts_and_shows_sessions_attended(
    viewer_web: PageClient, db: Session
) -> None:
    story, people = _build(db)
    url = f"/sessions/{story.id}/attendance"
    page = viewer_web.get(url, params={"sort": "-attended"})
    assert page.status_code == 200
    assert _rows(page.text) == ["Ana", "Ben", "Cleo", "zed"]
    assert f'<a class="sort" href="{url}?sort=attended">Sessions attended' in page.text
    assert 'aria-sort="descending"' in page.text
    assert page.text.count("aria-sort=") == 1
    ana = people["ana"]
    assert f'<a href="/people/{ana.id}#history" aria-label="Ana: 3 sessions attended' in page.text
    default = viewer_web.get(url)
    assert _rows(default.text) == ["Ana", "Ben", "zed", "Cleo"]
    assert f'aria-sort="descending"><a class="sort" href="{url}?sort=minutes">Minutes' in (
        default.text
    )
    assert "Mark someone present" not in default.text  # the viewer only looks


def test_attendance_page_search_and_level_filter_keep_the_sort(
    viewer_web: PageClient, db: Session
) -> None:
    story, _ = _build(db)
    url = f"/sessions/{story.id}/attendance"
    page = viewer_web.get(url, params={"q": "example.com", "sort": "-name"})
    assert _rows(page.text) == ["Cleo", "Ben", "Ana"]  # the guest's report had no email
    assert '<input type="hidden" name="sort" value="-name">' in page.text
    assert f'href="{url}?q=example.com&amp;sort=name"' in page.text
    by_level = viewer_web.get(url, params={"level": "director"})
    assert _rows(by_level.text) == ["Cleo"]
    assert '<option value="director" selected>' in by_level.text
    nobody = viewer_web.get(url, params={"q": "nobody"})
    assert "No one here matches this search." in nobody.text


def test_attendance_page_unknown_sort_is_422(viewer_web: PageClient, db: Session) -> None:
    story, _ = _build(db)
    response = viewer_web.get(f"/sessions/{story.id}/attendance", params={"sort": "salary"})
    assert response.status_code == 422


def test_attendance_api_still_lists_most_minutes_first(viewer_api: TestClient, db: Session) -> None:
    story, _ = _build(db)
    listed = viewer_api.get(f"/api/v1/sessions/{story.id}/attendance").json()
    assert [item["name"] for item in listed["items"]] == ["Ana", "Ben", "zed", "Cleo"]
