from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.people.levels import get_levels
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
