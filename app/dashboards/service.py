"""Dashboards: participation by level, leaders and departments, computed by aggregate queries.

Definitions (also on the pages' small print):

- a session **held** is a completed session that started in the period (dates in UTC);
- **attendees** are attendance rows counted as attended (present at least the configured
  minimum); **unique people** are the distinct directory people among them;
- **executive participation** is the share of active people at executive levels *today* who
  attended at least one session held in the period;
- a department's **participation rate** is the share of its active people today who attended
  at least one session held in the period; per level likewise (both by department and level
  today, so a rate never passes 100 %).
"""

from collections import defaultdict
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import Row
from sqlmodel import Session, select

from app.charts import level_colors
from app.dashboards import queries
from app.dashboards.engagement import (
    DEFAULT_RULES,
    LADDER,
    STAGE_LABELS,
    EngagementRules,
    Signals,
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
    LeaderRow,
    LeadersPage,
    LevelRow,
    LevelsReport,
    MonthFigures,
    Overview,
    SeriesOption,
    SessionFigures,
    StageCount,
    StageRead,
    View,
)
from app.errors import Invalid, NotFound
from app.models import EngagementStage, LeaderStage, Person, utcnow
from app.people import service as people_service

UNKNOWN = "unknown"
NO_DEPARTMENT = "(no department)"


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


def _by_session(
    rows: Sequence[Row[int, int | None, int]], levels: _Levels
) -> dict[int, dict[str, int]]:
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for session_id, level_id, count in rows:
        per_level = counts[session_id]
        key = levels.key(level_id)
        per_level[key] = per_level.get(key, 0) + count
    return counts


def overview(session: Session, *, filters: DashboardFilters) -> Overview:
    """Sessions held, attendees, unique people, executive participation, the per-session trend."""
    levels = _Levels(session)
    scope = levels.scope(session, filters)
    held = queries.held_sessions(session, scope)
    counts = _by_session(queries.attendees_per_session_level(session, scope), levels)
    executives, executives_attended = queries.executive_participation(session, scope)
    recaps_sent, recaps_read = queries.recap_reach(session, scope)
    sessions = [
        SessionFigures(
            session_id=row.id,
            title=row.title,
            starts_at=row.starts_at,
            timezone=row.timezone,
            attendees=sum(counts.get(row.id, {}).values()),
            by_level=counts.get(row.id, {}),
        )
        for row in held
    ]
    return Overview(
        filters=filters,
        levels=levels.views,
        sessions_held=len(held),
        attendees=sum(figures.attendees for figures in sessions),
        unique_people=queries.unique_people(session, scope),
        executives=executives,
        executives_attended=executives_attended,
        executive_participation=_rate(executives_attended, executives),
        recaps_sent=recaps_sent,
        recaps_read=recaps_read,
        sessions=sessions,
    )


def levels_report(session: Session, *, filters: DashboardFilters, view: View) -> LevelsReport:
    """Attendance per level — at the time of each session, or as people are today — by month."""
    levels = _Levels(session)
    scope = levels.scope(session, filters)
    today = view == "today"
    held = queries.held_sessions(session, scope)
    counts = _by_session(queries.attendees_per_session_level(session, scope, today=today), levels)
    totals: dict[str, tuple[int, int]] = defaultdict(lambda: (0, 0))
    for total in queries.level_totals(session, scope, today=today):
        level_id, attendances, people = total
        key = levels.key(level_id)
        before = totals[key]
        totals[key] = (before[0] + attendances, before[1] + people)
    heads: dict[str, int] = defaultdict(int)
    for head in queries.headcount(session, scope):
        _department, level_id, count = head
        heads[levels.key(level_id)] += count

    months: dict[str, MonthFigures] = {}
    for row in held:
        month = row.starts_at.astimezone(ZoneInfo(row.timezone)).strftime("%Y-%m")
        figures = months.setdefault(
            month, MonthFigures(month=month, sessions=0, attendees=0, by_level={})
        )
        figures.sessions += 1
        for key, count in counts.get(row.id, {}).items():
            figures.by_level[key] = figures.by_level.get(key, 0) + count
            figures.attendees += count

    rows = []
    for level in levels.views:
        attendances, people = totals.get(level.key, (0, 0))
        rows.append(
            LevelRow(
                level=level,
                attendances=attendances,
                unique_people=people,
                average_per_session=attendances / len(held) if held else 0.0,
                headcount=heads.get(level.key, 0),
                participation_rate=_rate(people, heads.get(level.key, 0)),
            )
        )
    return LevelsReport(
        filters=filters,
        view=view,
        levels=levels.views,
        sessions_held=len(held),
        rows=rows,
        months=[months[key] for key in sorted(months)],
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
    wanted = [
        view.key
        for view in levels.views
        if view.is_executive or (include_directors and view.key == "director")
    ]
    sessions_held = len(queries.held_sessions(session, scope))
    level_ids = [levels.id_of[key] for key in wanted]
    activity = queries.leader_activity(session, scope, level_ids=level_ids)
    counts: dict[int, dict[str, int]] = {}
    for person_id, name, count in queries.leader_signals(session, scope, level_ids=level_ids):
        counts.setdefault(person_id, {})[name] = count
    rows = []
    for record in activity:
        person_id, name, title, department, level_id, attended, last, override, target = record
        mine = counts.get(person_id, {})
        signals = Signals(
            sessions_attended=attended,
            sessions_held=sessions_held,
            invitations_received=mine.get("invitations_received", 0),
            invitations_accepted=mine.get("invitations_accepted", 0),
            recaps_received=mine.get("recaps_received", 0),
            recaps_read=mine.get("recaps_read", 0),
            action_items_done=mine.get("action_items_done", 0),
        )
        computed = compute_stage(signals, rules)
        override_stage = EngagementStage(override) if override else None
        target_stage = EngagementStage(target) if target else None
        stage = override_stage or computed
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
                invitations_accepted=signals.invitations_accepted,
                recaps_received=signals.recaps_received,
                recaps_read=signals.recaps_read,
                action_items_owned=mine.get("action_items_owned", 0),
                action_items_done=signals.action_items_done,
                computed_stage=computed,
                override_stage=override_stage,
                stage=stage,
                target_stage=target_stage,
                gap=gap(stage, target_stage),
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
    stage_counts = dict.fromkeys(LADDER, 0)
    for row in rows:
        stage_counts[row.stage] += 1
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
    user_id: int | None,
) -> StageRead:
    """Set (or clear, with None) the override and target stage of one person."""
    assert person.id is not None
    record = session.exec(select(LeaderStage).where(LeaderStage.person_id == person.id)).first()
    if record is None:
        record = LeaderStage(person_id=person.id)
        session.add(record)
    record.override_stage = override_stage
    record.target_stage = target_stage
    record.updated_at = utcnow()
    record.updated_by_id = user_id
    session.flush()
    return StageRead.model_validate(record, from_attributes=True)
