"""The attendance section of a recap, against small hand-counted sessions."""

import pytest
from sqlmodel import Session

from app.config import get_settings
from app.db import id_of
from app.models import Invitation, Person, StorySession
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


def _invite(db: Session, story: StorySession, *people: Person) -> None:
    for person in people:
        db.add(Invitation(session_id=id_of(story), person_id=person.id, email=person.email))
    db.flush()


def test_executives_present_are_counted_against_those_invited(db: Session) -> None:
    p = _people(db)
    cfo = create_person(
        db, email="cfo@x.com", name="Carl Finance", title="CFO", level_key="c-suite"
    )
    avp = create_person(db, email="avp@x.com", name="Alma Vice", title="VP IT", level_key="vp")
    guest_vp = create_person(db, email="gvp@x.com", name="Gus Vice", level_key="vp")
    story = completed_session(db)
    # Invited: the CEO, the CFO, two VPs and the director (not an executive, not counted).
    _invite(db, story, p["ceo"], cfo, p["vp"], avp, p["dir"])  # type: ignore[arg-type]
    # Came: the CEO, one invited VP, and a VP nobody invited.
    _attend(db, story, p["ceo"], avp, guest_vp, p["dir"])
    # The CFO joined for two minutes: not counted as attended, so stayed away.
    _attend(db, story, cfo, attended=False)

    section = attendance_section(db, story)

    assert (section.executives_present, section.executives_expected) == (3, 5)
    assert section.executives_basis == "invited"
    assert [(a.name, a.title, a.level) for a in section.absent_executives] == [
        ("Carl Finance", "CFO", "C-suite"),
        ("Victor Vice", "VP Sales", "SVP/VP"),
    ]


def test_without_invitations_executives_are_counted_against_the_directory(db: Session) -> None:
    p = _people(db)
    create_person(db, email="gone@x.com", name="Gone Exec", level_key="vp", active=False)
    story = completed_session(db)
    _attend(db, story, p["vp"], p["ic1"])
    section = attendance_section(db, story)
    assert (section.executives_present, section.executives_expected) == (1, 2)
    assert section.executives_basis == "directory"
    assert [a.name for a in section.absent_executives] == ["Cora Chief"]


def test_level_shares_are_of_each_levels_people_and_never_above_one(db: Session) -> None:
    p = _people(db)
    for n in range(3):
        create_person(db, email=f"ic{n}@y.com", name=f"IC {n}", department="Support")
    story = completed_session(db)
    # The director came as a manager (promoted since): the manager level's people are the
    # manager plus the director who came at it; the director level has one who did not come.
    _attend(db, story, p["ic1"], p["ic2"], p["m1"])
    _attend(db, story, p["dir"], level_key="manager")
    create_attendance(db, story_session=story, level_key="unknown", raw_name="Guest")
    section = attendance_section(db, story)
    shares = {r.level: (r.came, r.people, r.share) for r in section.levels}
    assert shares["Individual contributor"][:2] == (2, 6)
    assert shares["Individual contributor"][2] == pytest.approx(2 / 6)
    assert shares["Manager"] == (2, 2, 1.0)
    assert shares["C-suite"] == (0, 1, 0.0)
    assert shares["Unknown"] == (0, None, None)
    assert all(share is None or share <= 1 for _, _, share in shares.values())
    assert "33%" in section.chart_svg
    assert "Manager 100% (2 of 2)" in section.chart_summary
    assert "Unknown" not in section.chart_summary  # outside the directory: no share to draw
