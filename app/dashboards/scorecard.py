"""The quarterly programme scorecard: the numbers the operating committee asks for.

Each figure group is one aggregate statement (the executive trend reuses the dashboards'
executive-participation query, once per quarter). A quarter is a calendar quarter in UTC, like
the dashboards' dates; for the quarter under way, figures run to now. What counts in a quarter:

- **sessions held**: completed sessions that started in the quarter;
- **people reached**: distinct directory people who attended a session held in the quarter;
  their **share of the company** is those still active ÷ the active people in the directory;
- **executive participation**: active people at an executive level today who attended at
  least one session held in the quarter ÷ all of them (the dashboards' definition); the
  trend is the same rate for the four quarters before;
- **recaps delivered / read**: recap and digest emails (a digest bundles recaps, and the
  ladder counts reading one as reading recaps) delivered in the quarter, by the recipient's level
  today (outside the directory when not a directory person), and how many were opened;
- **action items**: opened (created) in the quarter; closed (done) in the quarter; overdue at
  the quarter's end (now, for the quarter under way): opened before then, due before that
  day and not done by then; **median days to close** over the items closed in the quarter;
- **commitments**: made in the quarter; kept: those of them now done;
- **themes**: how many sessions held in the quarter have a recap tagged with each;
- **figures** (customers affected, revenue at risk, revenue saved): summed over the action
  items opened in the quarter, and over the themes raised in it (a theme on at least one
  session held in the quarter), in the company's currency. Action items and themes are
  summed apart: the same customers may stand behind both.
"""

import re
import statistics
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, and_, distinct, func, or_, select
from sqlmodel import Session

from app.config import get_settings
from app.dashboards import queries
from app.dashboards.queries import Scope
from app.db import table_of
from app.errors import Invalid
from app.kit.charts import Bar, Chart, Line, RateBar, horizontal_bars, level_colors, rate_bars
from app.kit.charts import rate_lines as line_chart
from app.kit.money import format_amount
from app.kit.quarters import Quarter, quarters_ending
from app.models import (
    ActionItem,
    ActionStatus,
    Attendance,
    Commitment,
    CommitmentStatus,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    Level,
    Person,
    Recap,
    RecapTheme,
    SessionStatus,
    StorySession,
    Theme,
    utcnow,
)
from app.templating import env

TREND_QUARTERS = 4
"""Quarters before this one on the executive participation trend."""
CHART_THEMES = 12
WORK_MEM = "32MB"
"""PostgreSQL's memory for one grouping in the scorecard's statements (see below)."""
OUTSIDE = "outside"
OUTSIDE_NAME = "Outside the directory"
QUARTER_PATTERN = re.compile(r"(\d{4})-?Q([1-4])", re.IGNORECASE)

ACTION = table_of(ActionItem)
ATTENDANCE = table_of(Attendance)
COMMITMENT = table_of(Commitment)
DELIVERY = table_of(Delivery)
LEVEL = table_of(Level)
PERSON = table_of(Person)
RECAP = table_of(Recap)
RECAP_THEME = table_of(RecapTheme)
SESSION = table_of(StorySession)
THEME = table_of(Theme)


def quarter_code(quarter: Quarter) -> str:
    """How a quarter is written in links and the API: "2026-Q4"."""
    return f"{quarter.year}-Q{quarter.number}"


def _bounds(quarter: Quarter) -> tuple[datetime, datetime]:
    """The quarter's first instant and the first after it (UTC)."""
    return quarter.instant(), quarter.next().instant()


def quarter_of(moment: datetime) -> Quarter:
    return Quarter.of(moment.astimezone(UTC).date())


def parse_quarter(text: str | None, *, now: datetime | None = None) -> Quarter:
    """A quarter written "2026-Q4" (or "2026q4"); empty is the current quarter.

    Refused (422) when malformed or not yet begun.
    """
    current = quarter_of(now or utcnow())
    if text is None or not text.strip():
        return current
    match = QUARTER_PATTERN.fullmatch(text.strip())
    if match is None or int(match.group(1)) < 1970:
        raise Invalid(
            f"{text[:40]!r} is not a quarter: write the year and the quarter, e.g. "
            f"{quarter_code(current)}."
        )
    quarter = Quarter(int(match.group(1)), int(match.group(2)))
    if quarter > current:
        raise Invalid(
            f"{quarter_code(quarter)} has not begun: choose {quarter_code(current)} (the "
            "quarter so far) "
            "or an earlier one."
        )
    return quarter


# -- the document: what the page, the JSON, the PDF and the email show ---------------------


class QuarterRate(BaseModel):
    quarter: str
    executives: int
    attended: int
    rate: float | None
    """attended ÷ executives; null when there were no executives."""


class LevelRecaps(BaseModel):
    key: str
    """The level's key, or `outside` for recipients outside the directory."""
    name: str
    is_executive: bool
    delivered: int
    read: int
    read_rate: float | None


class ActionItemFigures(BaseModel):
    opened: int
    closed: int
    overdue: int
    """Open at `overdue_as_of` with a due date before that day."""
    overdue_as_of: date
    median_days_to_close: float | None
    """Over the items closed in the quarter, from creation to done; null when none closed."""


class CommitmentFigures(BaseModel):
    made: int
    kept: int
    """Of those made in the quarter, how many are done now."""
    kept_rate: float | None


class ThemeCount(BaseModel):
    id: int
    name: str
    sessions: int
    """Sessions held in the quarter whose recap has the theme."""
    customers_affected: int | None
    revenue_at_risk: int | None


class RecordedFigures(BaseModel):
    """Figures organizers recorded, summed (null where none of them recorded that figure)."""

    recorded_on: int
    """How many action items (or themes) carry at least one figure."""
    customers_affected: int | None
    revenue_at_risk: int | None
    revenue_saved: int | None = None
    """Action items only."""


class ScorecardDocument(BaseModel):
    """One quarter's programme scorecard, as the page, the JSON, the PDF and emails show it."""

    company_name: str
    currency: str = Field(description="ISO 4217 code of every amount.")
    quarter: str = Field(examples=["2026-Q4"])
    period_start: date
    period_end: date
    """The quarter's last day."""
    complete: bool
    """False for the quarter under way: figures so far."""
    as_of: datetime
    sessions_held: int
    people_reached: int
    active_people: int
    reach_share: float | None
    """Attendees still active ÷ the active people in the directory."""
    executives: int
    executives_attended: int
    executive_participation: float | None
    executive_trend: list[QuarterRate]
    """The four quarters before this one, then this one."""
    recaps_delivered: int
    recaps_read: int
    recaps_by_level: list[LevelRecaps]
    action_items: ActionItemFigures
    commitments: CommitmentFigures
    themes: list[ThemeCount]
    """Most frequent first."""
    action_item_figures: RecordedFigures
    theme_figures: RecordedFigures


def _held(quarter: Quarter) -> list[ColumnElement[bool]]:
    start, end = _bounds(quarter)
    return [
        SESSION.c.status == SessionStatus.completed,
        SESSION.c.starts_at >= start,
        SESSION.c.starts_at < end,
    ]


def _reach(session: Session, quarter: Quarter) -> tuple[int, int, int, int]:
    """(sessions held, people reached, of whom active today, active people)."""
    # The quarter's distinct attendees first, then their directory rows: PostgreSQL groups the
    # attendance index once, rather than probing it per person (a correlated EXISTS).
    came = (
        select(ATTENDANCE.c.person_id)
        .select_from(ATTENDANCE.join(SESSION, SESSION.c.id == ATTENDANCE.c.session_id))
        .where(ATTENDANCE.c.attended.is_(True), *_held(quarter))
        .distinct()
        .subquery("came")
    )
    held = select(func.count()).select_from(SESSION).where(*_held(quarter)).scalar_subquery()
    active = select(func.count()).select_from(PERSON).where(PERSON.c.active.is_(True))
    query = (
        select(held, func.count(), func.count().filter(PERSON.c.active.is_(True)))
        .add_columns(active.scalar_subquery())
        .select_from(came.join(PERSON, PERSON.c.id == came.c.person_id))
    )
    sessions, reached, still_active, people = session.connection().execute(query).one()
    return int(sessions), int(reached), int(still_active), int(people)


def _tuned_for_aggregates(session: Session) -> None:
    """On PostgreSQL, for the rest of this transaction: room to group in memory.

    The quarter's distinct attendees (630,000 attendance rows at 100,000 people,
    bench/README.md) spill to disk in the default 4 MB. (JIT is off for every connection,
    see `app.db.make_engine`.)
    """
    if session.connection().dialect.name == "postgresql":
        session.connection().exec_driver_sql(f"SET LOCAL work_mem = '{WORK_MEM}'")


def _recaps_by_level(session: Session, quarter: Quarter) -> list[tuple[int | None, int, int]]:
    """(recipient's level id today or None, recap and digest emails sent in the quarter, read)."""
    start, end = _bounds(quarter)
    query = (
        select(PERSON.c.level_id, func.count(), func.count(DELIVERY.c.read_at))
        .select_from(DELIVERY.outerjoin(PERSON, PERSON.c.id == DELIVERY.c.person_id))
        .where(
            DELIVERY.c.kind.in_((DeliveryKind.recap, DeliveryKind.digest)),
            DELIVERY.c.status == DeliveryStatus.sent,
            DELIVERY.c.sent_at >= start,
            DELIVERY.c.sent_at < end,
        )
        .group_by(PERSON.c.level_id)
    )
    return [
        (level, int(sent), int(read)) for level, sent, read in session.connection().execute(query)
    ]


def _action_items(
    session: Session, quarter: Quarter, cutoff: datetime
) -> tuple[ActionItemFigures, RecordedFigures]:
    start, end = _bounds(quarter)
    opened = and_(ACTION.c.created_at >= start, ACTION.c.created_at < end)
    closed = and_(
        ACTION.c.status == ActionStatus.done,
        ACTION.c.done_at >= start,
        ACTION.c.done_at < end,
    )
    overdue_day = cutoff.astimezone(UTC).date()
    overdue = and_(
        ACTION.c.created_at < cutoff,
        ACTION.c.due_on < overdue_day,
        or_(ACTION.c.status != ActionStatus.done, ACTION.c.done_at >= cutoff),
    )
    recorded = or_(
        ACTION.c.customers_affected.is_not(None),
        ACTION.c.revenue_at_risk.is_not(None),
        ACTION.c.revenue_saved.is_not(None),
    )
    postgres = session.connection().dialect.name == "postgresql"
    days = (
        func.extract("epoch", ACTION.c.done_at - ACTION.c.created_at) / 86400
        if postgres
        else func.julianday(ACTION.c.done_at) - func.julianday(ACTION.c.created_at)
    )
    columns: list[Any] = [
        func.count().filter(opened),
        func.count().filter(closed),
        func.count().filter(overdue),
        func.count().filter(and_(opened, recorded)),
        func.sum(ACTION.c.customers_affected).filter(opened),
        func.sum(ACTION.c.revenue_at_risk).filter(opened),
        func.sum(ACTION.c.revenue_saved).filter(opened),
    ]
    if postgres:
        columns.append(func.percentile_cont(0.5).within_group(days).filter(closed))
    row = session.connection().execute(select(*columns).select_from(ACTION)).one()
    if postgres:
        median = row[7]
    else:
        # SQLite has no median: the durations of the quarter's closed items, one narrow column.
        durations = session.connection().execute(select(days).where(closed)).scalars().all()
        median = statistics.median(durations) if durations else None
    figures = ActionItemFigures(
        opened=row[0],
        closed=row[1],
        overdue=row[2],
        overdue_as_of=overdue_day,
        median_days_to_close=None if median is None else round(float(median), 1),
    )
    return figures, RecordedFigures(
        recorded_on=row[3],
        customers_affected=_int(row[4]),
        revenue_at_risk=_int(row[5]),
        revenue_saved=_int(row[6]),
    )


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _commitments(session: Session, quarter: Quarter) -> CommitmentFigures:
    start, end = _bounds(quarter)
    query = select(
        func.count(), func.count().filter(COMMITMENT.c.status == CommitmentStatus.done)
    ).where(COMMITMENT.c.created_at >= start, COMMITMENT.c.created_at < end)
    made, kept = session.connection().execute(query).one()
    return CommitmentFigures(made=made, kept=kept, kept_rate=_rate(kept, made))


def _themes(session: Session, quarter: Quarter) -> list[ThemeCount]:
    joined = (
        THEME.join(RECAP_THEME, RECAP_THEME.c.theme_id == THEME.c.id)
        .join(RECAP, RECAP.c.id == RECAP_THEME.c.recap_id)
        .join(SESSION, SESSION.c.id == RECAP.c.session_id)
    )
    sessions = func.count(distinct(SESSION.c.id))
    query = (
        select(
            THEME.c.id, THEME.c.name, sessions, THEME.c.customers_affected, THEME.c.revenue_at_risk
        )
        .select_from(joined)
        .where(*_held(quarter))
        .group_by(THEME.c.id, THEME.c.name, THEME.c.customers_affected, THEME.c.revenue_at_risk)
        .order_by(sessions.desc(), THEME.c.name, THEME.c.id)
    )
    return [
        ThemeCount(
            id=id_, name=name, sessions=count, customers_affected=people, revenue_at_risk=risk
        )
        for id_, name, count, people, risk in session.connection().execute(query)
    ]


def _summed(values: list[int | None]) -> int | None:
    present = [value for value in values if value is not None]
    return sum(present) if present else None


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _trend(session: Session, quarter: Quarter) -> list[QuarterRate]:
    rates = []
    for each in quarters_ending(quarter, TREND_QUARTERS + 1):
        scope = Scope(start=each.start, end=each.end)
        executives, attended = queries.executive_participation(session, scope)
        rates.append(
            QuarterRate(
                quarter=quarter_code(each),
                executives=executives,
                attended=attended,
                rate=_rate(attended, executives),
            )
        )
    return rates


def build_scorecard(
    session: Session, *, quarter: Quarter, now: datetime | None = None
) -> ScorecardDocument:
    """Every figure of the quarter's scorecard (to now, for the quarter under way)."""
    now = now or utcnow()
    _tuned_for_aggregates(session)
    end = quarter.next().instant()
    cutoff = min(now, end)
    settings = get_settings()
    held, reached, still_active, active = _reach(session, quarter)
    trend = _trend(session, quarter)
    levels = queries.levels(session)
    by_level = {level: (sent, read) for level, sent, read in _recaps_by_level(session, quarter)}
    recaps = [
        LevelRecaps(
            key=level.key,
            name=level.name,
            is_executive=level.is_executive,
            delivered=by_level[level.id][0],
            read=by_level[level.id][1],
            read_rate=_rate(by_level[level.id][1], by_level[level.id][0]),
        )
        for level in levels
        if level.id in by_level
    ]
    if None in by_level:
        sent, read = by_level[None]
        recaps.append(
            LevelRecaps(
                key=OUTSIDE,
                name=OUTSIDE_NAME,
                is_executive=False,
                delivered=sent,
                read=read,
                read_rate=_rate(read, sent),
            )
        )
    items, item_figures = _action_items(session, quarter, cutoff)
    themes = _themes(session, quarter)
    this = trend[-1]
    return ScorecardDocument(
        company_name=settings.company_name,
        currency=settings.currency,
        quarter=quarter_code(quarter),
        period_start=quarter.start,
        period_end=quarter.end,
        complete=now >= end,
        as_of=cutoff,
        sessions_held=held,
        people_reached=reached,
        active_people=active,
        reach_share=_rate(still_active, active),
        executives=this.executives,
        executives_attended=this.attended,
        executive_participation=this.rate,
        executive_trend=trend,
        recaps_delivered=sum(level.delivered for level in recaps),
        recaps_read=sum(level.read for level in recaps),
        recaps_by_level=recaps,
        action_items=items,
        commitments=_commitments(session, quarter),
        themes=themes,
        action_item_figures=item_figures,
        theme_figures=RecordedFigures(
            recorded_on=sum(
                t.customers_affected is not None or t.revenue_at_risk is not None for t in themes
            ),
            customers_affected=_summed([t.customers_affected for t in themes]),
            revenue_at_risk=_summed([t.revenue_at_risk for t in themes]),
        ),
    )


# -- charts and the PDF: the same SVG on the page and in the PDF --------------------------


@dataclass(frozen=True)
class ScorecardCharts:
    trend: Chart
    recaps: Chart
    themes: Chart


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def scorecard_charts(doc: ScorecardDocument) -> ScorecardCharts:
    """The scorecard's three charts, drawn from its document alone."""
    colors = level_colors([(level.key, level.is_executive) for level in doc.recaps_by_level])
    trend = line_chart(
        chart_id="scorecard-trend",
        title="Executive participation, quarter by quarter",
        desc="Share of today's executives who attended at least one session held in each quarter.",
        labels=[rate.quarter for rate in doc.executive_trend],
        lines=[Line("Executives who came", "#7a1f5c", [r.rate for r in doc.executive_trend], 3.0)],
        height=240,
    )
    recaps = rate_bars(
        chart_id="scorecard-recaps",
        title="Recaps read, by level",
        desc="Share of the recap and digest emails delivered in the quarter that were opened, "
        "by level.",
        bars=[
            RateBar(
                label=level.name,
                share=level.read_rate,
                text=_percent(level.read_rate),
                color=colors.get(level.key, "#1f5fbf"),
                detail=f"{level.read:,} of {level.delivered:,} read",
            )
            for level in doc.recaps_by_level
        ],
    )
    themes = horizontal_bars(
        chart_id="scorecard-themes",
        title="Themes by frequency",
        desc="Sessions held in the quarter whose recap has each theme.",
        bars=[
            Bar(
                label=theme.name,
                value=theme.sessions,
                text=f"{theme.sessions} session{'' if theme.sessions == 1 else 's'}",
            )
            for theme in doc.themes[:CHART_THEMES]
        ],
    )
    return ScorecardCharts(trend=trend, recaps=recaps, themes=themes)


def quarter_title(doc: ScorecardDocument) -> str:
    """e.g. "Programme scorecard, 2026-Q4 (so far)"."""
    return f"Programme scorecard, {doc.quarter}" + ("" if doc.complete else " (so far)")


def scorecard_context(doc: ScorecardDocument) -> dict[str, Any]:
    """What templates/pages/dashboards/scorecard.html and pdf/scorecard.html share."""

    def money(amount: int | None) -> str:
        return format_amount(amount, doc.currency)

    return {
        "doc": doc,
        "charts": scorecard_charts(doc),
        "title": quarter_title(doc),
        "money": money,
        "pct": _percent,
    }


def scorecard_pdf_html(doc: ScorecardDocument) -> str:
    """The complete HTML page the scorecard PDF is rendered from (the recap's page wrapper)."""
    from app.recaps.render import pdf_context

    return env.get_template("pdf/scorecard.html").render(
        for_pdf=True, **scorecard_context(doc), **pdf_context(company_name=doc.company_name)
    )
