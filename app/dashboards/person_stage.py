"""One person's history with their engagement stage: the person page's and its API's.

The stage is the dashboards' (the ladder in app.dashboards.engagement, over all time, the
organizer's override first), so it lives here, above the people domain; the history's
figures come from app.people.history, counted as /dashboard/leaders counts them.
"""

from sqlalchemy import func, select
from sqlmodel import Session

from app.dashboards.engagement import (
    DEFAULT_RULES,
    STAGE_LABELS,
    EngagementRules,
    Signals,
    compute_stage,
    gap,
)
from app.dashboards.queries import LEADER_STAGE, LEVEL, SESSION
from app.db import id_of
from app.models import EngagementStage, Person, SessionStatus
from app.people.history import person_history
from app.people.schemas import HistorySummary, PersonHistory, PersonStage

LEADER_LEVEL_KEYS = ("director",)
"""Levels with a stage besides the executive ones: /dashboard/leaders lists directors on request."""


def history_with_stage(
    session: Session, *, person: Person, rules: EngagementRules = DEFAULT_RULES
) -> PersonHistory:
    """The person's history and, for a leader, their engagement stage."""
    history = person_history(session, person=person)
    return history.model_copy(
        update={"stage": person_stage(session, person=person, summary=history.summary, rules=rules)}
    )


def person_stage(
    session: Session,
    *,
    person: Person,
    summary: HistorySummary,
    rules: EngagementRules = DEFAULT_RULES,
) -> PersonStage | None:
    """A leader's stage from their figures (None for someone who is not a leader)."""
    connection = session.connection()
    is_executive, key = connection.execute(
        select(LEVEL.c.is_executive, LEVEL.c.key).where(LEVEL.c.id == person.level_id)
    ).one()
    if not is_executive and key not in LEADER_LEVEL_KEYS:
        return None
    held = connection.execute(
        select(func.count()).select_from(SESSION).where(SESSION.c.status == SessionStatus.completed)
    ).scalar_one()
    notes = connection.execute(
        select(LEADER_STAGE.c.override_stage, LEADER_STAGE.c.target_stage).where(
            LEADER_STAGE.c.person_id == id_of(person)
        )
    ).first()
    override, target = (
        (EngagementStage(value) if value else None for value in notes) if notes else (None, None)
    )
    computed = compute_stage(
        Signals(
            sessions_attended=summary.attended,
            sessions_held=held,
            invitations_received=summary.invited,
            invitations_accepted=summary.accepted,
            recaps_received=summary.recaps_received,
            recaps_read=summary.recaps_read,
            action_items_done=summary.action_items_done,
        ),
        rules,
    )
    stage = override or computed
    return PersonStage(
        stage=stage,
        label=STAGE_LABELS[stage],
        computed_stage=computed,
        computed_label=STAGE_LABELS[computed],
        override_stage=override,
        target_stage=target,
        gap=gap(stage, target),
        sessions_held=held,
    )
