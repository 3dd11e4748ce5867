"""The emails, parsed back with the `email` package as a mail client would read them."""

from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from PIL import Image
from sqlmodel import Session, select

from app.config import get_settings
from app.distribution.reminders import queue_action_reminders, queue_recap_reminders
from app.distribution.sending import send_recap
from app.kit.signing import unsign
from app.mail.compose import compose
from app.models import (
    ActionItem,
    Delivery,
    DeliveryKind,
    RenderedPdf,
    SessionStatus,
    StorySession,
    utcnow,
)
from tests.distribution.helpers import PDF_BYTES, approve_recap, create_list
from tests.factories import create_customer, create_person, create_session, create_user

EML_DIR = Path("/tmp/storyroom-c2")


def _parsed(message: EmailMessage) -> EmailMessage:
    message["From"] = "Storyroom <storyroom@example.com>"
    message["To"] = "ceo@example.com"
    parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def _recap_delivery(db: Session, *, allow_unsubscribe: bool) -> tuple[Delivery, StorySession]:
    organizer = create_user(db, email="claire@example.com")
    story_session = create_session(
        db,
        title="How Meridian Freight onboards 400 drivers a month",
        status=SessionStatus.completed,
        starts_at=utcnow() - timedelta(days=1),
        customer=create_customer(db, name="Meridian Freight"),
        organizer_id=organizer.id,
    )
    approve_recap(db, story_session)
    ceo = create_person(db, email="ceo@example.com", name="Grace Hopper", level_key="c-suite")
    dlist = create_list(db, people=[ceo], allow_unsubscribe=allow_unsubscribe)
    _, (delivery,) = send_recap(db, story_session=story_session, list_ids=[dlist.id or 0])
    return delivery, story_session


def test_recap_email_has_text_html_pdf_and_list_headers(db: Session) -> None:
    delivery, story_session = _recap_delivery(db, allow_unsubscribe=True)
    message = _parsed(compose(db, delivery))

    local_day = story_session.starts_at.astimezone(ZoneInfo("Europe/Paris"))
    assert message["Subject"] == (
        f"Recap: How Meridian Freight onboards 400 drivers a month — "
        f"{local_day.day} {local_day.strftime('%B %Y')}"
    )
    assert message["Reply-To"] == "claire@example.com"
    assert message["List-Id"] == f'"Operating committee" <list-{delivery.list_id}.127.0.0.1>'
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = message["List-Unsubscribe"].strip("<>")
    assert unsign("unsubscribe", urlsplit(unsubscribe).path.rsplit("/", 1)[1]) == delivery.id

    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    text_body, html_body = text.get_content(), html.get_content()
    for body in (text_body, html_body):
        assert "We uploaded our insurance certificate three times" in body  # first quote
        assert "Your support people are lovely" in body  # second quote
        assert "The route optimiser paid for the whole contract" not in body  # only two
        assert unsubscribe in body
    assert "Read the full recap" in html_body
    assert "<script" not in html_body
    assert "<style" not in html_body

    link = next(word for word in text_body.split() if "/p/recap/" in word)
    assert unsign("recap", link.rsplit("/", 1)[1]) == delivery.id

    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert (attachment.get_filename() or "").startswith("Recap-How-Meridian-Freight")
    assert attachment.get_content() == PDF_BYTES

    EML_DIR.mkdir(exist_ok=True)
    (EML_DIR / "recap.eml").write_bytes(message.as_bytes())
    (EML_DIR / "recap.html").write_text(html_body)


def test_recap_email_without_opt_out_has_no_unsubscribe(db: Session) -> None:
    delivery, _ = _recap_delivery(db, allow_unsubscribe=False)
    message = _parsed(compose(db, delivery))
    assert message["List-Id"] is not None
    assert message["List-Unsubscribe"] is None
    assert message["List-Unsubscribe-Post"] is None
    assert "nsubscribe" not in message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]


def test_every_recipient_gets_the_same_pdf_bytes(db: Session) -> None:
    delivery, story_session = _recap_delivery(db, allow_unsubscribe=False)
    _, (other,) = send_recap(db, story_session=story_session, list_ids=[], extra_emails=["b@x.org"])
    first = next(_parsed(compose(db, delivery)).iter_attachments()).get_content()
    second = next(_parsed(compose(db, other)).iter_attachments()).get_content()
    assert first == second == PDF_BYTES
    assert len(db.exec(select(RenderedPdf)).all()) == 1


def test_reminder_emails_compose(db: Session) -> None:
    organizer = create_user(db, email="claire@example.com")
    story_session = create_session(
        db,
        title="Billing, told by a CFO",
        status=SessionStatus.completed,
        starts_at=utcnow() - timedelta(days=3),
        organizer_id=organizer.id,
    )
    owner = create_person(db, email="owner@example.com", name="Olive Owner")
    item = ActionItem(
        session_id=story_session.id or 0,
        description="Merge the three document uploads into one",
        owner_id=owner.id,
        due_on=utcnow().date() - timedelta(days=2),
    )
    db.add(item)
    db.flush()
    (overdue,) = queue_recap_reminders(db)
    (due,) = queue_action_reminders(db)

    recap = _parsed(compose(db, overdue))
    assert recap["Subject"] == "Reminder: send the recap of “Billing, told by a CFO”"
    assert f"/sessions/{story_session.id}/recap" in recap.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    action = _parsed(compose(db, due))
    assert action["Subject"] == "Overdue: Merge the three document uploads into one"
    assert action["Reply-To"] == "claire@example.com"
    assert due.kind is DeliveryKind.action_due
    assert "Merge the three document uploads" in action.get_body(("html",)).get_content()  # type: ignore[union-attr]


def _bodies(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    return text.get_content(), html.get_content()


def test_recap_email_opens_with_the_summarys_first_paragraph(db: Session) -> None:
    delivery, _ = _recap_delivery(db, allow_unsubscribe=False)
    text_body, html_body = _bodies(_parsed(compose(db, delivery)))
    lead = "Meridian Freight moves refrigerated goods for 140 grocery chains."
    # The text part wraps it; the HTML part keeps the summary's own markup.
    assert lead in " ".join(text_body.split())
    assert "the <strong>three weeks of onboarding</strong> that nearly made them leave" in (
        " ".join(html_body.split())
    )
    assert "What we heard, in short" not in text_body  # the first paragraph only
    for body in (text_body, html_body):
        flat = " ".join(body.split())
        assert flat.index("Meridian Freight moves") < flat.rindex("attended")  # not the preheader
        assert flat.index("Meridian Freight moves") < flat.index("We uploaded our insurance")
    assert "3 of 20 executives were there." in text_body
    assert "3 of 20" in html_body


def test_recap_email_shows_the_logo_inline_when_one_is_set(
    db: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    logo = tmp_path / "logo.png"
    Image.new("RGB", (60, 20), "#1f5fbf").save(logo)
    monkeypatch.setattr(get_settings(), "recap_logo", logo)
    delivery, _ = _recap_delivery(db, allow_unsubscribe=False)
    message = _parsed(compose(db, delivery))
    _, html_body = _bodies(message)
    assert '<img src="cid:recap-logo@storyroom"' in html_body
    related = next(part for part in message.walk() if part.get_content_type() == "image/png")
    assert related["Content-ID"] == "<recap-logo@storyroom>"
    assert related.get_content() == logo.read_bytes()
    assert [a.get_content_type() for a in message.iter_attachments()] == ["application/pdf"]
    assert "Northwind Outfitters" in html_body


def test_recap_email_without_a_logo_has_no_image(db: Session) -> None:
    delivery, _ = _recap_delivery(db, allow_unsubscribe=False)
    message = _parsed(compose(db, delivery))
    assert "cid:" not in _bodies(message)[1]
    assert not [part for part in message.walk() if part.get_content_maintype() == "image"]
