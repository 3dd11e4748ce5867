"""The engagement ladder from what people did: one test per rung, moves across quarters,
the evidence, the organizer's override, social proof, and the API's shapes."""

from datetime import date

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.dashboards import service
from app.dashboards.person_stage import stage_timeline
from app.dashboards.schemas import DashboardFilters
from app.kit.quarters import Quarter
from app.models import CommitmentStatus, EngagementStage, LeaderStage, Person
from app.people.peers import peer_figures
from tests.conftest import PageClient
from tests.dashboards.ladder_support import attend, close_item, commit, held, send_recap
from tests.factories import create_person, get_level

Q2 = Quarter(2026, 2)
UNTIL_Q2 = DashboardFilters(end=date(2026, 6, 30))


def _vp(db: Session, key: str, manager: Person | None = None, level: str = "vp") -> Person:
    return create_person(
        db, email=f"{key}@example.com", name=key.capitalize(), level_key=level, manager=manager
    )


def _stages(db: Session, filters: DashboardFilters = UNTIL_Q2) -> dict[str, EngagementStage]:
    return {row.name: row.stage for row in service.leaders(db, filters=filters).items}


def test_no_signal_at_all_is_ignorance(db: Session) -> None:
    _vp(db, "quiet")
    held(db, 3, 12)
    assert _stages(db) == {"Quiet": EngagementStage.ignorance}


def test_sent_recaps_but_never_reading_or_coming_is_ignorance(db: Session) -> None:
    unread = _vp(db, "unread")
    send_recap(db, held(db, 3, 12), unread, read=False)
    row = service.leaders(db, filters=UNTIL_Q2).items[0]
    assert (row.recaps_received, row.recaps_read, row.stage) == (1, 0, EngagementStage.ignorance)


def test_reading_recaps_without_coming_is_skepticism(db: Session) -> None:
    reader = _vp(db, "reader")
    send_recap(db, held(db, 3, 12), reader, read=True)
    assert _stages(db) == {"Reader": EngagementStage.skepticism}


def test_coming_to_a_session_without_committing_is_buy_in(db: Session) -> None:
    comer = _vp(db, "comer")
    first, second = held(db, 1, 12), held(db, 3, 10)
    attend(db, first, comer)
    attend(db, second, comer)
    send_recap(db, first, comer, read=True)
    assert _stages(db) == {"Comer": EngagementStage.buy_in}


def test_sending_half_their_team_is_buy_in_but_only_direct_reports_count(db: Session) -> None:
    sender = _vp(db, "sender")
    chief = _vp(db, "chief", level="c-suite")
    few = _vp(db, "few")
    first, second = held(db, 2, 3), held(db, 3, 3)
    team = [
        create_person(db, email=f"report{i}@example.com", name=f"Report {i}", manager=sender)
        for i in range(4)
    ]
    attend(db, first, team[0])
    attend(db, second, team[1])  # two of four, at different sessions: half the team
    grand = create_person(db, email="grand@example.com", name="Grand", manager=team[0])
    other = create_person(db, email="other@example.com", name="Other", manager=chief)
    sub_report = create_person(db, email="sub@example.com", name="Sub", manager=other)
    attend(db, first, sub_report, grand)  # the chief's report's report: not their team
    few_team = [
        create_person(db, email=f"few{i}@example.com", name=f"Few {i}", manager=few)
        for i in range(3)
    ]
    attend(db, first, few_team[0])  # one of three: that report came, the team was not sent

    rows = {row.name: row for row in service.leaders(db, filters=UNTIL_Q2).items}
    assert (rows["Sender"].team_attended, rows["Sender"].team_size, rows["Sender"].stage) == (
        2,
        4,
        EngagementStage.buy_in,
    )
    assert (rows["Chief"].team_attended, rows["Chief"].stage) == (0, EngagementStage.ignorance)
    assert (rows["Few"].team_attended, rows["Few"].stage) == (1, EngagementStage.ignorance)


def test_making_a_commitment_is_commitment_even_without_coming(db: Session) -> None:
    promiser = _vp(db, "promiser")
    commit(db, held(db, 3, 12), promiser, "Call every churned account")
    row = service.leaders(db, filters=UNTIL_Q2).items[0]
    assert (row.commitments_made, row.commitments_done, row.stage) == (
        1,
        0,
        EngagementStage.commitment,
    )


def test_a_dropped_commitment_is_still_commitment(db: Session) -> None:
    dropper = _vp(db, "dropper")
    commit(db, held(db, 3, 12), dropper, "Visit a store", CommitmentStatus.dropped)
    assert _stages(db) == {"Dropper": EngagementStage.commitment}


def test_completing_a_commitment_is_action(db: Session) -> None:
    doer = _vp(db, "doer")
    commit(db, held(db, 3, 12), doer, "Fix the returns form", CommitmentStatus.done)
    assert _stages(db) == {"Doer": EngagementStage.action}


def test_owning_a_closed_action_item_is_action(db: Session) -> None:
    owner = _vp(db, "owner")
    close_item(db, held(db, 3, 12), owner, "Fix invoices")
    row = service.leaders(db, filters=UNTIL_Q2).items[0]
    assert (row.action_items_done, row.stage) == (1, EngagementStage.action)


def test_moving_up_between_quarters(db: Session) -> None:
    climber = _vp(db, "climber")
    send_recap(db, held(db, 2, 3), climber, read=True)  # Q1: read, never came
    attend(db, held(db, 5, 4), climber)  # Q2: came
    row = service.leaders(db, filters=UNTIL_Q2).items[0]
    assert [(q.quarter, q.stage) for q in row.quarters[-2:]] == [
        ("Q1 2026", EngagementStage.skepticism),
        ("Q2 2026", EngagementStage.buy_in),
    ]
    assert (row.move, row.move_label) == ("up", "↑ from Skepticism")
    assert [q.quarter for q in row.quarters] == ["Q3 2025", "Q4 2025", "Q1 2026", "Q2 2026"]
    page = service.leaders(db, filters=UNTIL_Q2)
    assert page.latest_quarter == "Q2 2026"
    latest = {count.stage: count.count for count in page.latest_quarter_stages}
    assert (latest[EngagementStage.buy_in], sum(latest.values())) == (1, 1)


def test_moving_down_and_staying_the_same(db: Session) -> None:
    faller = _vp(db, "faller")
    steady = _vp(db, "steady")
    first, second = held(db, 3, 12), held(db, 6, 4)
    commit(db, first, faller, "Call every churned account")  # Q1 only
    attend(db, first, steady)
    attend(db, second, steady)
    rows = {row.name: row for row in service.leaders(db, filters=UNTIL_Q2).items}
    assert (rows["Faller"].quarters[-1].stage, rows["Faller"].move) == (
        EngagementStage.ignorance,
        "down",
    )
    assert rows["Faller"].move_label == "↓ from Commitment"
    assert rows["Faller"].stage == EngagementStage.commitment  # the period is all time
    assert (rows["Steady"].move, rows["Steady"].move_label) == ("same", "= still Buy-in")


def test_evidence_lines_say_what_happened_each_quarter(db: Session) -> None:
    leader = _vp(db, "leader")
    report = create_person(db, email="rep@example.com", name="Rep", manager=leader)
    march, june = held(db, 3, 12, "March voices"), held(db, 6, 4, "June voices")
    attend(db, held(db, 1, 20), leader)
    attend(db, march, leader)
    commit(db, march, leader, "Call every churned account")
    send_recap(db, march, leader, read=True)
    close_item(db, june, leader, "Fix invoices")
    attend(db, june, report)

    timeline = stage_timeline(db, person=leader, quarters=2, until=Q2)
    assert timeline is not None
    q1, q2 = timeline.quarters
    assert (q1.quarter, q1.stage, q1.move) == ("Q1 2026", EngagementStage.commitment, None)
    assert [line.text for line in q1.evidence] == [
        "committed: ‘Call every churned account’ after ‘March voices’",
        "attended 2 sessions (20 Jan, 12 Mar)",
        "read 1 recap",
    ]
    assert (q2.stage, q2.move_label) == (EngagementStage.action, "↑ from Commitment")
    assert [line.text for line in q2.evidence] == [
        "closed action item ‘Fix invoices’",
        "1 of 1 direct report attended (Rep)",
    ]
    assert (timeline.move, timeline.move_label) == ("up", "↑ from Commitment")


def test_the_organizers_override_is_marked_beside_the_computed_stage(
    db: Session, viewer_web: PageClient
) -> None:
    leader = _vp(db, "leader")
    attend(db, held(db, 3, 12), leader)
    db.add(LeaderStage(person_id=leader.id or 0, override_stage=EngagementStage.action))
    db.flush()
    row = service.leaders(db, filters=UNTIL_Q2).items[0]
    assert (row.stage, row.computed_stage, row.set_by) == (
        EngagementStage.action,
        EngagementStage.buy_in,
        "organizer",
    )
    page = viewer_web.get(f"/people/{leader.id}").text
    assert (
        '<span class="badge">set by organizer</span> <span class="muted">computed: Buy-in' in page
    )
    leaders = viewer_web.get("/dashboard/leaders").text
    assert "set by organizer (computed: Buy-in)" in leaders


def test_peers_at_the_same_level_counted_by_hand(db: Session) -> None:
    # Three active VPs (one inactive aside): two came in Q2, one of them and a third committed;
    # a Q1 session and a C-suite attendee do not count.
    ann, bea, cat = _vp(db, "ann"), _vp(db, "bea"), _vp(db, "cat")
    gone = create_person(db, email="gone@example.com", name="Gone", level_key="vp", active=False)
    chief = _vp(db, "chief", level="c-suite")
    april, march = held(db, 4, 8), held(db, 3, 12)
    attend(db, april, ann, bea, gone, chief)
    attend(db, march, cat)
    commit(db, april, ann, "Call back")
    commit(db, april, cat, "Read every ticket")
    commit(db, march, bea, "Old promise")

    vp_level = get_level(db, "vp").id or 0
    [vps] = peer_figures(db, quarter=Q2, level_ids=[vp_level])
    assert (vps.people, vps.attended, vps.committed) == (3, 2, 2)
    assert vps.sentence == "2 of 3 at SVP/VP attended a session in Q2 2026; 2 made a commitment"
    timeline = stage_timeline(db, person=ann, quarters=1, until=Q2)
    assert timeline is not None
    assert timeline.peers == vps


def test_stages_api_shape_and_errors(viewer_api: TestClient, db: Session) -> None:
    leader = _vp(db, "leader")
    attend(db, held(db, 3, 12), leader)
    ic = create_person(db, email="ic@example.com", name="Ic")

    response = viewer_api.get(f"/api/v1/people/{leader.id}/stages", params={"quarters": 3})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "person_id",
        "stage",
        "label",
        "computed_stage",
        "set_by",
        "quarters",
        "move",
        "move_label",
        "peers",
        "rules",
    }
    assert (body["stage"], body["set_by"], len(body["quarters"])) == ("buy_in", "ladder", 3)
    assert set(body["quarters"][0]) == {
        "quarter",
        "start",
        "end",
        "stage",
        "label",
        "move",
        "move_label",
        "evidence",
    }
    assert body["rules"][2] == (
        "Buy-in: came to a session (in its attendance report, or spoke or wrote in its chat), "
        "or sent their team (half of their direct reports attended), but committed nothing"
    )
    not_leader = viewer_api.get(f"/api/v1/people/{ic.id}/stages")
    assert not_leader.status_code == 404
    assert "not at an executive level or a director" in not_leader.json()["detail"]
    assert viewer_api.get("/api/v1/people/99999/stages").status_code == 404
    too_many = viewer_api.get(f"/api/v1/people/{leader.id}/stages", params={"quarters": 13})
    assert too_many.status_code == 422
    assert too_many.json()["detail"][0]["loc"] == ["query", "quarters"]


def test_leaders_api_has_the_move_and_the_quarters(viewer_api: TestClient, db: Session) -> None:
    climber = _vp(db, "climber")
    send_recap(db, held(db, 2, 3), climber, read=True)
    attend(db, held(db, 5, 4), climber)
    body = viewer_api.get("/api/v1/dashboard/leaders", params={"end": "2026-06-30"}).json()
    [row] = body["items"]
    assert (row["move"], row["move_label"], row["set_by"]) == ("up", "↑ from Skepticism", "ladder")
    assert [q["stage"] for q in row["quarters"]] == [
        "ignorance",
        "ignorance",
        "skepticism",
        "buy_in",
    ]
    assert row["quarters"][-1]["start"] == "2026-04-01"


def test_stage_timeline_query_count_does_not_grow_with_the_signals(db: Session) -> None:
    from tests.dashboards.test_pages import count_queries

    leader = _vp(db, "leader")
    attend(db, held(db, 3, 12), leader)
    with count_queries(db) as small:
        assert stage_timeline(db, person=leader, until=Q2) is not None
    for month in (1, 2, 4, 5, 6):
        story_session = held(db, month, 9)
        attend(db, story_session, leader)
        commit(db, story_session, leader, f"Promise {month}")
        send_recap(db, story_session, leader, read=True)
    with count_queries(db) as large:
        timeline = stage_timeline(db, person=leader, until=Q2)
    assert timeline is not None
    assert [q.stage for q in timeline.quarters[-2:]] == [EngagementStage.commitment] * 2
    assert len(large) == len(small) <= 8, small
