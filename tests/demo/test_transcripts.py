"""The demo's recent Zoom sessions have a transcript and a chat, imported as an organizer would."""

from datetime import UTC, datetime

from sqlmodel import Session, col, select

from app.demo import load_demo
from app.demo.transcripts import SESSIONS, zoom_chat, zoom_vtt
from app.models import (
    Platform,
    Recap,
    RecapQuestion,
    RecapQuote,
    RecapVersion,
    SessionStatus,
    SpeakerMatch,
    StorySession,
    Transcript,
    TranscriptKind,
    TranscriptSpeaker,
)
from app.transcripts.parsing import parse_transcript
from app.transcripts.participation import session_participation
from tests.conftest import PageClient

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def test_zoom_files_are_written_as_zoom_writes_them() -> None:
    vtt = zoom_vtt([("Hal Host", "Welcome, everyone."), ("Ana Ruiz - Acme", "Thank you.")])
    assert vtt.splitlines()[:8] == [
        "WEBVTT",
        "",
        "1",
        "00:00:04.000 --> 00:00:05.500",
        "Hal Host: Welcome, everyone.",
        "",
        "2",
        "00:00:05.900 --> 00:00:07.400",
    ]
    chat = zoom_chat([(3725.0, "Vera Chief", "Who owns invoices?")])
    assert chat == "01:02:05\tVera Chief:\tWho owns invoices?\r\n"
    assert parse_transcript(vtt.encode(), filename="x.transcript.vtt").format == "zoom-vtt"
    assert parse_transcript(chat.encode(), filename="chat.txt").format == "zoom-chat"


def test_load_demo_gives_recent_zoom_sessions_matched_transcripts_chats_and_recap_picks(
    db: Session, viewer_web: PageClient
) -> None:
    summary = load_demo(db, now=NOW)

    transcripts = db.exec(
        select(Transcript, StorySession)
        .join(StorySession, col(StorySession.id) == Transcript.session_id)
        .order_by(col(StorySession.starts_at).desc(), col(Transcript.id))
    ).all()
    sessions = list(dict.fromkeys(story.id for _, story in transcripts))
    latest_zoom = db.exec(
        select(StorySession.id)
        .where(
            StorySession.status == SessionStatus.completed,
            StorySession.platform == Platform.zoom,
            col(StorySession.starts_at) < NOW,
        )
        .order_by(col(StorySession.starts_at).desc())
        .limit(SESSIONS)
    ).all()
    assert summary.transcripts == SESSIONS == 4
    assert "99 recap emails, 4 transcripts, 7 commitments" in str(summary)
    assert sessions == latest_zoom
    assert [(t.kind, t.format) for t, _ in transcripts[:2]] == [
        (TranscriptKind.transcript, "zoom-vtt"),
        (TranscriptKind.chat, "zoom-chat"),
    ]
    assert all(t.warnings == [] for t, _ in transcripts)

    speakers = db.exec(select(TranscriptSpeaker)).all()
    matches = {speaker.match for speaker in speakers}
    assert matches <= {SpeakerMatch.storyteller, SpeakerMatch.person}
    assert SpeakerMatch.storyteller in matches
    # The host and a storyteller confirmed, in the transcript and the chat alike.
    assert len({speaker.label for speaker in speakers if speaker.confirmed}) == 2
    for transcript, _ in transcripts:
        if transcript.kind is TranscriptKind.transcript:
            assert len(transcript.suggestions["quotes"]) >= 1
            assert transcript.suggestions["summary"] != ""
            assert len(transcript.suggestions["themes"]) >= 1
    # Themes were suggested again once the recaps had named theirs: some meet an existing one.
    assert any(
        theme["theme_id"] is not None
        for transcript, _ in transcripts
        for theme in transcript.suggestions.get("themes", [])
    )

    # A passage picked from a transcript and a chat question are in the approved recaps.
    picked = db.exec(select(RecapQuote).where(col(RecapQuote.transcript_id).is_not(None))).all()
    assert len(picked) >= 1
    assert all(q.first_cue is not None and q.start_seconds is not None for q in picked)
    questions = db.exec(select(RecapQuestion)).all()
    assert len(questions) == SESSIONS
    assert all(q.person_id is not None and q.text.endswith("?") for q in questions)
    recap = db.exec(select(Recap).where(Recap.id == questions[0].recap_id)).one()
    version = db.exec(
        select(RecapVersion).where(
            RecapVersion.recap_id == recap.id, RecapVersion.number == recap.latest_version
        )
    ).one()
    assert [q["text"] for q in version.document["questions"]] == [questions[0].text]

    # An executive asked in the chat of the latest session but is not in its attendance report.
    latest = session_participation(db, session_id=sessions[0] or 0)
    [missing] = latest.not_in_report
    assert missing.participation.text == "asked 1 question in chat"
    page = viewer_web.get(f"/sessions/{sessions[0]}/attendance").text
    assert "Took part but not in the attendance report (1)" in page
