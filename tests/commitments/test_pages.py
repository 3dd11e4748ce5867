"""The organizer's pages: commitments on the session and person pages, recorded and closed."""

from datetime import timedelta

from sqlmodel import Session, select

from app.models import Commitment, CommitmentStatus, CommitmentUpdate, utcnow
from tests.commitments.helpers import add_commitment, make_world
from tests.conftest import PageClient


def test_the_session_and_person_pages_list_commitments(
    db: Session, organizer_web: PageClient
) -> None:
    world = make_world(db)
    add_commitment(
        db,
        world.story_session,
        world.leader,
        text="Call <b>every</b> churned account",
        due_on=utcnow().date() - timedelta(days=1),
        note="Forty called",
    )

    session_page = organizer_web.get(f"/sessions/{world.story_session.id}").text
    person_page = organizer_web.get(f"/people/{world.leader.id}").text

    for page in (session_page, person_page):
        assert "Call &lt;b&gt;every&lt;/b&gt; churned account" in page
        assert "Forty called" in page
        assert "Overdue" in page
        assert "1 open · 0 done · 0 dropped" in page
    assert "SVP/VP" in session_page
    assert "What Meridian told us" in person_page


def test_an_organizer_records_a_commitment_from_the_session_page(
    db: Session, organizer_web: PageClient
) -> None:
    world = make_world(db)
    url = f"/sessions/{world.story_session.id}/commitments"
    page = organizer_web.get(url).text
    assert '<option value="vera@example.com">Vera Vance' in page  # the attendees are suggested

    refused = organizer_web.submit(url, {"person_email": "nobody@elsewhere.com", "text": "Promise"})
    response = organizer_web.submit(
        url,
        {
            "person_email": "vera@example.com",
            "text": "Fix billing",
            "theme_id": str(world.theme.id),
        },
    )

    assert refused.status_code == 422
    assert "No one in the directory has the email nobody@elsewhere.com" in refused.text
    assert 'value="nobody@elsewhere.com"' in refused.text
    assert response.status_code == 303
    assert response.headers["location"] == f"{url}?done=recorded"
    (commitment,) = db.exec(select(Commitment)).all()
    assert (commitment.text, commitment.theme_id) == ("Fix billing", world.theme.id)
    assert commitment.recorded_by_id is not None
    shown = organizer_web.get(response.headers["location"]).text
    assert "Commitment recorded." in shown
    assert "Recorded by organizer-web" in shown


def test_an_organizer_updates_and_closes_a_commitment(
    db: Session, organizer_web: PageClient
) -> None:
    world = make_world(db)
    commitment = add_commitment(db, world.story_session, world.leader)

    empty = organizer_web.submit(f"/commitments/{commitment.id}/updates", {"note": ""})
    response = organizer_web.submit(
        f"/commitments/{commitment.id}/updates", {"note": "All done", "status": "done"}
    )

    assert empty.status_code == 422
    assert "cannot be empty" in empty.text
    assert response.status_code == 303
    db.refresh(commitment)
    assert commitment.status is CommitmentStatus.done
    assert [u.note for u in db.exec(select(CommitmentUpdate)).all()] == ["All done"]


def test_viewers_see_commitments_but_no_forms(db: Session, viewer_web: PageClient) -> None:
    world = make_world(db)
    commitment = add_commitment(db, world.story_session, world.leader)

    page = viewer_web.get(f"/sessions/{world.story_session.id}/commitments").text
    refused = viewer_web.submit(f"/commitments/{commitment.id}/updates", {"note": "Hi"})

    assert commitment.text in page
    assert "Record a commitment" not in page
    assert 'name="note"' not in page
    assert refused.status_code == 403


def test_the_session_page_offers_the_record_form_once_the_session_took_place(
    db: Session, organizer_web: PageClient
) -> None:
    world = make_world(db)
    page = organizer_web.get(f"/sessions/{world.story_session.id}").text
    world.story_session.starts_at = utcnow() + timedelta(days=2)
    db.add(world.story_session)
    db.flush()
    upcoming = organizer_web.get(f"/sessions/{world.story_session.id}").text

    assert "Record a commitment for someone who attended" in page
    assert f'action="/sessions/{world.story_session.id}/commitments"' in page
    assert "Call every churned account" in page  # its action item, offered
    assert "Record a commitment for someone who attended" not in upcoming
    assert "No one has committed to anything yet." in upcoming
