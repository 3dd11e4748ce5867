"""Taking part: who spoke or wrote in the chat, counted in grouped statements."""

from sqlmodel import Session

from app.models import SessionStatus, TranscriptKind
from app.transcripts.participation import (
    Participation,
    participation,
    participation_text,
    session_participation,
)
from tests.dashboards.test_pages import count_queries
from tests.factories import (
    create_attendance,
    create_person,
    create_session,
    create_speaker,
    create_transcript,
)


def test_participation_sums_speaking_chat_and_questions_per_session_and_person(
    db: Session,
) -> None:
    story = create_session(db, status=SessionStatus.completed)
    other = create_session(db, title="Another", status=SessionStatus.completed)
    vera = create_person(db, email="vera@example.com", name="Vera Chief", level_key="c-suite")
    hal = create_person(db, email="hal@example.com", name="Hal Host")
    ana = create_speaker(db, story)
    create_transcript(
        db,
        story,
        cues=[
            ("Hal Host", 0, 30, "Welcome everyone."),
            ("Ana Ruiz", 30, 200, "We ordered in March."),
            ("Vera Chief", 200, 320, "What would you change first?"),
            ("Vera Chief", 330, 450, "And after that?"),
            ("Someone", 450, 460, "Can you hear me?"),
        ],
        who={"Hal Host": hal, "Ana Ruiz": ana, "Vera Chief": vera},
    )
    create_transcript(
        db,
        story,
        kind=TranscriptKind.chat,
        cues=[
            ("Vera Chief", 100, 100, "Who owns invoices?"),
            ("Vera Chief", 110, 110, "Thanks, very clear"),
            ("Vera Chief", 120, 120, "Is there a date?"),
            ("Hal Host", 130, 130, "Link to the survey"),
        ],
        who={"Vera Chief": vera, "Hal Host": hal},
    )
    create_transcript(db, other, cues=[("Vera Chief", 0, 50, "Hello.")], who={"Vera Chief": vera})

    found = participation(db, session_ids=[story.id or 0, other.id or 0])

    assert found == {
        (story.id, vera.id): Participation(
            seconds_spoken=240, cues=2, chat_messages=3, questions=2
        ),
        (story.id, hal.id): Participation(seconds_spoken=30, cues=1, chat_messages=1, questions=0),
        (other.id, vera.id): Participation(seconds_spoken=50, cues=1),
    }
    assert found[(story.id or 0, vera.id or 0)].text == "spoke 4 min · asked 2 questions in chat"
    assert found[(story.id or 0, hal.id or 0)].text == "spoke 1 min · wrote 1 message in chat"


def test_participation_text_says_each_kind_of_taking_part() -> None:
    assert participation_text(seconds_spoken=20, cues=1, chat_messages=0, questions=0) == (
        "spoke briefly"
    )
    assert participation_text(seconds_spoken=95, cues=3, chat_messages=0, questions=0) == (
        "spoke 2 min"
    )
    assert participation_text(seconds_spoken=0, cues=0, chat_messages=1, questions=1) == (
        "asked 1 question in chat"
    )
    assert participation_text(seconds_spoken=0, cues=0, chat_messages=4, questions=0) == (
        "wrote 4 messages in chat"
    )


def test_participation_ignores_storytellers_and_unmatched_speakers(db: Session) -> None:
    story = create_session(db, status=SessionStatus.completed)
    ana = create_speaker(db, story)
    create_transcript(
        db,
        story,
        cues=[("Ana Ruiz", 0, 60, "We ordered."), ("Guest 4", 60, 90, "Me too?")],
        who={"Ana Ruiz": ana},
    )

    assert participation(db, session_ids=[story.id or 0]) == {}
    assert participation(db, session_ids=[]) == {}


def test_participation_runs_two_statements_whatever_the_number_of_people(db: Session) -> None:
    story = create_session(db, status=SessionStatus.completed)

    def speak(count: int) -> list[str]:
        people = {
            f"Person {count} {n}": create_person(
                db, email=f"p{count}-{n}@example.com", name=f"Person {count} {n}"
            )
            for n in range(count)
        }
        transcript = create_transcript(
            db,
            create_session(db, title=f"S{count}", status=SessionStatus.completed),
            kind=TranscriptKind.chat,
            cues=[(label, n, n, "A question?") for n, label in enumerate(people)],
            who=dict(people),
        )
        with count_queries(db) as statements:
            found = participation(db, session_ids=[story.id or 0, transcript.session_id])
        assert len(found) == count
        return statements

    assert len(speak(1)) == len(speak(12)) == 2


def test_session_participation_lists_who_took_part_without_an_attendance_row(
    db: Session,
) -> None:
    story = create_session(db, status=SessionStatus.completed)
    listed = create_person(db, email="listed@example.com", name="Listed Leader", level_key="vp")
    missed = create_person(db, email="missed@example.com", name="Missed Chief", level_key="vp")
    under = create_person(db, email="under@example.com", name="Under Minimum")
    create_attendance(db, story_session=story, person=listed)
    create_attendance(db, story_session=story, person=under, attended=False, minutes_present=2)
    create_transcript(
        db,
        story,
        kind=TranscriptKind.chat,
        cues=[
            ("Listed Leader", 10, 10, "Great point"),
            ("Missed Chief", 20, 20, "Who owns this?"),
            ("Under Minimum", 30, 30, "Hi"),
        ],
        who={"Listed Leader": listed, "Missed Chief": missed, "Under Minimum": under},
    )

    found = session_participation(db, session_id=story.id or 0)

    assert set(found.by_person) == {listed.id, missed.id, under.id}
    assert [(p.person_id, p.name, p.participation.text) for p in found.not_in_report] == [
        (missed.id, "Missed Chief", "asked 1 question in chat")
    ]
