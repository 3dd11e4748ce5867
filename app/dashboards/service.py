"""Dashboards: participation by level, leaders and departments, computed by aggregate queries.

Definitions (also on the pages' small print):

- a session **held** is a completed session that started in the period (dates in UTC);
- **attendees** are attendance rows counted as attended (present at least the configured
  minimum); **unique people** are the distinct directory people among them;
- a level's **people at a session** are those who came at that level (their level then) plus
  the active people at it today who did not come: a promotion or a leaver moves no one twice,
  so a level's **share of a session** (who came ÷ its people) never passes 100 %; over the
  period, a level's people are today's headcount plus those who came at it and are no longer
  in it;
- an executive (an active person at an executive level *today*) **comes regularly** when they
  attended at least half of the sessions held they were invited to (of every session held,
  when they were invited to none); **executive participation** is the share who attended at
  least one;
- the **funnel** counts the directory people invited to each session held (by their level
  today): how many accepted, attended and read its recap;
- a department's **participation rate** is the share of its active people today who attended
  at least one session held in the period; per level likewise (both by department and level
  today, so a rate never passes 100 %).
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Row
from sqlmodel import Session, select

from app.audit import service as audit
from app.dashboards import ladder, queries
from app.dashboards.engagement import (
    DEFAULT_RULES,
    LADDER,
    STAGE_LABELS,
    EngagementRules,
    compute_stage,
    gap,
)
from app.dashboards.queries import Scope
from app.dashboards.schemas import (
    DashboardFilters,
    DashboardLevel,
    DepartmentLevelCell,
    DepartmentRow,
    DepartmentsPage,
    FilterOptions,
    FunnelReport,
    FunnelStages,
    GridCell,
    GridRow,
    GridSession,
    LeaderGrid,
    LeaderRow,
    LeadersPage,
    LevelFunnel,
    LevelRow,
    LevelsReport,
    MonthFigures,
    Overview,
    SeriesOption,
    SessionFigures,
    SessionFunnel,
    StageCount,
    StageRead,
    View,
)
from app.errors import Invalid, NotFound
from app.kit.charts import level_colors
from app.models import EngagementStage, LeaderStage, Person, utcnow
from app.people import service as people_service

UNKNOWN = "unknown"
NO_DEPARTMENT = "(no department)"
REGULAR_SHARE = 0.5
REGULAR_RULE = (
    "attended at least half of the sessions held that they were invited to "
    "(of every session held, when they were invited to none)"
)


class _Levels:
    """The level ladder of one request, loaded once: ids ↔ keys, colours, the view models."""

    def __init__(self, session: Session) -> None:
        rows = queries.levels(session)
        colors = level_colors([(row.key, row.is_executive) for row in rows])
        self.views = [
            DashboardLevel(
                key=row.key, name=row.name, is_executive=row.is_executive, color=colors[row.key]
            )
            for row in rows
        ]
        self.key_of: dict[int | None, str] = {row.id: row.key for row in rows}
        self.id_of = {row.key: row.id for row in rows}
        self.by_key = {view.key: view for view in self.views}

    def key(self, level_id: int | None) -> str:
        """A level id as its key; attendees with no level are the unknown level."""
        return self.key_of.get(level_id, UNKNOWN)

    def scope(self, session: Session, filters: DashboardFilters) -> Scope:
        """Check the filters and turn them into a query scope (a 404/422 says what is wrong)."""
        if filters.start and filters.end and filters.start > filters.end:
            raise Invalid(
                f"The period starts on {filters.start} but ends before, on {filters.end}; "
                "give an end on or after the start."
            )
        level_id = None
        if filters.level:
            key = filters.level.strip().lower()
            if key not in self.id_of:
                keys = ", ".join(self.id_of)
                raise Invalid(f"There is no level {filters.level!r}; the levels are: {keys}.")
            level_id = self.id_of[key]
        if filters.series_id is not None and not queries.series_exists(session, filters.series_id):
            raise NotFound(f"There is no series with id {filters.series_id}.")
        return Scope(
            start=filters.start,
            end=filters.end,
            series_id=filters.series_id,
            department=filters.department or None,
            level_id=level_id,
        )


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def filter_options(session: Session) -> FilterOptions:
    """What the filter form offers: series, departments and levels."""
    return FilterOptions(
        series=[
            SeriesOption(id=row.id, title=row.title) for row in queries.series_options(session)
        ],
        departments=people_service.departments(session),
        levels=_Levels(session).views,
    )


@dataclass(frozen=True)
class _SessionPeople:
    """Per session: attendees, directory people who came, today's headcount among them."""

    attendees: dict[int, dict[str, int]]
    came: dict[int, dict[str, int]]
    counted: dict[int, dict[str, int]]
    heads: dict[str, int]

    def population(self, session_id: int) -> dict[str, int]:
        """A level's people at one session: who came at it, plus today's headcount who did not."""
        came, counted = self.came.get(session_id, {}), self.counted.get(session_id, {})
        sizes = {
            key: came.get(key, 0) + self.heads.get(key, 0) - counted.get(key, 0)
            for key in set(came) | set(self.heads)
        }
        return {key: size for key, size in sizes.items() if size > 0}


def _session_people(
    session: Session, scope: Scope, levels: _Levels, *, today: bool = False
) -> _SessionPeople:
    heads: dict[str, int] = defaultdict(int)
    for head in queries.headcount(session, scope):
        _department, level_id, count = head
        heads[levels.key(level_id)] += count

    def nested() -> dict[int, dict[str, int]]:
        return defaultdict(lambda: defaultdict(int))

    attendees, came, counted = nested(), nested(), nested()
    for row in queries.session_level_people(session, scope, today=today):
        session_id, kind, level, rows, people = row
        key = levels.key(level)
        if kind == "came":
            attendees[session_id][key] += rows
            if people:
                came[session_id][key] += people
        else:
            counted[session_id][key] += people
    return _SessionPeople(attendees=attendees, came=came, counted=counted, heads=heads)


def _figures(
    held: Sequence[Row[int, str, datetime, str]], people: _SessionPeople
) -> list[SessionFigures]:
    figures = []
    for row in held:
        population = people.population(row.id)
        came = people.came.get(row.id, {})
        counts = dict(people.attendees.get(row.id, {}))
        figures.append(
            SessionFigures(
                session_id=row.id,
                title=row.title,
                starts_at=row.starts_at,
                timezone=row.timezone,
                attendees=sum(counts.values()),
                by_level=counts,
                came={key: came.get(key, 0) for key in population},
                population=population,
                rates={key: came.get(key, 0) / size for key, size in population.items()},
            )
        )
    return figures


def overview(session: Session, *, filters: DashboardFilters) -> Overview:
    """Executives who come (regularly, ever), the funnel by level, each level's share."""
    levels = _Levels(session)
    scope = levels.scope(session, filters)
    held = queries.held_sessions(session, scope)
    people = _session_people(session, scope, levels)
    executive = [view.key for view in levels.views if view.is_executive]
    executives = sum(people.heads.get(key, 0) for key in executive)
    attended, regular = _executives_who_came(session, scope, levels, sessions_held=len(held))
    recaps_sent, recaps_read, first_recap = queries.recap_reach(session, scope)
    sessions = _figures(held, people)
    funnel = _funnel(session, scope, levels, held, filters=filters, limit=0, offset=0)
    return Overview(
        filters=filters,
        levels=levels.views,
        sessions_held=len(held),
        attendees=sum(figures.attendees for figures in sessions),
        unique_people=queries.unique_people(session, scope),
        executives=executives,
        executives_attended=attended,
        executive_participation=_rate(attended, executives),
        executives_regular=regular,
        executive_regular_rate=_rate(regular, executives),
        regular_rule=REGULAR_RULE,
        recaps_sent=recaps_sent,
        recaps_read=recaps_read,
        first_recap_session_at=first_recap,
        sessions=sessions,
        funnel=funnel.overall,
        funnel_levels=funnel.levels,
    )


def _executives_who_came(
    session: Session, scope: Scope, levels: _Levels, *, sessions_held: int
) -> tuple[int, int]:
    """(active executives who attended at least once, who came regularly by `REGULAR_RULE`)."""
    executive = [levels.id_of[view.key] for view in levels.views if view.is_executive]
    if not executive or not sessions_held:
        return 0, 0
    totals: dict[int, dict[str, int]] = defaultdict(dict)
    for axis, person_id, mark, count in queries.leader_mark_totals(
        session, scope, level_ids=executive
    ):
        if axis == "person":
            totals[person_id][mark] = count
    attended = regular = 0
    for marks in totals.values():
        attended += marks.get("attended", 0) > 0
        invited = marks.get("invited", 0)
        if invited:
            regular += marks.get("attended_invited", 0) >= REGULAR_SHARE * invited
        else:
            regular += marks.get("attended", 0) >= REGULAR_SHARE * sessions_held
    return attended, regular


def levels_report(session: Session, *, filters: DashboardFilters, view: View) -> LevelsReport:
    """Each level's share of its people — by the level then, or today — per session and month."""
    levels = _Levels(session)
    scope = levels.scope(session, filters)
    today = view == "today"
    held = queries.held_sessions(session, scope)
    people = _session_people(session, scope, levels, today=today)
    sessions = _figures(held, people)
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for total in queries.level_totals(session, scope, today=today):
        level_id, attendances, unique, overlap = total
        sums = totals[levels.key(level_id)]
        sums[0] += attendances
        sums[1] += unique
        sums[2] += overlap

    months: dict[str, MonthFigures] = {}
    shares: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for row, figures in zip(held, sessions, strict=True):
        month = row.starts_at.astimezone(ZoneInfo(row.timezone)).strftime("%Y-%m")
        summed = months.setdefault(
            month, MonthFigures(month=month, sessions=0, attendees=0, by_level={})
        )
        summed.sessions += 1
        for key, count in figures.by_level.items():
            summed.by_level[key] = summed.by_level.get(key, 0) + count
            summed.attendees += count
        came = people.came.get(row.id, {})
        for key, size in figures.population.items():
            share = shares[month][key]
            share[0] += came.get(key, 0)
            share[1] += size
    for month, summed in months.items():
        summed.rates = {key: part / whole for key, (part, whole) in shares[month].items()}

    rows = []
    for level in levels.views:
        attendances, unique, overlap = totals.get(level.key, [0, 0, 0])
        headcount = people.heads.get(level.key, 0)
        population = unique + headcount - overlap
        present = sum(people.came.get(row.id, {}).get(level.key, 0) for row in held)
        size = sum(figures.population.get(level.key, 0) for figures in sessions)
        rows.append(
            LevelRow(
                level=level,
                attendances=attendances,
                unique_people=unique,
                average_per_session=attendances / len(held) if held else 0.0,
                headcount=headcount,
                population=population,
                participation_rate=_rate(unique, population),
                average_rate=_rate(present, size),
            )
        )
    return LevelsReport(
        filters=filters,
        view=view,
        levels=levels.views,
        sessions_held=len(held),
        rows=rows,
        months=[months[key] for key in sorted(months)],
        sessions=sessions,
    )


def leaders(
    session: Session,
    *,
    filters: DashboardFilters,
    include_directors: bool = False,
    never_attended: bool = False,
    limit: int = 50,
    offset: int = 0,
    rules: EngagementRules = DEFAULT_RULES,
) -> LeadersPage:
    """Leaders (executive levels today; directors on request), their signals and stage."""
    rows, sessions_held = _leader_rows(session, filters, include_directors, rules)
    return _leaders_page(
        rows,
        sessions_held,
        filters=filters,
        include_directors=include_directors,
        never_attended=never_attended,
        limit=limit,
        offset=offset,
    )


def leaders_and_absentees(
    session: Session,
    *,
    filters: DashboardFilters,
    include_directors: bool = False,
    limit: int = 50,
    offset: int = 0,
    absentees_limit: int = 500,
) -> tuple[LeadersPage, LeadersPage]:
    """A page of leaders and, from the same queries, the leaders who never attended."""
    rows, sessions_held = _leader_rows(session, filters, include_directors, DEFAULT_RULES)

    def page(never_attended: bool, limit: int, offset: int) -> LeadersPage:
        return _leaders_page(
            rows,
            sessions_held,
            filters=filters,
            include_directors=include_directors,
            never_attended=never_attended,
            limit=limit,
            offset=offset,
        )

    return page(False, limit, offset), page(True, absentees_limit, 0)


def _leader_rows(
    session: Session,
    filters: DashboardFilters,
    include_directors: bool,
    rules: EngagementRules,
) -> tuple[list[LeaderRow], int]:
    levels = _Levels(session)
    scope = levels.scope(session, filters)
    wanted = _leader_levels(levels, include_directors)
    sessions_held = len(queries.held_sessions(session, scope))
    level_ids = [levels.id_of[key] for key in wanted]
    activity = queries.leader_activity(session, scope, level_ids=level_ids)
    counts = ladder.signal_counts(queries.leader_signals(session, scope, level_ids=level_ids))
    quarters = ladder.shown_quarters(filters.end)
    trends = ladder.quarter_stages(session, scope, quarters, level_ids=level_ids, rules=rules)
    rows = []
    for record in activity:
        person_id, name, title, department, level_id, attended, last, override, target = record
        mine = ladder.in_period(counts.get(person_id, {}))
        signals = replace(ladder.signals_of(mine), sessions_attended=attended)
        # Came as the ladder counts it: a session they spoke or wrote in the chat of counts
        # even when its attendance report missed them, so they are not "never attended".
        attended += signals.sessions_taken_part
        computed = compute_stage(signals, rules)
        override_stage = EngagementStage(override) if override else None
        target_stage = EngagementStage(target) if target else None
        stage = override_stage or computed
        trend = trends.get(person_id) or ladder.no_signal(quarters)
        step, step_label = ladder.last_move(trend)
        rows.append(
            LeaderRow(
                person_id=person_id,
                name=name,
                title=title,
                department=department,
                level=levels.by_key[levels.key(level_id)],
                sessions_attended=attended,
                sessions_held=sessions_held,
                last_attended_at=last,
                invitations_accepted=mine.get("invitations_accepted", 0),
                recaps_received=signals.recaps_received,
                recaps_read=signals.recaps_read,
                action_items_owned=mine.get("action_items_owned", 0),
                action_items_done=signals.action_items_done,
                team_attended=signals.team_attended,
                team_size=signals.team_size,
                commitments_made=signals.commitments_made,
                commitments_done=signals.commitments_done,
                computed_stage=computed,
                override_stage=override_stage,
                stage=stage,
                set_by="organizer" if override_stage else "ladder",
                target_stage=target_stage,
                gap=gap(stage, target_stage),
                quarters=trend,
                move=step,
                move_label=step_label,
            )
        )
    position = {key: index for index, key in enumerate(wanted)}
    rows.sort(key=lambda r: (position[r.level.key], -r.sessions_attended, r.name, r.person_id))
    return rows, sessions_held


def _leaders_page(
    rows: list[LeaderRow],
    sessions_held: int,
    *,
    filters: DashboardFilters,
    include_directors: bool,
    never_attended: bool,
    limit: int,
    offset: int,
) -> LeadersPage:
    stage_counts, latest_counts = dict.fromkeys(LADDER, 0), dict.fromkeys(LADDER, 0)
    for row in rows:
        stage_counts[row.stage] += 1
        if row.quarters:
            latest_counts[row.quarters[-1].stage] += 1
    never = [row for row in rows if row.sessions_attended == 0]
    shown = never if never_attended else rows
    return LeadersPage(
        items=shown[offset : offset + limit],
        total=len(shown),
        limit=limit,
        offset=offset,
        filters=filters,
        include_directors=include_directors,
        sessions_held=sessions_held,
        leaders=len(rows),
        never_attended=len(never),
        stages=[
            StageCount(stage=stage, label=STAGE_LABELS[stage], count=stage_counts[stage])
            for stage in LADDER
        ],
        latest_quarter=rows[0].quarters[-1].quarter if rows and rows[0].quarters else "",
        latest_quarter_stages=[
            StageCount(stage=stage, label=STAGE_LABELS[stage], count=latest_counts[stage])
            for stage in LADDER
        ],
    )


def departments(
    session: Session, *, filters: DashboardFilters, limit: int = 50, offset: int = 0
) -> DepartmentsPage:
    """Participation rate per department and per level, highest rate first."""
    levels = _Levels(session)
    scope = levels.scope(session, filters)
    sessions_held = len(queries.held_sessions(session, scope))
    heads: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in queries.headcount(session, scope):
        department, level_id, count = row
        heads[department][levels.key(level_id)] += count
    came: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for cell in queries.department_level_attendees(session, scope):
        department, snapshot_level_id, count = cell
        came[department][levels.key(snapshot_level_id)] += count
    came_total = {row[0]: int(row[1]) for row in queries.department_attendees(session, scope)}

    rows = []
    for department in set(heads) | set(came_total):
        headcount = sum(heads[department].values())
        attendees = int(came_total.get(department, 0))
        if not headcount and not attendees:
            continue  # only unmatched guests: no one to count
        rows.append(
            DepartmentRow(
                department=department or NO_DEPARTMENT,
                headcount=headcount,
                attendees=attendees,
                participation_rate=_rate(attendees, headcount),
                by_level=[
                    DepartmentLevelCell(
                        level=level.key,
                        headcount=heads[department][level.key],
                        attendees=came[department][level.key],
                        participation_rate=_rate(
                            came[department][level.key], heads[department][level.key]
                        ),
                    )
                    for level in levels.views
                ],
            )
        )
    rows.sort(key=lambda r: (-(r.participation_rate or 0.0), -r.headcount, r.department))
    return DepartmentsPage(
        items=rows[offset : offset + limit],
        total=len(rows),
        limit=limit,
        offset=offset,
        filters=filters,
        levels=levels.views,
        sessions_held=sessions_held,
    )


def _leader_levels(levels: _Levels, include_directors: bool) -> list[str]:
    return [
        view.key
        for view in levels.views
        if view.is_executive or (include_directors and view.key == "director")
    ]


def leader_grid(
    session: Session,
    *,
    filters: DashboardFilters,
    include_directors: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> LeaderGrid:
    """Leaders × sessions held: invited, accepted, attended, read — never-attended first."""
    levels = _Levels(session)
    scope = levels.scope(session, filters)
    wanted = _leader_levels(levels, include_directors)
    level_ids = [levels.id_of[key] for key in wanted]
    held = queries.held_sessions(session, scope)
    activity = queries.leader_activity(session, scope, level_ids=level_ids)
    person_totals: dict[int, dict[str, int]] = defaultdict(dict)
    session_totals: dict[int, dict[str, int]] = defaultdict(dict)
    for axis, key, mark, count in queries.leader_mark_totals(session, scope, level_ids=level_ids):
        (person_totals if axis == "person" else session_totals)[key][mark] = count
    position = {key: index for index, key in enumerate(wanted)}
    # Never attended first, then by seniority, the least often present first.
    ordered = sorted(
        activity,
        key=lambda r: (r[5] > 0, position[levels.key(r[4])], r[5], r[1], r[0]),
    )
    page = ordered[offset : offset + limit]
    marks: dict[int, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    for person_id, session_id, mark in queries.leader_marks(
        session, scope, person_ids=[record[0] for record in page]
    ):
        marks[person_id][session_id].add(mark)

    rows = []
    for record in page:
        person_id, name, title, department, level_id = record[:5]
        mine, totals = marks[person_id], person_totals[person_id]
        rows.append(
            GridRow(
                person_id=person_id,
                name=name,
                title=title,
                department=department,
                level=levels.by_key[levels.key(level_id)],
                invited=totals.get("invited", 0),
                accepted=totals.get("accepted", 0),
                attended=totals.get("attended", 0),
                received=totals.get("received", 0),
                read=totals.get("read", 0),
                cells=[_cell(row.id, mine.get(row.id, set())) for row in held],
            )
        )
    return LeaderGrid(
        items=rows,
        total=len(ordered),
        limit=limit,
        offset=offset,
        filters=filters,
        include_directors=include_directors,
        sessions_held=len(held),
        leaders=len(ordered),
        never_attended=sum(1 for record in activity if record[5] == 0),
        sessions=[
            GridSession(
                session_id=row.id,
                title=row.title,
                starts_at=row.starts_at,
                timezone=row.timezone,
                invited=session_totals[row.id].get("invited", 0),
                accepted=session_totals[row.id].get("accepted", 0),
                attended=session_totals[row.id].get("attended", 0),
                received=session_totals[row.id].get("received", 0),
                read=session_totals[row.id].get("read", 0),
            )
            for row in held
        ],
    )


def _cell(session_id: int, marks: set[str]) -> GridCell:
    return GridCell(
        session_id=session_id,
        invited="invited" in marks,
        accepted="accepted" in marks,
        attended="attended" in marks,
        received="received" in marks,
        read="read" in marks,
    )


def _stages(counts: Sequence[int]) -> FunnelStages:
    invited, accepted, attended, read = counts
    return FunnelStages(
        invited=invited,
        accepted=accepted,
        attended=attended,
        read=read,
        accepted_rate=_rate(accepted, invited),
        attended_rate=_rate(attended, invited),
        read_rate=_rate(read, invited),
    )


def funnel(
    session: Session, *, filters: DashboardFilters, limit: int = 50, offset: int = 0
) -> FunnelReport:
    """Invited → accepted → attended → read: per session held (newest first) and per level."""
    levels = _Levels(session)
    scope = levels.scope(session, filters)
    held = queries.held_sessions(session, scope)
    return _funnel(session, scope, levels, held, filters=filters, limit=limit, offset=offset)


def _funnel(
    session: Session,
    scope: Scope,
    levels: _Levels,
    held: Sequence[Row[int, str, datetime, str]],
    *,
    filters: DashboardFilters,
    limit: int,
    offset: int,
) -> FunnelReport:
    per_session: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    per_level: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for session_id, level_id, *stages in queries.funnel(session, scope):
        for sums in (per_session[session_id], per_level[levels.key(level_id)]):
            for index, count in enumerate(stages):
                sums[index] += count
    newest = list(reversed(held))
    total = [sum(sums[index] for sums in per_level.values()) for index in range(4)]
    return FunnelReport(
        items=[
            SessionFunnel(
                session_id=row.id,
                title=row.title,
                starts_at=row.starts_at,
                timezone=row.timezone,
                **_stages(per_session[row.id]).model_dump(),
            )
            for row in newest[offset : offset + limit]
        ],
        total=len(newest),
        limit=limit,
        offset=offset,
        filters=filters,
        sessions_held=len(held),
        overall=_stages(total),
        levels=[
            LevelFunnel(level=level, **_stages(per_level[level.key]).model_dump())
            for level in levels.views
            if level.key in per_level
        ],
    )


def get_leader_stage(session: Session, *, person: Person) -> StageRead | None:
    """The organizer's override and target for this person, if any were set."""
    record = session.exec(select(LeaderStage).where(LeaderStage.person_id == person.id)).first()
    if record is None:
        return None
    return StageRead.model_validate(record, from_attributes=True)


def set_leader_stage(
    session: Session,
    *,
    person: Person,
    override_stage: EngagementStage | None,
    target_stage: EngagementStage | None,
) -> StageRead:
    """Set (or clear, with None) the override and target stage of one person, as the actor."""
    assert person.id is not None
    record = session.exec(select(LeaderStage).where(LeaderStage.person_id == person.id)).first()
    if record is None:
        record = LeaderStage(person_id=person.id)
        session.add(record)
    record.override_stage = override_stage
    record.target_stage = target_stage
    record.updated_at = utcnow()
    record.updated_by_id = audit.actor_of(session).user_id
    session.flush()
    return StageRead.model_validate(record, from_attributes=True)
