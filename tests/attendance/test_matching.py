"""Identity matching: email, then alias, then one unambiguous display name."""

import pytest
from sqlmodel import Session

from app.attendance.matching import Directory, email_candidates, name_candidates
from app.models import AliasKind
from app.people.service import add_alias
from tests.factories import create_person


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (("Ada@Example.com",), ["ada@example.com"]),
        (
            ("ada.lovelace_contoso.com#EXT#@fabrikam.onmicrosoft.com",),
            ["ada.lovelace@contoso.com", "ada.lovelace_contoso.com#ext#@fabrikam.onmicrosoft.com"],
        ),
        (("", "not an email", "ADA@example.com", "ada@example.com"), ["ada@example.com"]),
    ],
)
def test_email_candidates_understand_guest_upns(
    values: tuple[str, ...], expected: list[str]
) -> None:
    assert email_candidates(*values) == expected


@pytest.mark.parametrize(
    ("display", "expected"),
    [
        ("Ada Lovelace (Guest)", ["ada lovelace"]),
        ("Ada Lovelace (Invitado)", ["ada lovelace"]),
        ("Ada Lovelace (Gość)", ["ada lovelace"]),
        ("Ada Lovelace [External]", ["ada lovelace"]),
        ("Countess (Ada Lovelace)", ["countess ada lovelace", "ada lovelace", "countess"]),
        ("  José  Núñez ", ["jose nunez"]),
    ],
)
def test_name_candidates_drop_guest_suffixes_and_read_zoom_renames(
    display: str, expected: list[str]
) -> None:
    assert name_candidates(display) == expected


def test_directory_matches_email_then_alias_then_unique_name(db: Session) -> None:
    ada = create_person(db)
    bob = create_person(db, email="bob@example.com", name="Bob Stone")
    create_person(db, email="sam.1@example.com", name="Sam Patel")
    create_person(db, email="sam.2@example.com", name="Sam Patel")
    assert bob.id is not None
    add_alias(db, person=bob, kind=AliasKind.email, value="bobby@home.example")
    directory = Directory.load(db)

    assert directory.match(name="Whoever", emails=("ADA@example.com",)).person_id == ada.id
    assert directory.match(name="", emails=("bobby@home.example",)).how == "alias"
    found = directory.match(name="Bob Stone (Guest)", emails=("",))
    assert (found.person_id, found.how) == (bob.id, "name")
    ambiguous = directory.match(name="Sam Patel", emails=())
    assert (ambiguous.person_id, ambiguous.how) == (None, "ambiguous")
    assert directory.match(name="Nobody Known", emails=("x@y.example",)).how == "none"


def test_directory_ignores_inactive_people(db: Session) -> None:
    create_person(db, active=False)
    directory = Directory.load(db)
    assert directory.match(name="Ada Lovelace", emails=("ada@example.com",)).person_id is None
