"""Retention drops old transcripts and chats, keeping what an approved recap took from them."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, col, func, select

from app.config import get_settings
from app.models import (
    AuditEntry,
    Recap,
    RecapQuestion,
    RecapQuote,
    SessionStatus,
    StorySession,
    Transcript,
    TranscriptCue,
    TranscriptKind,
    TranscriptSpeaker,
)
from app.recaps.approval import approve_recap, version_document
from app.recaps.builder import build_document
from app.transcripts.retention import drop_expired_transcripts
from app.transcripts.tasks import drop_expired_transcripts_job, drop_expired_transcripts_now
from app.worker import TASK_MODULES, huey
from tests.factories import create_person, create_session, create_speaker, create_transcript

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
QUOTE = "The invoice lists forty lines and none of them matches a delivery note."


def _held(db: Session, *, days_ago: float, title: str = "") -> StorySession:
    return create_session(
        db,
        title=title or f"{days_ago} days ago",
        starts_at=NOW - timedelta(days=days_ago),
        duration_minutes=60,
        status=SessionStatus.completed,
    )


def _with_transcripts(db: Session, story: StorySession) -> tuple[Transcript, Transcript]:
    host = create_person(db, email=f"host{story.id}@example.com", name=f"Host {story.id}")
    ana = create_speaker(db, story)
    spoken = create_transcript(
        db,
        story,
        cues=[("Host", 0, 10, "Welcome."), ("Ana Ruiz", 10, 40, QUOTE)],
        who={"Host": host, "Ana Ruiz": ana},
    )
    chat = create_transcript(
        db,
        story,
        kind=TranscriptKind.chat,
        cues=[("Host", 12, 12, "Who owns invoices?")],
        who={"Host": host},
    )
    return spoken, chat


def _count(
    db: Session, model: type[Transcript] | type[TranscriptCue] | type[TranscriptSpeaker]
) -> int:
    return db.exec(select(func.count()).select_from(model)).one()


def test_retention_drops_the_transcripts_of_sessions_ended_longer_ago(db: Session) -> None:
    # 30 days: a session that started 30 days and 30 minutes ago ended 29.98 days ago (kept).
    old = _held(db, days_ago=45, title="Old")
    borderline = _held(db, days_ago=30 + 0.5 / 24, title="Borderline")
    recent = _held(db, days_ago=3, title="Recent")
    for story in (old, borderline, recent):
        _with_transcripts(db, story)

    assert drop_expired_transcripts(db, now=NOW, days=30) == 2

    kept = db.exec(select(Transcript.session_id, Transcript.kind).order_by(col(Transcript.id)))
    assert [(session_id, kind) for session_id, kind in kept] == [
        (borderline.id, TranscriptKind.transcript),
        (borderline.id, TranscriptKind.chat),
        (recent.id, TranscriptKind.transcript),
        (recent.id, TranscriptKind.chat),
    ]
    # Their speakers and cues went with them (the foreign keys cascade).
    assert (_count(db, TranscriptSpeaker), _count(db, TranscriptCue)) == (6, 6)
    [entry] = db.exec(select(AuditEntry).where(AuditEntry.action == "retention")).all()
    assert (entry.entity, entry.entity_id, entry.summary) == (
        "session",
        old.id,
        f"Deleted the transcript and chat of session #{old.id}: it ended more than 30 days ago "
        "(STORYROOM_TRANSCRIPT_RETENTION_DAYS)",
    )


def test_retention_of_zero_days_keeps_every_transcript(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    _with_transcripts(db, _held(db, days_ago=4000))
    monkeypatch.setattr(get_settings(), "transcript_retention_days", 0)

    assert drop_expired_transcripts(db, now=NOW) == 0
    assert drop_expired_transcripts(db, now=NOW, days=0) == 0
    assert _count(db, Transcript) == 2


def test_retention_reads_the_setting(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    _with_transcripts(db, _held(db, days_ago=100))
    _with_transcripts(db, _held(db, days_ago=10))
    monkeypatch.setattr(get_settings(), "transcript_retention_days", 90)

    assert drop_expired_transcripts(db, now=NOW) == 2
    assert _count(db, Transcript) == 2


def test_an_approved_recaps_quote_and_question_outlive_their_transcript(db: Session) -> None:
    story = _held(db, days_ago=200, title="Invoices, in Acme's words")
    spoken, chat = _with_transcripts(db, story)
    [ana] = db.exec(select(TranscriptSpeaker).where(TranscriptSpeaker.label == "Ana Ruiz")).all()
    assert ana.session_speaker_id is not None
    asked = db.exec(select(TranscriptCue).where(TranscriptCue.transcript_id == chat.id)).one()
    recap = Recap(session_id=story.id or 0, summary="What Acme told us.")
    db.add(recap)
    db.flush()
    db.add_all(
        [
            RecapQuote(
                recap_id=recap.id or 0,
                speaker_id=ana.session_speaker_id,
                text=QUOTE,
                transcript_id=spoken.id,
                start_seconds=10,
                end_seconds=40,
                first_cue=2,
                last_cue=2,
            ),
            RecapQuestion(
                recap_id=recap.id or 0, text=asked.text, asked_by="Host", cue_id=asked.id
            ),
        ]
    )
    db.flush()
    version = approve_recap(db, story_session=story, now=NOW - timedelta(days=198), render=False)

    assert drop_expired_transcripts(db, now=NOW, days=90) == 2

    assert _count(db, Transcript) == 0
    quote = db.exec(select(RecapQuote)).one()
    assert (quote.text, quote.transcript_id, quote.start_seconds, quote.first_cue) == (
        QUOTE,
        None,
        10,
        2,
    )
    question = db.exec(select(RecapQuestion)).one()
    assert (question.text, question.cue_id) == ("Who owns invoices?", None)
    document = build_document(db, story_session=story, recap=db.get(Recap, recap.id))
    assert [(entry.text, entry.start_seconds) for entry in document.quotes] == [(QUOTE, 10)]
    assert [entry.text for entry in document.questions] == ["Who owns invoices?"]
    assert [entry.text for entry in version_document(version).quotes] == [QUOTE]


def test_the_daily_job_is_registered_and_deletes_with_the_setting(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    _with_transcripts(db, _held(db, days_ago=400))
    monkeypatch.setattr(get_settings(), "transcript_retention_days", 365)

    assert "app.transcripts.tasks" in TASK_MODULES
    # Daily at 03:23 UTC, when nobody is reading a transcript.
    name = drop_expired_transcripts_job.task_class.__name__
    due = [task.name for task in huey.read_periodic(datetime(2026, 11, 24, 3, 23, tzinfo=UTC))]
    later = [task.name for task in huey.read_periodic(datetime(2026, 11, 24, 4, 23, tzinfo=UTC))]
    assert (name in due, name in later) == (True, False)
    assert drop_expired_transcripts_now(now=NOW) == 2
    assert drop_expired_transcripts_now(now=NOW) == 0  # nothing left to do: harmless again
    [entry] = db.exec(select(AuditEntry).where(AuditEntry.action == "retention")).all()
    assert entry.actor == "worker"
