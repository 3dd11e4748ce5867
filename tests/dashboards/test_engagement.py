from app.dashboards.engagement import (
    EngagementRules,
    Signals,
    attends_regularly,
    compute_stage,
    gap,
    rules_text,
)
from app.models import EngagementStage as Stage


def test_compute_stage_climbs_the_ladder_with_the_signals() -> None:
    assert compute_stage(Signals(sessions_attended=0, sessions_held=10)) == Stage.ignorance
    assert (
        compute_stage(Signals(sessions_attended=0, sessions_held=10, recaps_received=4))
        == Stage.skepticism
    )
    assert (
        compute_stage(Signals(sessions_attended=0, sessions_held=10, invitations_accepted=1))
        == Stage.buy_in
    )
    assert compute_stage(Signals(sessions_attended=1, sessions_held=10)) == Stage.commitment
    assert compute_stage(Signals(sessions_attended=3, sessions_held=10)) == Stage.action
    assert (
        compute_stage(Signals(sessions_attended=0, sessions_held=0, action_items_done=1))
        == Stage.action
    )


def test_attends_regularly_needs_both_the_count_and_the_share() -> None:
    rules = EngagementRules(regular_min_sessions=3, regular_min_share=0.25)
    assert attends_regularly(Signals(sessions_attended=3, sessions_held=12), rules) is True
    assert attends_regularly(Signals(sessions_attended=3, sessions_held=13), rules) is False
    assert attends_regularly(Signals(sessions_attended=2, sessions_held=4), rules) is False
    assert attends_regularly(Signals(sessions_attended=0, sessions_held=0), rules) is False


def test_gap_counts_rungs_to_the_target() -> None:
    assert gap(Stage.ignorance, Stage.action) == 4
    assert gap(Stage.action, Stage.action) == 0
    assert gap(Stage.action, Stage.buy_in) == -2
    assert gap(Stage.buy_in, None) is None


def test_rules_text_follows_the_thresholds() -> None:
    text = dict(rules_text(EngagementRules(regular_min_sessions=5, regular_min_share=0.5)))
    assert text[Stage.action].startswith("attended at least 5 sessions and 50% of those held")
