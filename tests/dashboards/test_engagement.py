from app.dashboards.engagement import (
    EngagementRules,
    Signals,
    compute_stage,
    gap,
    move,
    rules_text,
)
from app.models import EngagementStage as Stage


def test_compute_stage_climbs_the_ladder_with_what_people_did() -> None:
    assert compute_stage(Signals()) == Stage.ignorance
    assert compute_stage(Signals(invitations_received=3, recaps_received=4)) == Stage.ignorance
    assert compute_stage(Signals(recaps_received=4, recaps_read=1)) == Stage.skepticism
    assert compute_stage(Signals(sessions_attended=1, recaps_read=3)) == Stage.buy_in
    assert compute_stage(Signals(team_attended=2, team_size=4)) == Stage.buy_in
    assert compute_stage(Signals(team_attended=1, team_size=3)) == Stage.ignorance
    assert compute_stage(Signals(commitments_made=1)) == Stage.commitment
    assert compute_stage(Signals(commitments_made=1, commitments_done=1)) == Stage.action
    assert compute_stage(Signals(action_items_done=1)) == Stage.action


def test_attending_often_is_buy_in_not_action() -> None:
    """The old ladder made regular attendance action; coming is buy-in until a commitment."""
    assert compute_stage(Signals(sessions_attended=12)) == Stage.buy_in


def test_thresholds_are_the_rules_fields() -> None:
    rules = EngagementRules(action_min_done=2, skepticism_min_reads=3)
    assert (
        compute_stage(Signals(action_items_done=1, commitments_made=1), rules) == Stage.commitment
    )
    assert compute_stage(Signals(action_items_done=1, commitments_done=1), rules) == Stage.action
    assert compute_stage(Signals(recaps_read=2), rules) == Stage.ignorance


def test_gap_counts_rungs_to_the_target() -> None:
    assert gap(Stage.ignorance, Stage.action) == 4
    assert gap(Stage.action, Stage.action) == 0
    assert gap(Stage.action, Stage.buy_in) == -2
    assert gap(Stage.buy_in, None) is None


def test_move_compares_rungs() -> None:
    assert move(Stage.buy_in, Stage.skepticism) == "up"
    assert move(Stage.buy_in, Stage.action) == "down"
    assert move(Stage.buy_in, Stage.buy_in) == "same"
    assert move(Stage.buy_in, None) is None


def test_rules_text_names_each_rung_highest_first() -> None:
    text = rules_text()
    assert [stage for stage, _ in text] == [
        Stage.action,
        Stage.commitment,
        Stage.buy_in,
        Stage.skepticism,
        Stage.ignorance,
    ]
    assert dict(text)[Stage.buy_in] == (
        "came to a session (in its attendance report, or spoke or wrote in its chat), or sent "
        "their team (half of their direct reports attended), but committed nothing"
    )
    assert dict(rules_text(EngagementRules(buy_in_min_sessions=2)))[Stage.buy_in].startswith(
        "came to 2 sessions"
    )
