"""A session with a transcript and a chat for the transcript page, quote and question tests."""

from dataclasses import dataclass

from sqlmodel import Session

from app.models import (
    Consent,
    Person,
    SessionSpeaker,
    StorySession,
    Transcript,
    TranscriptKind,
)
from tests.factories import create_customer, create_person, create_speaker, create_transcript
from tests.transcripts.support import held_session

ANA = "Ana Ruiz"
BRIAN = "Brian Griffin"
HOST = "Priya Shah"

CUES: list[tuple[str, float, float, str]] = [
    (HOST, 2.0, 6.0, "Welcome everyone, thank you Ana for joining us."),
    (ANA, 7.0, 12.0, "Thank you for having me."),
    (ANA, 12.5, 20.0, "  Our invoices were wrong   three months in a row."),
    (ANA, 20.5, 26.0, "It took three weeks to get each one corrected. "),
    (BRIAN, 26.5, 31.0, "We saw the same thing in billing."),
    (HOST, 31.5, 740.0, "<script>alert(1)</script> billing"),
    (ANA, 744.0, 750.0, "Fix the invoices, please."),
]

CHAT: list[tuple[str, float, float, str]] = [
    ("Ada Lovelace", 300.0, 300.0, "Which team owns invoicing today?"),
    ("Guest 42", 320.0, 320.0, "Great story, thank you!"),
    ("Guest 42", 330.0, 330.0, "Will the <b>slides</b> be shared?"),
]


@dataclass
class Reading:
    story_session: StorySession
    transcript: Transcript
    chat: Transcript
    ana: SessionSpeaker
    ada: Person


def reading_session(
    session: Session,
    *,
    consent: Consent = Consent.named,
    recording_url: str = "",
    cues: list[tuple[str, float, float, str]] | None = None,
    suggestions: dict[str, object] | None = None,
) -> Reading:
    """A session that took place: Ana Ruiz (a storyteller) and Brian Griffin (not matched)
    speak in its transcript, Ada Lovelace (the directory's, an executive) asks in its chat."""
    story_session = held_session(session, title="How Acme pays its bills")
    story_session.customer_id = create_customer(session, name="Acme Logistics").id
    story_session.recording_url = recording_url
    session.add(story_session)
    ana = create_speaker(session, story_session, name=ANA, title="CFO", consent=consent)
    ada = create_person(session, email="ada@example.com", name="Ada Lovelace", level_key="c-suite")
    transcript = create_transcript(session, story_session, cues=cues or CUES, who={ANA: ana})
    if suggestions is not None:
        transcript.suggestions = suggestions
        session.add(transcript)
    chat = create_transcript(
        session,
        story_session,
        cues=CHAT,
        kind=TranscriptKind.chat,
        who={"Ada Lovelace": ada},
        format="zoom-chat",
    )
    session.flush()
    return Reading(story_session, transcript, chat, ana, ada)
