"""The recap as pure data: what the page, the PDF and the email are rendered from.

Built from the database by `app.recaps.builder`, frozen as JSON into each approved
RecapVersion, and never holding ORM objects — so a version renders the same bytes forever.
"""

from collections import defaultdict
from datetime import date, datetime
from html import unescape
from html.parser import HTMLParser

from pydantic import BaseModel, Field

CONDENSE_AFTER = 8
"""More carried-over items than this are condensed: counts by owner and status, overdue listed."""
OWNERS_SHOWN = 6
OVERDUE_SHOWN = 6
ABSENT_SHOWN = 12
"""Invited executives who stayed away, named on page 1; the rest are counted."""
COMMITMENTS_SHOWN = 8
"""Leaders' commitments listed one by one; more are counted by status."""


class QuoteEntry(BaseModel):
    text: str
    attribution: str
    """Already follows the speaker's consent: "Ana Ruiz, CFO, Acme", "Acme", "A customer"."""
    start_seconds: float | None = None
    """Where in the recording it was said, for a quote picked from the transcript."""


class QuestionEntry(BaseModel):
    """A question asked in the chat, under "Questions from the room"."""

    text: str
    asked_by: str = ""
    """The asker's name and level, their chat name, or "" for nobody named."""


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


class CommitmentEntry(BaseModel):
    """A leader's commitment after an earlier session, and what became of it."""

    text: str
    owner: str
    level: str
    status: str
    """open, done or dropped."""
    due_on: date | None
    overdue: bool = False
    session_title: str
    session_date: date
    latest_update: str = ""
    latest_update_on: date | None = None


class CommitmentsKept(BaseModel):
    """The commitments section, condensed: counts by status and the ones worth naming."""

    total: int
    done: int
    dropped: int
    open: int
    overdue: int
    shown: list[CommitmentEntry]
    more: int


def commitments_kept(entries: list[CommitmentEntry]) -> CommitmentsKept:
    """Counts by status, and the commitments to list: closed ones and overdue ones first."""
    rank = {"done": 0, "dropped": 1}
    ordered = sorted(
        entries,
        key=lambda entry: (
            rank.get(entry.status, 2 if entry.overdue else 3),
            entry.due_on or date.max,
        ),
    )
    return CommitmentsKept(
        total=len(entries),
        done=sum(entry.status == "done" for entry in entries),
        dropped=sum(entry.status == "dropped" for entry in entries),
        open=sum(entry.status == "open" for entry in entries),
        overdue=sum(entry.overdue for entry in entries),
        shown=ordered[:COMMITMENTS_SHOWN],
        more=max(len(entries) - COMMITMENTS_SHOWN, 0),
    )


class LevelCount(BaseModel):
    level: str
    is_executive: bool
    attendees: int
    previous: int | None = None
    """The same level's count at the previous session, when there is one."""
    came: int = 0
    """Distinct directory people who came at this level."""
    people: int | None = None
    """The level's people at the session: those who came at it plus today's active headcount
    at it who did not (the dashboards' rule, so a share never passes 100 %). None in versions
    approved before shares were recorded, and for attendees outside the directory."""

    @property
    def share(self) -> float | None:
        """Who came ÷ the level's people, or None when there is nobody to measure."""
        return self.came / self.people if self.people else None


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
    chart_summary: str = ""
    """The chart in one sentence: its text alternative, beside the table of levels."""
    executives_present: int | None = None
    """Executives who came: at an executive level then, or invited as one (None: not recorded)."""
    executives_expected: int = 0
    """The executives measured against: those invited (else the directory's), plus any who came."""
    executives_basis: str = ""
    """"invited" or "directory": whom `executives_expected` counts."""
    absent_executives: list[NamedLeader] = Field(default_factory=list)
    """Invited executives who did not come, most senior first."""

    def absent_shown(self) -> tuple[list[NamedLeader], int]:
        """The stayed-away executives to name, and how many more there are."""
        return self.absent_executives[:ABSENT_SHOWN], max(
            len(self.absent_executives) - ABSENT_SHOWN, 0
        )


class OwnerCount(BaseModel):
    owner: str
    open: int = 0
    in_progress: int = 0
    overdue: int = 0

    @property
    def total(self) -> int:
        return self.open + self.in_progress


class CarriedOver(BaseModel):
    """Items still open from earlier sessions, condensed for page 1–2 when there are many."""

    condensed: bool
    total: int
    open: int
    in_progress: int
    overdue: int
    owners: list[OwnerCount]
    """The owners with most items, most first (at most OWNERS_SHOWN)."""
    other_owners: int
    other_owner_items: int
    overdue_items: list[ActionEntry]
    """The overdue items listed one by one (at most OVERDUE_SHOWN), most overdue first."""
    more_overdue: int
    not_due: int
    """Open items not overdue (with a due date to come, or none)."""
    next_due: date | None
    undated: int


def carry_over(items: list[ActionEntry]) -> CarriedOver:
    """Counts by owner and status, and the overdue items, of the items carried over."""
    owners: dict[str, OwnerCount] = defaultdict(lambda: OwnerCount(owner=""))
    for item in items:
        row = owners[item.owner]
        row.owner = item.owner
        if item.status == "in_progress":
            row.in_progress += 1
        else:
            row.open += 1
        row.overdue += item.overdue
    ranked = sorted(owners.values(), key=lambda row: (-row.total, -row.overdue, row.owner))
    overdue = sorted(
        (item for item in items if item.overdue), key=lambda item: item.due_on or date.max
    )
    pending = [item for item in items if not item.overdue]
    dated = [item.due_on for item in pending if item.due_on is not None]
    shown = ranked[:OWNERS_SHOWN]
    return CarriedOver(
        condensed=len(items) > CONDENSE_AFTER,
        total=len(items),
        open=sum(row.open for row in ranked),
        in_progress=sum(row.in_progress for row in ranked),
        overdue=len(overdue),
        owners=shown,
        other_owners=len(ranked) - len(shown),
        other_owner_items=sum(row.total for row in ranked[OWNERS_SHOWN:]),
        overdue_items=overdue[:OVERDUE_SHOWN],
        more_overdue=max(len(overdue) - OVERDUE_SHOWN, 0),
        not_due=len(pending),
        next_due=min(dated) if dated else None,
        undated=len(pending) - len(dated),
    )


class _FirstParagraph(HTMLParser):
    """The first top-level <p> of sanitised summary HTML, as markup and as plain text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.depth = 0
        self.inside = False
        self.done = False
        self.markup: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.done:
            return
        if self.inside:
            self.markup.append(self.get_starttag_text() or "")
        elif tag == "p" and self.depth == 0:
            self.inside = True
        else:
            self.depth += tag not in {"br", "hr"}

    def handle_endtag(self, tag: str) -> None:
        if self.done:
            return
        if self.inside and tag == "p":
            self.inside, self.done = False, True
        elif self.inside:
            self.markup.append(f"</{tag}>")
        else:
            self.depth = max(self.depth - 1, 0)

    def handle_data(self, data: str) -> None:
        if self.inside and not self.done:
            self.markup.append(data)
            self.text.append(data)

    def handle_entityref(self, name: str) -> None:
        self.handle_data(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.handle_data(f"&#{name};")


def first_paragraph(summary_html: str) -> tuple[str, str]:
    """The summary's first paragraph as (sanitised markup, plain text); ("", "") if none."""
    parser = _FirstParagraph()
    parser.feed(summary_html)
    parser.close()
    markup = "".join(parser.markup).strip()
    return markup, " ".join(unescape("".join(parser.text)).split())


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
    theme_frequency: dict[str, str] = Field(default_factory=dict)
    """Per theme name, how often it came up recently ("came up in 5 of the last 8 sessions");
    empty in versions approved before it was recorded."""
    quotes: list[QuoteEntry] = Field(default_factory=list)
    questions: list[QuestionEntry] = Field(default_factory=list)
    """Asked in the chat; empty in versions approved before there were questions."""
    recording_url: str = ""
    """Where the session's recording is watched: the online recap links quotes' timestamps."""
    action_items: list[ActionEntry] = Field(default_factory=list)
    """Committed in this session."""
    open_items: list[ActionEntry] = Field(default_factory=list)
    """Still open from earlier sessions (same series, or all: a setting)."""
    done_since_previous: list[ActionEntry] = Field(default_factory=list)
    """Closed since the previous recap."""
    commitments: list[CommitmentEntry] = Field(default_factory=list)
    """Leaders' commitments after earlier sessions (in the carried items' scope): still open,
    or closed since the previous recap."""
    attendance: AttendanceSection

    def commitments_kept(self) -> CommitmentsKept:
        """The leaders' commitments, counted and condensed (see `commitments_kept`)."""
        return commitments_kept(self.commitments)

    def carried_over(self) -> CarriedOver:
        """The open items from earlier sessions, counted and condensed (see `carry_over`)."""
        return carry_over(self.open_items)
