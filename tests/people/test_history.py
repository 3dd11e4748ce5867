"""A person's history: the service's figures, the person page and the JSON endpoint."""

from datetime import UTC, date, datetime

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.dashboards import service as dashboards
from app.dashboards.person_stage import history_with_stage
from app.dashboards.schemas import DashboardFilters
from app.models import ActionStatus, EngagementStage, LeaderStage, Rsvp
from app.people.history import attendance_totals, person_history
from app.people.pages import duration, history_line
from tests.conftest import PageClient
from tests.factories import create_person
from tests.people.support import SUMMARY_LINE, build_story

TODAY = datetime(2026, 7, 1, tzinfo=UTC)


def test_history_figures_match_the_hand_count(db: Session) -> None:
    story = build_story(db)
    history = person_history(db, person=story.ada, today=TODAY)
    summary = history.summary
    assert (summary.invited, summary.accepted, summary.declined) == (4, 1, 1)
    assert (summary.tentative, summary.no_answer) == (1, 1)
    assert (summary.attended, summary.minutes_attended) == (2, 250)
    assert summary.last_attended_at == datetime(2026, 4, 10, 15, tzinfo=UTC)
    assert (summary.recaps_received, summary.recaps_read) == (4, 2)
    assert (summary.action_items_owned, summary.action_items_done) == (2, 0)
    assert summary.action_items_overdue == 1  # the cancelled session's item is not counted
    assert history_line(summary) == SUMMARY_LINE


def test_history_lists_each_session_newest_first_with_what_happened(db: Session) -> None:
    story = build_story(db)
    rows = {row.session_id: row for row in person_history(db, person=story.ada).sessions}
    order = [story.s6, story.s5, story.s4, story.s3, story.s2, story.s7, story.s1]
    assert list(rows) == [s.id for s in order]  # s8 (Bob's only) is not Ada's history
    first = rows[story.s1.id or 0]
    assert (first.invited, first.rsvp, first.attended, first.minutes_present) == (
        True,
        Rsvp.accepted,
        True,
        50,
    )
    assert first.recap_delivered_at == datetime(2026, 1, 11, 15, tzinfo=UTC)
    assert first.recap_read_at == datetime(2026, 1, 11, 18, tzinfo=UTC)
    brief = rows[story.s3.id or 0]
    assert (brief.present, brief.attended, brief.minutes_present) == (True, False, 5)
    walk_in = rows[story.s4.id or 0]
    assert (walk_in.invited, walk_in.rsvp, walk_in.attended) == (False, None, True)
    unread = rows[story.s7.id or 0]
    assert (unread.invited, unread.present, unread.recap_read_at) == (False, False, None)
    assert unread.recap_delivered_at is not None


def test_history_action_items_put_what_is_left_first_and_flag_overdue(db: Session) -> None:
    story = build_story(db)
    items = person_history(db, person=story.ada, today=TODAY).action_items
    assert [(item.description, item.status, item.overdue) for item in items] == [
        ("Fix billing", ActionStatus.open, True),
        ("Cancelled follow-up", ActionStatus.open, True),
        ("Call the CFO", ActionStatus.in_progress, False),
    ]
    early = person_history(db, person=story.ada, today=datetime(2026, 1, 15, tzinfo=UTC))
    assert [item.overdue for item in early.action_items] == [False, False, False]


def test_history_stage_is_the_leaders_dashboard_stage(db: Session) -> None:
    story = build_story(db)
    stage = history_with_stage(db, person=story.ada).stage
    assert stage is not None
    assert (stage.stage, stage.override_stage, stage.sessions_held) == (
        EngagementStage.buy_in,
        None,
        6,
    )
    leaders = dashboards.leaders(db, filters=DashboardFilters(), include_directors=True)
    row = next(item for item in leaders.items if item.person_id == story.ada.id)
    assert row.stage == stage.stage
    assert (row.sessions_attended, row.invitations_accepted) == (2, 1)
    assert (row.recaps_received, row.recaps_read) == (4, 2)
    assert history_with_stage(db, person=story.bob).stage is None  # not a leader


def test_history_stage_marks_the_organizers_override(db: Session) -> None:
    story = build_story(db)
    db.add(
        LeaderStage(
            person_id=story.ada.id or 0,
            override_stage=EngagementStage.skepticism,
            target_stage=EngagementStage.action,
        )
    )
    db.flush()
    stage = history_with_stage(db, person=story.ada).stage
    assert stage is not None
    assert (stage.stage, stage.computed_stage, stage.gap, stage.set_by) == (
        EngagementStage.skepticism,
        EngagementStage.buy_in,
        3,
        "organizer",
    )


def test_history_of_someone_with_none_is_empty(db: Session) -> None:
    person = create_person(db, email="new@example.com", name="New Comer")
    history = person_history(db, person=person)
    assert history.sessions == []
    assert history.action_items == []
    assert history_line(history.summary) == (
        "Invited to 0, accepted 0, attended 0 (0 min), 0 recaps received, 0 read"
    )


def test_attendance_totals_count_held_sessions_attended(db: Session) -> None:
    story = build_story(db)
    nobody = create_person(db, email="none@example.com", name="No Show")
    totals = attendance_totals(
        db, person_ids=[story.ada.id or 0, story.bob.id or 0, nobody.id or 0]
    )
    assert totals[story.ada.id or 0].sessions_attended == 2  # s3 was under the minimum
    assert totals[story.ada.id or 0].last_attended_at == datetime(2026, 4, 10, 15, tzinfo=UTC)
    assert totals[story.bob.id or 0].sessions_attended == 1
    assert (nobody.id or 0) not in totals


def test_duration_reads_hours_and_minutes() -> None:
    assert [duration(m) for m in (0, 45, 60, 250)] == ["0 min", "45 min", "1 h 0 min", "4 h 10 min"]


def test_person_page_shows_the_history(viewer_web: PageClient, db: Session) -> None:
    story = build_story(db)
    page = viewer_web.get(f"/people/{story.ada.id}")
    assert page.status_code == 200
    text = page.text
    assert f"{SUMMARY_LINE}." in text
    assert "1 accepted, 1 tentative, 1 declined, 1 with no answer" in text
    # Newest first: the upcoming session, then the cancelled one, ... then January.
    positions = [text.index(title) for title in ("Next voices", "May voices", "April voices")]
    assert positions == sorted(positions)
    assert text.index("April voices") < text.index("January voices")
    assert "June voices" not in text  # Bob's session
    assert f'<a href="/sessions/{story.s1.id}">January voices</a>' in text
    for label in ("Accepted", "Declined", "Tentative", "No answer", "not invited"):
        assert f">{label}<" in text or f'">{label}</span>' in text, label
    assert "50 min" in text
    assert "3 h 20 min" in text
    assert '5 min <span class="badge">under minimum</span>' in text
    assert "not present" in text
    assert "not held yet" in text
    assert "received 11 Jan 2026" in text
    assert "read 11 Jan 2026" in text
    assert "not read" in text
    assert "Fix billing" in text
    assert "Call the CFO" in text
    assert '<span class="badge overdue">overdue</span>' in text
    assert '<span class="stage stage-buy_in">Buy-in</span>' in text
    assert "the quarters below give the evidence" in text
    assert f'href="/dashboard/leaders/{story.ada.id}/stage"' not in text  # viewers only look


def test_person_page_marks_the_override_and_links_organizers_to_it(
    organizer_web: PageClient, db: Session
) -> None:
    story = build_story(db)
    db.add(LeaderStage(person_id=story.ada.id or 0, override_stage=EngagementStage.action))
    db.flush()
    text = organizer_web.get(f"/people/{story.ada.id}").text
    assert '<span class="stage stage-action">Action</span>' in text
    assert "set by an organizer (computed: Buy-in)" in text
    assert f'href="/dashboard/leaders/{story.ada.id}/stage"' in text


def test_person_page_of_someone_without_history_says_so(
    viewer_web: PageClient, db: Session
) -> None:
    person = create_person(db, email="new@example.com", name="New Comer", title="Engineer")
    text = viewer_web.get(f"/people/{person.id}").text
    assert "Not invited to any session yet" in text
    assert "New Comer owns no action items." in text
    assert "Engagement stage" not in text  # not a leader


def test_history_api_returns_the_figures_rows_and_stage(
    viewer_api: TestClient, db: Session
) -> None:
    story = build_story(db)
    response = viewer_api.get(f"/api/v1/people/{story.ada.id}/history")
    assert response.status_code == 200
    body = response.json()
    assert body["person_id"] == story.ada.id
    assert body["summary"]["invited"] == 4
    assert body["summary"]["attended"] == 2
    assert body["summary"]["minutes_attended"] == 250
    assert (body["summary"]["recaps_received"], body["summary"]["recaps_read"]) == (4, 2)
    assert [row["title"] for row in body["sessions"]][-1] == "January voices"
    assert body["sessions"][-1]["rsvp"] == "accepted"
    assert body["stage"]["stage"] == "buy_in"
    assert body["stage"]["override_stage"] is None
    assert next(item["description"] for item in body["action_items"]) == "Fix billing"
    assert body["action_items"][0]["due_on"] == date(2026, 2, 1).isoformat()


def test_history_api_unknown_person_is_404(viewer_api: TestClient) -> None:
    response = viewer_api.get("/api/v1/people/987654/history")
    assert response.status_code == 404
    assert response.json()["detail"] == "There is no person with id 987654."


def test_history_api_is_documented(viewer_api: TestClient) -> None:
    schema = viewer_api.get("/openapi.json").json()
    operation = schema["paths"]["/api/v1/people/{person_id}/history"]["get"]
    reference = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert reference == "#/components/schemas/PersonHistory"
    assert "HistorySession" in schema["components"]["schemas"]
