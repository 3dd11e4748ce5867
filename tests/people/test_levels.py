from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.people.levels import (
    check_title_rule,
    get_levels,
    infer_level,
    rule_words,
    split_words,
    title_matches,
    words_rule,
)
from tests.conftest import PageClient
from tests.factories import create_person


def _ladder(client: TestClient) -> list[dict[str, Any]]:
    response = client.get("/api/v1/levels")
    assert response.status_code == 200
    return [
        {key: level[key] for key in ("key", "name", "is_executive", "title_pattern")}
        for level in response.json()["items"]
    ]


def test_levels_list_is_ordered_by_position(viewer_api: TestClient) -> None:
    response = viewer_api.get("/api/v1/levels")
    body = response.json()
    assert [level["key"] for level in body["items"]] == [
        "c-suite",
        "vp",
        "director",
        "manager",
        "ic",
        "unknown",
    ]
    assert [level["position"] for level in body["items"]] == [1, 2, 3, 4, 5, 6]
    assert body["total"] == 6
    assert [level["is_executive"] for level in body["items"]][:3] == [True, True, False]


def test_levels_put_reorders_renames_and_keeps_ids(organizer_api: TestClient) -> None:
    before = {
        level["key"]: level["id"] for level in organizer_api.get("/api/v1/levels").json()["items"]
    }
    ladder = _ladder(organizer_api)
    ladder[2], ladder[3] = ladder[3], ladder[2]
    ladder[0]["name"] = "Executive team"
    ladder.insert(
        4,
        {
            "key": "senior-ic",
            "name": "Senior IC",
            "is_executive": False,
            "title_pattern": r"\bstaff\b|\bprincipal\b",
        },
    )

    response = organizer_api.put("/api/v1/levels", json=ladder)

    assert response.status_code == 200, response.text
    saved = response.json()
    assert [level["key"] for level in saved] == [
        "c-suite",
        "vp",
        "manager",
        "director",
        "senior-ic",
        "ic",
        "unknown",
    ]
    assert [level["position"] for level in saved] == [1, 2, 3, 4, 5, 6, 7]
    assert saved[0]["name"] == "Executive team"
    assert {level["key"]: level["id"] for level in saved if level["key"] in before} == before
    assert _ladder(organizer_api) == [
        {key: level[key] for key in ("key", "name", "is_executive", "title_pattern")}
        for level in saved
    ]


def test_levels_put_swapping_two_names_works(organizer_api: TestClient) -> None:
    ladder = _ladder(organizer_api)
    ladder[2]["name"], ladder[3]["name"] = ladder[3]["name"], ladder[2]["name"]
    response = organizer_api.put("/api/v1/levels", json=ladder)
    assert response.status_code == 200, response.text
    assert [level["name"] for level in response.json()][2:4] == ["Manager", "Director"]


def test_levels_put_removing_a_level_in_use_is_refused(
    organizer_api: TestClient, db: Session
) -> None:
    create_person(db, title="Director of Sales", level_key="director")
    create_person(db, email="bo@example.com", name="Bo", level_key="director")
    ladder = [level for level in _ladder(organizer_api) if level["key"] != "director"]

    response = organizer_api.put("/api/v1/levels", json=ladder)

    assert response.status_code == 409
    assert response.json() == {
        "detail": "The level 'Director' cannot be removed: 2 people have it. "
        "Move them to another level first."
    }
    assert [level.key for level in get_levels(db)][2] == "director"


def test_levels_put_removing_an_unused_level_deletes_it(organizer_api: TestClient) -> None:
    ladder = [level for level in _ladder(organizer_api) if level["key"] != "vp"]
    response = organizer_api.put("/api/v1/levels", json=ladder)
    assert response.status_code == 200
    assert [level["key"] for level in response.json()] == [
        "c-suite",
        "director",
        "manager",
        "ic",
        "unknown",
    ]


def test_levels_put_bad_regex_names_the_level(organizer_api: TestClient, db: Session) -> None:
    ladder = _ladder(organizer_api)
    ladder[2]["title_pattern"] = r"director(of"
    response = organizer_api.put("/api/v1/levels", json=ladder)
    assert response.status_code == 422
    assert response.json()["detail"].startswith(
        "Level 3 ('Director'): the title rule 'director(of' is not a valid regular expression"
    )
    assert (
        next(level for level in get_levels(db) if level.key == "director").title_pattern
        == r"\bdirector\b"
    )


def test_levels_put_without_unknown_is_refused(organizer_api: TestClient) -> None:
    ladder = [level for level in _ladder(organizer_api) if level["key"] != "unknown"]
    response = organizer_api.put("/api/v1/levels", json=ladder)
    assert response.status_code == 422
    assert "'unknown' must stay" in response.json()["detail"]


def test_levels_put_duplicate_key_is_refused(organizer_api: TestClient) -> None:
    ladder = _ladder(organizer_api)
    ladder.append({**ladder[0], "name": "Another"})
    response = organizer_api.put("/api/v1/levels", json=ladder)
    assert response.status_code == 422
    assert response.json() == {"detail": "Level 7 ('Another'): the key 'c-suite' appears twice."}


def test_levels_page_shows_the_ladder_and_rules(viewer_web: PageClient) -> None:
    response = viewer_web.get("/levels")
    assert response.status_code == 200
    assert "Individual contributor" in response.text
    assert "\\bdirector\\b" in response.text
    assert "Edit the ladder" not in response.text  # viewers only look


def test_levels_page_edit_form_saves_the_ladder(organizer_web: PageClient, db: Session) -> None:
    page = organizer_web.get("/levels")
    assert "Edit the ladder" in page.text
    form: dict[str, object] = {}
    for index, level in enumerate(get_levels(db)):
        form |= {
            f"levels-{index}-key": level.key,
            f"levels-{index}-name": level.name,
            f"levels-{index}-title_pattern": level.title_pattern,
            f"levels-{index}-position": str(level.position),
        }
        if level.is_executive:
            form[f"levels-{index}-is_executive"] = "yes"
    form["levels-1-remove"] = "yes"  # SVP/VP
    form |= {
        "levels-6-key": "fellow",
        "levels-6-name": "Fellow",
        "levels-6-position": "2",
        "levels-6-title_pattern": r"\bfellow\b",
    }

    response = organizer_web.submit("/levels", form)

    assert response.status_code == 303
    assert response.headers["location"] == "/levels"
    assert [level.key for level in get_levels(db)] == [
        "c-suite",
        "fellow",
        "director",
        "manager",
        "ic",
        "unknown",
    ]


def test_levels_page_bad_regex_rerenders_with_the_input(
    organizer_web: PageClient, db: Session
) -> None:
    form: dict[str, object] = {}
    for index, level in enumerate(get_levels(db)):
        form |= {
            f"levels-{index}-key": level.key,
            f"levels-{index}-name": level.name,
            f"levels-{index}-title_pattern": "(" if level.key == "manager" else level.title_pattern,
        }
    response = organizer_web.submit("/levels", form)
    assert response.status_code == 422
    assert "is not a valid regular expression" in response.text
    assert 'value="("' in response.text


def test_levels_put_nested_quantifier_rule_matches_an_evil_title(
    organizer_api: TestClient, db: Session
) -> None:
    ladder = _ladder(organizer_api)
    ladder.insert(4, {"key": "aaa", "name": "A team", "is_executive": False})
    ladder[4]["title_pattern"] = "^(a+)+$"
    assert organizer_api.put("/api/v1/levels", json=ladder).status_code == 200

    evil = {"email": "evil@example.com", "name": "Evil", "title": "a" * 40 + "!"}
    plain = {"email": "aaa@example.com", "name": "Aaa", "title": "A" * 40}
    responses = [organizer_api.post("/api/v1/people", json=body) for body in (evil, plain)]

    assert [response.status_code for response in responses] == [201, 201]
    assert [response.json()["level"]["key"] for response in responses] == ["ic", "aaa"]


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        (r"(a)\1", r"backreferences such as \1 are not supported"),
        (r"(?P<x>a)(?P=x)", "backreferences (?P=name) are not supported"),
        (r"^(?!.*\bvice\b).*\bpresident\b", "negative lookahead (?!…) is not supported"),
        (r"(?<=senior )director", "lookbehind (?<=…) is not supported"),
        (r"director\Z", r"\Z is not supported, use $ for the end of the title"),
    ],
)
def test_levels_put_rule_python_accepts_but_re2_refuses_is_a_422(
    organizer_api: TestClient, db: Session, pattern: str, reason: str
) -> None:
    ladder = _ladder(organizer_api)
    ladder[2]["title_pattern"] = pattern

    response = organizer_api.put("/api/v1/levels", json=ladder)

    assert response.status_code == 422
    assert response.json() == {
        "detail": f"Level 3 ('Director'): the title rule {pattern!r} is not a valid regular "
        f"expression ({reason}). Title rules use RE2 syntax, without lookaround or "
        "backreferences, so that matching a title never backtracks."
    }
    assert (
        next(level for level in get_levels(db) if level.key == "director").title_pattern
        == r"\bdirector\b"
    )


# "Title contains …": plain words written as an RE2 rule, and read back from one.


def _ladder_form(db: Session, **rows: dict[str, str]) -> dict[str, object]:
    """The levels form as the page posts it, each level's rule in its words or pattern field."""
    form: dict[str, object] = {}
    for index, level in enumerate(get_levels(db)):
        words = rule_words(level.title_pattern)
        form |= {
            f"levels-{index}-key": level.key,
            f"levels-{index}-name": level.name,
            f"levels-{index}-position": str(level.position),
            f"levels-{index}-title_words": ", ".join(words) if words is not None else "",
            f"levels-{index}-title_pattern": "" if words is not None else level.title_pattern,
        }
        if level.is_executive:
            form[f"levels-{index}-is_executive"] = "yes"
        for name, value in rows.get(level.key, {}).items():
            form[f"levels-{index}-{name}"] = value
    return form


def test_words_rule_escapes_punctuation_and_matches_whole_words_only() -> None:
    rule = words_rule(["C++", "Sr. Director", ".NET", "R&D (EMEA)", "a|b"])
    assert rule == (
        r"\bC\+\+(?:[^\pL\pN_]|$)|\bSr\. Director\b|(?:^|[^\pL\pN_])\.NET\b"
        r"|\bR\&D \(EMEA\)(?:[^\pL\pN_]|$)|\ba\|b\b"
    )
    check_title_rule(rule)
    assert rule_words(rule) == ["C++", "Sr. Director", ".NET", "R&D (EMEA)", "a|b"]
    matches = {
        "Senior c++ engineer": True,
        "C++, Rust": True,
        "C++x developer": False,
        "Cpp lead": False,
        "SR. DIRECTOR, Sales": True,
        "Sr Director": False,  # the dot is part of the word, not "any character"
        "Srx Director": False,
        "Sr. Directors": False,
        ".NET lead": True,
        "ASP.NET lead": False,
        "Head of R&D (EMEA)": True,
        "A|B tester": True,
        "AB tester": False,
    }
    assert {title: title_matches(rule, title) for title in matches} == matches


def test_words_rule_treats_accented_letters_as_part_of_the_word() -> None:
    rule = words_rule(["Député"])
    assert title_matches(rule, "Le député")
    assert not title_matches(rule, "Députée")


def test_rule_words_reads_plain_word_rules_and_refuses_patterns() -> None:
    assert rule_words(r"\bdirector\b") == ["director"]
    assert rule_words(r"\bmanager\b|\bteam lead\b|\bsupervisor\b") == [
        "manager",
        "team lead",
        "supervisor",
    ]
    assert rule_words("") == []
    for pattern in (
        r"\b(e|s|a)?vp\b|vice[- ]president|\bhead of\b",
        r"\bchief\b|^c[a-z]o\b",
        "director",  # no edges: matches inside words, so it is not "contains the word"
        r"\bsr.director\b",
        r"\bdirector\b|",
        "(",
    ):
        assert rule_words(pattern) is None, pattern


def test_split_words_tidies_the_list() -> None:
    assert split_words(" Chief,  CEO ,\nPresident, chief,, ") == ["Chief", "CEO", "President"]


def test_levels_page_edits_rules_as_words_and_keeps_patterns_advanced(
    organizer_web: PageClient,
) -> None:
    page = organizer_web.get("/levels")
    assert 'name="levels-2-title_words" maxlength="500" value="director"' in page.text
    # The VP rule is a real pattern: it is in the advanced field, which is open.
    assert 'value="\\b(e|s|a)?vp\\b|vice[- ]president|\\bhead of\\b"' in page.text.replace(
        "&#39;", "'"
    )
    assert '<details class="advanced" open>' in page.text
    assert "Title contains: director" in page.text


def test_levels_page_saves_words_as_a_whole_word_rule(
    organizer_web: PageClient, db: Session
) -> None:
    form = _ladder_form(db, director={"title_words": "Director, Sr. Director, C++ lead"})
    response = organizer_web.submit("/levels", form)
    assert response.status_code == 303, response.text
    director = next(level for level in get_levels(db) if level.key == "director")
    assert director.title_pattern == r"\bDirector\b|\bSr\. Director\b|\bC\+\+ lead\b"
    assert infer_level(get_levels(db), "C++ Lead, Platform").key == "director"
    page = organizer_web.get("/levels")
    assert 'value="Director, Sr. Director, C++ lead"' in page.text


def test_levels_page_advanced_pattern_still_saves(organizer_web: PageClient, db: Session) -> None:
    form = _ladder_form(db, manager={"title_words": "", "title_pattern": r"^mgr\d+$"})
    response = organizer_web.submit("/levels", form)
    assert response.status_code == 303, response.text
    manager = next(level for level in get_levels(db) if level.key == "manager")
    assert manager.title_pattern == r"^mgr\d+$"
    page = organizer_web.get("/levels")
    assert 'name="levels-3-title_pattern" maxlength="500" value="^mgr\\d+$"' in page.text
    assert 'name="levels-3-title_words" maxlength="500" value=""' in page.text


def test_levels_page_words_and_a_different_pattern_are_refused(
    organizer_web: PageClient, db: Session
) -> None:
    before = {level.key: level.title_pattern for level in get_levels(db)}
    form = _ladder_form(db, manager={"title_words": "Boss", "title_pattern": r"\bchef\b"})
    response = organizer_web.submit("/levels", form)
    assert response.status_code == 422
    assert "give the words its titles contain, or an advanced pattern, not both" in response.text
    assert 'value="Boss"' in response.text
    assert {level.key: level.title_pattern for level in get_levels(db)} == before
