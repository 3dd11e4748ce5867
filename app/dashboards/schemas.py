"""View models of the dashboards: what the pages render and the API returns, figure for figure.

A figure Storyroom cannot know is None, shown as "—" rather than as an invented zero.
"""

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.deps import Page
from app.models import EngagementStage

View = Literal["as_it_was", "today"]


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


class SessionFigures(BaseModel):
    """One session held in the period: its attendees, per level as they were at the time."""

    session_id: int
    title: str
    starts_at: datetime
    timezone: str
    attendees: int
    by_level: dict[str, int] = Field(description="Attendees per level key.")


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
    recaps_sent: int = Field(
        default=0, description="Recap emails delivered for the period's sessions (one each)."
    )
    recaps_read: int = Field(default=0, description="…of which the recipient opened the link.")
    sessions: list[SessionFigures] = Field(description="Every session held, oldest first.")


class LevelRow(BaseModel):
    level: DashboardLevel
    attendances: int
    unique_people: int
    average_per_session: float
    headcount: int = Field(description="Active people at this level today.")
    participation_rate: float | None = Field(description="unique_people ÷ headcount.")


class MonthFigures(BaseModel):
    month: str = Field(description="YYYY-MM, in each session's own timezone.")
    sessions: int
    attendees: int
    by_level: dict[str, int]


class LevelsReport(BaseModel):
    """Attendance by level: the level people had at each session, or their level today."""

    filters: DashboardFilters
    view: View
    levels: list[DashboardLevel]
    sessions_held: int
    rows: list[LevelRow]
    months: list[MonthFigures]


class LeaderRow(BaseModel):
    person_id: int
    name: str
    title: str
    department: str
    level: DashboardLevel
    sessions_attended: int
    sessions_held: int
    last_attended_at: datetime | None
    invitations_accepted: int | None = None
    recaps_received: int | None = None
    recaps_read: int | None = None
    action_items_owned: int | None = None
    action_items_done: int | None = None
    computed_stage: EngagementStage
    override_stage: EngagementStage | None
    stage: EngagementStage = Field(description="The override if set, else the computed stage.")
    target_stage: EngagementStage | None
    gap: int | None = Field(description="Rungs from stage to target; negative above it.")


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


class StageUpdate(BaseModel):
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
