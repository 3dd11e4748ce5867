import re
from collections import Counter

import pytest
from sqlmodel import Session, col, select

from app.demo import load_demo
from app.demo.names import DUPLICATE_NAME
from app.demo.people import CEO_TITLE, EMAIL_DOMAIN, HOST_TITLE
from app.errors import Conflict
from app.models import Level, Person
from app.people.levels import title_matches


def _people(db: Session) -> list[Person]:
    return list(db.exec(select(Person).order_by(col(Person.id))).all())


def _levels(db: Session) -> dict[int, Level]:
    return {level.id: level for level in db.exec(select(Level)).all() if level.id is not None}


def test_load_demo_people_about_1200_across_levels(db: Session) -> None:
    summary = load_demo(db)

    people = _people(db)
    levels = _levels(db)
    per_level = Counter(levels[person.level_id].key for person in people)
    assert summary.people == len(people) == 1200
    assert set(per_level) == {"c-suite", "vp", "director", "manager", "ic"}
    assert 8 <= per_level["c-suite"] <= 11
    assert 25 <= per_level["vp"] <= 35
    assert 60 <= per_level["director"] <= 80
    assert 160 <= per_level["manager"] <= 200
    assert per_level["ic"] == 1200 - sum(per_level[key] for key in per_level if key != "ic")


def test_load_demo_people_exactly_one_ceo_at_the_top(db: Session) -> None:
    load_demo(db)

    people = _people(db)
    top = [person for person in people if person.manager_id is None]
    assert [(person.title, person.department) for person in top] == [
        (CEO_TITLE, "Executive Office")
    ]
    assert [person.title for person in people].count(CEO_TITLE) == 1


def test_load_demo_people_manager_one_level_up(db: Session) -> None:
    load_demo(db)

    people = _people(db)
    by_id = {person.id: person for person in people}
    levels = _levels(db)
    ceo = next(person for person in people if person.manager_id is None)
    cross_department = set()
    for person in people:
        if person is ceo:
            continue
        assert person.manager_id is not None
        manager = by_id[person.manager_id]
        position = levels[person.level_id].position
        if levels[person.level_id].key == "c-suite":
            assert manager is ceo
        else:
            assert levels[manager.level_id].position == position - 1, person.title
            if manager.department != person.department:
                cross_department.add((person.department, manager.department))
    # Only the VPs of departments without their own C-suite report across departments.
    assert cross_department == {("Support", "Customer Success"), ("Product", "Engineering")}


def test_load_demo_people_emails_unique_on_demo_domain(db: Session) -> None:
    load_demo(db)

    emails = [person.email for person in _people(db)]
    assert len(set(emails)) == len(emails)
    assert [
        e for e in emails if not re.fullmatch(rf"[a-z0-9]+\.[a-z0-9]+\d*@{EMAIL_DOMAIN}", e)
    ] == []


def test_load_demo_people_one_pair_of_namesakes(db: Session) -> None:
    load_demo(db)

    people = _people(db)
    namesakes = [person for person in people if person.name == DUPLICATE_NAME]
    assert len(namesakes) == 2
    assert {person.department for person in namesakes} == {"Sales", "Engineering"}
    assert sorted(person.email for person in namesakes) == [
        f"sam.patel2@{EMAIL_DOMAIN}",
        f"sam.patel@{EMAIL_DOMAIN}",
    ]
    assert all(person.active for person in namesakes)
    repeated = [name for name, n in Counter(p.name for p in people).items() if n > 1]
    assert repeated == [DUPLICATE_NAME]


def test_load_demo_people_realistic_departments_and_a_few_leavers(db: Session) -> None:
    summary = load_demo(db)

    people = _people(db)
    sizes = Counter(person.department for person in people)
    assert summary.departments == len(sizes) == 12
    assert {"Sales", "Customer Success", "Support", "Engineering", "Legal"} <= set(sizes)
    assert sizes.most_common(1) == [("Engineering", 300)]
    assert 3 <= sum(not person.active for person in people) <= 10
    assert [p.title for p in people if p.title == HOST_TITLE] == [HOST_TITLE]
    assert len({person.employee_id for person in people}) == 1200


def test_load_demo_people_titles_infer_their_level(db: Session) -> None:
    """A directory export of the demo re-imports to the same levels (the seeded title rules)."""
    load_demo(db)

    levels = _levels(db)
    rules = sorted(
        (level for level in levels.values() if level.key != "unknown"), key=lambda lv: lv.position
    )

    def inferred(title: str) -> str:
        for level in rules:
            if title_matches(level.title_pattern, title):
                return level.key
        return "ic"

    mismatches = [
        (person.title, levels[person.level_id].key, inferred(person.title))
        for person in _people(db)
        if inferred(person.title) != levels[person.level_id].key
    ]
    assert mismatches == []


def test_load_demo_people_same_every_time(db: Session) -> None:
    with db.begin_nested() as savepoint:
        load_demo(db)
        first = [(p.name, p.email, p.title, p.department) for p in _people(db)]
        savepoint.rollback()

    load_demo(db)

    assert [(p.name, p.email, p.title, p.department) for p in _people(db)] == first


def test_load_demo_refuses_when_already_loaded(db: Session) -> None:
    load_demo(db)

    with pytest.raises(Conflict, match="already loaded: 1,200 people"):
        load_demo(db)
    assert len(_people(db)) == 1200
