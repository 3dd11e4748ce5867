"""The engagement ladder — ignorance → skepticism → buy-in → commitment → action — and its rules.

A leader's stage in a period is the highest rung that what they *did* supports, highest first:

- **action**: completed a commitment, or owns an action item that is done;
- **commitment**: made a commitment (whatever became of it);
- **buy-in**: came to a session (in its attendance report, or spoke or wrote in its chat: a
  report can miss someone who plainly took part), or sent their team — at least half of their
  direct reports attended one — but committed nothing;
- **skepticism**: read a recap or a digest sent to them, but never came;
- **ignorance**: was invited or sent recaps but never came or read — or no signal at all.

Signals count for the period's sessions (attended, or attended by a direct report;
commitments and action items from them; their recaps read) and digests sent in the period.
The team is the leader's *direct* reports (`Person.manager_id`, active today), not their whole
subtree: a CEO's subtree is the company, and everyone's attendance would make every chief "buy
in". Half of them, not one: one report who came may have come of their own accord; when half
the team is there, the leader sent them.
Accepting an invitation is not a signal: it is a word, not a deed. An organizer's override
wins over the computed stage (and is shown as set by the organizer); the target stage gives
the gap the leaders page shows.
"""

from dataclasses import dataclass
from typing import Literal

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

    action_min_done: int = 1
    """Completed commitments plus done action items owned that make action."""
    commitment_min_made: int = 1
    """Commitments made (open, done or dropped) that make commitment."""
    buy_in_min_sessions: int = 1
    """Sessions the leader attended (or spoke or wrote in the chat of) for buy-in."""
    team_min_share: float = 0.5
    """Or: the share of their direct reports who attended a session, for buy-in."""
    skepticism_min_reads: int = 1
    """Recaps or digests read for skepticism."""


DEFAULT_RULES = EngagementRules()


@dataclass(frozen=True)
class Signals:
    """What one leader did in the period (None: not known, counted as nothing)."""

    sessions_attended: int = 0
    sessions_taken_part: int = 0
    """Sessions they spoke or wrote in the chat of that no attendance report counts them at."""
    team_attended: int | None = None
    """Their direct reports who attended at least one session."""
    team_size: int | None = None
    """Their direct reports (active people today)."""
    commitments_made: int | None = None
    commitments_done: int | None = None
    action_items_done: int | None = None
    """Action items they own, from the period's sessions, that are done."""
    recaps_received: int | None = None
    """Recaps and digests delivered to them."""
    recaps_read: int | None = None
    invitations_received: int | None = None


def _at_least(value: int | None, threshold: int) -> bool:
    return (value or 0) >= max(threshold, 1)


def compute_stage(signals: Signals, rules: EngagementRules = DEFAULT_RULES) -> EngagementStage:
    """The highest rung of the ladder the signals support (see the module docstring)."""
    if _at_least(
        (signals.commitments_done or 0) + (signals.action_items_done or 0), rules.action_min_done
    ):
        return EngagementStage.action
    if _at_least(signals.commitments_made, rules.commitment_min_made):
        return EngagementStage.commitment
    came = signals.sessions_attended + signals.sessions_taken_part
    if _at_least(came, rules.buy_in_min_sessions) or sent_their_team(signals, rules):
        return EngagementStage.buy_in
    if _at_least(signals.recaps_read, rules.skepticism_min_reads):
        return EngagementStage.skepticism
    return EngagementStage.ignorance


def sent_their_team(signals: Signals, rules: EngagementRules = DEFAULT_RULES) -> bool:
    """At least `team_min_share` of their direct reports (and at least one) attended."""
    came, size = signals.team_attended or 0, signals.team_size or 0
    return came > 0 and came >= rules.team_min_share * size


def gap(stage: EngagementStage, target: EngagementStage | None) -> int | None:
    """Rungs from `stage` up to `target` (0 on target, negative above it, None without one)."""
    if target is None:
        return None
    return LADDER.index(target) - LADDER.index(stage)


Move = Literal["up", "down", "same"]


def move(stage: EngagementStage, before: EngagementStage | None) -> Move | None:
    """`up`, `down` or `same` from `before` to `stage` (None with nothing before)."""
    if before is None:
        return None
    step = LADDER.index(stage) - LADDER.index(before)
    return "up" if step > 0 else "down" if step < 0 else "same"


def _times(count: int, thing: str) -> str:
    return thing if count <= 1 else f"{count} {thing}s"


def _share(share: float) -> str:
    return "half" if share == 0.5 else "all" if share >= 1 else f"{share:.0%}"


def rules_text(rules: EngagementRules = DEFAULT_RULES) -> list[tuple[EngagementStage, str]]:
    """The rules in words, highest rung first, for the page's small print and the docs."""
    return [
        (
            EngagementStage.action,
            f"completed {_times(rules.action_min_done, 'commitment')} or owns "
            f"{_times(rules.action_min_done, 'closed action item')} (together)"
            if rules.action_min_done > 1
            else "completed a commitment, or owns a closed action item",
        ),
        (
            EngagementStage.commitment,
            f"made {_times(rules.commitment_min_made, 'commitment')}"
            if rules.commitment_min_made > 1
            else "made a commitment, whatever became of it",
        ),
        (
            EngagementStage.buy_in,
            (
                f"came to {_times(rules.buy_in_min_sessions, 'session')}"
                if rules.buy_in_min_sessions > 1
                else "came to a session"
            )
            + " (in its attendance report, or spoke or wrote in its chat)"
            + f", or sent their team ({_share(rules.team_min_share)} of their direct reports "
            "attended), but committed nothing",
        ),
        (
            EngagementStage.skepticism,
            (
                f"read {_times(rules.skepticism_min_reads, 'recap')}"
                if rules.skepticism_min_reads > 1
                else "read a recap or digest sent to them"
            )
            + ", but never came",
        ),
        (
            EngagementStage.ignorance,
            "invited or sent recaps but never came or read — or no signal at all",
        ),
    ]
