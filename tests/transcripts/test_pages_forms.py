"""The transcript page's forms: upload, who a speaker is, and the suggestions' buttons."""

import re

from sqlmodel import Session, select

from app.models import AliasKind, PersonAlias, RecapQuote, SpeakerMatch, TranscriptSpeaker
from app.recaps.schemas import RecapUpdate
from app.recaps.working_copy import describe_recap, update_recap
from tests.conftest import PageClient
from tests.factories import create_person
from tests.transcripts.reading import BRIAN, reading_session
from tests.transcripts.support import counts, held_session, zoom_chat, zoom_vtt

SUGGESTED = {
    "quotes": [
        {
            "speaker": "Ana Ruiz",
            "first_cue": 3,
            "last_cue": 4,
            "start_seconds": 12.5,
            "end_seconds": 26.0,
            "text": "Our invoices were wrong three months in a row.",
            "why": "a complete thought, strongly negative, names “invoices”",
            "score": 0.9,
        }
    ],
    "themes": [{"name": "Billing errors", "theme_id": None, "why": "said 3 times", "score": 0.8}],
    "summary": "Acme's invoices were wrong for three months; each fix took three weeks.",
    "summary_cues": [3, 4],
}


def test_uploading_a_transcript_imports_it_and_says_so(
    organizer_web: PageClient, db: Session
) -> None:
    story_session = held_session(db)
    data = zoom_vtt(("Ana Ruiz", 1.0, 4.0, "Hello."), ("Priya Shah", 5.0, 8.0, "Welcome?"))
    response = organizer_web.submit(
        f"/sessions/{story_session.id}/transcripts",
        files={"file": ("meeting.vtt", data, "text/vtt")},
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/sessions/{story_session.id}/transcript?done=imported"
    assert counts(db) == (1, 2, 2)
    page = organizer_web.get(response.headers["location"])
    assert "Imported. The speakers below were matched" in page.text
    session_page = organizer_web.get(f"/sessions/{story_session.id}")
    panel = session_page.text.split('id="transcript"', 1)[1].split("</section>", 1)[0]
    assert "2 cues · 2 speakers · 0:07 long" in panel
    assert f'href="/sessions/{story_session.id}/transcript">Read the transcript</a>' in panel


def test_uploading_a_chat_shows_it_on_the_session_page(
    organizer_web: PageClient, db: Session
) -> None:
    story_session = held_session(db)
    data = zoom_chat(("Ada Lovelace", 65, "Who owns billing?"))
    response = organizer_web.submit(
        f"/sessions/{story_session.id}/transcripts",
        files={"file": ("chat.txt", data, "text/plain")},
    )
    assert response.status_code == 303
    session_page = organizer_web.get(f"/sessions/{story_session.id}")
    panel = session_page.text.split('id="transcript"', 1)[1].split("</section>", 1)[0]
    assert "<strong>Chat</strong>" in panel
    assert "1 message · 1 speaker" in panel


def test_a_refused_upload_says_why_and_saves_nothing(
    organizer_web: PageClient, db: Session
) -> None:
    story_session = held_session(db)
    response = organizer_web.submit(
        f"/sessions/{story_session.id}/transcripts",
        files={"file": ("report.csv", b"Name,Email,Duration\nAda,a@x.com,60\n", "text/csv")},
    )
    assert response.status_code == 422
    assert "<strong>Nothing was saved:</strong>" in response.text
    assert "The file looks like an attendance report (CSV), not a transcript" in response.text
    assert counts(db) == (0, 0, 0)


def test_the_session_page_offers_the_upload_to_organizers_only(
    organizer_web: PageClient, viewer_web: PageClient, db: Session
) -> None:
    story_session = held_session(db)
    organizer = organizer_web.get(f"/sessions/{story_session.id}")
    assert f'action="/sessions/{story_session.id}/transcripts"' in organizer.text
    assert "No transcript yet." in organizer.text
    viewer = viewer_web.get(f"/sessions/{story_session.id}")
    assert "No transcript yet." in viewer.text
    assert f'action="/sessions/{story_session.id}/transcripts"' not in viewer.text


def test_confirming_a_speaker_as_a_storyteller_changes_the_match(
    organizer_web: PageClient, db: Session
) -> None:
    reading = reading_session(db)
    sid = reading.story_session.id
    response = organizer_web.submit(
        f"/sessions/{sid}/transcript/speakers",
        {"label": BRIAN, "who": f"storyteller-{reading.ana.id}", "back": "offset=0"},
    )
    assert response.status_code == 303
    brian = db.exec(select(TranscriptSpeaker).where(TranscriptSpeaker.label == BRIAN)).one()
    assert (brian.match, brian.session_speaker_id, brian.confirmed) == (
        SpeakerMatch.storyteller,
        reading.ana.id,
        True,
    )
    page = organizer_web.get(response.headers["location"])
    assert "Saved. “Brian Griffin” will be recognised next time." in page.text
    # Now his words can be quoted, as Ana's.
    quoted = organizer_web.submit(
        f"/sessions/{sid}/transcript/quotes",
        {"transcript_id": reading.transcript.id, "cue": ["5"]},
    )
    assert quoted.status_code == 303
    assert db.exec(select(RecapQuote.text)).all() == ["We saw the same thing in billing."]


def test_confirming_a_directory_person_by_email_remembers_the_alias(
    organizer_web: PageClient, db: Session
) -> None:
    reading = reading_session(db)
    brian = create_person(db, email="brian@example.com", name="Brian Griffith", level_key="vp")
    response = organizer_web.submit(
        f"/sessions/{reading.story_session.id}/transcript/speakers",
        {"label": BRIAN, "who": "person", "person": "Brian@Example.com"},
    )
    assert response.status_code == 303
    speaker = db.exec(select(TranscriptSpeaker).where(TranscriptSpeaker.label == BRIAN)).one()
    assert (speaker.match, speaker.person_id) == (SpeakerMatch.person, brian.id)
    aliases = db.exec(select(PersonAlias).where(PersonAlias.person_id == brian.id)).all()
    assert [(a.kind, a.value) for a in aliases] == [(AliasKind.name, BRIAN)]
    page = organizer_web.get(f"/sessions/{reading.story_session.id}/transcript")
    assert "Brian Griffith (SVP/VP), from the directory" in page.text


def test_confirming_an_unknown_email_is_refused_and_changes_nothing(
    organizer_web: PageClient, db: Session
) -> None:
    reading = reading_session(db)
    response = organizer_web.submit(
        f"/sessions/{reading.story_session.id}/transcript/speakers",
        {"label": BRIAN, "who": "person", "person": "nobody@example.com"},
    )
    assert response.status_code == 422
    assert "<strong>Nothing was saved:</strong>" in response.text
    assert "No one in the directory has the email &#39;nobody@example.com&#39;" in response.text
    speaker = db.exec(select(TranscriptSpeaker).where(TranscriptSpeaker.label == BRIAN)).one()
    assert (speaker.match, speaker.confirmed) == (SpeakerMatch.unknown, False)


def test_not_one_of_ours_confirms_the_speaker_as_unknown(
    organizer_web: PageClient, db: Session
) -> None:
    reading = reading_session(db)
    organizer_web.submit(
        f"/sessions/{reading.story_session.id}/transcript/speakers",
        {"label": BRIAN, "who": "unknown"},
    )
    speaker = db.exec(select(TranscriptSpeaker).where(TranscriptSpeaker.label == BRIAN)).one()
    assert (speaker.match, speaker.confirmed) == (SpeakerMatch.unknown, True)


def test_suggestions_show_why_with_a_button_each(organizer_web: PageClient, db: Session) -> None:
    reading = reading_session(db, suggestions=SUGGESTED)
    page = organizer_web.get(f"/sessions/{reading.story_session.id}/transcript")
    panel = page.text.split('id="suggestions"', 1)[1].split("</section>", 1)[0]
    assert "<blockquote>Our invoices were wrong three months in a row.</blockquote>" in panel
    assert "a complete thought, strongly negative, names “invoices”" in panel
    assert re.findall(r"<button[^>]*>([^<]*)</button>", panel) == [
        "Add to recap",
        "Add theme",
        "Use as summary",
    ]


def test_adding_a_suggested_quote_keeps_its_words_and_cues(
    organizer_web: PageClient, db: Session
) -> None:
    reading = reading_session(db, suggestions=SUGGESTED)
    sid = reading.story_session.id
    response = organizer_web.submit(
        f"/sessions/{sid}/transcript/quotes",
        {
            "transcript_id": reading.transcript.id,
            "cue": ["3", "4"],
            "text": "Our invoices were wrong three months in a row.",
        },
    )
    assert response.status_code == 303
    quote = db.exec(select(RecapQuote)).one()
    assert (quote.text, quote.first_cue, quote.last_cue) == (
        "Our invoices were wrong three months in a row.",
        3,
        4,
    )
    page = organizer_web.get(f"/sessions/{sid}/transcript")
    panel = page.text.split('id="suggestions"', 1)[1].split("</section>", 1)[0]
    assert '<p class="in-recap">In the recap</p>' in panel
    assert "Add to recap" not in panel


def test_adding_a_suggested_theme_keeps_the_recaps_themes(
    organizer_web: PageClient, db: Session
) -> None:
    reading = reading_session(db, suggestions=SUGGESTED)
    update_recap(
        db,
        story_session=reading.story_session,
        data=RecapUpdate(summary="Mine.", themes=["Onboarding"]),
    )
    response = organizer_web.submit(
        f"/sessions/{reading.story_session.id}/transcript/themes", {"name": "Billing errors"}
    )
    assert response.status_code == 303
    recap = describe_recap(db, story_session=reading.story_session)
    assert (recap.summary, recap.themes) == ("Mine.", ["Billing errors", "Onboarding"])


def test_use_as_summary_fills_an_empty_summary(organizer_web: PageClient, db: Session) -> None:
    reading = reading_session(db, suggestions=SUGGESTED)
    response = organizer_web.submit(f"/sessions/{reading.story_session.id}/transcript/summary")
    assert response.status_code == 303
    assert describe_recap(db, story_session=reading.story_session).summary == SUGGESTED["summary"]


def test_use_as_summary_asks_before_replacing_one(organizer_web: PageClient, db: Session) -> None:
    reading = reading_session(db, suggestions=SUGGESTED)
    sid = reading.story_session.id
    update_recap(db, story_session=reading.story_session, data=RecapUpdate(summary="Mine."))
    asked = organizer_web.submit(f"/sessions/{sid}/transcript/summary")
    assert asked.status_code == 303
    assert asked.headers["location"] == (
        f"/sessions/{sid}/transcript?summary=confirm#suggested-summary"
    )
    page = organizer_web.get(asked.headers["location"])
    assert "The recap already has a summary. Replace it with this draft?" in page.text
    assert describe_recap(db, story_session=reading.story_session).summary == "Mine."
    replaced = organizer_web.submit(f"/sessions/{sid}/transcript/summary", {"replace": "yes"})
    assert replaced.status_code == 303
    assert describe_recap(db, story_session=reading.story_session).summary == SUGGESTED["summary"]


def test_a_viewer_cannot_make_a_quote_or_upload(viewer_web: PageClient, db: Session) -> None:
    reading = reading_session(db)
    sid = reading.story_session.id
    quoted = viewer_web.submit(
        f"/sessions/{sid}/transcript/quotes", {"transcript_id": reading.transcript.id, "cue": "2"}
    )
    assert quoted.status_code == 403
    uploaded = viewer_web.submit(
        f"/sessions/{sid}/transcripts", files={"file": ("t.vtt", zoom_vtt(), "text/vtt")}
    )
    assert uploaded.status_code == 403
    assert db.exec(select(RecapQuote)).all() == []
    assert counts(db) == (2, 5, 10)
