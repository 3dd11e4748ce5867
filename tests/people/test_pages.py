from sqlmodel import Session, select

from app.models import AliasKind, Person, PersonAlias
from tests.conftest import PageClient
from tests.factories import create_person


def test_people_page_lists_filters_and_paginates(viewer_web: PageClient, db: Session) -> None:
    for index in range(3):
        create_person(
            db,
            email=f"eng{index}@example.com",
            name=f"Engineer {index}",
            title="Engineer",
            department="Engineering",
        )
    create_person(
        db,
        email="vp@example.com",
        name="Val Vee",
        title="VP Sales",
        department="Sales",
        level_key="vp",
    )

    page = viewer_web.get("/people")
    assert page.status_code == 200
    assert "4 people in the directory match." in page.text
    assert '<span class="badge exec">SVP/VP</span>' in page.text
    assert "Add a person" not in page.text  # viewers only look

    filtered = viewer_web.get("/people", params={"department": "Engineering", "limit": 2})
    assert "3 people in the directory match." in filtered.text
    assert "Engineer 0" in filtered.text
    assert "Engineer 1" in filtered.text
    assert "Engineer 2" not in filtered.text
    assert "offset=2" in filtered.text  # the next page link


def test_person_page_shows_details_manager_and_aliases(
    organizer_web: PageClient, db: Session
) -> None:
    boss = create_person(
        db, email="boss@example.com", name="Bea Boss", title="Director of Ops", level_key="director"
    )
    ada = create_person(db, manager=boss, title="Engineer")
    db.add(
        PersonAlias(
            person_id=ada.id or 0,
            kind=AliasKind.email,
            value="countess@example.com",
            normalized="countess@example.com",
        )
    )
    db.flush()

    page = organizer_web.get(f"/people/{ada.id}")
    assert page.status_code == 200
    assert f'<a href="/people/{boss.id}">Bea Boss</a>' in page.text
    assert "countess@example.com" in page.text
    boss_page = organizer_web.get(f"/people/{boss.id}")
    assert f'<a href="/people/{ada.id}">Ada Lovelace</a>' in boss_page.text  # a direct report


def test_person_page_unknown_id_is_404(viewer_web: PageClient) -> None:
    response = viewer_web.get("/people/987654")
    assert response.status_code == 404
    assert "There is no person with id 987654." in response.text


def test_person_create_form_redirects_to_the_person(organizer_web: PageClient, db: Session) -> None:
    create_person(db, email="boss@example.com", name="Boss")
    assert organizer_web.get("/people/new").status_code == 200
    response = organizer_web.submit(
        "/people/new",
        {
            "email": "New@Example.com",
            "name": "New Person",
            "title": "Director of Fun",
            "manager_email": "boss@example.com",
            "active": "yes",
        },
    )
    assert response.status_code == 303
    person = db.exec(select(Person).where(Person.email == "new@example.com")).one()
    assert response.headers["location"] == f"/people/{person.id}"
    assert person.title == "Director of Fun"


def test_person_create_form_errors_keep_the_input(organizer_web: PageClient, db: Session) -> None:
    create_person(db)
    response = organizer_web.submit(
        "/people/new", {"email": "ADA@example.com", "name": "Ada Again", "title": "Typist"}
    )
    assert response.status_code == 409
    assert "ada@example.com is already the email of Ada Lovelace" in response.text
    assert 'value="Ada Again"' in response.text
    unknown_manager = organizer_web.submit(
        "/people/new", {"email": "n@example.com", "name": "N", "manager_email": "who@example.com"}
    )
    assert unknown_manager.status_code == 422
    assert "There is no person with the email who@example.com." in unknown_manager.text


def test_person_edit_form_saves_and_deactivates(organizer_web: PageClient, db: Session) -> None:
    ada = create_person(db, title="Engineer")
    form = organizer_web.get(f"/people/{ada.id}/edit")
    assert 'value="Engineer"' in form.text
    response = organizer_web.submit(
        f"/people/{ada.id}/edit",
        {"email": "ada@example.com", "name": "Ada King", "title": "Engineer", "level": "manager"},
    )
    assert response.status_code == 303
    db.refresh(ada)
    assert (ada.name, ada.active) == ("Ada King", False)


def test_person_alias_forms_add_and_remove(organizer_web: PageClient, db: Session) -> None:
    ada = create_person(db)
    added = organizer_web.submit(
        f"/people/{ada.id}/aliases", {"kind": "name", "value": "The Countess"}
    )
    assert added.status_code == 303
    alias = db.exec(select(PersonAlias)).one()
    assert alias.normalized == "the countess"
    removed = organizer_web.submit(f"/people/{ada.id}/aliases/{alias.id}/delete")
    assert removed.status_code == 303
    assert db.exec(select(PersonAlias)).all() == []


def test_person_alias_form_conflict_rerenders(organizer_web: PageClient, db: Session) -> None:
    create_person(db)
    bob = create_person(db, email="bob@example.com", name="Bob")
    response = organizer_web.submit(
        f"/people/{bob.id}/aliases", {"kind": "email", "value": "ada@example.com"}
    )
    assert response.status_code == 409
    assert "ada@example.com is the email of Ada Lovelace" in response.text
    assert 'value="ada@example.com"' in response.text


def test_import_page_upload_shows_the_report(organizer_web: PageClient, db: Session) -> None:
    assert "HR export (CSV)" in organizer_web.get("/people/import").text
    response = organizer_web.submit(
        "/people/import",
        files={"file": ("hr.csv", b"Email,Name,Title\nann@example.com,Ann,CFO\n", "text/csv")},
    )
    assert response.status_code == 200
    assert "Imported hr.csv" in response.text
    assert '<div class="value">1</div><div class="label">created</div>' in response.text
    assert db.exec(select(Person.email)).all() == ["ann@example.com"]


def test_import_page_errors_show_line_and_column_and_change_nothing(
    organizer_web: PageClient, db: Session
) -> None:
    response = organizer_web.submit(
        "/people/import",
        {"skip_bad_rows": "false"},
        files={"file": ("hr.csv", b"Email,Name\nann@example.com,Ann\noops,Oops\n", "text/csv")},
    )
    assert response.status_code == 422
    assert "Nothing was imported" in response.text
    assert (
        '<th scope="row" class="num">3</th><td>Email</td>'
        "<td>&#39;oops&#39; is not an email address.</td>" in response.text
    )
    assert db.exec(select(Person)).all() == []


UNCLOSED = b'Email,Name\nann@example.com,Ann\nbea@example.com,"Bea\ncid@example.com,Cid\n'


def test_import_page_unclosed_quote_is_listed_with_its_line_and_nothing_changes(
    organizer_web: PageClient, db: Session
) -> None:
    response = organizer_web.submit(
        "/people/import", files={"file": ("hr.csv", UNCLOSED, "text/csv")}
    )
    assert response.status_code == 422
    assert "Nothing was imported" in response.text
    assert (
        '<th scope="row" class="num">3</th><td>—</td>'
        "<td>A quote opened on this line is never closed: close it, or remove it.</td>"
        in response.text
    )
    assert 'name="skip_bad_rows" type="checkbox" value="true">' in response.text
    assert db.exec(select(Person)).all() == []


def test_import_page_skip_bad_rows_imports_the_others_and_lists_the_skipped(
    organizer_web: PageClient, db: Session
) -> None:
    response = organizer_web.submit(
        "/people/import",
        {"skip_bad_rows": "true"},
        files={"file": ("hr.csv", UNCLOSED, "text/csv")},
    )
    assert response.status_code == 200
    assert "Imported hr.csv" in response.text
    assert "<h3>Rows skipped</h3>" in response.text
    assert '<th scope="row" class="num">3</th><td>—</td>' in response.text
    assert '<div class="value">1</div><div class="label">rows skipped</div>' in response.text
    assert 'name="skip_bad_rows" type="checkbox" value="true" checked>' in response.text
    assert sorted(db.exec(select(Person.email)).all()) == ["ann@example.com", "cid@example.com"]


def test_import_page_without_email_column_explains(organizer_web: PageClient) -> None:
    response = organizer_web.submit(
        "/people/import", files={"file": ("hr.csv", b"Name\nAnn\n", "text/csv")}
    )
    assert response.status_code == 422
    assert "No email column found. Columns found: &#39;Name&#39;." in response.text
