"""The recipients' signed links: the online recap (records "read") and one-click unsubscribe."""

from datetime import timedelta
from urllib.parse import urlsplit

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.distribution import service
from app.models import Delivery, ListMember, SessionStatus, utcnow
from app.signing import sign
from tests.distribution.helpers import approve_recap, create_list
from tests.factories import create_session


def _two_deliveries(db: Session, *, allow_unsubscribe: bool = True) -> list[Delivery]:
    story_session = create_session(
        db,
        title="What Meridian told us",
        status=SessionStatus.completed,
        starts_at=utcnow() - timedelta(days=1),
    )
    approve_recap(db, story_session)
    dlist = create_list(
        db, outsiders=["a@example.org", "b@example.org"], allow_unsubscribe=allow_unsubscribe
    )
    _, added = service.send_recap(
        db, story_session_id=story_session.id or 0, list_ids=[dlist.id or 0], user=None
    )
    return sorted(added, key=lambda d: d.to_email)


def _path(url: str) -> str:
    return urlsplit(url).path


def test_recap_link_shows_the_recap_and_records_read_once(anon: TestClient, db: Session) -> None:
    first, second = _two_deliveries(db)
    url = _path(service.recap_link(first))
    response = anon.get(url)
    assert response.status_code == 200
    assert "What Meridian told us" in response.text
    assert "We uploaded our insurance certificate three times" in response.text
    db.refresh(first)
    read_at = first.read_at
    assert read_at is not None
    anon.get(url)
    db.refresh(first)
    db.refresh(second)
    assert first.read_at == read_at
    assert second.read_at is None  # one recipient's link reads only their own delivery


def test_recap_link_refuses_other_purposes_tampering_and_expiry(
    anon: TestClient, db: Session
) -> None:
    (delivery, _) = _two_deliveries(db)
    unsubscribe_token = service.unsubscribe_link(delivery).rsplit("/", 1)[1]
    wrong = anon.get(f"/p/recap/{unsubscribe_token}")
    assert wrong.status_code == 403
    assert "This link is not valid" in wrong.text
    assert anon.get(_path(service.recap_link(delivery)) + "x").status_code == 403
    expired = sign("recap", delivery.id, expires_at=utcnow() - timedelta(seconds=1))
    response = anon.get(f"/p/recap/{expired}")
    assert response.status_code == 403
    assert "This link has expired" in response.text
    db.refresh(delivery)
    assert delivery.read_at is None


def test_one_click_unsubscribe(anon: TestClient, db: Session) -> None:
    delivery, other = _two_deliveries(db)
    url = _path(service.unsubscribe_link(delivery))
    confirm = anon.get(url)
    assert confirm.status_code == 200
    assert "Unsubscribe from “Operating committee”?" in confirm.text
    member = db.exec(select(ListMember).where(ListMember.email == "a@example.org")).one()
    assert member.unsubscribed_at is None  # a GET (a link scanner) changes nothing

    response = anon.post(url, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "You are unsubscribed" in response.text
    db.refresh(member)
    assert member.unsubscribed_at is not None
    assert anon.post(url, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    others = db.exec(select(ListMember).where(ListMember.email == other.to_email)).one()
    assert others.unsubscribed_at is None


def test_unsubscribe_refused_where_the_list_does_not_allow_it(
    anon: TestClient, db: Session
) -> None:
    delivery, _ = _two_deliveries(db, allow_unsubscribe=False)
    response = anon.post(_path(service.unsubscribe_link(delivery)))
    assert response.status_code == 409
    assert "does not allow opting out" in response.text
    assert all(m.unsubscribed_at is None for m in db.exec(select(ListMember)).all())
