"""Quotes in a recap: the words of the session's speakers who consented to being quoted."""

from sqlmodel import Session, col, func, select

from app.db import id_of
from app.errors import Invalid, NotFound
from app.models import Consent, Recap, RecapQuote, SessionSpeaker, StorySession
from app.recaps import builder
from app.recaps.builder import attribution
from app.recaps.editing import check_open, get_recap, start_edit
from app.recaps.schemas import QuoteCreate, QuoteRead, QuoteUpdate

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
        )
        for quote, speaker in rows
    ]


def add_quote(session: Session, *, story_session: StorySession, data: QuoteCreate) -> RecapQuote:
    """Quote one of the session's speakers (who consented), at the end of the list."""
    check_open(story_session)
    speaker = _speaker(session, story_session, data.speaker_id, data.speaker_name)
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
    quote = RecapQuote(
        recap_id=id_of(recap), speaker_id=id_of(speaker), text=data.text, position=position
    )
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
