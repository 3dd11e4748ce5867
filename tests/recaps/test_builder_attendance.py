"""The attendance section of a recap, against small hand-counted sessions."""

import pytest
from sqlmodel import Session

from app.config import get_settings
from app.models import StorySession
from app.recaps.builder import attendance_section, previous_session
from tests.factories import create_attendance, create_person, create_series
from tests.recaps.authoring import completed_session


def _people(db: Session) -> dict[str, object]:
    return {
        "ceo": create_person(
            db,
            email="ceo@x.com",
            name="Cora Chief",
            title="CEO",
            level_key="c-suite",
            department="Executive Office",
        ),
        "vp": create_person(
            db,
            email="vp@x.com",
            name="Victor Vice",
            title="VP Sales",
            level_key="vp",
            department="Sales",
        ),
        "dir": create_person(
            db, email="dir@x.com", name="Dana Director", level_key="director", department="Support"
        ),
        "m1": create_person(
            db, email="m1@x.com", name="Max", level_key="manager", department="Support"
        ),
        "ic1": create_person(db, email="i1@x.com", name="Ivy", department="Support"),
        "ic2": create_person(db, email="i2@x.com", name="Ian", department="Sales"),
        "ic3": create_person(db, email="i3@x.com", name="Ida", department="Finance"),
    }


def _attend(db: Session, story: StorySession, *people: object, **kwargs: object) -> None:
    for person in people:
        create_attendance(db, story_session=story, person=person, **kwargs)  # type: ignore[arg-type]


def test_figures_match_a_hand_count(db: Session) -> None:
    p = _people(db)
    series = create_series(db)
    before = completed_session(db, title="Before", days_ago=14, series=series)
    story = completed_session(db, title="Now", days_ago=1, series=series)
    # Before: the VP, a manager and two ICs came; one guest; one IC stayed too briefly.
    _attend(db, before, p["vp"], p["m1"], p["ic1"], p["ic2"])
    create_attendance(
        db, story_session=before, level_key="unknown", raw_name="Guest", department=""
    )
    _attend(db, before, p["ic3"], attended=False)
    # Now: the CEO, the director (snapshotted as a manager: promoted since), three ICs, a guest.
    _attend(db, story, p["ceo"], p["ic1"], p["ic2"], p["ic3"])
    _attend(db, story, p["dir"], level_key="manager", department="Support")
    create_attendance(db, story_session=story, level_key="unknown", raw_name="Guest", department="")

    section = attendance_section(db, story)

    assert (section.attendees, section.unique_people) == (6, 5)
    assert (section.previous_attendees, section.previous_session_title) == (5, "Before")
    rows = [(r.level, r.is_executive, r.attendees, r.previous) for r in section.levels]
    assert rows == [
        ("C-suite", True, 1, 0),
        ("SVP/VP", True, 0, 1),
        ("Manager", False, 1, 1),
        ("Individual contributor", False, 3, 2),
        ("Unknown", False, 1, 1),
    ]
    assert [(leader.name, leader.title, leader.level) for leader in section.leaders] == [
        ("Cora Chief", "CEO", "C-suite")
    ]
    assert [(d.department, d.attendees) for d in section.top_departments] == [
        ("Support", 2),
        ("Executive Office", 1),
        ("Finance", 1),
        ("Sales", 1),
    ]
    assert "<svg" in section.chart_svg
    assert ">none<" in section.chart_svg


def test_executive_levels_are_listed_with_none_when_absent(db: Session) -> None:
    p = _people(db)
    story = completed_session(db)
    _attend(db, story, p["ic1"])
    section = attendance_section(db, story)
    assert [(r.level, r.attendees) for r in section.levels] == [
        ("C-suite", 0),
        ("SVP/VP", 0),
        ("Individual contributor", 1),
    ]
    assert section.leaders == []
    assert section.previous_attendees is None
    assert all(r.previous is None for r in section.levels)


def test_named_levels_setting_names_directors_too(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "recap_named_levels", "c-suite, Director")
    p = _people(db)
    story = completed_session(db)
    _attend(db, story, p["vp"], p["dir"], p["ceo"], p["ic1"])
    names = [leader.name for leader in attendance_section(db, story).leaders]
    assert names == ["Cora Chief", "Dana Director"]


def test_previous_session_is_the_series_previous_and_a_one_off_compares_with_nothing(
    db: Session,
) -> None:
    series = create_series(db)
    in_series = completed_session(db, title="Series, earlier", days_ago=30, series=series)
    completed_session(db, title="Standalone, nearer", days_ago=10)
    story = completed_session(db, title="Series, now", days_ago=1, series=series)
    lone = completed_session(db, title="Standalone, now", days_ago=2)
    found = previous_session(db, story)
    assert found is not None
    assert found.id == in_series.id
    # A one-off compares with no session, neither a one-off nor a series' session.
    assert previous_session(db, lone) is None
    # The first of a series compares with nothing, though a one-off came before it.
    completed_session(db, title="Standalone, long ago", days_ago=60)
    assert previous_session(db, in_series) is None


def test_a_one_off_sessions_recap_shows_no_change_against_another_session(db: Session) -> None:
    p = _people(db)
    series = create_series(db)
    big = completed_session(db, title="Series session", days_ago=10, series=series)
    _attend(db, big, p["ic1"], p["ic2"], p["ic3"], p["m1"])
    lone = completed_session(db, title="One-off", days_ago=1)
    _attend(db, lone, p["ic1"])
    section = attendance_section(db, lone)
    assert (section.previous_attendees, section.previous_session_title) == (None, "")
    assert all(r.previous is None for r in section.levels)
