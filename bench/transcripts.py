"""Importing a transcript with its suggestions (issue 15), against webvtt-py alone.

A generated Zoom cloud-recording transcript (WebVTT, numbered cues, `Name: text`): a 2-hour
session of 2,000 cues, two customer storytellers and five employees, sentences drawn from a
fixed vocabulary with a seeded random generator (the same file every run). Then, median of
REPEATS, each step alternating with the others so a burst of load hits them all:

(a) webvtt-py alone: `webvtt.from_buffer` and each caption's start, end and text — the bare
    parse, the baseline;
(b) `app.transcripts.parsing.parse_transcript` (detection, decoding, speaker and text);
(c) the whole import, `app.transcripts.importing.import_transcript`, committed, into a fresh
    story session of a SQLite database built by `alembic upgrade head`: parse, match the
    speakers to the session's storytellers and the directory, store the cues, suggest;
(d) `app.transcripts.suggestions.suggest` alone on the same cues.

Targets: (c) ≤ 5× (a) and under 2 s. (e) Memory for a 20,000-cue file in a child process: the
peak of Python allocations during the import (tracemalloc), and the process's peak resident
memory over its resident memory just before the import (VmHWM − VmRSS). Target < 150 MB.
"""

import io
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.transcripts.suggestions import CueText

REPEATS = int(os.environ.get("BENCH_TRANSCRIPT_REPEATS", "7"))
CUES = 2_000
BIG_CUES = 20_000
HOURS = 2
CUSTOMERS = ("Dana Whitfield", "Luis Ortega")
EMPLOYEES = ("Priya Shah", "Tom Becker", "Mei Chen", "Oscar Lindqvist", "Amara Okafor")
STARTS = datetime(2026, 11, 3, 15, 0, tzinfo=UTC)

TOPICS = (
    "the invoices",
    "the billing process",
    "the onboarding",
    "the route planning",
    "the mobile app",
    "the support queue",
    "the reporting dashboard",
    "the integration with our ERP",
    "the pricing",
    "the contract renewal",
    "the data export",
    "the driver training",
)
TEAMS = ("finance team", "dispatchers", "drivers", "warehouse staff", "IT team", "managers")
DURATIONS = (
    "two days",
    "three weeks",
    "a month",
    "six months",
    "twenty minutes",
    "two hours",
    "a whole quarter",
)
FEELINGS = (
    "was frustrating",
    "was a nightmare",
    "worked really well",
    "surprised us in a good way",
    "was slower than we hoped",
    "was honestly great",
    "kept breaking",
    "was confusing at first",
)
CUSTOMER_SENTENCES = (
    "For {duration} {topic} {feeling}, and our {team} noticed it every day.",
    "We spent {duration} fixing {topic} before anyone called us back.",
    "Our {team} told me that {topic} {feeling}.",
    "I remember when {topic} {feeling}, it cost us {percent} of a week.",
    "Honestly, {topic} is the reason we almost cancelled the contract.",
    "Since the change {topic} {feeling}, and disputes dropped by {percent}.",
    "My {team} plan a whole day in {duration} now instead of a morning.",
    "We would like one owner for {topic}, someone who answers within {duration}.",
    "Um, so, you know, {topic} {feeling} for us, like, most of the time.",
    "If {topic} gets fixed for good, we will renew for three years.",
    "The thing about {topic} is that nobody could tell us who owned it.",
    "We told your account manager about {topic} and it improved within {duration}.",
)
EMPLOYEE_SENTENCES = (
    "Can you tell us more about {topic}?",
    "How did that affect your {team}?",
    "That's really helpful, thank you.",
    "What would you change first about {topic}?",
    "We hear that a lot about {topic}, so this is useful.",
    "Someone in the chat asks how long {topic} took.",
    "Let me share the next slide with the timeline.",
    "Can you see my screen?",
    "Sorry, you're on mute.",
)
FILLER = ("Yeah.", "Okay.", "Right, right.", "Mm-hmm.", "Sorry, go ahead.")


def _sentence(rng: random.Random, templates: tuple[str, ...]) -> str:
    return rng.choice(templates).format(
        topic=rng.choice(TOPICS),
        team=rng.choice(TEAMS),
        duration=rng.choice(DURATIONS),
        feeling=rng.choice(FEELINGS),
        percent=f"{rng.randrange(5, 95, 5)}%",
    )


def _clock(seconds: float) -> str:
    whole, millis = divmod(round(seconds * 1000), 1000)
    return f"{whole // 3600:02d}:{whole // 60 % 60:02d}:{whole % 60:02d}.{millis:03d}"


def zoom_vtt(cues: int, *, seed: int = 15) -> bytes:
    """A Zoom transcript of `cues` cues over HOURS hours per 2,000 cues, the same every run."""
    rng = random.Random(seed)
    texts: list[tuple[str, str]] = []
    while len(texts) < cues:
        # A turn: a customer tells (55 % of turns), or an employee asks or reacts.
        if rng.random() < 0.55:
            speaker = rng.choice(CUSTOMERS)
            words = " ".join(
                _sentence(rng, CUSTOMER_SENTENCES) for _ in range(rng.randint(1, 4))
            ).split()
        else:
            speaker = rng.choice(EMPLOYEES)
            if rng.random() < 0.2:
                words = rng.choice(FILLER).split()
            else:
                words = _sentence(rng, EMPLOYEE_SENTENCES).split()
        # Zoom cuts a turn into cues of 6-18 words, often mid-sentence.
        while words and len(texts) < cues:
            take = rng.randint(6, 18)
            texts.append((speaker, " ".join(words[:take])))
            words = words[take:]
    step = HOURS * 3600 / CUES  # 3.6 s a cue: 2,000 cues make 2 hours
    out = io.StringIO()
    out.write("WEBVTT\n\n")
    at = 1.0
    for number, (speaker, text) in enumerate(texts, start=1):
        length = step * rng.uniform(0.7, 0.95)
        out.write(f"{number}\n{_clock(at)} --> {_clock(at + length)}\n{speaker}: {text}\n\n")
        at += step * rng.uniform(0.9, 1.1)
    return out.getvalue().encode()


def prepare_database(directory: Path) -> str:
    """A migrated SQLite database whose directory knows the five employees."""
    from sqlmodel import select

    from app.db import bind_sessions, make_engine, migrate, open_session
    from app.models import Level, Person

    url = f"sqlite:///{directory / 'bench.db'}"
    migrate(url)
    bind_sessions(make_engine(url))
    with open_session() as session:
        ic = session.exec(select(Level).where(Level.key == "ic")).one().id
        assert ic is not None
        for name in EMPLOYEES:
            email = name.lower().replace(" ", ".") + "@bench.example"
            session.add(Person(email=email, name=name, department="CX", level_id=ic))
        session.commit()
    return url


def new_story_session() -> int:
    """A completed session with the two customers as its storytellers."""
    from app.db import open_session
    from app.models import Consent, Platform, SessionSpeaker, SessionStatus, StorySession

    with open_session() as session:
        story_session = StorySession(
            title="Bench transcript",
            starts_at=STARTS,
            timezone="UTC",
            duration_minutes=HOURS * 60,
            platform=Platform.zoom,
            status=SessionStatus.completed,
        )
        session.add(story_session)
        session.flush()
        assert story_session.id is not None
        for name in CUSTOMERS:
            session.add(
                SessionSpeaker(session_id=story_session.id, name=name, consent=Consent.named)
            )
        session.commit()
        return story_session.id


def import_once(data: bytes, session_id: int) -> int:
    """The whole import, committed; the number of quotes it suggested."""
    from sqlmodel import select

    from app.db import open_session
    from app.models import StorySession, Transcript
    from app.transcripts.importing import import_transcript

    with open_session() as session:
        story_session = session.get(StorySession, session_id)
        assert story_session is not None
        import_transcript(
            session, story_session=story_session, data=data, filename="zoom.vtt", user=None
        )
        session.commit()
        transcript = session.exec(
            select(Transcript).where(Transcript.session_id == session_id)
        ).one()
        return len(transcript.suggestions.get("quotes", []))


def bare_parse(data: bytes) -> int:
    """webvtt-py alone, reading what an import needs from each caption."""
    import webvtt

    captions = webvtt.from_buffer(io.BytesIO(data)).captions
    return sum(len(c.text) + c.start_in_seconds + c.end_in_seconds for c in captions)


def cue_texts(data: bytes) -> "list[CueText]":
    from app.transcripts.parsing import parse_transcript
    from app.transcripts.suggestions import CueText

    return [
        CueText(
            position=i,
            speaker=cue.speaker,
            start_seconds=cue.start_seconds,
            end_seconds=cue.end_seconds,
            text=cue.text,
        )
        for i, cue in enumerate(parse_transcript(data, filename="zoom.vtt").cues, start=1)
    ]


def _timed(run: Callable[[], object]) -> float:
    began = time.perf_counter()
    run()
    return time.perf_counter() - began


def speed(tmp: Path) -> str:
    from app.transcripts.parsing import parse_transcript
    from app.transcripts.suggestions import suggest

    data = zoom_vtt(CUES)
    url = prepare_database(tmp)
    cues = cue_texts(data)
    customers = set(CUSTOMERS)
    words = sum(len(c.text.split()) for c in cues)
    spoken = sum(len(c.text.split()) for c in cues if c.speaker in customers)
    print(
        f"{CUES:,} cues over {HOURS} hours: {len(data) / 1e3:.0f} kB, {words:,} words "
        f"({spoken:,} the customers')"
    )
    themes = [(1, "Billing"), (2, "Onboarding"), (3, "Support response time")]
    # Warm: imports, YAKE's and VADER's one-off loading (once per process, not per import).
    bare_parse(data)
    suggest(cues, customer_speakers=customers, themes=themes)
    quotes = import_once(data, new_story_session())
    timings: dict[str, list[float]] = {"bare": [], "parse": [], "import": [], "suggest": []}
    for _ in range(REPEATS):
        session_id = new_story_session()
        timings["bare"].append(_timed(lambda: bare_parse(data)))
        timings["parse"].append(_timed(lambda: parse_transcript(data, filename="zoom.vtt")))
        timings["import"].append(_timed(lambda: import_once(data, session_id)))  # noqa: B023
        timings["suggest"].append(
            _timed(lambda: suggest(cues, customer_speakers=customers, themes=themes))
        )
    bare, parse, whole, alone = (
        statistics.median(timings[k]) * 1000 for k in ("bare", "parse", "import", "suggest")
    )
    print(
        f"(a) webvtt-py alone (from_buffer; start, end, text): {bare:5.0f} ms, median of {REPEATS}"
    )
    print(
        f"(b) parse_transcript:                                {parse:5.0f} ms  "
        f"{parse / bare:.2f}x (a)"
    )
    print(
        f"(c) import_transcript, committed:                    {whole:5.0f} ms  "
        f"{whole / bare:.2f}x (a) (target <= 5x and < 2 s)"
    )
    print(
        f"(d) suggest() alone:                                 {alone:5.0f} ms  "
        f"{alone / whole:.0%} of (c)"
    )
    result = suggest(cues, customer_speakers=customers, themes=themes)
    print(f"suggested: {quotes} quotes; themes {', '.join(t.name for t in result.themes)}")
    return url


def peak_rss_mb() -> float:
    return _status_mb("VmHWM")


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def memory(tmp: Path, url: str) -> None:
    big = tmp / "zoom-20k.vtt"
    big.write_bytes(zoom_vtt(BIG_CUES))
    print(f"{BIG_CUES:,}-cue file: {big.stat().st_size / 1e6:.1f} MB")
    for mode in ("--rss", "--tracemalloc"):
        output = subprocess.run(
            [sys.executable, "-m", "bench.transcripts", mode, str(big), url],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        print(output)


def child(mode: str, path: Path, url: str) -> None:
    """In a fresh process: the app and the suggestions' libraries loaded, then one import."""
    from app.db import bind_sessions, make_engine
    from app.transcripts.suggestions import CueText, suggest

    bind_sessions(make_engine(url))
    # Load YAKE and VADER first: their one-off cost is the process's, not the import's.
    suggest(
        [CueText(1, CUSTOMERS[0], 0, 5, "We waited three weeks for the invoices to be fixed.")],
        customer_speakers={CUSTOMERS[0]},
        themes=[],
    )
    data = path.read_bytes()
    session_id = new_story_session()
    if mode == "--tracemalloc":
        tracemalloc.start()
        import_once(data, session_id)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"peak Python allocations importing {BIG_CUES:,} cues: {peak / 2**20:.0f} MB")
    else:
        before = _status_mb("VmRSS")
        import_once(data, session_id)
        after = peak_rss_mb()
        print(
            f"resident memory importing {BIG_CUES:,} cues: {before:.0f} MB before, peak "
            f"{after:.0f} MB, +{after - before:.0f} MB (target < 150 MB)"
        )


def main() -> None:
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        os.environ.setdefault("STORYROOM_VAR_DIR", str(tmp))
        url = speed(tmp)
        memory(tmp, url)


if __name__ == "__main__":
    if len(sys.argv) == 4:
        child(sys.argv[1], Path(sys.argv[2]), sys.argv[3])
    else:
        main()
