"""The engagement ladder — ignorance → skepticism → buy-in → commitment → action — and its rules.

A leader's stage is computed from the signals Storyroom has about them, highest rung first:

- **action**: attends regularly (at least `regular_min_sessions` sessions in the period and at
  least `regular_min_share` of the sessions held in it), or has closed an action item;
- **commitment**: attended at least one session in the period;
- **buy-in**: never attended, but accepted an invitation or read a recap;
- **skepticism**: never attended, invited or sent recaps, but accepted none and read none;
- **ignorance**: no signal at all — not invited, no recap received, never attended.

Invitations and recaps count for the period's sessions; a signal left `None` counts as
absent. An organizer's override wins over the computed stage; the target stage gives the gap
the leaders page shows.
"""

from dataclasses import dataclass

from app.models import EngagementStage

LADDER: tuple[EngagementStage, ...] = (
    EngagementStage.ignorance,
    EngagementStage.skepticism,
    EngagementStage.buy_in,
    EngagementStage.commitment,
    EngagementStage.action,
)

STAGE_LABELS: dict[EngagementStage, str] = {
    EngagementStage.ignorance: "Ignorance",
    EngagementStage.skepticism: "Skepticism",
    EngagementStage.buy_in: "Buy-in",
    EngagementStage.commitment: "Commitment",
    EngagementStage.action: "Action",
}


@dataclass(frozen=True)
class EngagementRules:
    """The thresholds of the ladder; change them here (or pass another instance)."""

    regular_min_sessions: int = 3
    """Attending regularly needs at least this many sessions in the period…"""
    regular_min_share: float = 0.25
    """…and at least this share of the sessions held in the period."""
    action_min_closed_items: int = 1
    """Closing this many action items is action too, whatever the attendance."""


DEFAULT_RULES = EngagementRules()


@dataclass(frozen=True)
class Signals:
    """What Storyroom knows about one leader in the period (None: not known)."""

    sessions_attended: int
    sessions_held: int
    invitations_received: int | None = None
    invitations_accepted: int | None = None
    recaps_received: int | None = None
    recaps_read: int | None = None
    action_items_done: int | None = None


def attends_regularly(signals: Signals, rules: EngagementRules = DEFAULT_RULES) -> bool:
    """Enough sessions, and a large enough share of those held, in the period."""
    if signals.sessions_held == 0:
        return False
    share = signals.sessions_attended / signals.sessions_held
    return (
        signals.sessions_attended >= rules.regular_min_sessions and share >= rules.regular_min_share
    )


def compute_stage(signals: Signals, rules: EngagementRules = DEFAULT_RULES) -> EngagementStage:
    """The highest rung of the ladder the signals support (see the module docstring)."""
    if attends_regularly(signals, rules) or (signals.action_items_done or 0) >= max(
        rules.action_min_closed_items, 1
    ):
        return EngagementStage.action
    if signals.sessions_attended > 0:
        return EngagementStage.commitment
    if (signals.invitations_accepted or 0) > 0 or (signals.recaps_read or 0) > 0:
        return EngagementStage.buy_in
    if (signals.invitations_received or 0) > 0 or (signals.recaps_received or 0) > 0:
        return EngagementStage.skepticism
    return EngagementStage.ignorance


def gap(stage: EngagementStage, target: EngagementStage | None) -> int | None:
    """Rungs from `stage` up to `target` (0 on target, negative above it, None without one)."""
    if target is None:
        return None
    return LADDER.index(target) - LADDER.index(stage)


def rules_text(rules: EngagementRules = DEFAULT_RULES) -> list[tuple[EngagementStage, str]]:
    """The rules in words, highest rung first, for the page's small print."""
    share = f"{rules.regular_min_share:.0%}"
    return [
        (
            EngagementStage.action,
            f"attended at least {rules.regular_min_sessions} sessions and {share} of those "
            "held in the period, or closed an action item",
        ),
        (EngagementStage.commitment, "attended at least one session in the period"),
        (EngagementStage.buy_in, "accepted an invitation or read a recap, but never attended"),
        (
            EngagementStage.skepticism,
            "was invited or sent recaps, but accepted none and read none",
        ),
        (EngagementStage.ignorance, "no signal at all"),
    ]
