"""The transcript page: turns by speaker, colours, timestamps, search, filter, paging, chat."""

import re

from sqlmodel import Session

from app.models import TranscriptKind
from tests.conftest import PageClient
from tests.factories import create_transcript
from tests.transcripts.reading import ANA, BRIAN, HOST, reading_session
from tests.transcripts.support import held_session


def _turn_heads(html: str) -> list[tuple[str, str]]:
    """Each turn's speaker, colour class and storyteller mark, in order."""
    return re.findall(
        r'<article class="turn ([^"]*)">\s*<header class="turn-head">'
        r'<span class="who[^"]*"><span class="swatch" aria-hidden="true"></span>([^<]*)</span>',
        html,
    )


def test_transcript_page_groups_cues_into_turns_with_a_colour_per_speaker(
    organizer_web: PageClient, db: Session
) -> None:
    reading = reading_session(db)
    page = organizer_web.get(f"/sessions/{reading.story_session.id}/transcript")
    assert page.status_code == 200
    assert _turn_heads(page.text) == [
        ("speaker-0", HOST),
        ("speaker-1 storyteller", ANA),
        ("speaker-2", BRIAN),
        ("speaker-0", HOST),
        ("speaker-1 storyteller", ANA),
    ]
    # Ana's three cues in a row are one turn: the name printed once, each cue on its line.
    assert page.text.count('id="cue-') == 7
    assert '<span class="badge storyteller-tag">storyteller</span>' in page.text


def test_timestamps_open_the_recording_at_that_moment_when_there_is_one(
    organizer_web: PageClient, db: Session
) -> None:
    reading = reading_session(db, recording_url="https://acme.zoom.us/rec/share/xyz?pwd=1")
    page = organizer_web.get(f"/sessions/{reading.story_session.id}/transcript")
    links = re.findall(r'<a class="at" href="([^"]*)"[^>]*>([^<]*)</a>', page.text)
    assert ("https://acme.zoom.us/rec/share/xyz?pwd=1&amp;t=744", "12:24") in links
    assert ("https://acme.zoom.us/rec/share/xyz?pwd=1&amp;t=12", "0:12") in links


def test_timestamps_of_another_player_use_a_media_fragment(
    organizer_web: PageClient, db: Session
) -> None:
    reading = reading_session(db, recording_url="https://media.acme.example/story.mp4")
    page = organizer_web.get(f"/sessions/{reading.story_session.id}/transcript")
    assert '<a class="at" href="https://media.acme.example/story.mp4#t=744"' in page.text


def test_timestamps_are_plain_without_a_recording_link(
    organizer_web: PageClient, db: Session
) -> None:
    reading = reading_session(db)
    page = organizer_web.get(f"/sessions/{reading.story_session.id}/transcript")
    assert '<a class="at"' not in page.text
    assert '<span class="at">12:24</span>' in page.text
    assert "Add the recording link</a> to open it from the times" in page.text


def test_search_marks_matches_in_escaped_text(organizer_web: PageClient, db: Session) -> None:
    reading = reading_session(db)
    page = organizer_web.get(
        f"/sessions/{reading.story_session.id}/transcript", params={"q": "billing"}
    )
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>billing</mark>" in page.text
    assert "We saw the same thing in <mark>billing</mark>." in page.text
    assert "2 cues match" in page.text
    assert page.text.count('id="cue-') == 2


def test_search_for_markup_marks_it_escaped(organizer_web: PageClient, db: Session) -> None:
    reading = reading_session(db)
    page = organizer_web.get(
        f"/sessions/{reading.story_session.id}/transcript", params={"q": "<script>"}
    )
    assert "<mark>&lt;script&gt;</mark>alert(1)&lt;/script&gt; billing" in page.text
    assert "<script>" not in page.text.split("<main", 1)[1]


def test_speaker_filter_keeps_one_speakers_cues(organizer_web: PageClient, db: Session) -> None:
    reading = reading_session(db)
    page = organizer_web.get(
        f"/sessions/{reading.story_session.id}/transcript", params={"speaker": BRIAN}
    )
    assert _turn_heads(page.text) == [("speaker-2", BRIAN)]
    assert f'<option value="{BRIAN}" selected>' in page.text
    everyone = organizer_web.get(
        f"/sessions/{reading.story_session.id}/transcript", params={"speaker": ""}
    )
    assert everyone.text.count('id="cue-') == 7


def test_long_transcript_is_paged_200_cues_at_a_time(
    organizer_web: PageClient, db: Session
) -> None:
    story_session = held_session(db)
    cues = [(ANA if n % 2 else HOST, n * 5.0, n * 5.0 + 4, f"Line {n}.") for n in range(450)]
    create_transcript(db, story_session, cues=cues)
    first = organizer_web.get(f"/sessions/{story_session.id}/transcript")
    assert first.text.count('id="cue-') == 200
    assert "Showing 1–200 of 450" in first.text
    third = organizer_web.get(f"/sessions/{story_session.id}/transcript", params={"offset": 400})
    assert third.text.count('id="cue-') == 50
    assert 'id="cue-401"' in third.text
    assert 'id="cue-450"' in third.text
    assert "Showing 401–450 of 450" in third.text


def test_chat_is_shown_beside_the_transcript_escaped(
    organizer_web: PageClient, db: Session
) -> None:
    reading = reading_session(db)
    page = organizer_web.get(f"/sessions/{reading.story_session.id}/transcript")
    layout = page.text.split('<div class="transcript-layout">', 1)[1]
    said, side = layout.split('<aside class="transcript-side"', 1)
    assert "Our invoices were wrong" in said
    chat = side.split('id="chat"', 1)[1]
    assert re.findall(r'<p class="chat-text">([^<]*)</p>', chat) == [
        "Which team owns invoicing today?",
        "Great story, thank you!",
        "Will the &lt;b&gt;slides&lt;/b&gt; be shared?",
    ]
    # The chat's speakers are coloured after the transcript's, in the order they first wrote.
    swatch = '<span class="swatch" aria-hidden="true"></span>'
    assert f'<span class="who speaker-3">{swatch}Ada Lovelace</span>' in chat


def test_speakers_panel_says_what_each_label_matched(
    organizer_web: PageClient, db: Session
) -> None:
    reading = reading_session(db)
    page = organizer_web.get(f"/sessions/{reading.story_session.id}/transcript")
    panel = page.text.split('id="speakers"', 1)[1].split("</section>", 1)[0]
    rows = re.findall(
        r'aria-hidden="true"></span>([^<]*)</span>(?:\s*<span class="badge storyteller-tag">'
        r'storyteller</span>)?\s*<span class="sub match-(\w+)">([^<]*)',
        panel,
    )
    unmatched = "Not matched: neither a storyteller nor found in the directory"
    # Most seconds spoken first, then most chat messages.
    assert rows == [
        (HOST, "unknown", unmatched),
        (ANA, "storyteller", "Storyteller: Ana Ruiz"),
        (BRIAN, "unknown", unmatched),
        ("Guest 42", "unknown", unmatched),
        ("Ada Lovelace", "person", "Ada Lovelace (C-suite), from the directory"),
    ]


def test_viewer_reads_the_transcript_without_forms(viewer_web: PageClient, db: Session) -> None:
    reading = reading_session(db)
    page = viewer_web.get(f"/sessions/{reading.story_session.id}/transcript")
    assert page.status_code == 200
    assert "Our invoices were wrong" in page.text
    assert 'type="checkbox"' not in page.text
    assert "Make a quote" not in page.text
    assert "Save who this is" not in page.text


def test_a_session_without_transcript_offers_the_upload(
    organizer_web: PageClient, db: Session
) -> None:
    story_session = held_session(db)
    page = organizer_web.get(f"/sessions/{story_session.id}/transcript")
    assert "Nothing was said here yet" in page.text
    assert f'action="/sessions/{story_session.id}/transcripts"' in page.text
    assert 'enctype="multipart/form-data"' in page.text


def test_chat_only_session_shows_the_chat(organizer_web: PageClient, db: Session) -> None:
    story_session = held_session(db)
    create_transcript(
        db, story_session, cues=[("Guest", 5.0, 5.0, "Hello?")], kind=TranscriptKind.chat
    )
    page = organizer_web.get(f"/sessions/{story_session.id}/transcript")
    assert "No transcript: only the chat was imported." in page.text
    assert '<p class="chat-text">Hello?</p>' in page.text
