"""The recap email and the recipient's recap page ask directory people what they will do;
outsiders on the list are not asked (they cannot own a commitment)."""

import re
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from urllib.parse import urlsplit

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.commitments.links import open_commitment_link
from app.distribution.links import recap_link
from app.distribution.sending import send_recap
from app.mail.compose import compose
from app.models import Commitment, Delivery, SessionStatus, utcnow
from tests.distribution.helpers import approve_recap, create_list
from tests.factories import create_person, create_session


def _deliveries(db: Session) -> tuple[Delivery, Delivery]:
    story_session = create_session(
        db,
        title="What Meridian told us",
        status=SessionStatus.completed,
        starts_at=utcnow() - timedelta(days=1),
    )
    approve_recap(db, story_session)
    ceo = create_person(db, email="ceo@example.com", name="Grace Hopper", level_key="c-suite")
    dlist = create_list(db, people=[ceo], outsiders=["advisor@board.example"])
    _, added = send_recap(db, story_session=story_session, list_ids=[dlist.id or 0])
    (person,) = [d for d in added if d.person_id is not None]
    (outsider,) = [d for d in added if d.person_id is None]
    return person, outsider


def _bodies(db: Session, delivery: Delivery) -> tuple[str, str]:
    message = compose(db, delivery)
    message["From"] = "Storyroom <storyroom@example.com>"
    message["To"] = delivery.to_email
    parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    text, html = (parsed.get_body(preferencelist=(kind,)) for kind in ("plain", "html"))
    assert text is not None
    assert html is not None
    return str(text.get_content()), str(html.get_content())


def test_the_recap_email_has_a_commitment_link_for_directory_people_only(
    db: Session, anon: TestClient
) -> None:
    person, outsider = _deliveries(db)

    text, html = _bodies(db, person)
    outsider_text, outsider_html = _bodies(db, outsider)

    match = re.search(r"http\S+/p/commit/(\S+)", text)
    assert match is not None, text
    owner, story_session = open_commitment_link(db, token=match.group(1))
    assert (owner.id, story_session.id) == (person.person_id, person.session_id)
    assert ">Make a commitment</a>" in html
    assert "/p/commit/" not in outsider_text
    assert "Make a commitment" not in outsider_html

    response = anon.post(urlsplit(match.group(0)).path, data={"text": "Visit Meridian's depot"})
    assert response.status_code == 200
    (commitment,) = db.exec(select(Commitment)).all()
    assert (commitment.person_id, commitment.text) == (person.person_id, "Visit Meridian's depot")


def test_the_recipients_recap_page_asks_directory_people_only(
    db: Session, anon: TestClient
) -> None:
    person, outsider = _deliveries(db)

    page = anon.get(urlsplit(recap_link(person)).path).text
    outsider_page = anon.get(urlsplit(recap_link(outsider)).path).text

    match = re.search(r'href="(/p/commit/[^"]+)"', page)
    assert match is not None
    assert "What will you or your team do about what you heard?" in page
    assert "/p/commit/" not in outsider_page
    form = anon.get(match.group(1))
    assert form.status_code == 200
    assert "Grace Hopper" in form.text
