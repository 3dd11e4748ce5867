"""Attendance imports and changes, and invitations, leave entries naming who did what."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.audit import service as audit
from app.invitations import rsvps
from app.models import AttendanceImport, Invitation, Rsvp, SessionStatus, StorySession, User, utcnow
from tests.audit.support import entries_about
from tests.factories import create_person, create_session, create_user

REPORT = b"Email,Minutes\nada@example.com,30\nsam@elsewhere.example,25\nguest@partner.example,40\n"


def _organizer(db: Session) -> User:
    return db.exec(select(User).where(User.email == "organizer@example.com")).one()


def _past_session(db: Session) -> StorySession:
    return create_session(
        db,
        title="Globex renewals",
        starts_at=utcnow() - timedelta(days=2),
        status=SessionStatus.completed,
    )


def _unmatched(api: TestClient, story_session: StorySession) -> dict[str, int]:
    rows = api.get(f"/api/v1/sessions/{story_session.id}/attendance?status=unmatched").json()
    return {row["email"]: row["id"] for row in rows["items"]}


def test_attendance_import_is_audited_with_its_counts_and_importer(
    organizer_api: TestClient, db: Session
) -> None:
    story_session = _past_session(db)
    create_person(db, email="ada@example.com", name="Ada Lovelace")
    response = organizer_api.post(
        f"/api/v1/sessions/{story_session.id}/attendance/imports",
        files={"file": ("globex.csv", REPORT, "text/csv")},
    )
    assert response.status_code == 201, response.text
    again = organizer_api.post(
        f"/api/v1/sessions/{story_session.id}/attendance/imports",
        files={"file": ("globex.csv", REPORT, "text/csv")},
    )
    assert again.json()["repeated"] is True

    import_id = response.json()["import_id"]
    organizer = _organizer(db)
    (row,) = entries_about(db, "attendance_import")
    assert (row.action, row.entity_id, row.actor, row.actor_id) == (
        "imported",
        import_id,
        "organizer@example.com",
        organizer.id,
    )
    assert row.summary == (
        f"Imported globex.csv ({response.json()['format_label']}) into the attendance of "
        "“Globex renewals”: 1 matched, 2 unmatched, 0 earlier rows replaced"
    )
    assert db.get_one(AttendanceImport, import_id).created_by_id == organizer.id


def test_attendance_mark_resolve_external_and_remove_are_audited(
    organizer_api: TestClient, db: Session
) -> None:
    story_session = _past_session(db)
    grace = create_person(db, email="grace@example.com", name="Grace Hopper")
    sam = create_person(db, email="sam@example.com", name="Sam Carter")
    base = f"/api/v1/sessions/{story_session.id}/attendance"
    imported = organizer_api.post(
        f"{base}/imports", files={"file": ("globex.csv", REPORT, "text/csv")}
    )
    assert imported.status_code == 201, imported.text
    unmatched = _unmatched(organizer_api, story_session)

    marked = organizer_api.post(base, json={"email": "grace@example.com"})
    assert marked.status_code == 201, marked.text
    assert organizer_api.post(base, json={"email": "grace@example.com"}).status_code == 201
    resolved = organizer_api.post(
        f"{base}/{unmatched['sam@elsewhere.example']}/resolve", json={"person_id": sam.id}
    )
    assert resolved.status_code == 200, resolved.text
    external = organizer_api.post(f"{base}/{unmatched['guest@partner.example']}/external")
    assert external.status_code == 200, external.text
    assert organizer_api.delete(f"{base}/{marked.json()['id']}").status_code == 204

    rows = entries_about(db, "attendance")
    assert [(row.action, row.entity_id, row.summary) for row in rows] == [
        (
            "marked_present",
            marked.json()["id"],
            "Marked Grace Hopper present at “Globex renewals”",
        ),
        (
            "resolved",
            unmatched["sam@elsewhere.example"],
            "Matched the attendee “sam@elsewhere.example” at “Globex renewals” to "
            "Sam Carter <sam@example.com>",
        ),
        (
            "marked_external",
            unmatched["guest@partner.example"],
            "Marked the attendee “guest@partner.example” at “Globex renewals” as not an employee",
        ),
        (
            "removed",
            marked.json()["id"],
            "Removed Grace Hopper <grace@example.com> from the attendance of “Globex renewals”",
        ),
    ]
    assert rows[2].changes == {"external": [False, True]}
    assert {(row.actor, row.actor_id) for row in rows} == {
        ("organizer@example.com", _organizer(db).id)
    }
    assert grace.id is not None  # marked, then removed: the person stays


def test_invite_and_the_cancellations_it_leads_to_are_audited(
    organizer_api: TestClient, db: Session
) -> None:
    story_session = create_session(db, title="Acme onboarding")
    create_person(db, email="ada@example.com", name="Ada Lovelace")
    create_person(db, email="bob@example.com", name="Bob Stone")
    path = f"/api/v1/sessions/{story_session.id}/invitations"
    body = {"emails": ["ada@example.com", "bob@example.com"]}
    assert organizer_api.post(path, json={**body, "dry_run": True}).status_code == 200
    assert organizer_api.post(path, json=body).json()["invited"] == 2
    assert organizer_api.post(path, json=body).json()["invited"] == 0
    assert organizer_api.delete(f"/api/v1/sessions/{story_session.id}").status_code == 200

    organizer = _organizer(db)
    rows = entries_about(db, "story_session", story_session.id)
    assert [(row.action, row.summary) for row in rows] == [
        ("invited", "Invited 2 people to the session “Acme onboarding”"),
        ("cancelled", "Cancelled the session “Acme onboarding”"),
        ("invitations_cancelled", "Sent the cancellation of “Acme onboarding” to 2 people"),
    ]
    assert {(row.actor, row.actor_id) for row in rows} == {("organizer@example.com", organizer.id)}
    invitations = db.exec(select(Invitation)).all()
    assert {invitation.invited_by_id for invitation in invitations} == {organizer.id}


def test_an_rsvp_change_is_audited_once_with_its_before_and_after(db: Session) -> None:
    story_session = create_session(db, title="Acme onboarding")
    ada = create_person(db, email="ada@example.com", name="Ada Lovelace")
    invitation = Invitation(
        session_id=story_session.id or 0, person_id=ada.id, email=ada.email, name=ada.name
    )
    db.add(invitation)
    db.flush()
    with audit.acting_as(create_user(db, email="ana@example.com")):
        rsvps.record_rsvp(db, invitation, answer=Rsvp.accepted)
        rsvps.record_rsvp(db, invitation, answer=Rsvp.accepted)
        rsvps.record_rsvp(db, invitation, answer=Rsvp.declined)

    rows = entries_about(db, "invitation", invitation.id)
    assert [(row.action, row.actor, row.summary, row.changes) for row in rows] == [
        (
            "answered",
            "ana@example.com",
            "ada@example.com answered “Yes” to the invitation to “Acme onboarding”",
            {"rsvp": ["needs_action", "accepted"]},
        ),
        (
            "answered",
            "ana@example.com",
            "ada@example.com answered “No” to the invitation to “Acme onboarding”",
            {"rsvp": ["accepted", "declined"]},
        ),
    ]
