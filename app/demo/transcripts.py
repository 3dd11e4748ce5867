"""Demo transcripts: the recent Zoom sessions' recording transcripts and chats, imported for real.

The files are written here as Zoom writes them (a WebVTT transcript with `Name: text` cues,
a saved chat of `HH:MM:SS<TAB>Name:<TAB>text` lines) and go through the same import as an
organizer's upload, so speakers are matched and suggestions computed as they would be. The
storytellers tell what the demo recaps summarise (app.demo.recaps' points); the host opens and
closes, and executives who came ask questions aloud and in the chat — one of them only in
the chat, missing from Zoom's attendance report, as happens. Seeded: the same every time.
"""

import random
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.audit import service as audit
from app.db import id_of
from app.demo.story_sessions import DemoSessions
from app.models import (
    Attendance,
    Consent,
    Customer,
    Level,
    Person,
    Platform,
    SessionSpeaker,
    SpeakerMatch,
    StorySession,
    Transcript,
    TranscriptCue,
    TranscriptKind,
    TranscriptSpeaker,
)
from app.recaps.questions import add_question
from app.recaps.quotes import add_quote
from app.recaps.schemas import QuestionCreate, QuoteCreate, QuoteCues
from app.transcripts.importing import import_transcript, recompute_suggestions
from app.transcripts.schemas import SpeakerConfirm
from app.transcripts.speakers import confirm_speaker

SEED = 15
SESSIONS = 4
"""The most recent completed Zoom sessions that get a transcript and a chat."""
WORDS_PER_SECOND = 2.6


@dataclass(frozen=True)
class Topic:
    """One part of a customer's story: what they say, and what a leader asks about it."""

    told: tuple[str, ...]
    question: str
    answer: tuple[str, ...]
    chat_question: str


# The points the demo recaps summarise (app.demo.recaps.SUMMARY_POINTS), as a customer says them.
TOPICS = (
    Topic(
        told=(
            "Onboarding was the hardest part of the first year.",
            "We were asked for the same insurance certificate in three different tools, and "
            "nobody could tell us which upload counted.",
            "My office manager spent most of a week on paperwork she had already done.",
        ),
        question="If we could fix one thing in onboarding tomorrow, what would it be?",
        answer=(
            "One place to send documents, and one person who tells us when we are done.",
            "Honestly, that alone would have saved us a week.",
        ),
        chat_question="Do we know how many new customers hit the duplicate documents problem?",
    ),
    Topic(
        told=(
            "Your support people are quick and friendly, and I mean that.",
            "The trouble starts when the question is about billing, because they cannot see "
            "our contract.",
            "So a simple question about a discount waits three or four days for someone else.",
        ),
        question="When a billing question waits for days, what does that cost you?",
        answer=(
            "It costs my finance team their month end.",
            "They hold the invoice, and then your collections team calls us about it.",
        ),
        chat_question="Could support get read access to contract terms?",
    ),
    Topic(
        told=(
            "Deliveries are mostly on time, but not when an order changes late.",
            "If we add two boxes after the carrier cut-off, the whole order misses its window, "
            "and we only find out when the site calls.",
            "A warning the same afternoon would let us plan around it.",
        ),
        question="Would a text message on the day be enough, or do you need it earlier?",
        answer=(
            "The same afternoon is enough.",
            "What hurts is hearing it from a site manager at seven in the morning.",
        ),
        chat_question="Who owns the carrier cut-off rules today?",
    ),
    Topic(
        told=(
            "The new ordering portal is brilliant, for the people who found it.",
            "It saves my team a morning every week.",
            "Nobody told us it existed; we heard about it from another customer at a trade fair.",
        ),
        question="How did you finally hear about the portal?",
        answer=("From another customer, at a trade fair in March.", "Not from us, sadly."),
        chat_question="Is the portal part of our onboarding call script?",
    ),
    Topic(
        told=(
            "Returns take far too long for a business like ours that hires every week.",
            "A uniform that does not fit comes back after six weeks, and by then the new "
            "starter has left or bought their own boots.",
            "It makes us look careless to our own people.",
        ),
        question="What would a good returns time look like for you?",
        answer=("Two weeks. Anything under two weeks and nobody notices.",),
        chat_question="What is our average returns cycle this quarter?",
    ),
    Topic(
        told=(
            "Our account manager changed three times in one year.",
            "Each handover lost history, and each new person asked us the same questions again.",
            "By the third one I stopped explaining and started emailing your CEO.",
        ),
        question="What should a handover between account managers look like?",
        answer=(
            "A call with both of them and me, once.",
            "And a written note of what we agreed, so nothing is promised twice.",
        ),
        chat_question="Do we have a handover checklist for key accounts?",
    ),
    Topic(
        told=(
            "The invoices do not match the delivery notes line by line.",
            "Our finance team rejects them, and then everybody loses a week.",
            "Printing the delivery note number on each line would end the argument.",
        ),
        question="Is that true for every invoice, or only for split deliveries?",
        answer=("Mostly split deliveries, but that is half of our orders.",),
        chat_question="Can we print the delivery note number on every invoice line?",
    ),
    Topic(
        told=(
            "Product quality is the reason we chose you, and it is still why we stay.",
            "The jackets last two winters on a building site, which nobody else manages.",
            "Please do not trade that away to save a little on fabric.",
        ),
        question="What would make you leave, if quality stayed the same?",
        answer=(
            "Being ignored. If we raise something and hear nothing for a month, we will look "
            "elsewhere.",
        ),
        chat_question="Are we changing fabric suppliers next year?",
    ),
)
OPENING = (
    "Good afternoon everyone, and welcome to Voice of the Customer.",
    "Can everyone see my screen? Give me a thumbs up in the chat.",
    "Today {teller} from {customer} tells us, in their own words, what it is like to work "
    "with us. Please put your questions in the chat as we go.",
)
WELCOME = "Thank you for having me. We have worked with you for {years} years now."
HANDOVER = "Wonderful. Start wherever it started for you."
CLOSING = (
    "Thank you so much, {first}. That was candid and very useful.",
    "The recap goes to the operating committee this week, with the actions we take.",
)
CHAT_OPENING = "Welcome! Questions in the chat are welcome, we will read some out at the end."
ABSENT_QUESTION = "Will the recap say who owns each of these, and by when?"
CHAT_THANKS = ("Thank you, very clear.", "This was really useful, thanks.", "Great session.")


@dataclass(frozen=True)
class DemoTranscripts:
    transcripts: int
    """Recording transcripts imported (each with its chat)."""
    transcript_ids: list[int]
    """The transcripts and chats, to suggest from again once the recaps' themes exist."""


def _clock(seconds: float, *, millis: bool) -> str:
    whole, thousandths = divmod(round(seconds * 1000), 1000)
    text = f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
    return f"{text}.{thousandths:03d}" if millis else text


def timeline(lines: list[tuple[str, str]], *, start: float = 4.0) -> list[tuple[float, float]]:
    """When each line is said: one after the other, each as long as its words take."""
    times, at = [], start
    for _, text in lines:
        end = at + max(1.5, len(text.split()) / WORDS_PER_SECOND)
        times.append((at, end))
        at = end + 0.4
    return times


def zoom_vtt(lines: list[tuple[str, str]], *, start: float = 4.0) -> str:
    """A Zoom cloud-recording transcript: numbered cues, `Name: text`, times by length."""
    blocks = ["WEBVTT", ""]
    for number, ((label, text), (at, end)) in enumerate(
        zip(lines, timeline(lines, start=start), strict=True), start=1
    ):
        blocks += [str(number), f"{_clock(at, millis=True)} --> {_clock(end, millis=True)}"]
        blocks += [f"{label}: {text}", ""]
    return "\n".join(blocks)


def zoom_chat(messages: list[tuple[float, str, str]]) -> str:
    """A Zoom saved chat: `HH:MM:SS<TAB>Name:<TAB>text` lines, as the meeting window writes."""
    return "".join(
        f"{_clock(at, millis=False)}\t{label}:\t{text}\r\n" for at, label, text in messages
    )


@dataclass(frozen=True)
class _Cast:
    host: Person
    tellers: list[tuple[SessionSpeaker, str]]
    """Each storyteller and their Zoom label ("Ana Ruiz - Acme")."""
    askers: list[Person]
    """Executives who came, the first ones asking aloud and in the chat."""
    absent: Person | None
    """An executive missing from the attendance report who asks in the chat only."""
    guest: Person | None
    """Someone else who came and says thank you in the chat."""


def _script(
    cast: _Cast, customer: str, topics: list[Topic], rng: random.Random
) -> tuple[list[tuple[str, str]], list[tuple[float, str, str]]]:
    """What is said (label, text) and written in the chat (seconds, label, text)."""
    host = cast.host.name
    first_teller = cast.tellers[0][0].name
    said = [(host, line.format(teller=first_teller, customer=customer)) for line in OPENING]
    # Chat messages by the line of speech they are written during.
    written: list[tuple[int, str, str]] = [(0, host, CHAT_OPENING)]
    said.append((cast.tellers[0][1], WELCOME.format(years=rng.randint(2, 9))))
    said.append((host, HANDOVER))
    for index, topic in enumerate(topics):
        teller = cast.tellers[index % len(cast.tellers)][1]
        said += [(teller, line) for line in topic.told]
        if index < len(cast.askers):
            asker = cast.askers[index].name
            written.append((len(said) - 1, asker, topic.chat_question))
            said.append((asker, topic.question))
            said += [(teller, line) for line in topic.answer]
    if cast.absent is not None:
        written.append((len(said) - 2, cast.absent.name, ABSENT_QUESTION))
    if cast.guest is not None:
        written.append((len(said) - 1, cast.guest.name, rng.choice(CHAT_THANKS)))
    said += [(host, line.format(first=first_teller.split()[0])) for line in CLOSING]
    times = timeline(said)
    chat = [(round(times[line][0] + 2), label, text) for line, label, text in written]
    return said, sorted(chat)


def _recent_zoom_sessions(session: Session, sessions: DemoSessions) -> list[StorySession]:
    return list(
        session.exec(
            select(StorySession)
            .where(
                col(StorySession.id).in_(sessions.completed_ids),
                StorySession.platform == Platform.zoom,
            )
            .order_by(col(StorySession.starts_at).desc())
            .limit(SESSIONS)
        ).all()
    )


def _cast(session: Session, story: StorySession, rng: random.Random, *, absent: bool) -> _Cast:
    customer = session.get(Customer, story.customer_id) if story.customer_id else None
    short = (customer.name if customer else "Customer").split()[0]
    tellers = session.exec(
        select(SessionSpeaker)
        .where(SessionSpeaker.session_id == story.id)
        .order_by(col(SessionSpeaker.id))
    ).all()
    host = session.get(Person, story.host_id) if story.host_id else None
    assert host is not None, "demo sessions have a host"
    assert tellers, "demo sessions have storytellers"
    came = session.exec(
        select(Person, Level.is_executive)
        .join(Attendance, col(Attendance.person_id) == Person.id)
        .join(Level, col(Level.id) == Person.level_id)
        .where(Attendance.session_id == story.id, col(Attendance.attended), Person.id != host.id)
        .order_by(col(Person.id))
    ).all()
    executives = [person for person, executive in came if executive]
    others = [person for person, executive in came if not executive]
    missing = None
    if absent:
        listed = {id_of(person) for person, _ in came}
        missing = session.exec(
            select(Person)
            .join(Level, col(Level.id) == Person.level_id)
            .where(col(Level.is_executive), col(Person.active), col(Person.id).not_in(listed))
            .order_by(col(Person.id))
        ).first()
    return _Cast(
        host=host,
        tellers=[(teller, f"{teller.name} - {short}") for teller in tellers],
        askers=rng.sample(executives, min(len(executives), rng.randint(2, 3))),
        absent=missing,
        guest=rng.choice(others) if others else None,
    )


def load_transcripts(session: Session, *, sessions: DemoSessions) -> DemoTranscripts:
    """Import a transcript and a chat for the most recent Zoom sessions, confirm a couple of
    speakers, and put a passage and a chat question into each recap (before it is approved)."""
    rng = random.Random(SEED)  # noqa: S311 - deterministic demo data, not security
    stories = _recent_zoom_sessions(session, sessions)
    # Each session tells the next three parts of one shuffled story: no two open alike.
    order = rng.sample(TOPICS, len(TOPICS))
    ids: list[int] = []
    with audit.acting_as(audit.SYSTEM):
        for index, story in enumerate(stories):
            customer = session.get(Customer, story.customer_id) if story.customer_id else None
            cast = _cast(session, story, rng, absent=index == 0)
            topics = [order[(3 * index + part) % len(order)] for part in range(3)]
            said, chat = _script(cast, customer.name if customer else "our customer", topics, rng)
            day = f"{story.starts_at:%Y%m%d-%H%M%S}"
            # The cloud recording the transcript came with: its times open it there.
            story.recording_url = f"https://zoom.example.com/rec/share/northwind-{day}"
            session.add(story)
            spoken = import_transcript(
                session,
                story_session=story,
                data=zoom_vtt(said).encode(),
                filename=f"GMT{day}_Recording.transcript.vtt",
                user=None,
            )
            written = import_transcript(
                session,
                story_session=story,
                data=zoom_chat(chat).encode(),
                filename=f"GMT{day}_meeting_saved_chat.txt",
                user=None,
            )
            ids += [spoken.id, written.id]
            if index == 0:
                # As an organizer would on the speakers page: the host and the storyteller.
                for label, data in (
                    (cast.host.name, SpeakerConfirm(person_id=id_of(cast.host))),
                    (
                        cast.tellers[0][1],
                        SpeakerConfirm(session_speaker_id=id_of(cast.tellers[0][0])),
                    ),
                ):
                    confirm_speaker(session, story_session=story, label=label, data=data, user=None)
            _quote_and_question(session, story, spoken.id, written.id)
    return DemoTranscripts(transcripts=len(stories), transcript_ids=ids)


def _quote_and_question(
    session: Session, story: StorySession, transcript_id: int, chat_id: int
) -> None:
    """The best suggested passage of a storyteller who may be quoted, and the first question
    an executive asked in the chat, into the session's recap."""
    transcript = session.get(Transcript, transcript_id)
    assert transcript is not None
    quotable = set(
        session.exec(
            select(TranscriptSpeaker.label)
            .join(SessionSpeaker, col(SessionSpeaker.id) == TranscriptSpeaker.session_speaker_id)
            .where(
                TranscriptSpeaker.transcript_id == transcript_id,
                TranscriptSpeaker.match == SpeakerMatch.storyteller,
                SessionSpeaker.consent != Consent.none,
            )
        ).all()
    )
    best = next(
        (q for q in transcript.suggestions.get("quotes", []) if q["speaker"] in quotable), None
    )
    if best is not None:
        cues = QuoteCues(
            transcript_id=transcript_id, first=best["first_cue"], last=best["last_cue"]
        )
        add_quote(session, story_session=story, data=QuoteCreate(cues=cues))
    asked = session.exec(
        select(TranscriptCue.position)
        .join(TranscriptSpeaker, col(TranscriptSpeaker.id) == TranscriptCue.speaker_id)
        .join(Person, col(Person.id) == TranscriptSpeaker.person_id)
        .join(Level, col(Level.id) == Person.level_id)
        .where(
            TranscriptCue.transcript_id == chat_id,
            col(TranscriptCue.is_question),
            col(Level.is_executive),
        )
        .order_by(col(TranscriptCue.position))
    ).first()
    if asked is not None:
        add_question(
            session,
            story_session=story,
            data=QuestionCreate(transcript_id=chat_id, position=asked),
        )


def refresh_suggestions(session: Session, *, transcripts: DemoTranscripts) -> None:
    """Suggest again once the recaps have named their themes, so phrases meet existing ones."""
    for transcript_id in transcripts.transcript_ids:
        transcript = session.get(Transcript, transcript_id)
        if transcript is not None and transcript.kind is TranscriptKind.transcript:
            recompute_suggestions(session, transcript=transcript)
