"""View models of the dashboards: what the pages render and the API returns, figure for figure.

A figure Storyroom cannot know is None, shown as "—" rather than as an invented zero.
"""

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.dashboards.engagement import Move
from app.deps import Page
from app.kit.schemas import Input
from app.models import EngagementStage
from app.people.peers import PeerFigures

View = Literal["as_it_was", "today"]
StageSource = Literal["ladder", "organizer"]


class DashboardFilters(BaseModel):
    """Which sessions and people count. Dates are whole days in UTC, both ends included."""

    model_config = ConfigDict(frozen=True)

    start: date | None = None
    end: date | None = None
    series_id: int | None = None
    department: str | None = None
    level: str | None = Field(default=None, description="A level key, e.g. `vp`.")


class DashboardLevel(BaseModel):
    key: str
    name: str
    is_executive: bool
    color: str = Field(description="The level's colour in every chart.")


class FunnelStages(BaseModel):
    """Invited → accepted → attended → read, counted among the people invited."""

    invited: int = Field(description="Invitations: one per person and session.")
    accepted: int
    attended: int
    read: int = Field(description="…who read the session's recap (whether or not they came).")
    accepted_rate: float | None = Field(description="accepted ÷ invited.")
    attended_rate: float | None = Field(description="attended ÷ invited.")
    read_rate: float | None = Field(description="read ÷ invited.")


class LevelFunnel(FunnelStages):
    level: DashboardLevel


class SessionFigures(BaseModel):
    """One session held in the period: its attendees, and each level's share of its people."""

    session_id: int
    title: str
    starts_at: datetime
    timezone: str
    attendees: int
    by_level: dict[str, int] = Field(description="Attendees per level key.")
    came: dict[str, int] = Field(
        default_factory=dict,
        description="Directory people who came, per level key: the numerators of `rates`.",
    )
    population: dict[str, int] = Field(
        default_factory=dict,
        description="A level's people at this session: those who came at that level, plus "
        "today's active people at it who did not come.",
    )
    rates: dict[str, float] = Field(
        default_factory=dict,
        description="Directory people who came at each level ÷ its population (0 to 1), for "
        "the levels that have people.",
    )


class Overview(BaseModel):
    """The headline figures of the period."""

    filters: DashboardFilters
    levels: list[DashboardLevel]
    sessions_held: int = Field(description="Completed sessions that started in the period.")
    attendees: int = Field(description="Attendance rows counted as attended.")
    unique_people: int = Field(description="Distinct directory people among the attendees.")
    executives: int = Field(description="Active people at executive levels today.")
    executives_attended: int = Field(description="…of whom attended at least one session.")
    executive_participation: float | None = Field(
        description="executives_attended ÷ executives (None when there are no executives)."
    )
    executives_regular: int = Field(
        default=0, description="…of whom came regularly, by `regular_rule`."
    )
    executive_regular_rate: float | None = Field(
        default=None, description="executives_regular ÷ executives."
    )
    regular_rule: str = Field(default="", description="What coming regularly means, in words.")
    recaps_sent: int = Field(
        default=0, description="Recap emails delivered for the period's sessions (one each)."
    )
    recaps_read: int = Field(default=0, description="…of which the recipient opened the link.")
    first_recap_session_at: datetime | None = Field(
        default=None, description="When the first session whose recap was delivered started."
    )
    sessions: list[SessionFigures] = Field(description="Every session held, oldest first.")
    funnel: FunnelStages | None = Field(
        default=None, description="Invited → accepted → attended → read, every level."
    )
    funnel_levels: list[LevelFunnel] = Field(
        default_factory=list, description="The same funnel per level (today's)."
    )


class LevelRow(BaseModel):
    level: DashboardLevel
    attendances: int
    unique_people: int = Field(description="Distinct directory people who came at this level.")
    average_per_session: float
    headcount: int = Field(description="Active people at this level today.")
    population: int = Field(
        default=0,
        description="The level's people in the period: today's headcount, plus those who came "
        "at this level and are not in it (since promoted, moved or left).",
    )
    participation_rate: float | None = Field(
        description="unique_people ÷ population: attended at least once."
    )
    average_rate: float | None = Field(
        default=None,
        description="The level's share per session, over the period: people who came ÷ "
        "its people, summed over the sessions held.",
    )


class MonthFigures(BaseModel):
    month: str = Field(description="YYYY-MM, in each session's own timezone.")
    sessions: int
    attendees: int
    by_level: dict[str, int]
    rates: dict[str, float] = Field(
        default_factory=dict,
        description="Each level's share per session in the month (people who came ÷ its "
        "people, summed over the month's sessions).",
    )


class LevelsReport(BaseModel):
    """Attendance by level: the level people had at each session, or their level today."""

    filters: DashboardFilters
    view: View
    levels: list[DashboardLevel]
    sessions_held: int
    rows: list[LevelRow]
    months: list[MonthFigures]
    sessions: list[SessionFigures] = Field(
        default_factory=list, description="Every session held, oldest first, in this view."
    )


class LeaderRow(BaseModel):
    person_id: int
    name: str
    title: str
    department: str
    level: DashboardLevel
    sessions_attended: int
    """Sessions held they came to: in the attendance report, or spoke or wrote in the chat."""
    sessions_held: int
    last_attended_at: datetime | None
    invitations_accepted: int | None = None
    recaps_received: int | None = None
    recaps_read: int | None = None
    action_items_owned: int | None = None
    action_items_done: int | None = None
    team_attended: int | None = Field(
        default=None, description="Their direct reports who attended a session held."
    )
    team_size: int | None = Field(default=None, description="Their direct reports (active).")
    commitments_made: int | None = None
    commitments_done: int | None = None
    computed_stage: EngagementStage
    override_stage: EngagementStage | None
    stage: EngagementStage = Field(description="The override if set, else the computed stage.")
    set_by: StageSource = Field(
        default="ladder", description="organizer: the stage is the organizer's override."
    )
    target_stage: EngagementStage | None
    gap: int | None = Field(description="Rungs from stage to target; negative above it.")
    quarters: list["QuarterStage"] = Field(
        default_factory=list,
        description="The computed stage in each of the last calendar quarters, oldest first.",
    )
    move: Move | None = Field(
        default=None, description="From the previous quarter to the latest one; null alone."
    )
    move_label: str = Field(default="", description='For instance "↑ from Buy-in".')


class QuarterStage(BaseModel):
    """A leader's computed stage in one calendar quarter (UTC), from that quarter's signals."""

    quarter: str = Field(description='For instance "Q3 2026".')
    start: date
    end: date = Field(description="The quarter's last day.")
    stage: EngagementStage
    label: str


class StageCount(BaseModel):
    stage: EngagementStage
    label: str
    count: int


class LeadersPage(Page[LeaderRow]):
    """Leaders (executive levels today, directors on request) and their engagement."""

    filters: DashboardFilters
    include_directors: bool
    sessions_held: int
    leaders: int = Field(description="Every leader, whatever the page or list shown.")
    never_attended: int
    stages: list[StageCount]
    latest_quarter: str = Field(
        default="", description='The last quarter of the trends, "Q4 2026".'
    )
    latest_quarter_stages: list[StageCount] = Field(
        default_factory=list, description="Leaders per computed stage in that quarter alone."
    )


class DepartmentLevelCell(BaseModel):
    level: str
    headcount: int
    attendees: int
    participation_rate: float | None


class DepartmentRow(BaseModel):
    department: str
    headcount: int = Field(description="Active people in the department today.")
    attendees: int = Field(description="Unique people who attended, from this department then.")
    participation_rate: float | None
    by_level: list[DepartmentLevelCell]


class DepartmentsPage(Page[DepartmentRow]):
    """Participation rate per department, and per level within it."""

    filters: DashboardFilters
    levels: list[DashboardLevel]
    sessions_held: int


class GridSession(BaseModel):
    """A column of the leader grid: a session held, and how many of all the leaders did what."""

    session_id: int
    title: str
    starts_at: datetime
    timezone: str
    invited: int
    accepted: int
    attended: int
    received: int = Field(description="Leaders sent its recap.")
    read: int = Field(description="Leaders who opened their link to its recap.")


class GridCell(BaseModel):
    """One leader and one session."""

    session_id: int
    invited: bool
    accepted: bool
    attended: bool
    received: bool
    read: bool


class GridRow(BaseModel):
    """A leader and one cell per session held (in the order of `sessions`), with totals."""

    person_id: int
    name: str
    title: str
    department: str
    level: DashboardLevel
    invited: int
    accepted: int
    attended: int
    received: int
    read: int
    cells: list[GridCell]


class LeaderGrid(Page[GridRow]):
    """Leaders × sessions held: never-attended leaders first, then the most senior."""

    filters: DashboardFilters
    include_directors: bool
    sessions_held: int
    leaders: int = Field(description="Every leader, whatever the page shown.")
    never_attended: int
    sessions: list[GridSession] = Field(description="The columns, oldest first.")


class SessionFunnel(FunnelStages):
    session_id: int
    title: str
    starts_at: datetime
    timezone: str


class FunnelReport(Page[SessionFunnel]):
    """The funnel per session held (newest first) and per level (today's) over the period."""

    filters: DashboardFilters
    sessions_held: int
    overall: FunnelStages = Field(description="Every invitation to the sessions held.")
    levels: list[LevelFunnel]


class StageUpdate(Input):
    """Both fields are replaced; null clears one."""

    override_stage: EngagementStage | None = None
    target_stage: EngagementStage | None = None


class StageRead(BaseModel):
    person_id: int
    override_stage: EngagementStage | None
    target_stage: EngagementStage | None
    updated_at: datetime


class SeriesOption(BaseModel):
    id: int
    title: str


class FilterOptions(BaseModel):
    series: list[SeriesOption]
    departments: list[str]
    levels: list[DashboardLevel]


class EvidenceLine(BaseModel):
    """One signal behind a quarter's stage, in words."""

    kind: Literal[
        "attended", "took_part", "team", "committed", "commitment_done", "action_done", "read"
    ]
    """`took_part`: spoke or wrote in a session's chat ("asked 1 question in chat at …")."""
    text: str = Field(description='For instance "attended 2 sessions (12 Mar, 4 Jun)".')


class QuarterEvidence(QuarterStage):
    move: Move | None = Field(description="From the quarter before; null for the first shown.")
    move_label: str
    evidence: list[EvidenceLine] = Field(description="Highest rung first; empty: no signal.")


class LeaderStages(BaseModel):
    """A leader's stage quarter by quarter, the evidence, and their peers this quarter."""

    person_id: int
    stage: EngagementStage = Field(description="Over all time; the organizer's override if set.")
    label: str
    computed_stage: EngagementStage
    set_by: StageSource
    quarters: list[QuarterEvidence] = Field(description="Oldest first; the last is the latest.")
    move: Move | None
    move_label: str
    peers: PeerFigures | None = Field(
        description="People at the leader's level today, in the latest quarter shown."
    )
    rules: list[str] = Field(description="The ladder's rules, highest rung first.")
