"""One person's engagement stage: the person page's and its API's.

The stage is the dashboards' (the ladder in app.dashboards.engagement, over all time, the
organizer's override first), from the same signal query as /dashboard/leaders, so it lives
here, above the people domain; the history's figures come from app.people.history. The
timeline is app.dashboards.ladder's: each quarter's stage, its move and the evidence.
"""

from sqlalchemy import func, select
from sqlmodel import Session

from app.dashboards import ladder
from app.dashboards.engagement import (
    DEFAULT_RULES,
    STAGE_LABELS,
    EngagementRules,
    compute_stage,
    gap,
    rules_text,
)
from app.dashboards.queries import (
    LEADER_STAGE,
    LEVEL,
    SESSION,
    Scope,
    ladder_evidence,
    leader_signals,
)
from app.dashboards.schemas import LeaderStages
from app.db import id_of
from app.kit.quarters import Quarter, quarters_ending
from app.kit.quarters import bounds as quarter_bounds
from app.models import EngagementStage, Person, SessionStatus
from app.people.history import person_history
from app.people.peers import peer_figures
from app.people.schemas import PersonHistory, PersonStage

QUARTERS_SHOWN = ladder.QUARTERS_SHOWN
MAX_QUARTERS = 12
"""The longest timeline asked for: three years."""
LEADER_LEVEL_KEYS = ("director",)
"""Levels with a stage besides the executive ones: /dashboard/leaders lists directors on request."""


def history_with_stage(
    session: Session, *, person: Person, rules: EngagementRules = DEFAULT_RULES
) -> PersonHistory:
    """The person's history and, for a leader, their engagement stage."""
    history = person_history(session, person=person)
    return history.model_copy(update={"stage": person_stage(session, person=person, rules=rules)})


def is_leader(session: Session, *, person: Person) -> bool:
    """At an executive level today, or a director: someone the ladder is about."""
    is_executive, key = (
        session.connection()
        .execute(select(LEVEL.c.is_executive, LEVEL.c.key).where(LEVEL.c.id == person.level_id))
        .one()
    )
    return bool(is_executive) or key in LEADER_LEVEL_KEYS


def _notes(
    session: Session, person: Person
) -> tuple[EngagementStage | None, EngagementStage | None]:
    notes = (
        session.connection()
        .execute(
            select(LEADER_STAGE.c.override_stage, LEADER_STAGE.c.target_stage).where(
                LEADER_STAGE.c.person_id == id_of(person)
            )
        )
        .first()
    )
    if notes is None:
        return None, None
    override, target = (EngagementStage(value) if value else None for value in notes)
    return override, target


def _computed(session: Session, person: Person, rules: EngagementRules) -> EngagementStage:
    """The stage over all time, counted as /dashboard/leaders counts it."""
    rows = leader_signals(session, Scope(), person_ids=[id_of(person)])
    counts = ladder.in_period(ladder.signal_counts(rows).get(id_of(person), {}))
    return compute_stage(ladder.signals_of(counts), rules)


def person_stage(
    session: Session, *, person: Person, rules: EngagementRules = DEFAULT_RULES
) -> PersonStage | None:
    """A leader's stage from their signals over all time (None for someone not a leader)."""
    if not is_leader(session, person=person):
        return None
    held = (
        session.connection()
        .execute(
            select(func.count())
            .select_from(SESSION)
            .where(SESSION.c.status == SessionStatus.completed)
        )
        .scalar_one()
    )
    override, target = _notes(session, person)
    computed = _computed(session, person, rules)
    stage = override or computed
    return PersonStage(
        stage=stage,
        label=STAGE_LABELS[stage],
        computed_stage=computed,
        computed_label=STAGE_LABELS[computed],
        override_stage=override,
        set_by="organizer" if override else "ladder",
        target_stage=target,
        gap=gap(stage, target),
        sessions_held=held,
    )


def stage_timeline(
    session: Session,
    *,
    person: Person,
    quarters: int = ladder.QUARTERS_SHOWN,
    until: Quarter | None = None,
    rules: EngagementRules = DEFAULT_RULES,
) -> LeaderStages | None:
    """A leader's stage in each of the last `quarters` quarters (up to `until`, by default the
    current one), with the evidence, the move into the latest, and their peers in it."""
    if not is_leader(session, person=person):
        return None
    shown = quarters_ending(until or ladder.latest_quarter(), quarters)
    person_id = id_of(person)
    rows = leader_signals(
        session,
        Scope(start=shown[0].start, end=shown[-1].end),
        person_ids=[person_id],
        bounds=quarter_bounds(shown),
    )
    periods = ladder.signal_counts(rows).get(person_id, {})
    stages = ladder.stages_of(periods, shown, rules)
    span = Scope(start=shown[0].start, end=shown[-1].end)
    evidence = ladder_evidence(session, span, person_id=person_id)
    team_size = ladder.in_period(periods, ladder.EVERY_PERIOD).get("team_size", 0)
    timeline = ladder.quarter_evidence(stages, evidence, shown, team_size=team_size)
    override, _target = _notes(session, person)
    computed = _computed(session, person, rules)
    step, step_label = ladder.last_move(stages)
    peers = peer_figures(session, quarter=shown[-1], level_ids=[person.level_id])
    return LeaderStages(
        person_id=person_id,
        stage=override or computed,
        label=STAGE_LABELS[override or computed],
        computed_stage=computed,
        set_by="organizer" if override else "ladder",
        quarters=timeline,
        move=step,
        move_label=step_label,
        peers=peers[0] if peers else None,
        rules=[f"{STAGE_LABELS[stage]}: {text}" for stage, text in rules_text(rules)],
    )


__all__ = [
    "MAX_QUARTERS",
    "QUARTERS_SHOWN",
    "STAGE_LABELS",
    "LeaderStages",
    "history_with_stage",
    "person_stage",
    "stage_timeline",
]
