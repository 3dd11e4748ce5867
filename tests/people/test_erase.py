"""Erasing a person: personal data gone from every table, anonymous history and figures kept."""

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import JSON, Enum, String, TypeDecorator
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, select

from app.attendance.matching import Directory
from app.models import (
    ActionItem,
    ApiToken,
    AttendanceImport,
    AttendanceSource,
    CalendarFeed,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    DistributionList,
    Invitation,
    ListMember,
    Person,
    Recap,
    RecapVersion,
    RenderedPdf,
    Role,
    Rsvp,
    StorySession,
    User,
)
from app.people import service
from tests.conftest import PageClient, _page_client
from tests.dashboards.support import Org, build_org
from tests.factories import create_attendance, create_person, create_session, create_user

NAME = "Ada Lovelace"
EMAIL = "ada.lovelace@example.com"
ALIAS_EMAIL = "ada@personal.example"
EMPLOYEE_ID = "E-77881"
IDENTIFIERS = (NAME, EMAIL, ALIAS_EMAIL, EMPLOYEE_ID)
PERIOD = {"start": "2026-01-01", "end": "2026-11-24"}


@dataclass
class World:
    org: Org
    ada: Person
    upcoming: StorySession
    version: RecapVersion


def _text_or_json(column_type: Any) -> bool:
    if isinstance(column_type, JSON):
        return True
    if isinstance(column_type, TypeDecorator):
        column_type = column_type.impl_instance
    return isinstance(column_type, String) and not isinstance(column_type, Enum)


def traces(session: Session, needles: tuple[str, ...] = IDENTIFIERS) -> list[str]:
    """Every table.column holding one of `needles` in any text or JSON column of any table."""
    found = []
    connection = session.connection()
    for table in SQLModel.metadata.sorted_tables:
        columns = [column for column in table.columns if _text_or_json(column.type)]
        if not columns:
            continue
        for row in connection.execute(sa_select(*columns)).mappings():
            for column in columns:
                value = row[column]
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                hits = [needle for needle in needles if needle.lower() in text.lower()]
                found += [f"{table.name}.{column.name}: {needle}" for needle in hits]
    return sorted(set(found))


@pytest.fixture
def world(db: Session) -> World:
    """The demo org, plus Ada: a VP with personal data in every corner of the schema."""
    org = build_org(db)
    ada = create_person(
        db,
        email=EMAIL,
        name=NAME,
        title="VP Sales",
        department="Sales",
        level_key="vp",
        employee_id=EMPLOYEE_ID,
        manager=org.ceo,
    )
    service.add_alias(db, person=ada, kind="email", value=ALIAS_EMAIL)  # type: ignore[arg-type]
    service.add_alias(db, person=ada, kind="name", value="Ada King")  # type: ignore[arg-type]
    for story_session in (org.s2, org.s3):
        create_attendance(db, story_session=story_session, person=ada)
    guest = create_attendance(db, story_session=org.s3, level_key="unknown", raw_name="Ada K.")
    guest.raw_email = ALIAS_EMAIL
    upcoming = create_session(db, title="Next week")

    recap = Recap(session_id=org.s2.id or 0, latest_version=1)
    pdf = RenderedPdf(sha256="0" * 64, content=b"%PDF-1.7", pages=1)
    db.add_all([recap, pdf])
    db.flush()
    version = RecapVersion(
        recap_id=recap.id or 0,
        number=1,
        pdf_id=pdf.id,
        document={
            "attendance": {"leaders": [{"name": NAME, "title": "VP Sales", "level": "SVP/VP"}]},
            "action_items": [{"description": f"{NAME} to call back", "owner": NAME}],
        },
    )
    committee = DistributionList(name="Operating committee")
    db.add_all([version, committee])
    db.flush()
    db.add(ListMember(list_id=committee.id or 0, person_id=ada.id))
    db.add(
        ActionItem(
            session_id=org.s3.id or 0,
            description=f"Ask {NAME} for the refund figures",
            owner_id=ada.id,
        )
    )
    db.add(
        AttendanceImport(
            session_id=org.s2.id or 0,
            source=AttendanceSource.zoom,
            format="zoom",
            filename="participants.csv",
            sha256="1" * 64,
            report_json=json.dumps({"decisions": [f"Matched {NAME} by {ALIAS_EMAIL}"]}),
        )
    )
    past = Invitation(
        session_id=org.s2.id or 0,
        person_id=ada.id,
        email=EMAIL,
        name=NAME,
        rsvp=Rsvp.accepted,
        responded_at=datetime(2026, 2, 1, tzinfo=UTC),
    )
    future = Invitation(session_id=upcoming.id or 0, person_id=ada.id, email=EMAIL, name=NAME)
    db.add_all([past, future])
    db.flush()
    db.add_all(
        [
            Delivery(
                kind=DeliveryKind.recap,
                dedup_key=f"recap:{version.id}:{EMAIL}",
                to_email=EMAIL,
                to_name=NAME,
                person_id=ada.id,
                recap_version_id=version.id,
                session_id=org.s2.id,
                status=DeliveryStatus.sent,
                sent_at=datetime(2026, 2, 11, tzinfo=UTC),
                read_at=datetime(2026, 2, 12, tzinfo=UTC),
                payload={"sent_by": "organizer@example.com"},
            ),
            Delivery(
                kind=DeliveryKind.invitation,
                dedup_key=f"invitation:{past.id}:0",
                to_email=EMAIL,
                to_name=NAME,
                person_id=ada.id,
                session_id=org.s2.id,
                status=DeliveryStatus.failed,
                last_error=f"550 <{EMAIL}>: mailbox full",
                payload={"invitation_id": past.id},
            ),
            Delivery(
                kind=DeliveryKind.invitation,
                dedup_key=f"invitation:{future.id}:0",
                to_email=EMAIL,
                to_name=NAME,
                person_id=ada.id,
                session_id=upcoming.id,
                payload={"invitation_id": future.id},
            ),
        ]
    )
    account = create_user(db, email=EMAIL, role=Role.organizer)
    account.name = NAME
    db.add(ApiToken(user_id=account.id or 0, name="laptop", token_hash="a" * 64))
    db.add(CalendarFeed(user_id=account.id or 0, token_hash="b" * 64))
    db.flush()
    return World(org=org, ada=ada, upcoming=upcoming, version=version)


def _without_names(value: Any) -> Any:
    """A dashboard answer without who each row is (which erasure changes on purpose)."""
    if isinstance(value, dict):
        return {
            key: _without_names(item)
            for key, item in value.items()
            if key not in {"name", "email", "title"}
        }
    if isinstance(value, list):
        return [_without_names(item) for item in value]
    return value


def _dashboards(client: TestClient) -> dict[str, Any]:
    answers = {}
    for path, extra in (
        ("overview", {}),
        ("levels", {"view": "as_it_was"}),
        ("levels", {"view": "today"}),
        ("leaders", {"limit": 500}),
        ("leaders/grid", {"limit": 500}),
        ("funnel", {"limit": 500}),
        ("departments", {"limit": 500}),
    ):
        response = client.get(f"/api/v1/dashboard/{path}", params={**PERIOD, **extra})
        assert response.status_code == 200, response.text
        answers[f"{path}{extra}"] = _without_names(response.json())
    return answers


def test_erase_leaves_no_trace_in_any_table(
    db: Session, world: World, admin_api: TestClient
) -> None:
    before = traces(db)
    assert "person.name: Ada Lovelace" in before  # the scan sees what it looks for
    assert "recap_version.document: Ada Lovelace" in before

    response = admin_api.post(f"/api/v1/people/{world.ada.id}/erase")

    assert response.status_code == 200, response.text
    assert response.json() == {
        "person_id": world.ada.id,
        "already_erased": False,
        "aliases_removed": 2,
        "attendance_rows_anonymised": 3,
        "list_memberships_removed": 1,
        "invitations_removed": 1,
        "invitations_anonymised": 1,
        "deliveries_removed": 1,
        "deliveries_anonymised": 2,
        "commitments_removed": 0,
        "user_accounts_closed": 1,
        "api_tokens_removed": 1,
        "calendar_feeds_removed": 1,
        "texts_scrubbed": 3,
        "pdfs_discarded": 1,
        "transcript_cues_removed": 0,
        "transcript_speakers_anonymised": 0,
        "transcript_speakers_removed": 0,
        "recap_questions_removed": 0,
        "transcript_suggestions_dropped": 0,
    }
    assert traces(db) == []


def test_erase_keeps_the_anonymous_record_and_history(
    db: Session, world: World, admin_api: TestClient
) -> None:
    assert admin_api.post(f"/api/v1/people/{world.ada.id}/erase").status_code == 200
    db.expire_all()
    ada = db.get(Person, world.ada.id)
    assert ada is not None
    assert (ada.name, ada.email, ada.title, ada.employee_id) == (
        "Erased person",
        f"erased-{ada.id}@erased.invalid",
        "",
        None,
    )
    assert (ada.department, ada.level_id, ada.manager_id, ada.active) == (
        "Sales",
        world.ada.level_id,
        world.org.ceo.id,
        True,
    )
    deliveries = db.exec(select(Delivery).where(Delivery.person_id == ada.id)).all()
    assert sorted((d.status, d.to_email, d.to_name, d.payload) for d in deliveries) == [
        (DeliveryStatus.failed, "", "", {}),
        (DeliveryStatus.sent, "", "", {}),
    ]
    invitations = db.exec(select(Invitation).where(Invitation.person_id == ada.id))
    assert [(i.session_id, i.rsvp, i.name) for i in invitations] == [
        (world.org.s2.id, Rsvp.accepted, "")
    ]
    version = db.get(RecapVersion, world.version.id)
    assert version is not None
    assert version.pdf_id is None
    assert version.document["action_items"][0] == {
        "description": "Erased person to call back",
        "owner": "Erased person",
    }
    account = db.exec(select(User).where(User.name == NAME)).first()
    assert account is None
    assert db.exec(select(ListMember)).first() is None


def test_erase_keeps_every_dashboard_figure(
    world: World, admin_api: TestClient, viewer_api: TestClient
) -> None:
    before = _dashboards(viewer_api)
    assert before["overview{}"]["sessions_held"] == 3

    assert admin_api.post(f"/api/v1/people/{world.ada.id}/erase").status_code == 200

    assert _dashboards(viewer_api) == before


def test_erased_person_shows_as_erased_on_pages(
    app: object, db: Session, world: World, admin_api: TestClient
) -> None:
    assert admin_api.post(f"/api/v1/people/{world.ada.id}/erase").status_code == 200
    web = _page_client(app, db, Role.admin)

    attendance = web.get(f"/sessions/{world.org.s2.id}/attendance")
    person = web.get(f"/people/{world.ada.id}")

    assert attendance.status_code == 200
    assert "Erased person" in attendance.text
    assert NAME not in attendance.text
    assert person.status_code == 200
    assert "<h1>Erased person</h1>" in person.text
    assert "personal data was erased" in person.text
    assert "Erase personal data" not in person.text


def test_erased_person_is_not_found_matched_or_edited(
    db: Session, world: World, admin_api: TestClient
) -> None:
    assert admin_api.post(f"/api/v1/people/{world.ada.id}/erase").status_code == 200

    for query in ("Lovelace", "erased", EMAIL):
        found = admin_api.get("/api/v1/people", params={"q": query}).json()
        assert found["total"] == 0, query
    match = Directory(db).match(name=NAME, emails=(EMAIL, ALIAS_EMAIL))
    assert (match.person_id, match.how) == (None, "none")
    assert Directory(db).match(name="Erased person", emails=()).person_id is None
    edit = admin_api.patch(f"/api/v1/people/{world.ada.id}", json={"name": NAME})
    assert edit.status_code == 409
    assert "was erased" in edit.json()["detail"]


@pytest.mark.parametrize(
    ("client", "message"),
    [
        ("organizer_api", "Only an admin can do this."),
        ("viewer_api", "Viewers can look but not change anything; ask an organizer or admin."),
    ],
)
def test_erase_is_refused_to_non_admins(
    db: Session, world: World, client: str, message: str, request: pytest.FixtureRequest
) -> None:
    api: TestClient = request.getfixturevalue(client)
    response = api.post(f"/api/v1/people/{world.ada.id}/erase")
    assert response.status_code == 403
    assert response.json() == {"detail": message}
    db.expire_all()
    assert db.get(Person, world.ada.id).name == NAME  # type: ignore[union-attr]


def test_erase_is_audited_and_scrubs_earlier_audit_entries(
    db: Session, admin_api: TestClient
) -> None:
    created = admin_api.post(
        "/api/v1/people", json={"name": "Grace Hopper", "email": "grace@example.com"}
    )
    person_id = created.json()["id"]
    assert any("Grace Hopper" in line for line in traces(db, ("Grace Hopper",)))

    assert admin_api.post(f"/api/v1/people/{person_id}/erase").status_code == 200

    assert traces(db, ("Grace Hopper", "grace@example.com")) == []
    entries = admin_api.get(
        "/api/v1/audit", params={"entity": "person", "entity_id": person_id}
    ).json()["items"]
    assert (entries[0]["action"], entries[0]["summary"]) == (
        "erased",
        f"Erased the personal data of person #{person_id}",
    )


def test_erase_twice_is_harmless(db: Session, world: World, admin_api: TestClient) -> None:
    assert admin_api.post(f"/api/v1/people/{world.ada.id}/erase").status_code == 200
    again = admin_api.post(f"/api/v1/people/{world.ada.id}/erase")
    assert again.status_code == 200
    body = again.json()
    assert body["already_erased"] is True
    assert {key: value for key, value in body.items() if not isinstance(value, bool)} == {
        "person_id": world.ada.id,
        **{key: 0 for key in body if key not in ("person_id", "already_erased")},
    }


def test_erase_unknown_person_is_a_404(admin_api: TestClient) -> None:
    response = admin_api.post("/api/v1/people/987654/erase")
    assert response.status_code == 404
    assert response.json() == {"detail": "There is no person with id 987654."}


def test_erase_refuses_a_person_who_signs_in_as_admin(db: Session, admin_api: TestClient) -> None:
    boss = create_person(db, email="boss@example.com", name="Grace Hopper")
    create_user(db, email="boss@example.com", role=Role.admin)
    response = admin_api.post(f"/api/v1/people/{boss.id}/erase")
    assert response.status_code == 409
    assert "boss@example.com is also an active admin account" in response.json()["detail"]


def test_erase_page_confirms_then_erases(
    app: object, db: Session, world: World, organizer_web: PageClient
) -> None:
    web = _page_client(app, db, Role.admin)
    detail = web.get(f"/people/{world.ada.id}")
    assert f'href="/people/{world.ada.id}/erase"' in detail.text
    confirm = web.get(f"/people/{world.ada.id}/erase")
    assert confirm.status_code == 200
    assert "This cannot be undone." in confirm.text
    assert 'name="csrf_token"' in confirm.text

    forged = web.post(f"/people/{world.ada.id}/erase", data={"csrf_token": "forged"})
    assert forged.status_code == 403
    refused = organizer_web.submit(f"/people/{world.ada.id}/erase")
    assert refused.status_code == 403
    assert "Erase personal data" not in organizer_web.get(f"/people/{world.ada.id}").text
    db.expire_all()
    assert db.get(Person, world.ada.id).name == NAME  # type: ignore[union-attr]

    done = web.submit(f"/people/{world.ada.id}/erase")

    assert done.status_code == 200
    assert "Personal data erased" in done.text
    assert "Sent emails anonymised</dt><dd>2</dd>" in done.text
    db.expire_all()
    assert db.get(Person, world.ada.id).name == "Erased person"  # type: ignore[union-attr]
