"""Themes across sessions: how often each came up, who heard it, and what is done about it.

Definitions (also on the page's small print):

- a theme's **sessions** are the sessions held in the period (completed, started in it, in
  the series when one is chosen) whose recap is tagged with it;
- its **recent frequency** counts those among the last `RECENT_SESSIONS` sessions held in the
  period ("5 of the last 8 sessions"); themes are listed by it, then by sessions;
- its **quotes** are the quotes of those recaps whose speaker still consents to be quoted;
- its **action items** and **commitments** are those filed under it, on sessions in the
  period (any but cancelled ones);
- the **levels that heard it** count the distinct directory people who attended its sessions,
  at their level then (the department and level filters narrow these attendees), executive
  levels first.

Each figure group is one statement for every theme at once, so the page's number of queries
does not grow with the number of themes (tests/dashboards guard it).
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, Select, case, distinct, func, literal, select, union_all
from sqlmodel import Session, col

from app.dashboards import queries
from app.dashboards.queries import Scope, _attended, _in_period, _params, held
from app.dashboards.schemas import DashboardFilters
from app.dashboards.service import UNKNOWN, _Levels
from app.db import id_of, table_of
from app.deps import MAX_ID
from app.errors import Invalid
from app.kit.quarters import Quarter
from app.kit.schemas import Input
from app.models import (
    ActionItem,
    ActionStatus,
    Commitment,
    CommitmentStatus,
    Consent,
    Customer,
    Level,
    Person,
    Recap,
    RecapQuote,
    RecapTheme,
    SessionSpeaker,
    StorySession,
    Theme,
)
from app.recaps.action_items import list_action_items
from app.recaps.builder import attribution
from app.recaps.schemas import ActionItemFilters, ActionItemRead
from app.recaps.themes import get_theme, merge_themes

RECENT_SESSIONS = 8
MONTHS_SHOWN = 12
"""A period up to this many months long is drawn by month; a longer one by quarter."""
QUARTERS_SHOWN = 16
QUOTES_SHOWN = 200

ACTION = table_of(ActionItem)
COMMITMENT = table_of(Commitment)
QUOTE = table_of(RecapQuote)
RECAP = table_of(Recap)
RECAP_THEME = table_of(RecapTheme)
SESSION = table_of(StorySession)
SPEAKER = table_of(SessionSpeaker)
THEME = table_of(Theme)
ATTENDANCE = queries.ATTENDANCE


class ThemeBucket(BaseModel):
    """One month or quarter of a theme's timeline."""

    label: str
    """"Mar 2026" or "Q1 2026"."""
    start: date
    sessions: int
    """Sessions held in it whose recap carries the theme."""


class LevelHeard(BaseModel):
    key: str
    name: str
    is_executive: bool
    color: str
    people: int
    """Distinct directory people who attended the theme's sessions at this level."""


class ThemeSummary(BaseModel):
    id: int
    name: str
    sessions: int
    recent: int
    """Of the last `recent_window` sessions held, how many raised it."""
    recent_window: int
    recent_text: str
    """"5 of the last 8 sessions"."""
    first_raised_at: datetime | None
    last_raised_at: datetime | None
    quotes: int
    action_items_open: int
    """Open or in progress."""
    action_items_done: int
    commitments: int
    levels: list[LevelHeard]
    """Executive levels first, then by seniority; only levels someone heard it at."""
    timeline: list[ThemeBucket]
    customers_affected: int | None = None
    revenue_at_risk: int | None = None


class ThemesReport(BaseModel):
    filters: DashboardFilters
    recent_window: int
    """The sessions the recent frequency counts among (at most 8: fewer were held)."""
    bucket: Literal["month", "quarter"]
    themes: list[ThemeSummary]
    """By recent frequency, then sessions, then name."""


class ThemeSession(BaseModel):
    session_id: int
    title: str
    customer: str
    starts_at: datetime
    timezone: str


class ThemeQuote(BaseModel):
    text: str
    attribution: str
    """As the recap prints it: it follows the speaker's consent (withdrawn: not shown)."""
    session_id: int
    session_title: str
    starts_at: datetime
    timezone: str


class ThemeCommitment(BaseModel):
    id: int
    text: str
    owner: str
    level: str
    status: CommitmentStatus
    due_on: date | None
    session_id: int
    session_title: str


class ThemeDetail(ThemeSummary):
    """One theme's page: its summary and everything filed under it."""

    bucket: Literal["month", "quarter"]
    """What each bar of the timeline counts."""

    session_list: list[ThemeSession]
    """Newest first."""
    quote_list: list[ThemeQuote]
    """Newest session first, in each recap's order."""
    action_item_list: list[ActionItemRead]
    commitment_list: list[ThemeCommitment]


class MergeRequest(Input):
    """The theme to merge into: it keeps its name and gains everything of the merged one."""

    into: int = Field(ge=1, le=MAX_ID, description="The id of the theme to merge into.")


class MergeRead(BaseModel):
    """The theme merged into, and what moved onto it."""

    id: int
    name: str
    recaps: int
    action_items: int
    commitments: int


# -- queries: one statement each, for every theme (or one) --------------------------------


def _tagged(theme_id: int | None) -> list[ColumnElement[bool]]:
    return [] if theme_id is None else [RECAP_THEME.c.theme_id == theme_id]


def _tagged_sessions() -> Select[tuple[int]]:
    """FROM recap_theme JOIN recap JOIN story_session."""
    return select(RECAP_THEME.c.theme_id).select_from(
        RECAP_THEME.join(RECAP, RECAP.c.id == RECAP_THEME.c.recap_id).join(
            SESSION, SESSION.c.id == RECAP.c.session_id
        )
    )


def _theme_sessions(
    session: Session, scope: Scope, theme_id: int | None
) -> Sequence[tuple[int, int, datetime]]:
    """(theme id, session id, starts_at) for each session held that raised a theme."""
    query = _tagged_sessions().add_columns(SESSION.c.id, SESSION.c.starts_at)
    query = query.where(*held(scope), *_tagged(theme_id))
    return [tuple(row) for row in session.connection().execute(query, _params(scope))]


def _recent_sessions(session: Session, scope: Scope) -> list[int]:
    """The last `RECENT_SESSIONS` sessions held in the period, newest first."""
    query = (
        select(SESSION.c.id)
        .where(*held(scope))
        .order_by(SESSION.c.starts_at.desc(), SESSION.c.id.desc())
        .limit(RECENT_SESSIONS)
    )
    return list(session.connection().execute(query, _params(scope)).scalars())


def _quote_counts(session: Session, scope: Scope, theme_id: int | None) -> dict[int, int]:
    query = (
        select(RECAP_THEME.c.theme_id, func.count(QUOTE.c.id))
        .select_from(
            RECAP_THEME.join(RECAP, RECAP.c.id == RECAP_THEME.c.recap_id)
            .join(SESSION, SESSION.c.id == RECAP.c.session_id)
            .join(QUOTE, QUOTE.c.recap_id == RECAP.c.id)
            .join(SPEAKER, SPEAKER.c.id == QUOTE.c.speaker_id)
        )
        .where(*held(scope), SPEAKER.c.consent != Consent.none, *_tagged(theme_id))
        .group_by(RECAP_THEME.c.theme_id)
    )
    return {row[0]: row[1] for row in session.connection().execute(query, _params(scope))}


def _filed(session: Session, scope: Scope, theme_id: int | None) -> dict[int, tuple[int, int, int]]:
    """Per theme: (open action items, done action items, commitments) filed under it."""
    done = ACTION.c.status == ActionStatus.done
    items = (
        select(
            ACTION.c.theme_id.label("theme_id"),
            case((done, 0), else_=1).label("open"),
            case((done, 1), else_=0).label("done"),
            literal(0).label("commitments"),
        )
        .select_from(ACTION.join(SESSION, SESSION.c.id == ACTION.c.session_id))
        .where(ACTION.c.theme_id.is_not(None), *_in_period(scope))
    )
    commitments = (
        select(
            COMMITMENT.c.theme_id.label("theme_id"),
            literal(0).label("open"),
            literal(0).label("done"),
            literal(1).label("commitments"),
        )
        .select_from(COMMITMENT.join(SESSION, SESSION.c.id == COMMITMENT.c.session_id))
        .where(COMMITMENT.c.theme_id.is_not(None), *_in_period(scope))
    )
    if theme_id is not None:
        items = items.where(ACTION.c.theme_id == theme_id)
        commitments = commitments.where(COMMITMENT.c.theme_id == theme_id)
    both = union_all(items, commitments).subquery()
    query = select(
        both.c.theme_id, func.sum(both.c.open), func.sum(both.c.done), func.sum(both.c.commitments)
    ).group_by(both.c.theme_id)
    return {
        row[0]: (int(row[1]), int(row[2]), int(row[3]))
        for row in session.connection().execute(query, _params(scope))
    }


def _levels_heard(
    session: Session, scope: Scope, theme_id: int | None
) -> Sequence[tuple[int, int | None, int]]:
    """(theme id, level id then, distinct people) for the attendees of each theme's sessions."""
    query = (
        select(
            RECAP_THEME.c.theme_id,
            ATTENDANCE.c.level_id,
            func.count(distinct(ATTENDANCE.c.person_id)),
        )
        .select_from(
            RECAP_THEME.join(RECAP, RECAP.c.id == RECAP_THEME.c.recap_id)
            .join(SESSION, SESSION.c.id == RECAP.c.session_id)
            .join(ATTENDANCE, ATTENDANCE.c.session_id == SESSION.c.id)
        )
        .where(
            *held(scope),
            *_attended(scope),
            ATTENDANCE.c.person_id.is_not(None),
            *_tagged(theme_id),
        )
        .group_by(RECAP_THEME.c.theme_id, ATTENDANCE.c.level_id)
    )
    return [tuple(row) for row in session.connection().execute(query, _params(scope))]


def _themes(
    session: Session, theme_id: int | None
) -> Sequence[tuple[int, str, int | None, int | None]]:
    query = select(
        THEME.c.id, THEME.c.name, THEME.c.customers_affected, THEME.c.revenue_at_risk
    ).order_by(THEME.c.key)
    if theme_id is not None:
        query = query.where(THEME.c.id == theme_id)
    return [tuple(row) for row in session.connection().execute(query)]


# -- the timeline ------------------------------------------------------------------------------


def _month(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _buckets(first: date, last: date) -> tuple[Literal["month", "quarter"], list[date]]:
    """The months (or, over a longer span, quarters) from `first` to `last`, oldest first."""
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    if months <= MONTHS_SHOWN:
        starts, day = [], _month(first)
        while day <= last:
            starts.append(day)
            day = _next_month(day)
        return "month", starts
    quarter, end = Quarter.of(first), Quarter.of(last)
    quarters = []
    while quarter <= end:
        quarters.append(quarter.start)
        quarter = quarter.next()
    return "quarter", quarters[-QUARTERS_SHOWN:]


def _label(start: date, bucket: str) -> str:
    return f"{start:%b %Y}" if bucket == "month" else Quarter.of(start).label


def _span(
    filters: DashboardFilters, dates: list[date]
) -> tuple[Literal["month", "quarter"], list[date]]:
    if not dates and not (filters.start and filters.end):
        return "month", []
    first = filters.start or min(dates)
    last = filters.end or (max(dates) if dates else first)
    return _buckets(first, max(first, last))


def _bucket_of(day: date, bucket: str) -> date:
    return _month(day) if bucket == "month" else Quarter.of(day).start


# -- the report -------------------------------------------------------------------------------


def recent_text(recent: int, window: int) -> str:
    """How the dashboard says a theme's recent frequency: "5 of the last 8 sessions"."""
    if window == 0:
        return "no session held"
    if window == 1:
        return f"{recent} of the only session held"
    return f"{recent} of the last {window} sessions"


def _summaries(
    session: Session, filters: DashboardFilters, *, theme_id: int | None = None
) -> tuple[list[ThemeSummary], int, Literal["month", "quarter"]]:
    levels = _Levels(session)
    scope = levels.scope(session, filters)
    tagged = _theme_sessions(session, scope, theme_id)
    recent = set(_recent_sessions(session, scope))
    quotes = _quote_counts(session, scope, theme_id)
    filed = _filed(session, scope, theme_id)
    heard: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for id_, level_id, people in _levels_heard(session, scope, theme_id):
        heard[id_][levels.key(level_id)] += people
    raised: dict[int, list[datetime]] = defaultdict(list)
    recent_counts: dict[int, int] = defaultdict(int)
    for id_, session_id, starts_at in tagged:
        raised[id_].append(starts_at)
        recent_counts[id_] += session_id in recent
    bucket, starts = _span(filters, [moment.date() for _, _, moment in tagged])
    # Executive levels first, each group in seniority order; the unknown level last.
    ordered = sorted(levels.views, key=lambda view: not view.is_executive)
    summaries = []
    for id_, name, customers, revenue in _themes(session, theme_id):
        open_items, done_items, commitments = filed.get(id_, (0, 0, 0))
        moments = sorted(raised.get(id_, []))
        if theme_id is None and not (moments or open_items or done_items or commitments):
            continue
        per_bucket: dict[date, int] = defaultdict(int)
        for moment in moments:
            per_bucket[_bucket_of(moment.date(), bucket)] += 1
        counts = heard.get(id_, {})
        summaries.append(
            ThemeSummary(
                id=id_,
                name=name,
                sessions=len(moments),
                recent=recent_counts.get(id_, 0),
                recent_window=len(recent),
                recent_text=recent_text(recent_counts.get(id_, 0), len(recent)),
                first_raised_at=moments[0] if moments else None,
                last_raised_at=moments[-1] if moments else None,
                quotes=quotes.get(id_, 0),
                action_items_open=open_items,
                action_items_done=done_items,
                commitments=commitments,
                levels=[
                    LevelHeard(
                        key=view.key,
                        name=view.name,
                        is_executive=view.is_executive,
                        color=view.color,
                        people=counts[view.key],
                    )
                    for view in ordered
                    if counts.get(view.key)
                ]
                + (
                    [
                        LevelHeard(
                            key=UNKNOWN,
                            name="Unknown",
                            is_executive=False,
                            color="#b8bfca",
                            people=counts[UNKNOWN],
                        )
                    ]
                    if counts.get(UNKNOWN) and UNKNOWN not in levels.by_key
                    else []
                ),
                timeline=[
                    ThemeBucket(
                        label=_label(start, bucket), start=start, sessions=per_bucket[start]
                    )
                    for start in starts
                ],
                customers_affected=customers,
                revenue_at_risk=revenue,
            )
        )
    summaries.sort(key=lambda s: (-s.recent, -s.sessions, s.name.casefold()))
    return summaries, len(recent), bucket


def themes_report(session: Session, *, filters: DashboardFilters) -> ThemesReport:
    """Every theme raised (or with items filed under it) in the period, most recent first."""
    summaries, window, bucket = _summaries(session, filters)
    return ThemesReport(filters=filters, recent_window=window, bucket=bucket, themes=summaries)


def _session_list(session: Session, theme_id: int) -> list[ThemeSession]:
    rows = session.exec(
        select(StorySession, Customer.name)  # type: ignore[call-overload]
        .join(Recap, col(Recap.session_id) == StorySession.id)
        .join(RecapTheme, col(RecapTheme.recap_id) == Recap.id)
        .join(Customer, col(Customer.id) == StorySession.customer_id, isouter=True)
        .where(RecapTheme.theme_id == theme_id, *held(Scope()))
        .order_by(col(StorySession.starts_at).desc(), col(StorySession.id).desc())
    ).all()
    return [
        ThemeSession(
            session_id=id_of(story),
            title=story.title,
            customer=customer or "",
            starts_at=story.starts_at,
            timezone=story.timezone,
        )
        for story, customer in rows
    ]


def _quote_list(session: Session, theme_id: int) -> list[ThemeQuote]:
    rows = session.exec(
        select(RecapQuote, SessionSpeaker, StorySession, Customer.name)  # type: ignore[call-overload]
        .join(SessionSpeaker, col(SessionSpeaker.id) == RecapQuote.speaker_id)
        .join(Recap, col(Recap.id) == RecapQuote.recap_id)
        .join(RecapTheme, col(RecapTheme.recap_id) == Recap.id)
        .join(StorySession, col(StorySession.id) == Recap.session_id)
        .join(Customer, col(Customer.id) == StorySession.customer_id, isouter=True)
        .where(
            RecapTheme.theme_id == theme_id,
            col(SessionSpeaker.consent) != Consent.none,
            *held(Scope()),
        )
        .order_by(col(StorySession.starts_at).desc(), col(RecapQuote.position), col(RecapQuote.id))
        .limit(QUOTES_SHOWN)
    ).all()
    return [
        ThemeQuote(
            text=quote.text,
            attribution=attribution(speaker, customer or ""),
            session_id=id_of(story),
            session_title=story.title,
            starts_at=story.starts_at,
            timezone=story.timezone,
        )
        for quote, speaker, story, customer in rows
    ]


def _commitment_list(session: Session, theme_id: int) -> list[ThemeCommitment]:
    rows = session.exec(
        select(Commitment, Person.name, Level.name, StorySession.title)  # type: ignore[call-overload]
        .join(Person, col(Person.id) == Commitment.person_id)
        .join(Level, col(Level.id) == Person.level_id, isouter=True)
        .join(StorySession, col(StorySession.id) == Commitment.session_id)
        .where(Commitment.theme_id == theme_id)
        .order_by(col(StorySession.starts_at).desc(), col(Commitment.id))
    ).all()
    return [
        ThemeCommitment(
            id=id_of(commitment),
            text=commitment.text,
            owner=owner,
            level=level or "",
            status=commitment.status,
            due_on=commitment.due_on,
            session_id=commitment.session_id,
            session_title=title,
        )
        for commitment, owner, level, title in rows
    ]


def theme_detail(session: Session, *, theme_id: int) -> ThemeDetail:
    """One theme over every session held: its sessions, quotes, action items, commitments and
    the levels that heard it (404 when there is no such theme)."""
    get_theme(session, theme_id=theme_id)
    (summary,), _, bucket = _summaries(session, DashboardFilters(), theme_id=theme_id)
    items, _ = list_action_items(session, filters=ActionItemFilters(theme_id=theme_id), limit=500)
    return ThemeDetail(
        **summary.model_dump(),
        bucket=bucket,
        session_list=_session_list(session, theme_id),
        quote_list=_quote_list(session, theme_id),
        action_item_list=items,
        commitment_list=_commitment_list(session, theme_id),
    )


def merge_targets(session: Session, *, theme_id: int) -> list[tuple[int, str]]:
    """(id, name) of every other theme, by name: what a theme can be merged into."""
    rows = session.connection().execute(
        select(THEME.c.id, THEME.c.name).where(THEME.c.id != theme_id).order_by(THEME.c.key)
    )
    return [(row[0], row[1]) for row in rows]


def merge(session: Session, *, theme_id: int, into: int) -> MergeRead:
    """Merge theme `theme_id` into theme `into` (see `app.recaps.themes.merge_themes`)."""
    source = get_theme(session, theme_id=theme_id)
    target = session.get(Theme, into)
    if target is None:
        raise Invalid(f"There is no theme with id {into} to merge “{source.name}” into.")
    moved = merge_themes(session, source=source, target=target)
    return MergeRead(
        id=id_of(target),
        name=target.name,
        recaps=moved.recaps,
        action_items=moved.action_items,
        commitments=moved.commitments,
    )
