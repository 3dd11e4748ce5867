from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import Person, PersonAlias
from tests.factories import create_person


def test_people_create_infers_the_level_and_lowercases_the_email(organizer_api: TestClient) -> None:
    response = organizer_api.post(
        "/api/v1/people",
        json={
            "email": " Grace.Hopper@Example.com ",
            "name": "Grace Hopper",
            "title": "VP Engineering",
            "department": "Engineering",
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["email"] == "grace.hopper@example.com"
    assert body["level"]["key"] == "vp"
    assert body["level"]["name"] == "SVP/VP"
    assert body["level"]["is_executive"] is True
    assert body["manager"] is None
    assert body["active"] is True


def test_people_create_without_title_is_unknown_level(organizer_api: TestClient) -> None:
    response = organizer_api.post("/api/v1/people", json={"email": "x@example.com", "name": "X"})
    assert response.json()["level"]["key"] == "unknown"


def test_people_create_with_explicit_level_and_manager(
    organizer_api: TestClient, db: Session
) -> None:
    boss = create_person(db, email="boss@example.com", name="Boss")
    response = organizer_api.post(
        "/api/v1/people",
        json={
            "email": "y@example.com",
            "name": "Y",
            "title": "Engineer",
            "level": "Manager",
            "manager_id": boss.id,
        },
    )
    assert response.status_code == 201, response.text
    assert response.json()["level"]["key"] == "manager"
    assert response.json()["manager"] == {
        "id": boss.id,
        "email": "boss@example.com",
        "name": "Boss",
    }


def test_people_create_duplicate_email_case_insensitive_conflicts(
    organizer_api: TestClient, db: Session
) -> None:
    ada = create_person(db)
    response = organizer_api.post(
        "/api/v1/people", json={"email": "ADA@example.COM", "name": "Ada Two"}
    )
    assert response.status_code == 409
    assert response.json() == {
        "detail": f"ada@example.com is already the email of Ada Lovelace (person {ada.id})."
    }


def test_people_create_bad_input_is_422(organizer_api: TestClient, db: Session) -> None:
    bad_email = organizer_api.post("/api/v1/people", json={"email": "not an email", "name": "N"})
    assert bad_email.status_code == 422
    assert bad_email.json() == {"detail": "'not an email' is not an email address."}
    unknown_level = organizer_api.post(
        "/api/v1/people", json={"email": "n@example.com", "name": "N", "level": "intern"}
    )
    assert unknown_level.status_code == 422
    assert unknown_level.json()["detail"].startswith("There is no level 'intern'")
    no_manager = organizer_api.post(
        "/api/v1/people", json={"email": "n@example.com", "name": "N", "manager_id": 999999}
    )
    assert no_manager.status_code == 422
    assert no_manager.json() == {"detail": "There is no person with id 999999 to be the manager."}
    nul = organizer_api.post("/api/v1/people", json={"email": "n@example.com", "name": "N\u0000"})
    assert nul.status_code == 422
    assert db.exec(select(Person)).all() == []


def test_people_get_unknown_id_is_404(viewer_api: TestClient) -> None:
    response = viewer_api.get("/api/v1/people/424242")
    assert response.status_code == 404
    assert response.json() == {"detail": "There is no person with id 424242."}
    assert viewer_api.get("/api/v1/people/99999999999999").status_code == 422


def test_people_list_filters_and_orders_by_name(viewer_api: TestClient, db: Session) -> None:
    create_person(
        db, email="zed@example.com", name="Zed Zulu", title="Engineer", department="Engineering"
    )
    create_person(
        db,
        email="amy@example.com",
        name="Amy Adams",
        title="Director of Sales",
        department="Sales",
        level_key="director",
    )
    create_person(
        db,
        email="bob@example.com",
        name="Bob Brown",
        title="Engineer",
        department="Engineering",
        active=False,
    )

    everyone = viewer_api.get("/api/v1/people").json()
    assert [p["name"] for p in everyone["items"]] == ["Amy Adams", "Bob Brown", "Zed Zulu"]
    assert everyone["total"] == 3

    def names(**params: str | int) -> list[str]:
        response = viewer_api.get("/api/v1/people", params=params)
        assert response.status_code == 200, response.text
        return [p["name"] for p in response.json()["items"]]

    assert names(q="ENGINEER") == ["Bob Brown", "Zed Zulu"]
    assert names(q="amy@") == ["Amy Adams"]
    assert names(q="100%") == []
    assert names(department="Sales") == ["Amy Adams"]
    assert names(level="director") == ["Amy Adams"]
    assert names(active="false") == ["Bob Brown"]
    assert names(active="true", department="Engineering") == ["Zed Zulu"]
    assert names(limit=1, offset=1) == ["Bob Brown"]


def test_people_list_after_a_person_walks_the_directory_in_order(
    viewer_api: TestClient, db: Session
) -> None:
    # Two people share a name, so the cursor must order by id within a name.
    for n, name in enumerate(["Cy Twin", "Ann Able", "Cy Twin", "Bea Bold", "Dee Dale"]):
        create_person(db, email=f"p{n}@example.com", name=name, department="Ops" if n % 2 else "")
    everyone = viewer_api.get("/api/v1/people", params={"limit": 500}).json()["items"]

    def walk(**filters: str) -> list[int]:
        seen: list[int] = []
        while True:
            params: dict[str, str | int] = {"limit": 2, **filters}
            if seen:
                params["after"] = seen[-1]
            page = viewer_api.get("/api/v1/people", params=params).json()
            assert page["total"] == viewer_api.get("/api/v1/people", params=filters).json()["total"]
            if not page["items"]:
                return seen
            seen += [person["id"] for person in page["items"]]

    assert walk() == [person["id"] for person in everyone]
    ops = [p["id"] for p in everyone if p["department"] == "Ops"]
    assert walk(department="Ops") == ops


def test_people_list_after_an_unknown_person_says_so(viewer_api: TestClient) -> None:
    response = viewer_api.get("/api/v1/people", params={"after": 2_000_000})
    assert response.status_code == 404
    assert "no person with id 2000000" in response.json()["detail"]


def test_people_list_unknown_level_is_422(viewer_api: TestClient) -> None:
    response = viewer_api.get("/api/v1/people", params={"level": "boss"})
    assert response.status_code == 422


def test_people_patch_changes_fields_and_keeps_the_old_email_as_alias(
    organizer_api: TestClient, db: Session
) -> None:
    ada = create_person(db, title="Engineer")
    boss = create_person(db, email="boss@example.com", name="Boss")
    response = organizer_api.patch(
        f"/api/v1/people/{ada.id}",
        json={
            "email": "Ada.King@example.com",
            "title": "Staff Engineer",
            "manager_id": boss.id,
            "level": "manager",
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["email"], body["title"], body["level"]["key"], body["manager"]["id"]) == (
        "ada.king@example.com",
        "Staff Engineer",
        "manager",
        boss.id,
    )
    aliases = organizer_api.get(f"/api/v1/people/{ada.id}/aliases").json()["items"]
    assert [(a["kind"], a["normalized"]) for a in aliases] == [("email", "ada@example.com")]

    cleared = organizer_api.patch(f"/api/v1/people/{ada.id}", json={"manager_id": None})
    assert cleared.json()["manager"] is None
    assert cleared.json()["title"] == "Staff Engineer"


def test_people_patch_email_taken_conflicts_and_changes_nothing(
    organizer_api: TestClient, db: Session
) -> None:
    ada = create_person(db)
    create_person(db, email="bob@example.com", name="Bob")
    response = organizer_api.patch(
        f"/api/v1/people/{ada.id}", json={"name": "Ada K", "email": "BOB@example.com"}
    )
    assert response.status_code == 409
    db.refresh(ada)
    assert (ada.email, ada.name) == ("ada@example.com", "Ada Lovelace")


def test_people_patch_self_as_manager_is_422(organizer_api: TestClient, db: Session) -> None:
    ada = create_person(db)
    response = organizer_api.patch(f"/api/v1/people/{ada.id}", json={"manager_id": ada.id})
    assert response.status_code == 422
    assert response.json() == {"detail": "A person cannot be their own manager."}


def test_aliases_add_list_and_delete(organizer_api: TestClient, db: Session) -> None:
    ada = create_person(db)
    created = organizer_api.post(
        f"/api/v1/people/{ada.id}/aliases", json={"kind": "name", "value": "Ada  KING-Lovelace"}
    )
    assert created.status_code == 201, created.text
    assert created.json()["normalized"] == "ada king-lovelace"
    organizer_api.post(
        f"/api/v1/people/{ada.id}/aliases", json={"kind": "email", "value": "Countess@Example.com"}
    )

    listed = organizer_api.get(f"/api/v1/people/{ada.id}/aliases").json()
    assert [(a["kind"], a["value"]) for a in listed["items"]] == [
        ("email", "Countess@Example.com"),
        ("name", "Ada KING-Lovelace"),
    ]
    deleted = organizer_api.delete(f"/api/v1/people/{ada.id}/aliases/{created.json()['id']}")
    assert deleted.status_code == 204
    assert [a.kind.value for a in db.exec(select(PersonAlias)).all()] == ["email"]


def test_aliases_used_by_another_person_conflict(organizer_api: TestClient, db: Session) -> None:
    ada = create_person(db)
    bob = create_person(db, email="bob@example.com", name="Bob")
    organizer_api.post(
        f"/api/v1/people/{ada.id}/aliases", json={"kind": "name", "value": "The Countess"}
    )
    response = organizer_api.post(
        f"/api/v1/people/{bob.id}/aliases", json={"kind": "name", "value": "the  COUNTESS"}
    )
    assert response.status_code == 409
    assert response.json() == {
        "detail": "The name alias 'the COUNTESS' already belongs to Ada Lovelace (ada@example.com)."
    }


def test_aliases_delete_of_another_persons_alias_is_404(
    organizer_api: TestClient, db: Session
) -> None:
    ada = create_person(db)
    bob = create_person(db, email="bob@example.com", name="Bob")
    alias = organizer_api.post(
        f"/api/v1/people/{ada.id}/aliases", json={"kind": "name", "value": "Countess"}
    ).json()
    response = organizer_api.delete(f"/api/v1/people/{bob.id}/aliases/{alias['id']}")
    assert response.status_code == 404
    assert response.json() == {"detail": f"Person {bob.id} has no alias with id {alias['id']}."}
