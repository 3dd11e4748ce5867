"""Answering through the signed links: a GET only shows, a POST records; links are bound to
their purpose and expire after the session."""

from datetime import timedelta
from urllib.parse import urlsplit

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.attendance.service import check_in_link
from app.invitations import inviting, rsvps
from app.invitations.schemas import Audience
from app.kit.signing import sign
from app.models import Invitation, Rsvp, SessionStatus, StorySession, utcnow
from tests.conftest import PageClient
from tests.factories import create_person, create_session
from tests.invitations.support import invitations


def _invited(db: Session, story_session: StorySession | None = None) -> Invitation:
    create_person(db, email="vp@example.com", name="Vic Vp", level_key="vp")
    story_session = story_session or create_session(db, title="Acme's story")
    inviting.invite(
        db,
        story_sessions=[story_session],
        audience=Audience(emails=["vp@example.com"]),
    )
    [invitation] = invitations(db, story_session)
    return invitation


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_the_link_shows_the_choice_and_records_nothing(anon: TestClient, db: Session) -> None:
    invitation = _invited(db)
    story_session = db.get_one(StorySession, invitation.session_id)
    url = rsvps.rsvp_url(invitation, story_session, Rsvp.accepted)
    response = anon.get(_path(url))
    assert response.status_code == 200
    assert "Acme&#39;s story" in response.text
    assert 'value="accepted" checked' in response.text
    assert 'value="declined" checked' not in response.text
    db.refresh(invitation)
    assert invitation.rsvp is Rsvp.needs_action
    assert invitation.responded_at is None


def test_posting_records_the_answer_and_the_latest_counts(anon: TestClient, db: Session) -> None:
    invitation = _invited(db)
    story_session = db.get_one(StorySession, invitation.session_id)
    path = _path(rsvps.rsvp_url(invitation, story_session, None))
    response = anon.post(path, data={"answer": "tentative"})
    assert response.status_code == 200
    assert "your answer is <strong>Maybe</strong>" in response.text
    db.refresh(invitation)
    assert invitation.rsvp is Rsvp.tentative
    assert invitation.responded_at is not None

    anon.post(path, data={"answer": "accepted"})
    db.refresh(invitation)
    assert invitation.rsvp == Rsvp("accepted")  # (the refresh is invisible to type narrowing)
    # Without ?answer= the page pre-selects the recorded answer.
    assert 'value="accepted" checked' in anon.get(path).text


def test_a_made_up_answer_changes_nothing(anon: TestClient, db: Session) -> None:
    invitation = _invited(db)
    story_session = db.get_one(StorySession, invitation.session_id)
    path = _path(rsvps.rsvp_url(invitation, story_session, None))
    for answer in ("maybe-later", "needs_action"):
        response = anon.post(path, data={"answer": answer})
        assert response.status_code == 422
    db.refresh(invitation)
    assert invitation.rsvp is Rsvp.needs_action


def test_an_expired_link_is_refused(anon: TestClient, db: Session) -> None:
    past = create_session(
        db, starts_at=utcnow() - timedelta(days=3), status=SessionStatus.completed
    )
    invitation = Invitation(session_id=past.id or 0, email="vp@example.com", name="Vic")
    db.add(invitation)
    db.flush()
    path = _path(rsvps.rsvp_url(invitation, past, Rsvp.accepted))
    for response in (anon.get(path), anon.post(path, data={"answer": "accepted"})):
        assert response.status_code == 403
        assert "This link has expired" in response.text
    db.refresh(invitation)
    assert invitation.rsvp is Rsvp.needs_action


def test_a_link_works_until_a_day_after_the_session(anon: TestClient, db: Session) -> None:
    just_ended = create_session(
        db, starts_at=utcnow() - timedelta(hours=3), status=SessionStatus.completed
    )
    invitation = Invitation(session_id=just_ended.id or 0, email="vp@example.com", name="Vic")
    db.add(invitation)
    db.flush()
    path = _path(rsvps.rsvp_url(invitation, just_ended, None))
    assert anon.post(path, data={"answer": "accepted"}).status_code == 200
    db.refresh(invitation)
    assert invitation.rsvp is Rsvp.accepted


def test_tokens_for_other_purposes_do_not_work_here(anon: TestClient, db: Session) -> None:
    invitation = _invited(db)
    story_session = db.get_one(StorySession, invitation.session_id)
    # A check-in link's token carries the session id, a recap link's some other id: with the
    # same secret key, only the purpose keeps them from reading as an invitation id.
    check_in = check_in_link(story_session).url.rsplit("/", 1)[1]
    recap = sign("recap", invitation.id, expires_at=utcnow() + timedelta(days=1))
    forged = sign("rsvp", invitation.id, expires_at=utcnow() + timedelta(days=1)) + "x"
    for token in (check_in, recap, forged, "not-a-token"):
        response = anon.post(f"/p/rsvp/{token}", data={"answer": "accepted"})
        assert response.status_code == 403, token
        assert "This link is not valid" in response.text
    db.refresh(invitation)
    assert invitation.rsvp is Rsvp.needs_action


def test_a_cancelled_session_takes_no_answers(anon: TestClient, db: Session) -> None:
    invitation = _invited(db)
    story_session = db.get_one(StorySession, invitation.session_id)
    path = _path(rsvps.rsvp_url(invitation, story_session, Rsvp.accepted))
    story_session.status = SessionStatus.cancelled
    db.flush()
    assert "This session was cancelled" in anon.get(path).text
    response = anon.post(path, data={"answer": "accepted"})
    assert response.status_code == 409
    db.refresh(invitation)
    assert invitation.rsvp is Rsvp.needs_action


def test_answers_show_on_the_session_page(organizer_web: PageClient, db: Session) -> None:
    invitation = _invited(db)
    rsvps.record_rsvp(db, invitation, answer=Rsvp.declined)
    page = organizer_web.get(f"/sessions/{invitation.session_id}")
    assert page.status_code == 200
    assert '<span class="value">1</span> no' in page.text
    assert '<span class="value">0</span> yes' in page.text
    assert '<span class="rsvp rsvp-declined">No</span>' in page.text
    assert "Vic Vp" in page.text


def test_counts_by_person_for_the_engagement_ladder(db: Session) -> None:
    invitation = _invited(db)
    story_session = db.get_one(StorySession, invitation.session_id)
    second = create_session(db, starts_at=story_session.starts_at + timedelta(days=7))
    inviting.invite(
        db,
        story_sessions=[second],
        audience=Audience(emails=["vp@example.com"]),
    )
    rsvps.record_rsvp(db, invitation, answer=Rsvp.accepted)
    person_id = invitation.person_id or 0
    start = story_session.starts_at - timedelta(days=1)
    assert rsvps.rsvp_counts_by_person(db, [person_id], start, start + timedelta(days=30)) == {
        person_id: (2, 1)
    }
    assert rsvps.rsvp_counts_by_person(db, [person_id], start, start + timedelta(days=2)) == {
        person_id: (1, 1)
    }
    assert rsvps.rsvp_counts_by_person(db, [], start, start + timedelta(days=2)) == {}
