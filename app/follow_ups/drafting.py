"""The draft letter: what the storyteller told us, and what became of it, from the approved recap.

Written from the latest approved recap version (what the company agreed it heard) and the
session's action items as they stand now, each with its latest progress note. The storyteller's
own words are quoted back only from approved recap quotes, and only if their consent allows
quoting at all.
"""

from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from app.db import id_of
from app.models import (
    ActionItem,
    ActionStatus,
    Consent,
    Recap,
    RecapQuote,
    RecapVersion,
    SessionSpeaker,
    StorySession,
    User,
)
from app.recaps.builder import latest_updates
from app.recaps.document import RecapDocument, first_paragraph

QUOTES_IN_LETTER = 3


@dataclass
class Progress:
    """The session's action items by where they stand, each with its latest note."""

    done: list[tuple[str, str]] = field(default_factory=list)
    in_progress: list[tuple[str, str]] = field(default_factory=list)
    still_open: list[tuple[str, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.done) + len(self.in_progress) + len(self.still_open)


def long_date(value: date) -> str:
    """e.g. '3 March 2026'."""
    return f"{value.day} {value.strftime('%B %Y')}"


def progress_of(session: Session, story_session: StorySession) -> Progress:
    """Where each of the session's action items stands now, with its latest update's note."""
    items = session.exec(
        select(ActionItem)
        .where(ActionItem.session_id == id_of(story_session))
        .order_by(col(ActionItem.created_at), col(ActionItem.id))
    ).all()
    notes = latest_updates(session, [id_of(item) for item in items])
    progress = Progress()
    for item in items:
        update = notes.get(id_of(item))
        note = update.note.strip() if update else ""
        if item.status is ActionStatus.done:
            progress.done.append((item.description, note))
        elif item.status is ActionStatus.in_progress:
            progress.in_progress.append((item.description, note))
        else:
            due = f"due {long_date(item.due_on)}" if item.due_on else ""
            progress.still_open.append((item.description, note or due))
    return progress


def own_words(
    session: Session, *, speaker: SessionSpeaker, recap: Recap, document: RecapDocument
) -> list[str]:
    """The storyteller's quotes as the approved recap printed them; none without consent."""
    if speaker.consent is Consent.none:
        return []
    approved = {quote.text for quote in document.quotes}
    texts = session.exec(
        select(RecapQuote.text)
        .where(RecapQuote.recap_id == id_of(recap), RecapQuote.speaker_id == id_of(speaker))
        .order_by(col(RecapQuote.position), col(RecapQuote.id))
    ).all()
    return [text for text in texts if text in approved][:QUOTES_IN_LETTER]


def _and(words: list[str]) -> str:
    """'a', 'a and b', 'a, b, and c'."""
    if len(words) <= 2:
        return " and ".join(words)
    return f"{', '.join(words[:-1])}, and {words[-1]}"


def _lines(entries: list[tuple[str, str]]) -> list[str]:
    return [f"- {text}" + (f" ({note})" if note else "") for text, note in entries]


def draft_subject(story_session: StorySession) -> str:
    return f"What we did with your story: {story_session.title}"[:200]


def draft_body(
    session: Session,
    *,
    story_session: StorySession,
    speaker: SessionSpeaker,
    recap: Recap,
    version: RecapVersion,
    author: User | None,
) -> str:
    """The letter in plain text, ready for the organizer to edit."""
    document = RecapDocument.model_validate(version.document)
    progress = progress_of(session, story_session)
    day = story_session.starts_at.astimezone(ZoneInfo(story_session.timezone)).date()
    first_name = speaker.name.split()[0] if speaker.name.split() else speaker.name
    paragraphs = [
        f"Dear {first_name},",
        f"Thank you again for telling us your story at “{story_session.title}” on "
        f"{long_date(day)}.",
    ]
    quotes = own_words(session, speaker=speaker, recap=recap, document=document)
    if quotes:
        paragraphs.append("You told us:\n" + "\n".join(f"“{text.strip()}”" for text in quotes))
    else:
        lead = first_paragraph(document.summary_html)[1]
        if document.themes:
            paragraphs.append(f"You told us about {_and(document.themes).lower()}.")
        elif lead:
            paragraphs.append(f"What we heard: {lead}")
    if progress.total == 0:
        paragraphs.append(
            "We have not recorded actions yet. We will write again when we have something to "
            "show you."
        )
    else:
        paragraphs.append("Here is what we have done about it since:")
        for heading, entries in (
            ("Done", progress.done),
            ("In progress", progress.in_progress),
            ("Still open", progress.still_open),
        ):
            if entries:
                paragraphs.append(f"{heading}:\n" + "\n".join(_lines(entries)))
    paragraphs.append(
        "We would like to know whether this made a difference for you: the link below lets you "
        "reply in your own words and rate it, in a minute."
    )
    signature = "With thanks,"
    if author is not None and author.name:
        signature += f"\n{author.name}"
    paragraphs.append(f"{signature}\n{document.company_name}")
    return "\n\n".join(paragraphs)
