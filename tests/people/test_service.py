import logging

import pytest
from sqlmodel import Session

from app.errors import Conflict, Invalid
from app.mail.addresses import normalize_email
from app.models import AliasKind
from app.people.levels import (
    MAX_TITLE_MATCHED,
    get_levels,
    infer_level,
    level_by_key,
    title_matches,
)
from app.people.service import add_alias, normalize_name
from tests.factories import create_person


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Ada.Lovelace@Example.COM ", "ada.lovelace@example.com"),
        ("bob@example.com", "bob@example.com"),
    ],
)
def test_normalize_email_trims_and_lowercases(raw: str, expected: str) -> None:
    assert normalize_email(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Zoë  Ångström", "zoe angstrom"),
        ("  MARY-JANE O'Neil ", "mary-jane o'neil"),
        ("O’Brien, Seán", "o'brien sean"),
        ("Smith,John (he/him)", "smith john he him"),
        ("- Ada -", "ada"),
        ("'Quoted'", "quoted"),
        ("Straße", "strasse"),
        ("J.R.R. Tolkien", "j r r tolkien"),
        ("snake_case_name", "snake case name"),
    ],
)
def test_normalize_name_folds_case_accents_and_punctuation(raw: str, expected: str) -> None:
    assert normalize_name(raw) == expected


INFERRED = [
    ("Chief Executive Officer", "c-suite"),
    ("CFO", "c-suite"),
    ("Co-founder & CTO", "c-suite"),
    ("SVP Sales", "vp"),
    ("EVP, Operations", "vp"),
    ("Vice President, Marketing", "vp"),
    ("Senior Vice-President", "vp"),
    ("President", "c-suite"),
    ("President & CEO", "c-suite"),
    ("Founder and President", "c-suite"),
    ("Regional President, EMEA", "c-suite"),
    ("Co-President", "c-suite"),
    ("Executive Vice President, Sales", "vp"),
    ("VICE PRESIDENT", "vp"),
    ("Head of Customer Success", "vp"),
    ("Director of Engineering", "director"),
    ("Senior Director, Finance", "director"),
    ("Engineering Manager", "manager"),
    ("Team Lead, Support", "manager"),
    ("Software Engineer", "ic"),
    ("Account Executive", "ic"),
    ("", "ic"),
]


@pytest.mark.parametrize(("title", "key"), INFERRED)
def test_infer_level_from_title_uses_the_default_rules(db: Session, title: str, key: str) -> None:
    assert infer_level(get_levels(db), title).key == key


def test_infer_level_takes_the_first_matching_level_by_position(db: Session) -> None:
    levels = get_levels(db)
    director = next(level for level in levels if level.key == "director")
    manager = next(level for level in levels if level.key == "manager")
    assert infer_level(levels, "Director, Manager of Managers") == director
    manager.position, director.position = director.position, manager.position
    assert infer_level(levels, "Director, Manager of Managers") == manager


def test_infer_level_skips_a_saved_rule_re2_refuses(
    db: Session, caplog: pytest.LogCaptureFixture
) -> None:
    levels = get_levels(db)
    c_suite = next(level for level in levels if level.key == "c-suite")
    c_suite.title_pattern = r"^(?!.*\bvice\b).*\bpresident\b|\bchief\b"

    with caplog.at_level(logging.WARNING, logger="app.people.levels"):
        assert [infer_level(levels, title).key for title in ("President", "Chief of Staff")] == [
            "ic",
            "ic",
        ]

    assert caplog.messages == [
        f"Title rule {c_suite.title_pattern!r} is skipped: negative lookahead (?!…) is not "
        "supported. Fix it on the levels page."
    ]


def test_title_matches_looks_at_the_first_characters_only() -> None:
    within, beyond = "a" * (MAX_TITLE_MATCHED - 1) + "x", "a" * MAX_TITLE_MATCHED + "x"
    assert (title_matches("x", within), title_matches("x", beyond)) == (True, False)
    assert (title_matches("", ""), title_matches("^$", "")) == (False, True)


def test_level_by_key_unknown_lists_the_keys(db: Session) -> None:
    with pytest.raises(Invalid) as caught:
        level_by_key(db, "intern")
    assert caught.value.detail == (
        "There is no level 'intern'; the levels are: c-suite, vp, director, manager, ic, unknown."
    )


def test_add_alias_is_idempotent_for_the_same_person(db: Session) -> None:
    person = create_person(db)
    first = add_alias(db, person=person, kind=AliasKind.name, value="Ada  Lovelace")
    again = add_alias(db, person=person, kind=AliasKind.name, value="ADA LOVELACE")
    assert again.id == first.id
    assert first.normalized == "ada lovelace"


def test_add_alias_used_by_another_person_conflicts(db: Session) -> None:
    ada = create_person(db)
    bob = create_person(db, email="bob@example.com", name="Bob Marley")
    add_alias(db, person=ada, kind=AliasKind.email, value="Countess@Example.com")
    with pytest.raises(Conflict) as caught:
        add_alias(db, person=bob, kind=AliasKind.email, value="countess@example.com")
    assert caught.value.detail == (
        "The email alias 'countess@example.com' already belongs to Ada Lovelace (ada@example.com)."
    )


def test_add_alias_equal_to_another_persons_email_conflicts(db: Session) -> None:
    create_person(db)
    bob = create_person(db, email="bob@example.com", name="Bob Marley")
    with pytest.raises(Conflict):
        add_alias(db, person=bob, kind=AliasKind.email, value="ADA@example.com")
