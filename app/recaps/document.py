"""The recap as pure data: what the page, the PDF and the email are rendered from.

Built from the database by `app.recaps.builder`, frozen as JSON into each approved
RecapVersion, and never holding ORM objects — so a version renders the same bytes forever.
"""

from datetime import date, datetime

from pydantic import BaseModel, Field


class QuoteEntry(BaseModel):
    text: str
    attribution: str
    """Already follows the speaker's consent: "Ana Ruiz, CFO, Acme", "Acme", "A customer"."""


class ActionEntry(BaseModel):
    description: str
    owner: str
    """The owner's name, or "Unassigned"."""
    due_on: date | None
    status: str
    """open, in_progress or done."""
    session_title: str
    session_date: date
    latest_update: str = ""
    latest_update_on: date | None = None
    overdue: bool = False


class LevelCount(BaseModel):
    level: str
    is_executive: bool
    attendees: int
    previous: int | None = None
    """The same level's count at the previous session, when there is one."""


class NamedLeader(BaseModel):
    name: str
    title: str
    level: str
    department: str


class DepartmentCount(BaseModel):
    department: str
    attendees: int


class AttendanceSection(BaseModel):
    attendees: int
    """Attendance rows counted: people from the directory plus external guests."""
    unique_people: int
    """Distinct people from the directory."""
    previous_attendees: int | None = None
    previous_session_title: str = ""
    levels: list[LevelCount] = Field(default_factory=list)
    """Executive levels first, each listed even when nobody came ("none")."""
    leaders: list[NamedLeader] = Field(default_factory=list)
    top_departments: list[DepartmentCount] = Field(default_factory=list)
    chart_svg: str = ""
    """Attendance per level, from `app.kit.charts` (the same module as the dashboards)."""


class RecapDocument(BaseModel):
    company_name: str
    session_id: int
    session_title: str
    customer: str
    starts_at: datetime
    timezone: str
    series_title: str = ""
    version: int
    """0 for a draft preview; the version number once approved."""
    status: str
    approved_at: datetime | None = None
    approved_by: str = ""
    summary_html: str
    """Markdown already rendered and sanitised: safe to insert as is."""
    themes: list[str] = Field(default_factory=list)
    quotes: list[QuoteEntry] = Field(default_factory=list)
    action_items: list[ActionEntry] = Field(default_factory=list)
    """Committed in this session."""
    open_items: list[ActionEntry] = Field(default_factory=list)
    """Still open from earlier sessions (same series, or all: a setting)."""
    done_since_previous: list[ActionEntry] = Field(default_factory=list)
    """Closed since the previous recap."""
    attendance: AttendanceSection
