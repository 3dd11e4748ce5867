"""The directory's sortable columns, search, level filter and sessions-attended column.

Hand-counted attendance at sessions held (completed): Alice s1 s3, Bruno s1 s2, Dan s3;
Chloe only came to a cancelled session and Eve was at s2 too briefly to count, so both have
none. Alice and Bruno tie on 2 sessions, Alice and Dan on the last one (s3).
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlmodel import Session

from app.models import Person, SessionStatus
from app.people import service
from tests.conftest import PageClient
from tests.factories import create_attendance, create_person, create_session


@dataclass
class Directory:
    alice: Person
    bruno: Person
    chloe: Person
    dan: Person
    eve: Person


def build_directory(db: Session) -> Directory:
    def person(name: str, level: str, department: str) -> Person:
        return create_person(
            db,
            email=f"{name.lower()}@example.com",
            name=name,
            title=f"{name}'s title",
            department=department,
            level_key=level,
        )

    alice = person("Alice", "ic", "Sales")
    bruno = person("Bruno", "vp", "")
    chloe = person("Chloe", "ic", "Engineering")
    dan = person("Dan", "director", "Sales")
    eve = person("Eve", "ic", "Engineering")

    def held(month: int) -> Any:
        day = datetime(2026, month, 10, 15, tzinfo=UTC)
        return create_session(db, title=f"S{month}", starts_at=day, status=SessionStatus.completed)

    s1, s2, s3 = held(1), held(2), held(3)
    cancelled = create_session(
        db, starts_at=datetime(2026, 4, 10, tzinfo=UTC), status=SessionStatus.cancelled
    )
    for story, who in ((s1, alice), (s3, alice), (s1, bruno), (s2, bruno), (s3, dan)):
        create_attendance(db, story_session=story, person=who)
    create_attendance(db, story_session=cancelled, person=chloe)
    create_attendance(db, story_session=s2, person=eve, attended=False, minutes_present=3)
    return Directory(alice, bruno, chloe, dan, eve)


def _names(db: Session, **kwargs: Any) -> list[str]:
    people, _ = service.list_people(db, **kwargs)
    return [person.name for person in people]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Alice", "Bruno", "Chloe", "Dan", "Eve"]),
        ("-name", ["Eve", "Dan", "Chloe", "Bruno", "Alice"]),
        ("level", ["Bruno", "Dan", "Alice", "Chloe", "Eve"]),  # most senior first
        ("-level", ["Alice", "Chloe", "Eve", "Dan", "Bruno"]),  # ties still by name
        ("department", ["Chloe", "Eve", "Alice", "Dan", "Bruno"]),  # no department last
        ("-department", ["Alice", "Dan", "Chloe", "Eve", "Bruno"]),
        ("-attended", ["Alice", "Bruno", "Dan", "Chloe", "Eve"]),
        ("attended", ["Chloe", "Eve", "Dan", "Alice", "Bruno"]),
        ("-last_attended", ["Alice", "Dan", "Bruno", "Chloe", "Eve"]),  # never came: last
        ("last_attended", ["Bruno", "Alice", "Dan", "Chloe", "Eve"]),  # ...either way
    ],
)
def test_list_people_sorts_by_each_column_ties_by_name(
    db: Session, sort: Any, expected: list[str]
) -> None:
    build_directory(db)
    assert _names(db, sort=sort) == expected


def test_list_people_sorted_pages_follow_the_order(db: Session) -> None:
    build_directory(db)
    pages = [_names(db, sort="-attended", limit=2, offset=offset) for offset in (0, 2, 4)]
    assert pages == [["Alice", "Bruno"], ["Dan", "Chloe"], ["Eve"]]


def test_list_people_sort_keeps_the_filters(db: Session) -> None:
    build_directory(db)
    assert _names(db, sort="-attended", level="ic") == ["Alice", "Chloe", "Eve"]
    assert _names(db, sort="-last_attended", department="Sales") == ["Alice", "Dan"]


def test_list_people_search_finds_a_department_too(db: Session) -> None:
    build_directory(db)
    assert _names(db, q="engineer") == ["Chloe", "Eve"]
    assert _names(db, q="bruno@") == ["Bruno"]
    assert _names(db, q="dan's title") == ["Dan"]


def test_list_people_after_is_for_the_name_order_only(db: Session) -> None:
    directory = build_directory(db)
    assert _names(db, after=directory.bruno.id, limit=2) == ["Chloe", "Dan"]
    with pytest.raises(Exception, match="name order only"):
        service.list_people(db, after=directory.bruno.id, sort="-attended")


@contextmanager
def _statements(db: Session) -> Iterator[list[str]]:
    seen: list[str] = []
    connection = db.get_bind()

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            seen.append(statement)

    event.listen(connection, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(connection, "before_cursor_execute", record)


def test_people_page_sorted_by_attended_runs_a_fixed_number_of_queries(
    viewer_web: PageClient, db: Session
) -> None:
    build_directory(db)
    with _statements(db) as few:
        assert viewer_web.get("/people", params={"sort": "-attended"}).status_code == 200
    for index in range(30):
        someone = create_person(db, email=f"more{index}@example.com", name=f"More {index}")
        create_attendance(db, story_session=create_session(db), person=someone)
    with _statements(db) as many:
        assert viewer_web.get("/people", params={"sort": "-attended"}).status_code == 200
    assert len(many) == len(few)
    # The order is one aggregate joined once, not a count per person.
    sorted_page = [s for s in many if "ORDER BY" in s and "count(" in s.lower()]
    assert len(sorted_page) == 1
    assert sorted_page[0].lower().count("group by") == 1


def _rows(text: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/people/\d+">([^<]+)</a>', text)


def test_people_page_shows_sessions_attended_and_sorts_by_it(
    viewer_web: PageClient, db: Session
) -> None:
    directory = build_directory(db)
    page = viewer_web.get("/people", params={"sort": "-attended"})
    assert page.status_code == 200
    assert _rows(page.text) == ["Alice", "Bruno", "Dan", "Chloe", "Eve"]
    assert 'aria-sort="descending"><a class="sort" href="/people?sort=attended">' in page.text
    assert page.text.count("aria-sort=") == 1
    assert '<a class="sort" href="/people?sort=name">Name</a>' in page.text
    assert '<a class="sort" href="/people?sort=-last_attended">Last attended</a>' in page.text
    alice_row = page.text.split(f'href="/people/{directory.alice.id}"', 1)[1].split("</tr>")[0]
    assert '<td class="num">2</td>' in alice_row
    assert "10 Mar 2026" in alice_row
    eve_row = page.text.split(f'href="/people/{directory.eve.id}"', 1)[1].split("</tr>")[0]
    assert '<td class="num">0</td>' in eve_row
    assert "never" in eve_row
    assert "Add a person" not in page.text  # a viewer sees it all, read-only


def test_people_page_default_order_marks_name_ascending(
    viewer_web: PageClient, db: Session
) -> None:
    build_directory(db)
    page = viewer_web.get("/people")
    assert _rows(page.text) == ["Alice", "Bruno", "Chloe", "Dan", "Eve"]
    assert 'aria-sort="ascending"><a class="sort" href="/people?sort=-name">Name' in page.text


def test_people_page_sort_links_keep_the_search_and_filters(
    viewer_web: PageClient, db: Session
) -> None:
    build_directory(db)
    page = viewer_web.get("/people", params={"q": "sales", "level": "ic", "offset": 0})
    assert _rows(page.text) == ["Alice"]
    assert 'href="/people?q=sales&amp;level=ic&amp;sort=-attended"' in page.text
    assert 'value="Name, email, title or department"' not in page.text  # a placeholder
    assert 'placeholder="Name, email, title or department"' in page.text


def test_people_page_search_sort_and_level_filter_together(
    viewer_web: PageClient, db: Session
) -> None:
    build_directory(db)
    page = viewer_web.get("/people", params={"level": "ic", "sort": "-last_attended"})
    assert _rows(page.text) == ["Alice", "Chloe", "Eve"]
    assert '<input type="hidden" name="sort" value="-last_attended">' in page.text
    sales = viewer_web.get("/people", params={"q": "Sales", "sort": "name"})
    assert _rows(sales.text) == ["Alice", "Dan"]


def test_people_page_pages_keep_the_sort(viewer_web: PageClient, db: Session) -> None:
    build_directory(db)
    first = viewer_web.get("/people", params={"sort": "-attended", "limit": 2})
    assert _rows(first.text) == ["Alice", "Bruno"]
    assert 'href="/people?sort=-attended&amp;limit=2&amp;offset=2"' in first.text
    second = viewer_web.get("/people", params={"sort": "-attended", "limit": 2, "offset": 2})
    assert _rows(second.text) == ["Dan", "Chloe"]


def test_people_page_unknown_sort_is_422(viewer_web: PageClient) -> None:
    assert viewer_web.get("/people", params={"sort": "salary"}).status_code == 422


def test_people_api_sorts_searches_and_filters(viewer_api: TestClient, db: Session) -> None:
    build_directory(db)

    def names(**params: Any) -> list[str]:
        response = viewer_api.get("/api/v1/people", params=params)
        assert response.status_code == 200, response.text
        return [item["name"] for item in response.json()["items"]]

    assert names(sort="-attended") == ["Alice", "Bruno", "Dan", "Chloe", "Eve"]
    assert names(sort="last_attended") == ["Bruno", "Alice", "Dan", "Chloe", "Eve"]
    assert names(sort="level", level="ic") == ["Alice", "Chloe", "Eve"]
    assert names(q="engineering", sort="-name") == ["Eve", "Chloe"]
    assert names(sort="-attended", limit=2, offset=2) == ["Dan", "Chloe"]


def test_people_api_after_keeps_working_for_the_default_order(
    viewer_api: TestClient, db: Session
) -> None:
    directory = build_directory(db)
    response = viewer_api.get("/api/v1/people", params={"after": directory.chloe.id})
    assert [item["name"] for item in response.json()["items"]] == ["Dan", "Eve"]
    refused = viewer_api.get(
        "/api/v1/people", params={"after": directory.chloe.id, "sort": "-attended"}
    )
    assert refused.status_code == 422
    assert "name order only" in refused.json()["detail"]
    assert viewer_api.get("/api/v1/people", params={"sort": "salary"}).status_code == 422
