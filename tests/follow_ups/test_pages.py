"""The organizer's pages: the storyteller's address, the session's panel, the letter."""

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from app.follow_ups import letters, replies
from app.follow_ups.schemas import FollowUpCreate, ReplyCreate
from app.models import Delivery, FollowUp, SessionSpeaker, StorySession, utcnow
from tests.conftest import PageClient
from tests.follow_ups.support import OWN_WORDS, told_story


def _session_form(**overrides: Any) -> dict[str, Any]:
    day = (utcnow() + timedelta(days=14)).astimezone(ZoneInfo("Europe/Paris")).date()
    form: dict[str, Any] = {
        "title": "How Contoso cut onboarding time",
        "customer": "Contoso",
        "date": day.isoformat(),
        "time": "16:00",
        "timezone": "Europe/Paris",
        "duration_minutes": "60",
        "platform": "zoom",
        "speaker_name": ["Ada Lovelace", "", ""],
        "speaker_title": ["VP Operations", "", ""],
        "speaker_consent": ["company_only", "none", "none"],
        "speaker_email": ["Ada@Contoso.example", "", ""],
    }
    form.update(overrides)
    return form


def test_the_session_form_keeps_the_storytellers_address(
    organizer_web: PageClient, db: Session
) -> None:
    assert '<label for="speaker_email_0">' in organizer_web.get("/sessions/new").text
    response = organizer_web.submit("/sessions", _session_form())
    assert response.status_code == 303
    speaker = db.exec(select(SessionSpeaker)).one()
    assert speaker.email == "ada@contoso.example"
    story_session = db.exec(select(StorySession)).one()
    edit = organizer_web.get(f"/sessions/{story_session.id}/edit")
    assert 'value="ada@contoso.example"' in edit.text


def test_a_bad_address_points_at_its_row_and_saves_nothing(
    organizer_web: PageClient, db: Session
) -> None:
    response = organizer_web.submit(
        "/sessions", _session_form(speaker_email=["ada at contoso", "", ""])
    )
    assert response.status_code == 422
    assert 'id="speaker_email_0-error"' in response.text
    assert "Speaker 1 email: &#39;ada at contoso&#39; is not an email address" in response.text
    assert db.exec(select(StorySession)).all() == []


def test_start_edit_and_send_from_the_session_page(organizer_web: PageClient, db: Session) -> None:
    story = told_story(db)
    session_id = story.story_session.id
    page = organizer_web.get(f"/sessions/{session_id}")
    assert "The storyteller hears back" in page.text
    assert "Follow up with the storyteller" in page.text

    start = organizer_web.submit(
        f"/sessions/{session_id}/follow-ups", {"speaker_id": str(story.speaker.id)}
    )
    assert start.status_code == 303
    follow_up = db.exec(select(FollowUp)).one()
    assert start.headers["location"] == f"/follow-ups/{follow_up.id}"
    letter = organizer_web.get(start.headers["location"])
    assert "Follow up with the storyteller" in letter.text
    assert OWN_WORDS.replace("&", "&amp;") in letter.text
    # Starting again opens the same draft.
    again = organizer_web.submit(
        f"/sessions/{session_id}/follow-ups", {"speaker_id": str(story.speaker.id)}
    )
    assert again.headers["location"] == f"/follow-ups/{follow_up.id}"
    assert len(db.exec(select(FollowUp)).all()) == 1

    refused = organizer_web.submit(
        f"/follow-ups/{follow_up.id}",
        {"subject": "", "body": "Edited", "speaker_email": "ana.ruiz@acme.example"},
    )
    assert refused.status_code == 422
    assert 'id="subject-error"' in refused.text
    assert ">Edited</textarea>" in refused.text
    db.refresh(follow_up)
    assert follow_up.body != "Edited"

    fields: dict[str, object] = {
        "subject": "Six weeks on",
        "body": "Dear Ana,\n\nDone.",
        "speaker_email": "ana.ruiz@acme.example",
    }
    sent = organizer_web.submit(f"/follow-ups/{follow_up.id}/send", fields)
    assert sent.status_code == 303
    assert sent.headers["location"] == f"/follow-ups/{follow_up.id}?done=sent"
    db.refresh(follow_up)
    assert (follow_up.subject, follow_up.body) == ("Six weeks on", "Dear Ana,\n\nDone.")
    assert follow_up.sent_at is not None
    # A second click on Send finds it sent and sends nothing more.
    twice = organizer_web.submit(f"/follow-ups/{follow_up.id}/send", fields)
    assert twice.status_code == 303
    assert len(db.exec(select(Delivery)).all()) == 1

    shown = organizer_web.get(f"/follow-ups/{follow_up.id}?done=sent")
    assert "Sent. Their reply will show here" in shown.text
    assert 'name="body"' not in shown.text  # read-only once sent
    assert "No reply yet." in shown.text


def test_refused_send_shows_why_and_keeps_the_typing(
    organizer_web: PageClient, db: Session
) -> None:
    story = told_story(db, email="")
    follow_up = letters.create_follow_up(db, story.story_session, data=FollowUpCreate())
    response = organizer_web.submit(
        f"/follow-ups/{follow_up.id}/send",
        {"subject": "Hello", "body": "Typed <em>here</em>", "speaker_email": ""},
    )
    assert response.status_code == 409
    assert "Ana Ruiz has no email address" in response.text
    assert "Typed &lt;em&gt;here&lt;/em&gt;</textarea>" in response.text
    db.refresh(follow_up)
    assert follow_up.sent_at is None
    assert follow_up.subject != "Hello"  # the refused attempt saved nothing


def test_replies_show_on_the_session_and_the_letter(organizer_web: PageClient, db: Session) -> None:
    story = told_story(db)
    follow_up = letters.create_follow_up(db, story.story_session, data=FollowUpCreate())
    letters.send_follow_up(db, follow_up)
    replies.record_reply(
        db, follow_up, data=ReplyCreate(helped=2, text="Still <waiting>.", may_quote=False)
    )
    for url in (f"/sessions/{story.story_session.id}", f"/follow-ups/{follow_up.id}"):
        page = organizer_web.get(url)
        assert "Still &lt;waiting&gt;." in page.text
        assert "2/5 · It helped a little" in page.text
        assert "not for quoting" in page.text


def test_without_an_approved_recap_the_panel_says_what_comes_first(
    organizer_web: PageClient, db: Session
) -> None:
    story = told_story(db, approve=False)
    page = organizer_web.get(f"/sessions/{story.story_session.id}")
    assert "Once the recap is approved" in page.text
    refused = organizer_web.submit(f"/sessions/{story.story_session.id}/follow-ups", {})
    assert refused.status_code == 409
    assert "has not been approved yet" in refused.text
    assert db.exec(select(FollowUp)).all() == []


def test_viewers_see_the_letters_without_the_buttons(viewer_web: PageClient, db: Session) -> None:
    story = told_story(db)
    follow_up = letters.create_follow_up(db, story.story_session, data=FollowUpCreate())
    page = viewer_web.get(f"/sessions/{story.story_session.id}")
    assert follow_up.subject in page.text
    assert "Follow up with the storyteller</button>" not in page.text
    assert viewer_web.submit(f"/follow-ups/{follow_up.id}/send").status_code == 403


def test_the_session_list_marks_a_storyteller_who_replied(
    organizer_web: PageClient, db: Session
) -> None:
    story = told_story(db)
    quiet = told_story(db, title="A story with no reply yet")
    follow_up = letters.create_follow_up(db, story.story_session, data=FollowUpCreate())
    letters.send_follow_up(db, follow_up)
    listing = organizer_web.get("/sessions?when=past")
    assert listing.text.count("storyteller replied") == 0
    replies.record_reply(db, follow_up, data=ReplyCreate(helped=3))
    listing = organizer_web.get("/sessions?when=past")
    marker = f'<a class="badge completed" href="/sessions/{story.story_session.id}#follow-ups">'
    assert listing.text.count("storyteller replied") == 1
    assert marker in listing.text
    assert f'href="/sessions/{quiet.story_session.id}#follow-ups"' not in listing.text
