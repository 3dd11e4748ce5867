"""Who transcript speakers are: storytellers, directory people (never guessed), or unknown;
an organizer's confirmation, remembered as an alias for the next import."""

import pytest
from sqlmodel import Session, col, select

from app.errors import Invalid, NotFound
from app.models import (
    AliasKind,
    AuditEntry,
    PersonAlias,
    SpeakerMatch,
    StorySession,
    TranscriptSpeaker,
)
from app.people.service import add_alias
from app.transcripts.importing import import_transcript
from app.transcripts.schemas import SpeakerConfirm, SpeakerRead
from app.transcripts.speakers import (
    confirm_speaker,
    label_candidates,
    match_speakers,
    session_speakers,
)
from tests.factories import create_person, create_speaker
from tests.transcripts.support import held_session, zoom_chat, zoom_vtt


def test_label_candidates_drop_a_company_written_after_the_name() -> None:
    assert label_candidates("Ana Ruiz (Acme)") == ["ana ruiz acme", "acme", "ana ruiz"]
    assert label_candidates("Ana Ruiz - Acme Logistics") == [
        "ana ruiz acme logistics",
        "ana ruiz",
    ]
    assert label_candidates("Mary-Jane Smith") == ["mary-jane smith"]


def test_a_storyteller_is_found_by_name_whatever_the_company_suffix_or_case(db: Session) -> None:
    story_session = held_session(db)
    ana = create_speaker(db, story_session, name="Ana Ruiz")
    bo = create_speaker(db, story_session, name="Bo Øster")

    found = match_speakers(
        db,
        story_session=story_session,
        labels=["Ana Ruiz (Acme)", "BO ØSTER - Acme", "ana ruiz"],
    )

    assert found == {
        "Ana Ruiz (Acme)": (SpeakerMatch.storyteller, ana.id, None),
        "BO ØSTER - Acme": (SpeakerMatch.storyteller, bo.id, None),
        "ana ruiz": (SpeakerMatch.storyteller, ana.id, None),
    }


def test_a_storyteller_wins_over_a_directory_person_of_the_same_name(db: Session) -> None:
    story_session = held_session(db)
    ana = create_speaker(db, story_session, name="Ana Ruiz")
    create_person(db, email="ana.ruiz@example.com", name="Ana Ruiz")

    found = match_speakers(db, story_session=story_session, labels=["Ana Ruiz"])

    assert found == {"Ana Ruiz": (SpeakerMatch.storyteller, ana.id, None)}


def test_directory_people_are_found_by_name_and_alias_and_a_shared_name_is_never_guessed(
    db: Session,
) -> None:
    story_session = held_session(db)
    lee = create_person(db, email="lee@example.com", name="Léa Park")
    george = create_person(db, email="george@example.com", name="G. Harrison")
    add_alias(db, person=george, kind=AliasKind.name, value="George Harrison")
    create_person(db, email="john.lennon@example.com", name="John Lennon")
    create_person(db, email="john.lennon2@example.com", name="John Lennon")

    found = match_speakers(
        db,
        story_session=story_session,
        labels=["lea park", "George Harrison", "John Lennon", "Ringo Starr"],
    )

    assert found == {
        "lea park": (SpeakerMatch.person, None, lee.id),
        "George Harrison": (SpeakerMatch.person, None, george.id),
        "John Lennon": (SpeakerMatch.ambiguous, None, None),
        "Ringo Starr": (SpeakerMatch.unknown, None, None),
    }


def _import(db: Session, story_session: StorySession, *cues: tuple[str, float, float, str]) -> None:
    import_transcript(
        db,
        story_session=story_session,
        data=zoom_vtt(*cues),
        filename="t.vtt",
        user=None,
    )


def test_an_import_stores_each_speakers_match(db: Session) -> None:
    story_session = held_session(db)
    ana = create_speaker(db, story_session, name="Ana Ruiz")
    lee = create_person(db, email="lee@example.com", name="Lee Park")
    create_person(db, email="jo1@example.com", name="Jo Smith")
    create_person(db, email="jo2@example.com", name="Jo Smith")

    _import(
        db,
        story_session,
        ("Ana Ruiz (Acme)", 0, 10, "Invoices arrive late."),
        ("Lee Park", 10, 12, "Thank you."),
        ("Jo Smith", 12, 13, "Hello."),
        ("Someone", 13, 14, "Hi."),
    )

    rows = db.exec(select(TranscriptSpeaker).order_by(col(TranscriptSpeaker.id))).all()
    assert [(r.label, r.match, r.session_speaker_id, r.person_id, r.confirmed) for r in rows] == [
        ("Ana Ruiz (Acme)", SpeakerMatch.storyteller, ana.id, None, False),
        ("Lee Park", SpeakerMatch.person, None, lee.id, False),
        ("Jo Smith", SpeakerMatch.ambiguous, None, None, False),
        ("Someone", SpeakerMatch.unknown, None, None, False),
    ]


def test_session_speakers_lists_each_name_once_across_transcript_and_chat(db: Session) -> None:
    story_session = held_session(db)
    create_speaker(db, story_session, name="Ana Ruiz")
    lee = create_person(db, email="lee@example.com", name="Lee Park", level_key="vp")
    _import(
        db,
        story_session,
        ("Ana Ruiz", 0, 10, "Invoices arrive late."),
        ("Lee Park", 10, 12.5, "Thank you."),
        ("Ana Ruiz", 13, 15, "Every month."),
    )
    import_transcript(
        db,
        story_session=story_session,
        data=zoom_chat(("Lee Park", 60, "How late?"), ("Guest 7", 61, "Hello all")),
        filename="chat.txt",
        user=None,
    )

    speakers = session_speakers(db, story_session=story_session)

    assert [
        (s.label, s.match, s.storyteller, s.person, s.cue_count, s.seconds_spoken, s.chat_messages)
        for s in speakers
    ] == [
        ("Ana Ruiz", SpeakerMatch.storyteller, "Ana Ruiz", None, 2, 12.0, 0),
        ("Lee Park", SpeakerMatch.person, None, "Lee Park", 1, 2.5, 1),
        ("Guest 7", SpeakerMatch.unknown, None, None, 0, 0, 1),
    ]
    assert speakers[1].person_id == lee.id
    assert speakers[1].level is not None
    assert speakers[1].level.key == "vp"


def test_confirming_a_person_applies_to_transcript_and_chat_and_is_audited(db: Session) -> None:
    story_session = held_session(db, title="Desk")
    lee = create_person(db, email="lee@example.com", name="Lee Park")
    _import(db, story_session, ("LP", 0, 10, "Welcome."), ("LP", 10, 12, "Thanks."))
    import_transcript(
        db,
        story_session=story_session,
        data=zoom_chat(("LP", 60, "Slides are in the chat")),
        filename="chat.txt",
        user=None,
    )

    read = confirm_speaker(
        db,
        story_session=story_session,
        label="LP",
        data=SpeakerConfirm(person_id=lee.id),
        user=None,
    )

    assert read == SpeakerRead(
        label="LP",
        match=SpeakerMatch.person,
        confirmed=True,
        session_speaker_id=None,
        storyteller=None,
        person_id=lee.id,
        person="Lee Park",
        level=read.level,
        cue_count=2,
        seconds_spoken=12.0,
        chat_messages=1,
    )
    rows = db.exec(select(TranscriptSpeaker).where(TranscriptSpeaker.label == "LP")).all()
    assert [(r.match, r.person_id, r.confirmed) for r in rows] == [
        (SpeakerMatch.person, lee.id, True),
        (SpeakerMatch.person, lee.id, True),
    ]
    entry = db.exec(select(AuditEntry).where(AuditEntry.entity == "transcript_speaker")).one()
    assert entry.summary == (
        "Confirmed that “LP” in the transcript of “Desk” is Lee Park <lee@example.com>"
    )


def test_a_confirmed_person_is_remembered_as_an_alias_and_the_next_import_matches_them(
    db: Session,
) -> None:
    first = held_session(db, title="First")
    second = held_session(db, title="Second")
    lee = create_person(db, email="lee@example.com", name="Lee Park")
    _import(db, first, ("Lee (Host)", 0, 10, "Welcome."), ("Lee (Host)", 10, 12, "Thanks."))
    confirm_speaker(
        db,
        story_session=first,
        label="Lee (Host)",
        data=SpeakerConfirm(person_id=lee.id),
        user=None,
    )

    aliases = db.exec(select(PersonAlias).where(PersonAlias.person_id == lee.id)).all()
    assert [(a.kind, a.value) for a in aliases] == [(AliasKind.name, "Lee (Host)")]
    _import(db, second, ("Lee (Host)", 0, 10, "Welcome back."), ("Lee (Host)", 10, 11, "Hi."))
    assert [
        (s.match, s.person_id, s.confirmed) for s in session_speakers(db, story_session=second)
    ] == [(SpeakerMatch.person, lee.id, False)]


def test_confirming_twice_adds_the_alias_once_and_leaves_another_persons_alias_alone(
    db: Session,
) -> None:
    story_session = held_session(db)
    lee = create_person(db, email="lee@example.com", name="Lee Park")
    kim = create_person(db, email="kim@example.com", name="Kim Park")
    add_alias(db, person=kim, kind=AliasKind.name, value="K Park")
    _import(
        db,
        story_session,
        ("LP", 0, 10, "Welcome."),
        ("K Park", 10, 12, "Thanks."),
        ("LP", 12, 13, "Next."),
    )

    for _ in range(2):
        confirm_speaker(
            db,
            story_session=story_session,
            label="LP",
            data=SpeakerConfirm(person_id=lee.id),
            user=None,
        )
    confirm_speaker(
        db,
        story_session=story_session,
        label="K Park",
        data=SpeakerConfirm(person_id=lee.id),
        user=None,
    )

    aliases = db.exec(
        select(PersonAlias.person_id, PersonAlias.value).order_by(col(PersonAlias.id))
    ).all()
    assert aliases == [(kim.id, "K Park"), (lee.id, "LP")]
    assert {s.label: s.person_id for s in session_speakers(db, story_session=story_session)} == {
        "LP": lee.id,
        "K Park": lee.id,
    }


def test_a_speaker_can_be_confirmed_as_a_storyteller_or_as_nobody_known(db: Session) -> None:
    story_session = held_session(db)
    ana = create_speaker(db, story_session, name="Ana Ruiz")
    _import(db, story_session, ("Speaker 1", 0, 10, "Invoices."), ("Room", 10, 12, "Applause."))

    storyteller = confirm_speaker(
        db,
        story_session=story_session,
        label="Speaker 1",
        data=SpeakerConfirm(session_speaker_id=ana.id),
        user=None,
    )
    nobody = confirm_speaker(
        db, story_session=story_session, label="Room", data=SpeakerConfirm(unknown=True), user=None
    )

    assert (storyteller.match, storyteller.storyteller, storyteller.confirmed) == (
        SpeakerMatch.storyteller,
        "Ana Ruiz",
        True,
    )
    assert (nobody.match, nobody.person_id, nobody.session_speaker_id, nobody.confirmed) == (
        SpeakerMatch.unknown,
        None,
        None,
        True,
    )
    assert db.exec(select(PersonAlias)).all() == []


def test_confirming_refuses_another_sessions_storyteller_an_unknown_person_or_label(
    db: Session,
) -> None:
    story_session = held_session(db, title="Desk")
    other = held_session(db, title="Other")
    stranger = create_speaker(db, other, name="Ana Ruiz")
    _import(db, story_session, ("AR", 0, 10, "Invoices."), ("AR", 10, 12, "Late."))

    with pytest.raises(Invalid) as wrong_storyteller:
        confirm_speaker(
            db,
            story_session=story_session,
            label="AR",
            data=SpeakerConfirm(session_speaker_id=stranger.id),
            user=None,
        )
    with pytest.raises(Invalid) as no_person:
        confirm_speaker(
            db,
            story_session=story_session,
            label="AR",
            data=SpeakerConfirm(person_id=999_999),
            user=None,
        )
    with pytest.raises(NotFound) as no_label:
        confirm_speaker(
            db,
            story_session=story_session,
            label="Zed",
            data=SpeakerConfirm(unknown=True),
            user=None,
        )

    assert wrong_storyteller.value.detail == (
        f"Storyteller {stranger.id} is not one of the speakers of “Desk”; choose one of the "
        "session's storytellers."
    )
    assert no_person.value.detail == "There is no person with id 999999 in the directory."
    assert no_label.value.detail == "Nobody is named “Zed” in the transcript or chat of “Desk”."
    assert [(s.match, s.confirmed) for s in session_speakers(db, story_session=story_session)] == [
        (SpeakerMatch.unknown, False)
    ]


def test_speaker_confirm_takes_exactly_one_choice() -> None:
    with pytest.raises(ValueError, match="Send exactly one of person_id"):
        SpeakerConfirm(person_id=1, unknown=True)
    with pytest.raises(ValueError, match="Send exactly one of person_id"):
        SpeakerConfirm()
