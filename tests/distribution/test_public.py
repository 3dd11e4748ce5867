"""The recipients' signed links: the online recap (a read counts only from the page's own
token, never from following the link) and one-click unsubscribe."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.distribution.links import RECAP_READ_PURPOSE, recap_link, unsubscribe_link
from app.distribution.sending import send_recap
from app.kit.signing import sign, unsign_with_expiry
from app.models import Delivery, ListMember, SessionStatus, utcnow
from tests.distribution.helpers import PDF_BYTES, approve_recap, create_list
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
    _, added = send_recap(db, story_session=story_session, list_ids=[dlist.id or 0])
    return sorted(added, key=lambda d: d.to_email)


def _path(url: str) -> str:
    return urlsplit(url).path


def _read_token(page: str) -> str:
    match = re.search(r'<input type="hidden" name="token" value="([^"]+)">', page)
    assert match is not None, "the recap page has no read token"
    return match.group(1)


def test_recap_link_get_and_head_count_nothing(anon: TestClient, db: Session) -> None:
    (delivery, _) = _two_deliveries(db)
    url = _path(recap_link(delivery))
    response = anon.get(url)
    assert response.status_code == 200
    assert "What Meridian told us" in response.text
    assert "We uploaded our insurance certificate three times" in response.text
    assert '<script src="/static/recap-read.js" defer></script>' in response.text
    assert "Download the PDF" in response.text
    anon.get(url)
    anon.head(url)
    db.refresh(delivery)
    assert delivery.read_at is None  # a mail scanner following the link is no reader


def test_recap_read_post_counts_once(anon: TestClient, db: Session) -> None:
    first, second = _two_deliveries(db)
    token = _read_token(anon.get(_path(recap_link(first))).text)
    response = anon.post("/p/recap/read", data={"token": token})
    assert response.status_code == 204
    assert response.content == b""
    db.refresh(first)
    read_at = first.read_at
    assert read_at is not None
    assert anon.post("/p/recap/read", data={"token": token}).status_code == 204
    db.refresh(first)
    db.refresh(second)
    assert first.read_at == read_at
    assert second.read_at is None  # one recipient's page reads only their own delivery


def test_recap_read_refuses_any_other_token(anon: TestClient, db: Session) -> None:
    (delivery, _) = _two_deliveries(db)
    token = _read_token(anon.get(_path(recap_link(delivery))).text)
    invalid = {"detail": "This link is not valid. Check that you copied all of it."}
    for other in (
        recap_link(delivery).rsplit("/", 1)[1],
        unsubscribe_link(delivery).rsplit("/", 1)[1],
        token[:-3] + "abc",
        "",
    ):
        response = anon.post("/p/recap/read", data={"token": other})
        assert (response.status_code, response.json()) == (403, invalid)
    expired = sign(RECAP_READ_PURPOSE, delivery.id, expires_at=utcnow() - timedelta(1))
    response = anon.post("/p/recap/read", data={"token": expired})
    assert response.status_code == 403
    assert response.json() == {"detail": "This link has expired. Ask the organizer for a new one."}
    assert anon.get(f"/p/recap/{token}").status_code == 403  # nor does it open the page
    assert anon.get("/p/recap/read").status_code == 403
    db.refresh(delivery)
    assert delivery.read_at is None


def test_recap_read_token_expires_with_the_link(anon: TestClient, db: Session) -> None:
    (delivery, _) = _two_deliveries(db)
    link = sign("recap", delivery.id, expires_at=utcnow() + timedelta(days=3))
    token = _read_token(anon.get(f"/p/recap/{link}").text)
    assert unsign_with_expiry(RECAP_READ_PURPOSE, token) == unsign_with_expiry("recap", link)


def test_recap_pdf_download_counts_the_read(anon: TestClient, db: Session) -> None:
    first, second = _two_deliveries(db)
    token = _read_token(anon.get(_path(recap_link(first))).text)
    response = anon.post("/p/recap/pdf", data={"token": token})
    assert response.status_code == 200
    assert response.content == PDF_BYTES
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith(
        'attachment; filename="Recap-What-Meridian-told-us-'
    )
    db.refresh(first)
    db.refresh(second)
    assert first.read_at is not None
    assert second.read_at is None


def test_recap_pdf_download_refuses_the_link_token(anon: TestClient, db: Session) -> None:
    (delivery, _) = _two_deliveries(db)
    link_token = recap_link(delivery).rsplit("/", 1)[1]
    response = anon.post("/p/recap/pdf", data={"token": link_token})
    assert response.status_code == 403
    assert "This link is not valid" in response.text
    assert b"%PDF" not in response.content
    db.refresh(delivery)
    assert delivery.read_at is None


def test_recap_link_refuses_other_purposes_tampering_and_expiry(
    anon: TestClient, db: Session
) -> None:
    (delivery, _) = _two_deliveries(db)
    unsubscribe_token = unsubscribe_link(delivery).rsplit("/", 1)[1]
    wrong = anon.get(f"/p/recap/{unsubscribe_token}")
    assert wrong.status_code == 403
    assert "This link is not valid" in wrong.text
    assert anon.get(_path(recap_link(delivery)) + "x").status_code == 403
    expired = sign("recap", delivery.id, expires_at=utcnow() - timedelta(seconds=1))
    response = anon.get(f"/p/recap/{expired}")
    assert response.status_code == 403
    assert "This link has expired" in response.text
    db.refresh(delivery)
    assert delivery.read_at is None


def test_one_click_unsubscribe(anon: TestClient, db: Session) -> None:
    delivery, other = _two_deliveries(db)
    url = _path(unsubscribe_link(delivery))
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
    response = anon.post(_path(unsubscribe_link(delivery)))
    assert response.status_code == 409
    assert "does not allow opting out" in response.text
    assert all(m.unsubscribed_at is None for m in db.exec(select(ListMember)).all())
