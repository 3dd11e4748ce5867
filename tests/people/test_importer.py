from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.config import get_settings
from app.models import Level, Person
from tests.factories import create_person, get_level

CSV = "text/csv"


def _import(client: TestClient, content: str | bytes, **options: Any) -> Any:
    data = content.encode() if isinstance(content, str) else content
    return client.post(
        "/api/v1/people/import",
        files={"file": ("people.csv", data, CSV)},
        data={key: str(value).lower() for key, value in options.items()},
    )


def _people(db: Session) -> dict[str, Person]:
    db.expire_all()
    return {p.email: p for p in db.exec(select(Person).order_by(col(Person.email))).all()}


def _level_key(db: Session, person: Person) -> str:
    level = db.get(Level, person.level_id)
    assert level is not None
    return level.key


def test_import_reads_synonym_headers_and_infers_levels(
    organizer_api: TestClient, db: Session
) -> None:
    content = (
        "Work Email,First Name,Last Name,Job Title,Dept,Reports To,Employee Number\n"
        "CEO@Example.com,Carla,Chief,Chief Executive Officer,Office,,E1\n"
        "dan@example.com,Dan,Director,Director of Support,Support,ceo@example.com,E2\n"
        "ivy@example.com,Ivy,Ic,Software Engineer,Support,dan@example.com,E3\n"
    )
    response = _import(organizer_api, content)

    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["rows"], report["created"], report["updated"], report["unchanged"]) == (
        3,
        3,
        0,
        0,
    )
    assert report["errors"] == []
    assert report["columns"] == {
        "email": "Work Email",
        "first_name": "First Name",
        "last_name": "Last Name",
        "title": "Job Title",
        "department": "Dept",
        "manager": "Reports To",
        "employee_id": "Employee Number",
    }
    people = _people(db)
    assert sorted(people) == ["ceo@example.com", "dan@example.com", "ivy@example.com"]
    assert people["dan@example.com"].name == "Dan Director"
    assert people["dan@example.com"].department == "Support"
    assert people["ivy@example.com"].employee_id == "E3"
    assert [_level_key(db, people[e]) for e in sorted(people)] == ["c-suite", "director", "ic"]
    assert people["ivy@example.com"].manager_id == people["dan@example.com"].id
    assert people["ceo@example.com"].manager_id is None


def test_import_level_column_matches_key_or_name(organizer_api: TestClient, db: Session) -> None:
    content = (
        "Email,Name,Title,Grade\n"
        "a@example.com,A,Engineer,Manager\n"
        "b@example.com,B,Engineer,VP\n"
        "c@example.com,C,Director X,\n"
    )
    assert _import(organizer_api, content).status_code == 200
    people = _people(db)
    assert [_level_key(db, people[e]) for e in sorted(people)] == ["manager", "vp", "director"]


def test_import_utf8_bom_and_semicolons(organizer_api: TestClient, db: Session) -> None:
    content = (
        "\ufeffE-mail;Display Name;Position;Team\r\n"
        "zoe@example.com;Zoë Ångström;Engineering Manager;Platform\r\n"
    )
    response = _import(organizer_api, content.encode("utf-8"))
    assert response.status_code == 200, response.text
    assert response.json()["columns"]["email"] == "E-mail"
    zoe = _people(db)["zoe@example.com"]
    assert (zoe.name, zoe.department, _level_key(db, zoe)) == (
        "Zoë Ångström",
        "Platform",
        "manager",
    )


def test_import_excel_cp1252_and_tabs(organizer_api: TestClient, db: Session) -> None:
    content = "Email Address\tName\tRole\nzoe@example.com\tZoë Brontë\tSVP Sales\n".encode("cp1252")
    response = _import(organizer_api, content)
    assert response.status_code == 200, response.text
    zoe = _people(db)["zoe@example.com"]
    assert (zoe.name, zoe.title, _level_key(db, zoe)) == ("Zoë Brontë", "SVP Sales", "vp")


def test_import_excel_unicode_text_utf16(organizer_api: TestClient, db: Session) -> None:
    content = "Email\tName\nzoe@example.com\tZoë\n".encode("utf-16")
    assert _import(organizer_api, content).status_code == 200
    assert _people(db)["zoe@example.com"].name == "Zoë"


def test_import_second_time_counts_updated_unchanged_and_deactivated(
    organizer_api: TestClient, db: Session
) -> None:
    old_boss = create_person(db, email="old@example.com", name="Old Boss", title="Director")
    kept_out = create_person(db, email="gone@example.com", name="Gone", active=False)
    create_person(
        db, email="same@example.com", name="Same Person", title="Engineer", department="Ops"
    )
    create_person(
        db,
        email="moved@example.com",
        name="Moved",
        title="Engineer",
        department="Ops",
        manager=old_boss,
    )
    content = (
        "Email,Name,Title,Department\n"
        "same@example.com,Same Person,Engineer,Ops\n"
        "MOVED@example.com,Moved,Engineering Manager,Ops\n"
        "new@example.com,New Hire,Engineer,Ops\n"
    )
    response = _import(organizer_api, content, deactivate_missing=True)

    assert response.status_code == 200, response.text
    report = response.json()
    assert {k: report[k] for k in ("created", "updated", "unchanged", "deactivated")} == {
        "created": 1,
        "updated": 1,
        "unchanged": 1,
        "deactivated": 1,  # old boss; `gone` was already inactive
    }
    people = _people(db)
    assert people["old@example.com"].active is False
    assert people["gone@example.com"].active is False
    assert people["gone@example.com"].id == kept_out.id
    assert _level_key(db, people["moved@example.com"]) == "manager"
    assert people["moved@example.com"].manager_id == old_boss.id  # no manager column: kept


def test_import_without_deactivate_keeps_people_missing_from_the_file(
    organizer_api: TestClient, db: Session
) -> None:
    create_person(db, email="old@example.com", name="Old")
    report = _import(organizer_api, "Email,Name\nnew@example.com,New\n").json()
    assert report["deactivated"] == 0
    assert _people(db)["old@example.com"].active is True


def test_import_reactivates_people_back_in_the_file(organizer_api: TestClient, db: Session) -> None:
    create_person(db, email="back@example.com", name="Back", active=False)
    report = _import(organizer_api, "Email,Name\nback@example.com,Back\n").json()
    assert (report["updated"], report["unchanged"]) == (1, 0)
    assert _people(db)["back@example.com"].active is True


def test_import_managers_may_appear_later_or_exist_already(
    organizer_api: TestClient, db: Session
) -> None:
    existing_boss = create_person(db, email="boss@example.com", name="Boss")
    content = (
        "Email,Name,Manager Email\n"
        "ann@example.com,Ann,cid@example.com\n"
        "bea@example.com,Bea,BOSS@example.com\n"
        "cid@example.com,Cid,\n"
    )
    response = _import(organizer_api, content)
    assert response.status_code == 200, response.text
    people = _people(db)
    assert people["ann@example.com"].manager_id == people["cid@example.com"].id
    assert people["bea@example.com"].manager_id == existing_boss.id


def test_import_broken_file_reports_lines_and_columns_and_changes_nothing(
    organizer_api: TestClient, db: Session
) -> None:
    create_person(db, email="keep@example.com", name="Keep Me", title="Engineer")
    content = (
        "Work Email,Name,Title,Level,Manager\n"
        "keep@example.com,Renamed,Director,,\n"  # line 2: fine on its own
        ",No Email,Engineer,,\n"  # line 3
        "\n"  # line 4: blank, ignored
        "not-an-email,Bad,Engineer,,\n"  # line 5
        "KEEP@example.com,Twice,Engineer,,\n"  # line 6
        'ok@example.com,"Multi\nLine",Engineer,Wizard,\n'  # lines 7-8
        "late@example.com,Late,Engineer,,nobody@example.com\n"  # line 9
    )
    response = _import(organizer_api, content)

    assert response.status_code == 422
    report = response.json()["detail"]
    assert report["created"] == 0
    assert [(e["line"], e["column"]) for e in report["errors"]] == [
        (3, "Work Email"),
        (5, "Work Email"),
        (6, "Work Email"),
        (7, "Level"),
        (9, "Manager"),
    ]
    messages = [e["message"] for e in report["errors"]]
    assert messages[0] == "The email is empty; every person needs one."
    assert messages[1] == "'not-an-email' is not an email address."
    assert messages[2] == "keep@example.com appears twice in the file (lines 2 and 6)."
    assert messages[3].startswith("Unknown level 'Wizard'; the levels are: ")
    assert (
        messages[4] == "The manager nobody@example.com is neither in the file nor in the directory."
    )
    people = _people(db)
    assert list(people) == ["keep@example.com"]
    assert (people["keep@example.com"].name, people["keep@example.com"].title) == (
        "Keep Me",
        "Engineer",
    )


def test_import_skip_bad_rows_imports_the_good_ones(organizer_api: TestClient, db: Session) -> None:
    content = (
        "Email,Name,Manager Email\n"
        "good@example.com,Good,\n"
        "bad-email,Bad,\n"
        "lead@example.com,Lead,ghost@example.com\n"  # line 4: unknown manager
        "follower@example.com,Follower,lead@example.com\n"  # line 5: their manager is skipped
        "other@example.com,Other,good@example.com\n"
    )
    response = _import(organizer_api, content, skip_bad_rows=True)

    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["created"], report["skipped"]) == (2, 3)
    assert [(e["line"], e["column"], e["message"]) for e in report["errors"]] == [
        (3, "Email", "'bad-email' is not an email address."),
        (
            4,
            "Manager Email",
            "The manager ghost@example.com is neither in the file nor in the directory.",
        ),
        (
            5,
            "Manager Email",
            "The manager lead@example.com is on line 4, which has errors and is skipped.",
        ),
    ]
    people = _people(db)
    assert sorted(people) == ["good@example.com", "other@example.com"]
    assert people["other@example.com"].manager_id == people["good@example.com"].id


def test_import_duplicate_employee_ids_are_errors(organizer_api: TestClient, db: Session) -> None:
    create_person(db, email="has@example.com", name="Has", employee_id="E9")
    content = "Email,Name,Employee ID\na@example.com,A,E1\nb@example.com,B,E1\nc@example.com,C,E9\n"
    response = _import(organizer_api, content)
    assert response.status_code == 422
    assert [(e["line"], e["message"]) for e in response.json()["detail"]["errors"]] == [
        (3, "Employee ID E1 appears twice in the file (lines 2 and 3)."),
        (4, "Employee ID E9 already belongs to has@example.com."),
    ]


def test_import_without_email_column_says_what_was_found(organizer_api: TestClient) -> None:
    response = _import(organizer_api, "Name,Title\nAda,Engineer\n")
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail.startswith(
        "No email column found. Columns found: 'Name', 'Title'. An email column is needed"
    )
    assert "'Work Email'" in detail


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file people.csv is empty: choose a file with some rows in it."),
        (b"\n\n  \n", "The file has no header row and no people: nothing to import."),
        (b"Email,Name\n", "The file has a header row but no people: nothing to import."),
        (
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
            "This file is a PDF document, not a CSV file: export the directory as CSV.",
        ),
        (
            b"PK\x03\x04\x14\x00\x06\x00",
            "This file is an Excel workbook or a zip archive, not a CSV file: "
            "in Excel, use File > Save As > CSV UTF-8.",
        ),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "This file is a PNG image, not a CSV file: export the directory as CSV.",
        ),
        (
            bytes(range(256)) * 4,
            "This file is binary data (it contains NUL bytes), not a CSV file: export the "
            "directory as CSV.",
        ),
        (
            b"Email,Name\n\x81\x8d\x8f\x90\x9d,x\n",
            "This file is not text in UTF-8, UTF-16 or Windows-1252: save it as CSV UTF-8.",
        ),
        (
            b"Email\x01\x02\x03\x04,Name\n",
            "This file looks like binary data, not a CSV file: export the directory as CSV.",
        ),
        (
            b'"Email,Name\nann@example.com,Ann\n',
            "Line 1 (the header row): A quote opened on this line is never closed: close it, "
            "or remove it.",
        ),
    ],
)
def test_import_unusable_files_are_422(
    organizer_api: TestClient, db: Session, content: bytes, message: str
) -> None:
    response = _import(organizer_api, content)
    assert response.status_code == 422
    assert response.json() == {"detail": message}
    assert _people(db) == {}


def _count(db: Session) -> int:
    db.expire_all()
    return len(db.exec(select(Person.id)).all())


UNCLOSED = (
    "Email,Name,Title\n"
    "ann@example.com,Ann,Engineer\n"
    'bea@example.com,"Bea,Engineer\n'  # line 3: the quote is never closed
    "cid@example.com,Cid,Engineer\n"
    "keep@example.com,Renamed,Director\n"
)
UNCLOSED_ERROR = {
    "line": 3,
    "column": None,
    "message": "A quote opened on this line is never closed: close it, or remove it.",
}


def test_import_unclosed_quote_is_an_error_with_its_line_and_nothing_is_imported(
    organizer_api: TestClient, db: Session
) -> None:
    create_person(db, email="keep@example.com", name="Keep Me", title="Engineer")
    before = _count(db)

    response = _import(organizer_api, UNCLOSED)

    assert response.status_code == 422
    report = response.json()["detail"]
    assert (report["rows"], report["created"], report["errors"]) == (4, 0, [UNCLOSED_ERROR])
    assert _count(db) == before == 1
    assert _people(db)["keep@example.com"].name == "Keep Me"


def test_import_unclosed_quote_skipped_imports_the_rows_after_it(
    organizer_api: TestClient, db: Session
) -> None:
    create_person(db, email="keep@example.com", name="Keep Me", title="Engineer")

    response = _import(organizer_api, UNCLOSED, skip_bad_rows=True)

    assert response.status_code == 200, response.text
    report = response.json()
    assert {k: report[k] for k in ("rows", "created", "updated", "skipped")} == {
        "rows": 4,
        "created": 2,
        "updated": 1,
        "skipped": 1,
    }
    assert report["errors"] == [UNCLOSED_ERROR]
    people = _people(db)
    assert sorted(people) == ["ann@example.com", "cid@example.com", "keep@example.com"]
    assert (people["cid@example.com"].name, people["keep@example.com"].name) == ("Cid", "Renamed")


def test_import_quote_running_into_a_later_row_is_an_error(
    organizer_api: TestClient, db: Session
) -> None:
    content = 'Email;Name\nann@example.com;"Ann\nbob@example.com;Bob\ncy@example.com;"Cy"\n'
    response = _import(organizer_api, content)
    assert response.status_code == 422
    assert response.json()["detail"]["errors"] == [
        {
            "line": 2,
            "column": None,
            "message": "A quote opened on this line runs on to line 4: close it, or remove it.",
        }
    ]
    assert _count(db) == 0


@pytest.mark.parametrize(
    ("content", "column"),
    [
        ("Email,Name,Title\nann@example.com,Ann,VP\nbob@example.com,  ,VP\n", "Name"),
        ("Email,First Name,Last Name\nann@example.com,Ann,Lee\nbob@example.com,,\n", "First Name"),
    ],
)
def test_import_empty_name_is_an_error_with_its_line(
    organizer_api: TestClient, db: Session, content: str, column: str
) -> None:
    response = _import(organizer_api, content)

    assert response.status_code == 422
    assert response.json()["detail"]["errors"] == [
        {"line": 3, "column": column, "message": "The name is empty; every person needs one."}
    ]
    assert _count(db) == 0
    skipped = _import(organizer_api, content, skip_bad_rows=True).json()
    assert (skipped["created"], skipped["skipped"]) == (1, 1)
    assert sorted(_people(db)) == ["ann@example.com"]


def test_import_no_half_import_of_a_large_file_with_one_bad_row_at_the_end(
    organizer_api: TestClient, db: Session
) -> None:
    create_person(db, email="boss@example.com", name="Boss")
    before = _count(db)
    content = "Email,Name,Manager Email\n" + "".join(
        f"p{i}@example.com,Person {i},boss@example.com\n" for i in range(500)
    )
    response = _import(organizer_api, content + 'last@example.com,"Last\n')

    assert response.status_code == 422
    assert [e["line"] for e in response.json()["detail"]["errors"]] == [502]
    assert _count(db) == before == 1


def test_import_utf16_without_bom_and_semicolons_with_quoted_commas(
    organizer_api: TestClient, db: Session
) -> None:
    content = 'Email;Name;Title\r\nzoe@example.com;"Lee, Zoë";VP Sales\r\n'.encode("utf-16-le")
    response = _import(organizer_api, content)
    assert response.status_code == 200, response.text
    zoe = _people(db)["zoe@example.com"]
    assert (zoe.name, zoe.title) == ("Lee, Zoë", "VP Sales")


def test_import_oversized_upload_is_413(
    organizer_api: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "upload_max_bytes", 1024)
    response = _import(organizer_api, "Email,Name\n" + "someone@example.com,Someone\n" * 200)
    assert response.status_code == 413
    assert response.json() == {
        "detail": "The file is 5.5 KB, larger than the 1 KB limit: send a smaller file."
    }


def test_import_options_are_accepted_as_query_parameters(
    organizer_api: TestClient, db: Session
) -> None:
    create_person(db, email="old@example.com", name="Old")
    response = organizer_api.post(
        "/api/v1/people/import?deactivate_missing=true",
        files={"file": ("people.csv", b"Email\nnew@example.com\n", CSV)},
    )
    assert response.json()["deactivated"] == 1
    assert _people(db)["new@example.com"].name == "new"


def test_import_skip_bad_rows_is_accepted_as_a_query_parameter(
    organizer_api: TestClient, db: Session
) -> None:
    response = organizer_api.post(
        "/api/v1/people/import?skip_bad_rows=true",
        files={"file": ("people.csv", UNCLOSED.encode(), CSV)},
    )
    assert response.status_code == 200, response.text
    assert (response.json()["skipped"], response.json()["errors"]) == (1, [UNCLOSED_ERROR])
    assert sorted(_people(db)) == ["ann@example.com", "cid@example.com", "keep@example.com"]


def test_import_viewer_is_refused(viewer_api: TestClient, db: Session) -> None:
    response = _import(viewer_api, "Email\nx@example.com\n")
    assert response.status_code == 403
    assert _people(db) == {}


def test_import_level_of_existing_person_kept_without_title_or_level(
    organizer_api: TestClient, db: Session
) -> None:
    create_person(db, email="vp@example.com", name="V", title="Vice President", level_key="vp")
    report = _import(organizer_api, "Email,Name\nvp@example.com,V\nnew@example.com,N\n").json()
    assert (report["unchanged"], report["created"]) == (1, 1)
    people = _people(db)
    assert _level_key(db, people["vp@example.com"]) == "vp"
    assert people["new@example.com"].level_id == get_level(db, "unknown").id


def test_import_infers_levels_from_a_custom_rule_set_as_before(
    organizer_api: TestClient, db: Session
) -> None:
    ladder = organizer_api.get("/api/v1/levels").json()["items"]
    rules = [
        {key: level[key] for key in ("key", "name", "is_executive", "title_pattern")}
        for level in ladder
    ]
    rules.insert(
        4, {"key": "senior-ic", "name": "Senior IC", "title_pattern": r"\bstaff\b|^principal\b"}
    )
    rules[3]["title_pattern"] = r"\bmanager\b|\bteam lead\b|lead(er)?\s+of\b"
    assert organizer_api.put("/api/v1/levels", json=rules).status_code == 200
    titles = {
        "a": "President",
        "b": "Senior Vice President, Sales",
        "c": "Head of Customer Success",
        "d": "Director, Product",
        "e": "Leader of Support",
        "f": "Staff Engineer",
        "g": "Principal Designer",
        "h": "Software Engineer (Principal)",
        "i": "CTO",
        "j": "Co-founder",
    }
    content = "Email,Name,Title\n" + "".join(
        f"{key}@example.com,{key.upper()},{title}\n" for key, title in titles.items()
    )

    response = _import(organizer_api, content)

    assert response.status_code == 200, response.text
    people = _people(db)
    assert {email.split("@")[0]: _level_key(db, person) for email, person in people.items()} == {
        "a": "c-suite",
        "b": "vp",
        "c": "vp",
        "d": "director",
        "e": "manager",
        "f": "senior-ic",
        "g": "senior-ic",
        "h": "ic",
        "i": "c-suite",
        "j": "c-suite",
    }
