"""The draft letter: written from the approved recap and each action item's latest progress."""

import pytest
from sqlmodel import Session, select

from app.errors import Conflict, Invalid
from app.follow_ups import letters
from app.follow_ups.drafting import long_date
from app.follow_ups.schemas import FollowUpCreate, FollowUpPatch
from app.models import ActionStatus, AuditEntry, Consent, FollowUp
from app.recaps.action_items import add_action_update
from app.recaps.schemas import ActionUpdateCreate
from tests.factories import create_speaker
from tests.follow_ups.support import OWN_WORDS, Story, told_story


def _sections(body: str) -> dict[str, list[str]]:
    """The letter's lists by heading ("Done:", "In progress:", "Still open:")."""
    sections: dict[str, list[str]] = {}
    for paragraph in body.split("\n\n"):
        heading, *lines = paragraph.split("\n")
        if lines and all(line.startswith("- ") for line in lines):
            sections[heading.rstrip(":")] = lines
    return sections


def test_the_draft_says_what_was_done_in_progress_and_still_open(db: Session) -> None:
    story = told_story(db)
    follow_up = letters.create_follow_up(db, story.story_session, data=FollowUpCreate())

    assert follow_up.subject == "What we did with your story: How Acme waits for refunds"
    assert follow_up.body.startswith("Dear Ana,\n\nThank you again for telling us your story at ")
    assert f"You told us:\n“{OWN_WORDS}”" in follow_up.body
    assert _sections(follow_up.body) == {
        "Done": ["- Refund within five working days (Live since May)"],
        "In progress": ["- Call back every customer who waits (Team of four trained)"],
        "Still open": [f"- Show refund status online (due {_due(story)})"],
    }
    assert follow_up.speaker_id == story.speaker.id
    assert follow_up.sent_at is None
    [entry] = db.exec(select(AuditEntry).where(AuditEntry.entity == "follow_up")).all()
    assert entry.action == "created"


def _due(story: Story) -> str:
    due_on = story.items[2].due_on
    assert due_on is not None
    return long_date(due_on)


def test_a_storyteller_who_did_not_consent_is_not_quoted(db: Session) -> None:
    story = told_story(db, consent=Consent.none)
    body = letters.create_follow_up(db, story.story_session, data=FollowUpCreate()).body
    assert "You told us:" not in body
    assert OWN_WORDS not in body
    assert "You told us about refunds." in body


def test_consent_withdrawn_after_approval_removes_the_quote(db: Session) -> None:
    story = told_story(db)
    story.speaker.consent = Consent.none
    db.add(story.speaker)
    db.flush()
    body = letters.create_follow_up(db, story.story_session, data=FollowUpCreate()).body
    assert OWN_WORDS not in body


def test_only_the_storytellers_own_words_are_quoted_to_them(db: Session) -> None:
    story = told_story(db)
    other = create_speaker(db, story.story_session, name="Ben Osei", title="COO")
    other.email = "ben@acme.example"
    db.add(other)
    db.flush()
    body = letters.create_follow_up(
        db, story.story_session, data=FollowUpCreate(speaker_id=other.id)
    ).body
    assert body.startswith("Dear Ben,")
    assert OWN_WORDS not in body


def test_several_speakers_need_one_named(db: Session) -> None:
    story = told_story(db)
    other = create_speaker(db, story.story_session, name="Ben Osei")
    other.email = "ben@acme.example"
    db.add(other)
    db.flush()
    with pytest.raises(Invalid, match="has several speakers: send speaker_id"):
        letters.create_follow_up(db, story.story_session, data=FollowUpCreate())


def test_no_draft_without_an_approved_recap(db: Session) -> None:
    story = told_story(db, approve=False)
    with pytest.raises(Conflict, match="has not been approved yet"):
        letters.create_follow_up(db, story.story_session, data=FollowUpCreate())
    assert db.exec(select(FollowUp)).all() == []


def test_one_draft_at_a_time_then_a_new_one_after_sending(db: Session) -> None:
    story = told_story(db)
    first = letters.create_follow_up(db, story.story_session, data=FollowUpCreate())
    with pytest.raises(Conflict, match=f"already a draft to Ana Ruiz \\(follow-up {first.id}\\)"):
        letters.create_follow_up(db, story.story_session, data=FollowUpCreate())
    letters.send_follow_up(db, first)
    # More progress since: the next letter says so.
    add_action_update(
        db,
        item=story.items[1],
        data=ActionUpdateCreate(note="Everyone is called back", status=ActionStatus.done),
    )
    second = letters.create_follow_up(db, story.story_session, data=FollowUpCreate())
    assert _sections(second.body)["Done"] == [
        "- Refund within five working days (Live since May)",
        "- Call back every customer who waits (Everyone is called back)",
    ]
    views, total = letters.list_follow_ups(db, story_session=story.story_session)
    assert total == 2
    assert [(v.id, v.status) for v in views] == [(second.id, "draft"), (first.id, "sent")]


def test_a_draft_can_be_edited_and_written_again_but_a_sent_one_cannot(db: Session) -> None:
    story = told_story(db)
    follow_up = letters.create_follow_up(
        db, story.story_session, data=FollowUpCreate(subject="Hello", body="Short note")
    )
    assert (follow_up.subject, follow_up.body) == ("Hello", "Short note")
    letters.update_follow_up(db, follow_up, data=FollowUpPatch(body="A longer note"))
    assert (follow_up.subject, follow_up.body) == ("Hello", "A longer note")
    letters.redraft(db, follow_up)
    assert follow_up.body.startswith("Dear Ana,")
    letters.send_follow_up(db, follow_up)
    with pytest.raises(Conflict, match="was sent and can no longer change"):
        letters.update_follow_up(db, follow_up, data=FollowUpPatch(subject="Changed"))
    with pytest.raises(Conflict, match="was sent"):
        letters.redraft(db, follow_up)
    assert follow_up.subject.startswith("What we did with your story")
