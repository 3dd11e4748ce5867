"""Taking part counts as coming for the engagement ladder, with its evidence on the person page."""

from datetime import date

from sqlmodel import Session

from app.dashboards import service
from app.dashboards.person_stage import person_stage, stage_timeline
from app.dashboards.schemas import DashboardFilters
from app.kit.quarters import Quarter
from app.models import EngagementStage, Person, SessionStatus, TranscriptKind
from tests.conftest import PageClient
from tests.dashboards.ladder_support import attend, held
from tests.dashboards.test_pages import count_queries
from tests.factories import create_person, create_transcript

Q1 = Quarter(2026, 1)
UNTIL_Q1 = DashboardFilters(end=date(2026, 3, 31))


def _leader(db: Session, key: str = "vera", manager: Person | None = None) -> Person:
    return create_person(
        db,
        email=f"{key}@example.com",
        name=f"{key.capitalize()} Chief",
        level_key="vp",
        manager=manager,
    )


def test_a_leader_who_asked_in_chat_without_an_attendance_row_is_at_buy_in(
    db: Session, viewer_web: PageClient
) -> None:
    leader = _leader(db)
    march = held(db, 3, 12, "March <voices>")
    create_transcript(
        db,
        march,
        kind=TranscriptKind.chat,
        cues=[("Vera Chief", 600, 600, "Who owns the invoice fix?")],
        who={"Vera Chief": leader},
    )

    [row] = service.leaders(db, filters=UNTIL_Q1).items
    # Counted as having come, so not among the leaders who never attended.
    assert (row.stage, row.sessions_attended) == (EngagementStage.buy_in, 1)
    absentees = service.leaders(db, filters=UNTIL_Q1, never_attended=True)
    assert absentees.items == []
    stage = person_stage(db, person=leader)
    assert stage is not None
    assert stage.computed_stage == EngagementStage.buy_in
    timeline = stage_timeline(db, person=leader, quarters=1, until=Q1)
    assert timeline is not None
    [q1] = timeline.quarters
    assert q1.stage == EngagementStage.buy_in
    assert [(line.kind, line.text) for line in q1.evidence] == [
        ("took_part", "asked 1 question in chat at ‘March <voices>’ (12 Mar)")
    ]
    page = viewer_web.get(f"/people/{leader.id}").text
    assert "<li>asked 1 question in chat at ‘March &lt;voices&gt;’ (12 Mar)</li>" in page


def test_speaking_and_chat_in_one_session_make_one_evidence_line_beside_attendance(
    db: Session,
) -> None:
    leader = _leader(db)
    january, march = held(db, 1, 20, "January voices"), held(db, 3, 12, "March voices")
    attend(db, january, leader)
    attend(db, march, leader)
    create_transcript(
        db,
        march,
        cues=[("Vera", 0, 130, "What would you fix first?"), ("Vera", 140, 250, "Thank you.")],
        who={"Vera": leader},
    )
    create_transcript(
        db,
        march,
        kind=TranscriptKind.chat,
        cues=[("Vera Chief", 10, 10, "Great point"), ("Vera Chief", 20, 20, "Date?")],
        who={"Vera Chief": leader},
    )

    timeline = stage_timeline(db, person=leader, quarters=1, until=Q1)
    assert timeline is not None
    assert [line.text for line in timeline.quarters[0].evidence] == [
        "attended 2 sessions (20 Jan, 12 Mar)",
        "spoke 4 min · asked 1 question in chat at ‘March voices’ (12 Mar)",
    ]
    # Attended and took part in March: one session, counted once.
    [row] = service.leaders(db, filters=UNTIL_Q1).items
    assert (row.stage, row.sessions_attended) == (EngagementStage.buy_in, 2)


def test_taking_part_in_a_session_not_held_or_as_a_storyteller_counts_for_nobody(
    db: Session,
) -> None:
    leader = _leader(db)
    planned = held(db, 3, 12, "Planned")
    planned.status = SessionStatus.scheduled
    db.add(planned)
    db.flush()
    create_transcript(
        db,
        planned,
        kind=TranscriptKind.chat,
        cues=[("Vera Chief", 1, 1, "Hello?")],
        who={"Vera Chief": leader},
    )

    [row] = service.leaders(db, filters=UNTIL_Q1).items
    assert row.stage == EngagementStage.ignorance


def test_a_direct_report_who_only_took_part_does_not_make_their_leader_send_the_team(
    db: Session,
) -> None:
    leader = _leader(db)
    report = create_person(db, email="rep@example.com", name="Rep Ort", manager=leader)
    create_transcript(
        db, held(db, 3, 12), cues=[("Rep Ort", 0, 60, "A question.")], who={"Rep Ort": report}
    )

    [row] = service.leaders(db, filters=UNTIL_Q1).items
    assert (row.stage, row.team_attended) == (EngagementStage.ignorance, 0)


def test_ladder_statements_do_not_grow_with_the_people_who_took_part(
    db: Session, viewer_web: PageClient
) -> None:
    leader = _leader(db)
    create_transcript(
        db,
        held(db, 3, 12),
        kind=TranscriptKind.chat,
        cues=[("Vera Chief", 5, 5, "Why?")],
        who={"Vera Chief": leader},
    )

    def statements() -> tuple[int, int, int]:
        with count_queries(db) as leaders_page:
            assert viewer_web.get("/dashboard/leaders?end=2026-03-31").status_code == 200
        with count_queries(db) as timeline:
            assert stage_timeline(db, person=leader, until=Q1) is not None
        with count_queries(db) as person_page:
            assert viewer_web.get(f"/people/{leader.id}").status_code == 200
        return len(leaders_page), len(timeline), len(person_page)

    small = statements()
    for month in (1, 2, 3):
        story = held(db, month, 20, f"More {month}")
        people = {f"Leader {month} {n}": _leader(db, f"l{month}x{n}") for n in range(6)}
        create_transcript(
            db,
            story,
            kind=TranscriptKind.chat,
            cues=[(label, n, n, "A question?") for n, label in enumerate(people)],
            who=dict(people),
        )
        create_transcript(
            db, story, cues=[("Vera Chief", 0, 90, "Thanks.")], who={"Vera Chief": leader}
        )
    large = statements()

    assert large == small
    leaders = {row.name: row.stage for row in service.leaders(db, filters=UNTIL_Q1).items}
    assert set(leaders.values()) == {EngagementStage.buy_in}
    assert len(leaders) == 19
