"""Distribution lists: CRUD over the API and pages, members, CSV import, series defaults."""

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import Cadence, DistributionList, ListMember, SeriesList
from tests.conftest import PageClient
from tests.distribution.helpers import create_list, create_series
from tests.factories import create_person


def test_create_weekly_list_reads_back_with_schedule(organizer_api: TestClient) -> None:
    response = organizer_api.post(
        "/api/v1/lists",
        json={
            "name": "Leaders' weekly",
            "cadence": "weekly",
            "digest_weekday": 0,
            "digest_time": "07:30",
            "timezone": "Europe/Paris",
            "allow_unsubscribe": True,
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["schedule"] == "Weekly digest, Mondays at 07:30 (Europe/Paris)"
    assert body["members"] == 0
    listed = organizer_api.get("/api/v1/lists").json()
    assert [item["name"] for item in listed["items"]] == ["Leaders' weekly"]
    assert listed["total"] == 1


def test_create_list_refuses_bad_zone_and_missing_day(
    organizer_api: TestClient, db: Session
) -> None:
    zone = organizer_api.post("/api/v1/lists", json={"name": "A", "timezone": "Mars/Olympus"})
    assert zone.status_code == 422
    assert "Unknown timezone 'Mars/Olympus'" in zone.text
    weekly = organizer_api.post("/api/v1/lists", json={"name": "B", "cadence": "weekly"})
    assert weekly.status_code == 422
    assert "digest_weekday" in weekly.text
    monthly = organizer_api.post(
        "/api/v1/lists", json={"name": "C", "cadence": "monthly", "digest_day": 31}
    )
    assert monthly.status_code == 422
    assert db.exec(select(DistributionList)).all() == []


def test_list_names_are_unique_case_insensitively(organizer_api: TestClient, db: Session) -> None:
    create_list(db, name="Operating committee")
    response = organizer_api.post("/api/v1/lists", json={"name": "operating COMMITTEE"})
    assert response.status_code == 409
    assert "already exists" in response.json()["detail"]


def test_list_names_clash_beyond_ascii_letters(organizer_api: TestClient, db: Session) -> None:
    # SQLite's lower() leaves "Ò" alone; the fuzzer found the 500 this used to give.
    create_list(db, name="Comité Ò")
    for name in ("Comité Ò", "COMITÉ ò"):
        response = organizer_api.post("/api/v1/lists", json={"name": name})
        assert response.status_code == 409, name
    assert len(db.exec(select(DistributionList)).all()) == 1


def test_update_list_to_monthly_needs_its_day(organizer_api: TestClient, db: Session) -> None:
    dlist = create_list(db)
    refused = organizer_api.patch(f"/api/v1/lists/{dlist.id}", json={"cadence": "monthly"})
    assert refused.status_code == 422
    assert "digest_day" in refused.json()["detail"]
    response = organizer_api.patch(
        f"/api/v1/lists/{dlist.id}", json={"cadence": "monthly", "digest_day": 1}
    )
    assert response.status_code == 200
    assert response.json()["schedule"] == "Monthly digest, on day 1 at 08:00 (UTC)"


def test_members_people_by_id_or_email_and_outsiders(
    organizer_api: TestClient, db: Session
) -> None:
    ceo = create_person(db, email="ceo@example.com", name="Grace Hopper", level_key="c-suite")
    cfo = create_person(db, email="cfo@example.com", name="Ada Byron")
    dlist = create_list(db)
    url = f"/api/v1/lists/{dlist.id}/members"
    assert organizer_api.post(url, json={"person_id": ceo.id}).status_code == 201
    by_email = organizer_api.post(url, json={"email": "CFO@Example.com"}).json()
    assert by_email["kind"] == "person"
    assert by_email["person_id"] == cfo.id
    outsider = organizer_api.post(url, json={"email": "Chair@Board.example", "name": "Jo Chair"})
    assert outsider.json()["kind"] == "outsider"
    assert outsider.json()["email"] == "chair@board.example"
    again = organizer_api.post(url, json={"email": "chair@board.example"})
    assert again.status_code == 409
    both = organizer_api.post(url, json={"person_id": ceo.id, "email": "x@example.com"})
    assert both.status_code == 422

    members = organizer_api.get(url).json()
    assert [m["name"] for m in members["items"]] == ["Ada Byron", "Grace Hopper", "Jo Chair"]
    removed = organizer_api.delete(f"{url}/{outsider.json()['id']}")
    assert removed.status_code == 204
    assert organizer_api.get(f"/api/v1/lists/{dlist.id}").json()["members"] == 2


def test_csv_import_adds_people_and_outsiders(organizer_api: TestClient, db: Session) -> None:
    person = create_person(db, email="vp@example.com", name="Vera Pike")
    dlist = create_list(db)
    csv = b"Email,Name\nVP@example.com,\nchair@board.example,Jo Chair\n"
    response = organizer_api.post(
        f"/api/v1/lists/{dlist.id}/members/import", files={"file": ("m.csv", csv, "text/csv")}
    )
    assert response.status_code == 200, response.text
    assert response.json() | {"errors": []} == {
        "rows": 2,
        "added": 2,
        "already": 0,
        "people": 1,
        "columns": {"email": "Email", "name": "Name"},
        "errors": [],
    }
    members = db.exec(select(ListMember).where(ListMember.list_id == dlist.id)).all()
    assert {(m.person_id, m.email, m.name) for m in members} == {
        (person.id, None, ""),
        (None, "chair@board.example", "Jo Chair"),
    }


def test_csv_import_without_header_counts_existing_members(
    organizer_api: TestClient, db: Session
) -> None:
    dlist = create_list(db, outsiders=["a@example.org"])
    csv = b"A@example.org;Ann\nb@example.org;Bob\n"
    response = organizer_api.post(
        f"/api/v1/lists/{dlist.id}/members/import", files={"file": ("m.csv", csv, "text/csv")}
    )
    assert response.json()["added"] == 1
    assert response.json()["already"] == 1


def test_csv_import_with_errors_changes_nothing(organizer_api: TestClient, db: Session) -> None:
    dlist = create_list(db)
    csv = b"email,name\nok@example.org,Ok\nnot-an-address,Bad\nok@example.org,Twice\n"
    response = organizer_api.post(
        f"/api/v1/lists/{dlist.id}/members/import", files={"file": ("m.csv", csv, "text/csv")}
    )
    assert response.status_code == 422
    assert response.json()["detail"]["errors"] == [
        {"line": 3, "column": "email", "message": "'not-an-address' is not an email address."},
        {
            "line": 4,
            "column": "email",
            "message": "ok@example.org appears twice (lines 2 and 4).",
        },
    ]
    assert db.exec(select(ListMember)).all() == []


def test_csv_import_refuses_a_file_without_an_email_column(
    organizer_api: TestClient, db: Session
) -> None:
    dlist = create_list(db)
    response = organizer_api.post(
        f"/api/v1/lists/{dlist.id}/members/import",
        files={"file": ("m.csv", b"who,what\nx,y\n", "text/csv")},
    )
    assert response.status_code == 422
    assert "No email column found" in response.json()["detail"]


def _import_members(client: TestClient, dlist: DistributionList, data: bytes) -> Any:
    return client.post(
        f"/api/v1/lists/{dlist.id}/members/import", files={"file": ("m.csv", data, "text/csv")}
    )


def _members(db: Session) -> list[ListMember]:
    db.expire_all()
    return list(db.exec(select(ListMember)).all())


def test_csv_import_unclosed_quote_is_an_error_with_its_line_and_adds_nothing(
    organizer_api: TestClient, db: Session
) -> None:
    dlist = create_list(db, outsiders=["kept@example.org"])
    before = len(_members(db))
    data = b'email,name\nok@example.org,Ok\nbad@example.org,"Bad\nlate@example.org,Late\n'

    response = _import_members(organizer_api, dlist, data)

    assert response.status_code == 422
    assert response.json()["detail"]["rows"] == 3
    assert response.json()["detail"]["errors"] == [
        {
            "line": 3,
            "column": None,
            "message": "A quote opened on this line is never closed: close it, or remove it.",
        }
    ]
    assert len(_members(db)) == before == 1


def test_csv_import_broken_first_row_is_refused(organizer_api: TestClient, db: Session) -> None:
    dlist = create_list(db)
    response = _import_members(organizer_api, dlist, b'"ok@example.org,Ok\nb@example.org\n')
    assert response.status_code == 422
    assert response.json() == {
        "detail": "Line 1: A quote opened on this line is never closed: close it, or remove it."
    }
    assert _members(db) == []


def test_csv_import_empty_name_is_an_outsider_without_a_name(
    organizer_api: TestClient, db: Session
) -> None:
    dlist = create_list(db)
    response = _import_members(organizer_api, dlist, b"email;name\nnoname@example.org;\n")
    assert response.status_code == 200, response.text
    assert [(m.email, m.name) for m in _members(db)] == [("noname@example.org", "")]


def test_csv_import_binary_file_named_csv_is_refused(
    organizer_api: TestClient, db: Session
) -> None:
    dlist = create_list(db)
    response = _import_members(organizer_api, dlist, b"PK\x03\x04\x14\x00\x06\x00xl/workbook")
    assert response.status_code == 422
    assert response.json() == {
        "detail": "This file is an Excel workbook or a zip archive, not a CSV file: in Excel, "
        "use File > Save As > CSV UTF-8."
    }
    assert _members(db) == []


def test_csv_import_utf16_with_bom_and_semicolons(organizer_api: TestClient, db: Session) -> None:
    dlist = create_list(db)
    data = 'E-mail;Name\r\nzoe@board.example;"Lee; Zoë"\r\n'.encode("utf-16")
    response = _import_members(organizer_api, dlist, data)
    assert response.status_code == 200, response.text
    assert response.json()["columns"] == {"email": "E-mail", "name": "Name"}
    assert [(m.email, m.name) for m in _members(db)] == [("zoe@board.example", "Lee; Zoë")]


def test_series_default_lists_both_ways(organizer_api: TestClient, db: Session) -> None:
    series = create_series(db)
    dlist = create_list(db)
    other = create_list(db, name="Board")
    response = organizer_api.put(
        f"/api/v1/lists/{dlist.id}/series", json={"series_ids": [series.id]}
    )
    assert response.json()["series_ids"] == [series.id]
    lists = organizer_api.put(
        f"/api/v1/series/{series.id}/lists", json={"list_ids": [other.id, dlist.id]}
    ).json()
    assert sorted(item["name"] for item in lists) == ["Board", "Operating committee"]
    unknown = organizer_api.put(f"/api/v1/series/{series.id}/lists", json={"list_ids": [999999]})
    assert unknown.status_code == 422
    assert len(db.exec(select(SeriesList)).all()) == 2


def test_viewer_reads_lists_but_cannot_write(viewer_api: TestClient, db: Session) -> None:
    dlist = create_list(db)
    assert viewer_api.get(f"/api/v1/lists/{dlist.id}").status_code == 200
    assert viewer_api.post("/api/v1/lists", json={"name": "X"}).status_code == 403
    assert viewer_api.delete(f"/api/v1/lists/{dlist.id}").status_code == 403


def test_list_pages_create_add_import_and_link_series(
    organizer_web: PageClient, db: Session
) -> None:
    series = create_series(db)
    create_person(db, email="ceo@example.com", name="Grace Hopper", level_key="c-suite")
    created = organizer_web.submit(
        "/lists",
        {"name": "Operating committee", "cadence": "every_recap", "timezone": "UTC"},
    )
    assert created.status_code == 303
    url = created.headers["location"].split("?")[0]
    added = organizer_web.submit(f"{url}/members", {"email": "ceo@example.com"})
    assert added.status_code == 303
    imported = organizer_web.submit(
        f"{url}/members/import", files={"file": ("m.csv", b"chair@board.example,Jo\n", "text/csv")}
    )
    assert "Added 1 of 1 rows" in imported.text
    linked = organizer_web.submit(f"{url}/series", {"series_ids": [str(series.id)]})
    assert linked.status_code == 303
    page = organizer_web.get(url)
    assert "Grace Hopper" in page.text
    assert "chair@board.example" in page.text
    assert f'value="{series.id}" checked' in page.text
    bad = organizer_web.submit(
        url, {"name": "Operating committee", "cadence": "weekly", "timezone": "UTC"}
    )
    assert bad.status_code == 422
    assert "digest_weekday" in bad.text
    assert db.exec(select(DistributionList)).one().cadence is Cadence.every_recap
    lists = organizer_web.get("/lists")
    assert "Every recap, as it is sent" in lists.text
