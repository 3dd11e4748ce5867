"""Inviting an audience: who it reaches, one invitation and one email each, never twice."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.errors import Conflict, Invalid
from app.invitations import inviting, rsvps
from app.invitations.audience import resolve_audience
from app.invitations.schemas import Audience
from app.models import (
    DeliveryKind,
    DistributionList,
    ListMember,
    Rsvp,
    Series,
    SessionStatus,
    utcnow,
)
from tests.conftest import PageClient
from tests.factories import create_person, create_session
from tests.invitations.support import deliveries, invitations


def _people(db: Session) -> None:
    create_person(
        db, email="ceo@example.com", name="Cara Ceo", level_key="c-suite", department="Exec"
    )
    create_person(db, email="vp@example.com", name="Vic Vp", level_key="vp", department="Sales")
    create_person(db, email="ic@example.com", name="Ivy Ic", level_key="ic", department="Sales")
    create_person(
        db, email="gone@example.com", name="Gone", level_key="vp", department="Sales", active=False
    )


def _list(db: Session, *members: tuple[int | None, str | None]) -> DistributionList:
    lst = DistributionList(name="Operating committee")
    db.add(lst)
    db.flush()
    for person_id, email in members:
        db.add(ListMember(list_id=lst.id or 0, person_id=person_id, email=email))
    db.flush()
    return lst


def test_levels_departments_and_emails_resolve_to_active_people_once(db: Session) -> None:
    _people(db)
    audience = Audience(
        levels=["c-suite", "vp"], departments=["Sales"], emails=["CEO@example.com "]
    )
    invitees = resolve_audience(db, audience)
    assert [i.email for i in invitees] == ["ceo@example.com", "ic@example.com", "vp@example.com"]
    assert [i.name for i in invitees] == ["Cara Ceo", "Ivy Ic", "Vic Vp"]


def test_a_list_brings_its_people_and_outsiders_but_not_the_unsubscribed(db: Session) -> None:
    ceo = create_person(db, email="ceo@example.com", name="Cara Ceo", level_key="c-suite")
    left = create_person(db, email="left@example.com", name="Left", level_key="vp")
    lst = _list(db, (ceo.id, None), (None, "Board.Member@Outside.org"), (left.id, None))
    member = db.exec(
        select(ListMember).where(ListMember.list_id == lst.id, ListMember.person_id == left.id)
    ).one()
    member.unsubscribed_at = utcnow()
    db.flush()
    invitees = resolve_audience(db, Audience(list_ids=[lst.id or 0]))
    assert [(i.email, i.person_id) for i in invitees] == [
        ("board.member@outside.org", None),
        ("ceo@example.com", ceo.id),
    ]


@pytest.mark.parametrize(
    ("audience", "message"),
    [
        (Audience(), "Choose who to invite"),
        (Audience(emails=["nobody@example.com"]), "No one in the directory has the email"),
        (Audience(levels=["emperor"]), "There is no level 'emperor'"),
        (Audience(departments=["Narnia"]), "No active person is in the department Narnia"),
        (Audience(list_ids=[999]), "There is no distribution list with id 999"),
        (Audience(person_ids=[999_999]), "There is no person with id 999999"),
    ],
)
def test_a_bad_audience_is_refused_with_a_reason(
    db: Session, audience: Audience, message: str
) -> None:
    story_session = create_session(db)
    with pytest.raises(Invalid, match=message):
        inviting.invite(db, story_sessions=[story_session], audience=audience)
    assert invitations(db, story_session) == []


def test_invite_creates_one_invitation_and_one_email_each_and_never_twice(db: Session) -> None:
    _people(db)
    story_session = create_session(db)
    audience = Audience(levels=["c-suite", "vp"])
    first = inviting.invite(db, story_sessions=[story_session], audience=audience)
    assert (first.invited, first.already_invited, first.audience) == (2, 0, 2)
    assert [d.dedup_key for d in deliveries(db)] == [
        f"invite:{story_session.id}:ceo@example.com:0",
        f"invite:{story_session.id}:vp@example.com:0",
    ]
    [delivery, _] = deliveries(db)
    assert delivery.kind is DeliveryKind.invitation
    assert delivery.session_id == story_session.id
    assert delivery.to_name == "Cara Ceo"

    again = inviting.invite(
        db,
        story_sessions=[story_session],
        audience=Audience(levels=["c-suite"], departments=["Sales"]),
    )
    assert (again.invited, again.already_invited, again.audience) == (1, 2, 3)
    assert [i.email for i in invitations(db, story_session)] == [
        "ceo@example.com",
        "ic@example.com",
        "vp@example.com",
    ]
    assert len(deliveries(db)) == 3


def test_dry_run_counts_and_changes_nothing(db: Session) -> None:
    _people(db)
    story_session = create_session(db)
    result = inviting.invite(
        db,
        story_sessions=[story_session],
        audience=Audience(departments=["Sales"]),
        dry_run=True,
    )
    assert (result.invited, result.audience, result.dry_run) == (2, 2, True)
    assert invitations(db, story_session) == []
    assert deliveries(db) == []


@pytest.mark.parametrize("status", [SessionStatus.cancelled, SessionStatus.completed])
def test_only_scheduled_sessions_take_invitations(db: Session, status: SessionStatus) -> None:
    _people(db)
    story_session = create_session(db, status=status)
    with pytest.raises(Conflict, match=f"This session is {status.value}"):
        inviting.invite(
            db,
            story_sessions=[story_session],
            audience=Audience(levels=["vp"]),
        )


def test_a_series_invitation_covers_every_upcoming_session(
    organizer_api: TestClient, db: Session
) -> None:
    _people(db)
    series = Series(
        title="VoC",
        rrule="FREQ=WEEKLY",
        timezone="Europe/Paris",
        first_start_local=utcnow().replace(tzinfo=None),
        duration_minutes=60,
        platform=create_session(db).platform,
    )
    db.add(series)
    db.flush()
    past = create_session(
        db, series=series, starts_at=utcnow() - timedelta(days=7), status=SessionStatus.completed
    )
    upcoming = [
        create_session(db, series=series, starts_at=utcnow() + timedelta(days=d)) for d in (7, 14)
    ]
    create_session(db, series=series, status=SessionStatus.cancelled)

    response = organizer_api.post(
        f"/api/v1/series/{series.id}/invitations", json={"levels": ["c-suite"]}
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "sessions": 2,
        "audience": 1,
        "invited": 2,
        "already_invited": 0,
        "dry_run": False,
    }
    assert [len(invitations(db, s)) for s in (past, *upcoming)] == [0, 1, 1]


def test_api_invites_and_lists_answers(organizer_api: TestClient, db: Session) -> None:
    _people(db)
    story_session = create_session(db)
    url = f"/api/v1/sessions/{story_session.id}/invitations"
    preview = organizer_api.post(url, json={"levels": ["vp", "ic"], "dry_run": True})
    assert preview.json()["invited"] == 2
    assert organizer_api.get(url).json()["total"] == 0

    assert organizer_api.post(url, json={"levels": ["vp", "ic"]}).json()["invited"] == 2
    [_ivy, vic] = invitations(db, story_session)
    rsvps.record_rsvp(db, vic, answer=Rsvp.accepted)
    listed = organizer_api.get(url).json()
    assert [(i["email"], i["rsvp"]) for i in listed["items"]] == [
        ("ic@example.com", "needs_action"),
        ("vp@example.com", "accepted"),
    ]
    assert listed["counts"] == {
        "invited": 2,
        "accepted": 1,
        "tentative": 0,
        "declined": 0,
        "needs_action": 1,
    }
    only_yes = organizer_api.get(url, params={"rsvp": "accepted"}).json()
    assert [i["email"] for i in only_yes["items"]] == ["vp@example.com"]


def test_api_refuses_unknown_fields_and_bad_audiences(
    organizer_api: TestClient, db: Session
) -> None:
    story_session = create_session(db)
    url = f"/api/v1/sessions/{story_session.id}/invitations"
    assert organizer_api.post(url, json={"everyone": True}).status_code == 422
    response = organizer_api.post(url, json={"emails": ["who@example.com"]})
    assert response.status_code == 422
    assert "No one in the directory has the email who@example.com" in response.json()["detail"]


def test_viewer_cannot_invite(viewer_api: TestClient, db: Session) -> None:
    story_session = create_session(db)
    response = viewer_api.post(
        f"/api/v1/sessions/{story_session.id}/invitations", json={"levels": ["vp"]}
    )
    assert response.status_code == 403


def test_invite_page_previews_then_sends(organizer_web: PageClient, db: Session) -> None:
    _people(db)
    story_session = create_session(db, title="Hearing Acme")
    page = organizer_web.get(f"/sessions/{story_session.id}/invite")
    assert page.status_code == 200
    assert 'value="c-suite"' in page.text
    assert 'value="Sales"' in page.text

    preview = organizer_web.submit(
        f"/sessions/{story_session.id}/invite",
        {"levels": ["c-suite", "vp"], "emails": "ic@example.com", "step": "preview"},
    )
    assert preview.status_code == 200
    assert "This reaches <strong>3 people</strong>" in preview.text
    assert "<strong>3 new invitations</strong>" in preview.text
    assert 'value="vp" checked' in preview.text
    assert invitations(db, story_session) == []

    sent = organizer_web.submit(
        f"/sessions/{story_session.id}/invite",
        {"levels": ["c-suite", "vp"], "emails": "ic@example.com", "step": "send"},
    )
    assert sent.status_code == 200
    assert "<strong>3 invitations sent</strong>" in sent.text
    assert len(invitations(db, story_session)) == 3

    detail = organizer_web.get(f"/sessions/{story_session.id}")
    assert f'href="/sessions/{story_session.id}/invite"' in detail.text
    assert 'Invitations <span class="count">3</span>' in detail.text
    assert "Cara Ceo" in detail.text


def test_invite_page_shows_what_is_wrong(organizer_web: PageClient, db: Session) -> None:
    story_session = create_session(db)
    response = organizer_web.submit(
        f"/sessions/{story_session.id}/invite", {"emails": "typo@example", "step": "send"}
    )
    assert response.status_code == 422
    assert "No one in the directory has the email typo@example" in response.text
    assert "typo@example</textarea>" in response.text
