"""Quotes in a recap: the words of the session's speakers who consented to being quoted."""

from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from app.db import id_of
from app.errors import Invalid, NotFound
from app.models import (
    Consent,
    Recap,
    RecapQuote,
    SessionSpeaker,
    SpeakerMatch,
    StorySession,
    Transcript,
    TranscriptCue,
    TranscriptSpeaker,
)
from app.recaps import builder
from app.recaps.builder import attribution
from app.recaps.editing import check_open, get_recap, start_edit
from app.recaps.schemas import MAX_QUOTE_CHARS, QuoteCreate, QuoteCues, QuoteRead, QuoteUpdate

MAX_QUOTES = 50


def _speaker_named(session: Session, story_session: StorySession, name: str) -> SessionSpeaker:
    speakers = session.exec(
        select(SessionSpeaker)
        .where(SessionSpeaker.session_id == story_session.id)
        .order_by(col(SessionSpeaker.id))
    ).all()
    named = [s for s in speakers if s.name.casefold() == name.casefold()]
    if len(named) > 1:
        ids = ", ".join(str(s.id) for s in named)
        raise Invalid(
            f"{len(named)} speakers of “{story_session.title}” are called {name!r}: name the "
            f"one you mean by speaker_id ({ids})."
        )
    if not named:
        known = ", ".join(repr(s.name) for s in speakers)
        raise Invalid(
            f"No speaker of “{story_session.title}” is called {name!r}: "
            + (f"its speakers are {known}." if known else "it has no speakers yet.")
            + " Add them on the session's edit page."
        )
    return named[0]


def _speaker(
    session: Session,
    story_session: StorySession,
    speaker_id: int | None,
    speaker_name: str | None = None,
) -> SessionSpeaker:
    """The session's speaker named by id or by name, if their consent allows quoting."""
    if speaker_name is not None:
        speaker = _speaker_named(session, story_session, speaker_name)
    else:
        found = session.get(SessionSpeaker, speaker_id) if speaker_id is not None else None
        if found is None or found.session_id != story_session.id:
            raise Invalid(
                f"Speaker {speaker_id} did not speak at “{story_session.title}”: quote one of "
                "this session's speakers (add them on the session's edit page)."
            )
        speaker = found
    if speaker.consent is Consent.none:
        raise Invalid(
            f"{speaker.name} did not consent to being quoted, so their words cannot appear in "
            "the recap. Paraphrase them in the summary instead, or record their consent first."
        )
    return speaker


@dataclass(frozen=True)
class Passage:
    """Consecutive cues of one storyteller, ready to become a quote."""

    speaker_id: int
    text: str
    transcript_id: int
    start_seconds: float
    end_seconds: float
    first_cue: int
    last_cue: int


def passage(session: Session, *, story_session: StorySession, cues: QuoteCues) -> Passage:
    """The cues `first`..`last` of one of the session's transcripts, if they are consecutive
    cues of one speaker who is one of the session's storytellers; their words joined."""
    transcript = session.get(Transcript, cues.transcript_id)
    if transcript is None or transcript.session_id != story_session.id:
        raise Invalid(
            f"“{story_session.title}” has no transcript {cues.transcript_id}: quote from one "
            "of its own transcripts."
        )
    rows = session.exec(
        select(TranscriptCue)
        .where(
            TranscriptCue.transcript_id == transcript.id,
            col(TranscriptCue.position) >= cues.first,
            col(TranscriptCue.position) <= cues.last,
        )
        .order_by(col(TranscriptCue.position))
    ).all()
    if [row.position for row in rows] != list(range(cues.first, cues.last + 1)):
        raise Invalid(
            f"The transcript has {transcript.cue_count} cues: cues {cues.first} to {cues.last} "
            "are not all in it. Pick cues that are."
        )
    speaker_ids = {row.speaker_id for row in rows}
    speakers = {
        s.id: s
        for s in session.exec(
            select(TranscriptSpeaker).where(
                col(TranscriptSpeaker.id).in_([i for i in speaker_ids if i is not None])
            )
        )
    }
    if len(speaker_ids) != 1 or None in speaker_ids:
        named = sorted(s.label for s in speakers.values())
        who = " and ".join(named) if named else "nobody named"
        raise Invalid(
            f"A quote is the words of one speaker: cues {cues.first} to {cues.last} are by "
            f"{who}{', and some by nobody named' if None in speaker_ids and named else ''}. "
            "Pick consecutive cues of one speaker."
        )
    speaker = speakers[next(iter(speaker_ids))]
    if speaker.match is not SpeakerMatch.storyteller or speaker.session_speaker_id is None:
        raise Invalid(
            f"{speaker.label} is not one of this session's storytellers: confirm who they are "
            "first (on the transcript page's speakers), or quote a storyteller."
        )
    text = " ".join(" ".join(row.text for row in rows).split())
    if len(text) > MAX_QUOTE_CHARS:
        raise Invalid(
            f"These cues come to {len(text):,} characters; a quote holds at most "
            f"{MAX_QUOTE_CHARS:,}. Pick fewer cues."
        )
    return Passage(
        speaker_id=speaker.session_speaker_id,
        text=text,
        transcript_id=id_of(transcript),
        start_seconds=rows[0].start_seconds,
        end_seconds=rows[-1].end_seconds,
        first_cue=cues.first,
        last_cue=cues.last,
    )


def list_quotes(session: Session, *, story_session: StorySession) -> list[QuoteRead]:
    """The recap's quotes in order, each with the attribution the recap will print."""
    customer = builder.customer_name(session, story_session.customer_id)
    rows = session.exec(
        select(RecapQuote, SessionSpeaker)
        .join(Recap, col(Recap.id) == RecapQuote.recap_id)
        .join(SessionSpeaker, col(SessionSpeaker.id) == RecapQuote.speaker_id)
        .where(Recap.session_id == story_session.id)
        .order_by(col(RecapQuote.position), col(RecapQuote.id))
    ).all()
    return [
        QuoteRead(
            id=id_of(quote),
            speaker_id=id_of(speaker),
            speaker_name=speaker.name,
            consent=speaker.consent,
            text=quote.text,
            attribution=attribution(speaker, customer)
            if speaker.consent is not Consent.none
            else "Not quoted: consent withdrawn",
            position=quote.position,
            transcript_id=quote.transcript_id,
            start_seconds=quote.start_seconds,
            end_seconds=quote.end_seconds,
            first_cue=quote.first_cue,
            last_cue=quote.last_cue,
        )
        for quote, speaker in rows
    ]


def add_quote(session: Session, *, story_session: StorySession, data: QuoteCreate) -> RecapQuote:
    """Quote one of the session's speakers (who consented), at the end of the list; typed, or
    picked from a transcript (`data.cues`), keeping its timestamp and source cues."""
    check_open(story_session)
    picked = (
        passage(session, story_session=story_session, cues=data.cues)
        if data.cues is not None
        else None
    )
    # Consent decides a transcript quote exactly as a typed one: the same check.
    speaker = _speaker(
        session,
        story_session,
        picked.speaker_id if picked else data.speaker_id,
        None if picked else data.speaker_name,
    )
    recap = get_recap(session, story_session=story_session)
    if recap is not None:
        count, last = session.exec(
            select(func.count(), func.max(RecapQuote.position)).where(
                RecapQuote.recap_id == recap.id
            )
        ).one()
        if count >= MAX_QUOTES:
            raise Invalid(
                f"This recap already has {count} quotes, the most it can hold is {MAX_QUOTES}. "
                "Keep the ones that say it best and remove others first."
            )
        position = (last or 0) + 1
    else:
        position = 1
    recap = start_edit(session, story_session=story_session)
    text = data.text or (picked.text if picked else "")
    quote = RecapQuote(
        recap_id=id_of(recap), speaker_id=id_of(speaker), text=text, position=position
    )
    if picked is not None:
        quote.transcript_id = picked.transcript_id
        quote.start_seconds, quote.end_seconds = picked.start_seconds, picked.end_seconds
        quote.first_cue, quote.last_cue = picked.first_cue, picked.last_cue
    session.add(quote)
    session.flush()
    return quote


def get_quote(session: Session, *, story_session: StorySession, quote_id: int) -> RecapQuote:
    """One quote of the session's recap, or 404."""
    quote = session.get(RecapQuote, quote_id)
    recap = session.get(Recap, quote.recap_id) if quote else None
    if quote is None or recap is None or recap.session_id != story_session.id:
        raise NotFound(f"The recap of “{story_session.title}” has no quote {quote_id}.")
    return quote


def update_quote(
    session: Session, *, story_session: StorySession, quote_id: int, data: QuoteUpdate
) -> RecapQuote:
    """Change a quote's text, speaker or position."""
    quote = get_quote(session, story_session=story_session, quote_id=quote_id)
    if data.speaker_id is not None or data.speaker_name is not None:
        speaker = _speaker(session, story_session, data.speaker_id, data.speaker_name)
        quote.speaker_id = id_of(speaker)
    if data.text is not None:
        quote.text = data.text
    if data.position is not None:
        quote.position = data.position
    start_edit(session, story_session=story_session)
    session.add(quote)
    session.flush()
    return quote


def delete_quote(session: Session, *, story_session: StorySession, quote_id: int) -> None:
    """Take a quote out of the recap."""
    quote = get_quote(session, story_session=story_session, quote_id=quote_id)
    start_edit(session, story_session=story_session)
    session.delete(quote)
    session.flush()
