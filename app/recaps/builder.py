"""From the database to a `RecapDocument`: the recap as pure data, ready to freeze or render.

Everything a recap shows is decided here, once: attributions that follow consent, the action
items carried over from earlier sessions, the attendance figures from the level and department
snapshots on each attendance row. Approving freezes the result; nothing is recomputed later.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import false
from sqlmodel import Session, and_, col, func, or_, select

from app.attendance.service import level_counts
from app.commitments.queries import latest_updates as latest_commitment_updates
from app.config import get_settings
from app.db import by_id, id_of
from app.kit.charts import RateBar, level_colors, rate_bars
from app.models import (
    ActionItem,
    ActionItemUpdate,
    ActionStatus,
    Attendance,
    Commitment,
    CommitmentStatus,
    Consent,
    Customer,
    Invitation,
    Level,
    Person,
    Recap,
    RecapQuestion,
    RecapQuote,
    RecapStatus,
    RecapTheme,
    RecapVersion,
    Series,
    SessionSpeaker,
    SessionStatus,
    StorySession,
    Theme,
    utcnow,
)
from app.recaps.document import (
    ActionEntry,
    AttendanceSection,
    CommitmentEntry,
    DepartmentCount,
    LevelCount,
    NamedLeader,
    QuestionEntry,
    QuoteEntry,
    RecapDocument,
)
from app.recaps.markdown import render_markdown
from app.recaps.themes import theme_key

TOP_DEPARTMENTS = 5
CHART_WIDTH = 400
"""The level chart's width: half a page 1, beside the executives who stayed away."""
UNASSIGNED = "Unassigned"
OPEN_STATUSES = (ActionStatus.open, ActionStatus.in_progress)


def attribution(speaker: SessionSpeaker, customer: str) -> str:
    """How a quote is signed, following the speaker's consent (never called for `none`)."""
    if speaker.consent is Consent.named:
        return ", ".join(part for part in (speaker.name, speaker.title, customer) if part)
    if speaker.consent is Consent.company_only and customer:
        return customer
    return "A customer"


def local_day(value: datetime, timezone: str) -> date:
    return value.astimezone(ZoneInfo(timezone)).date()


def is_overdue(item: ActionItem, today: date) -> bool:
    return item.status is not ActionStatus.done and item.due_on is not None and item.due_on < today


def latest_updates(session: Session, item_ids: Sequence[int]) -> dict[int, ActionItemUpdate]:
    """The newest update of each action item that has one."""
    if not item_ids:
        return {}
    rows = session.exec(
        select(ActionItemUpdate)
        .where(col(ActionItemUpdate.action_item_id).in_(list(item_ids)))
        .order_by(col(ActionItemUpdate.created_at).desc(), col(ActionItemUpdate.id).desc())
    ).all()
    latest: dict[int, ActionItemUpdate] = {}
    for update in rows:
        latest.setdefault(update.action_item_id, update)
    return latest


def recap_theme_names(session: Session, recap_id: int | None) -> list[str]:
    if recap_id is None:
        return []
    return list(
        session.exec(
            select(Theme.name)
            .join(RecapTheme, col(RecapTheme.theme_id) == Theme.id)
            .where(RecapTheme.recap_id == recap_id)
            .order_by(col(Theme.key))
        ).all()
    )


FREQUENCY_WINDOW = 8
"""A theme's frequency counts the sessions among the last this many, this one included."""


def frequency_sentence(count: int, window: int) -> str:
    """How a recap says how often a theme came up: "came up in 5 of the last 8 sessions"."""
    if window <= 1:
        return "came up in the only session so far"
    return f"came up in {count} of the last {window} sessions"


def theme_frequency(
    session: Session, *, story_session: StorySession, themes: Sequence[str]
) -> dict[str, str]:
    """For each theme, how many of the last completed sessions up to this one raised it.

    The window is this session and the completed ones before it (by start), `FREQUENCY_WINDOW`
    in all; a session counts when its recap carries the theme (this one always does). One
    query for all the themes.
    """
    if not themes:
        return {}
    earlier = (
        select(StorySession.id)
        .where(
            StorySession.status == SessionStatus.completed,
            StorySession.id != story_session.id,
            or_(
                col(StorySession.starts_at) < story_session.starts_at,
                and_(
                    col(StorySession.starts_at) == story_session.starts_at,
                    col(StorySession.id) < story_session.id,
                ),
            ),
        )
        .order_by(col(StorySession.starts_at).desc(), col(StorySession.id).desc())
        .limit(FREQUENCY_WINDOW - 1)
        .subquery()
    )
    rows = session.exec(
        select(earlier.c.id, Theme.key)
        .select_from(earlier)
        .join(Recap, col(Recap.session_id) == earlier.c.id, isouter=True)
        .join(RecapTheme, col(RecapTheme.recap_id) == Recap.id, isouter=True)
        .join(Theme, col(Theme.id) == RecapTheme.theme_id, isouter=True)
    ).all()
    window = len({session_id for session_id, _ in rows}) + 1
    raised: dict[str, set[int]] = {}
    for session_id, key in rows:
        if key is not None:
            raised.setdefault(key, set()).add(session_id)
    return {
        name: frequency_sentence(len(raised.get(theme_key(name), ())) + 1, window)
        for name in themes
    }


@dataclass(frozen=True)
class DraftChanges:
    """Unsaved editor input to preview instead of what is stored."""

    summary: str | None = None
    themes: list[str] | None = None


def build_document(
    session: Session,
    *,
    story_session: StorySession,
    recap: Recap | None,
    version: int = 0,
    approved_at: datetime | None = None,
    approved_by: str = "",
    draft: DraftChanges | None = None,
    now: datetime | None = None,
    company_name: str | None = None,
) -> RecapDocument:
    """The recap of `story_session` as it stands now (version 0 is a draft preview).

    `company_name` defaults to the setting; the demo passes its own company's.
    """
    assert story_session.id is not None
    now = now or utcnow()
    draft = draft or DraftChanges()
    tz = story_session.timezone
    today = local_day(now, tz)
    customer = customer_name(session, story_session.customer_id)
    series = session.get(Series, story_session.series_id) if story_session.series_id else None
    summary = draft.summary if draft.summary is not None else (recap.summary if recap else "")
    themes = (
        draft.themes
        if draft.themes is not None
        else recap_theme_names(session, recap.id if recap else None)
    )
    status = RecapStatus.draft if version == 0 else RecapStatus.approved
    own_items = session.exec(
        select(ActionItem)
        .where(ActionItem.session_id == story_session.id)
        .order_by(col(ActionItem.id))
    ).all()
    return RecapDocument(
        company_name=company_name or get_settings().company_name,
        session_id=story_session.id,
        session_title=story_session.title,
        customer=customer,
        starts_at=story_session.starts_at,
        timezone=tz,
        series_title=series.title if series else "",
        version=version,
        status=status.value,
        approved_at=approved_at,
        approved_by=approved_by,
        summary_html=render_markdown(summary),
        themes=themes,
        theme_frequency=theme_frequency(session, story_session=story_session, themes=themes),
        quotes=_quotes(session, recap, customer),
        questions=_questions(session, recap),
        recording_url=story_session.recording_url,
        action_items=_entries(session, own_items, today),
        open_items=_open_items(session, story_session, today),
        done_since_previous=_done_since_previous(session, story_session, today, now),
        commitments=leader_commitments(session, story_session, now),
        attendance=attendance_section(session, story_session),
    )


def customer_name(session: Session, customer_id: int | None) -> str:
    customer = session.get(Customer, customer_id) if customer_id else None
    return customer.name if customer else ""


def _quotes(session: Session, recap: Recap | None, customer: str) -> list[QuoteEntry]:
    if recap is None or recap.id is None:
        return []
    rows = session.exec(
        select(RecapQuote, SessionSpeaker)
        .join(SessionSpeaker, col(SessionSpeaker.id) == RecapQuote.speaker_id)
        .where(RecapQuote.recap_id == recap.id)
        .order_by(col(RecapQuote.position), col(RecapQuote.id))
    ).all()
    # A speaker may withdraw consent after being quoted: their quotes then drop out.
    return [
        QuoteEntry(
            text=quote.text,
            attribution=attribution(speaker, customer),
            start_seconds=quote.start_seconds,
        )
        for quote, speaker in rows
        if speaker.consent is not Consent.none
    ]


def _questions(session: Session, recap: Recap | None) -> list[QuestionEntry]:
    if recap is None or recap.id is None:
        return []
    rows = session.exec(
        select(RecapQuestion)
        .where(RecapQuestion.recap_id == recap.id)
        .order_by(col(RecapQuestion.position), col(RecapQuestion.id))
    ).all()
    return [QuestionEntry(text=q.text, asked_by=q.asked_by) for q in rows]


def _entries(
    session: Session, items: Sequence[ActionItem], today: date, *, done_dates: bool = False
) -> list[ActionEntry]:
    """Action items as the document lists them, with owner, origin and latest update."""
    ids = [item.id for item in items if item.id is not None]
    updates = latest_updates(session, ids)
    owners = {id_: p.name for id_, p in by_id(session, Person, (i.owner_id for i in items)).items()}
    stories = by_id(session, StorySession, (item.session_id for item in items))
    entries = []
    for item in items:
        story = stories[item.session_id]
        latest = updates.get(id_of(item))
        update_on = local_day(latest.created_at, story.timezone) if latest else None
        if done_dates and item.done_at is not None:
            update_on = local_day(item.done_at, story.timezone)
        entries.append(
            ActionEntry(
                description=item.description,
                owner=owners.get(item.owner_id or 0, UNASSIGNED),
                due_on=item.due_on,
                status=item.status.value,
                session_title=story.title,
                session_date=local_day(story.starts_at, story.timezone),
                latest_update=latest.note if latest else "",
                latest_update_on=update_on,
                overdue=is_overdue(item, today),
            )
        )
    return entries


def _earlier_in_scope(story_session: StorySession) -> list[Any]:
    """Conditions on StorySession for the sessions before this one whose items it carries."""
    conditions: list[Any] = [
        col(StorySession.starts_at) < story_session.starts_at,
        StorySession.id != story_session.id,
    ]
    if get_settings().recap_carry_over == "series":
        # "series" means the series' own items: a one-off session has none to carry, rather
        # than the whole company's (which is what "all" asks for).
        conditions.append(
            StorySession.series_id == story_session.series_id
            if story_session.series_id is not None
            else false()
        )
    return conditions


def _open_items(session: Session, story_session: StorySession, today: date) -> list[ActionEntry]:
    items = session.exec(
        select(ActionItem)
        .join(StorySession, col(StorySession.id) == ActionItem.session_id)
        .where(*_earlier_in_scope(story_session), col(ActionItem.status).in_(OPEN_STATUSES))
        .order_by(col(StorySession.starts_at), col(ActionItem.id))
    ).all()
    entries = _entries(session, items, today)
    # Overdue first, then by due date (no date last), then oldest session first.
    order = sorted(
        range(len(entries)),
        key=lambda i: (not entries[i].overdue, entries[i].due_on or date.max, i),
    )
    return [entries[i] for i in order]


def previous_recap_approval(session: Session, story_session: StorySession) -> datetime | None:
    """When the recap of the nearest earlier session in scope was last approved, if ever."""
    return session.exec(
        select(RecapVersion.approved_at)
        .join(Recap, col(Recap.id) == RecapVersion.recap_id)
        .join(StorySession, col(StorySession.id) == Recap.session_id)
        .where(*_earlier_in_scope(story_session))
        .order_by(col(StorySession.starts_at).desc(), col(RecapVersion.number).desc())
        .limit(1)
    ).first()


def _since_previous(session: Session, story_session: StorySession) -> datetime | None:
    """Since when "since the previous recap" counts (None: there is no earlier session)."""
    since = previous_recap_approval(session, story_session)
    if since is None:
        # No earlier recap was approved: count from the start of the previous session.
        since = session.exec(
            select(StorySession.starts_at)
            .where(*_earlier_in_scope(story_session))
            .order_by(col(StorySession.starts_at).desc())
            .limit(1)
        ).first()
    return since


def _done_since_previous(
    session: Session, story_session: StorySession, today: date, now: datetime
) -> list[ActionEntry]:
    since = _since_previous(session, story_session)
    if since is None:
        return []
    items = session.exec(
        select(ActionItem)
        .join(StorySession, col(StorySession.id) == ActionItem.session_id)
        .where(
            *_earlier_in_scope(story_session),
            ActionItem.status == ActionStatus.done,
            col(ActionItem.done_at) >= since,
            col(ActionItem.done_at) <= now,
        )
        .order_by(col(ActionItem.done_at), col(ActionItem.id))
    ).all()
    return _entries(session, items, today, done_dates=True)


def leader_commitments(
    session: Session, story_session: StorySession, now: datetime
) -> list[CommitmentEntry]:
    """Commitments made after earlier sessions in scope: open, or closed since the previous
    recap, each with its owner's level and latest update."""
    since = _since_previous(session, story_session)
    if since is None:
        return []
    rows = session.exec(
        select(Commitment, StorySession, Person, Level.name)
        .join(StorySession, col(StorySession.id) == Commitment.session_id)
        .join(Person, col(Person.id) == Commitment.person_id)
        .join(Level, col(Level.id) == Person.level_id)
        .where(
            *_earlier_in_scope(story_session),
            or_(
                col(Commitment.status) == CommitmentStatus.open,
                and_(col(Commitment.closed_at) >= since, col(Commitment.closed_at) <= now),
            ),
        )
        .order_by(col(StorySession.starts_at), col(Commitment.id))
    ).all()
    updates = latest_commitment_updates(session, [id_of(row[0]) for row in rows])
    entries = []
    for commitment, story, owner, level in rows:
        latest = updates.get(id_of(commitment))
        today = local_day(now, story.timezone)
        entries.append(
            CommitmentEntry(
                text=commitment.text,
                owner=owner.name,
                level=level,
                status=commitment.status.value,
                due_on=commitment.due_on,
                overdue=commitment.status is CommitmentStatus.open
                and commitment.due_on is not None
                and commitment.due_on < today,
                session_title=story.title,
                session_date=local_day(story.starts_at, story.timezone),
                latest_update=latest.note if latest else "",
                latest_update_on=local_day(latest.created_at, story.timezone) if latest else None,
            )
        )
    return entries


# -- attendance --------------------------------------------------------------------------------


def previous_session(session: Session, story_session: StorySession) -> StorySession | None:
    """The session to compare attendance with: the previous completed one of the same series.

    A one-off session compares with nothing: beside another kind of session (a town hall
    series, a different audience) a difference in head count says nothing about interest.
    """
    if story_session.series_id is None:
        return None
    return session.exec(
        select(StorySession)
        .where(
            StorySession.series_id == story_session.series_id,
            StorySession.status == SessionStatus.completed,
            col(StorySession.starts_at) < story_session.starts_at,
            StorySession.id != story_session.id,
        )
        .order_by(col(StorySession.starts_at).desc())
        .limit(1)
    ).first()


def _totals(session: Session, session_id: int) -> tuple[int, int]:
    """(attendance rows counted as attended, distinct directory people among them)."""
    rows, people = session.exec(
        select(func.count(), func.count(func.distinct(Attendance.person_id))).where(
            Attendance.session_id == session_id, col(Attendance.attended)
        )
    ).one()
    return int(rows), int(people)


def named_level_ids(session: Session) -> list[int]:
    """The levels whose attendees a recap names: the setting's keys, else the executive ones."""
    keys = [key.strip().lower() for key in get_settings().recap_named_levels.split(",")]
    levels = session.exec(select(Level)).all()
    if any(keys):
        return [level.id for level in levels if level.key.lower() in keys and level.id]
    return [level.id for level in levels if level.is_executive and level.id]


def _leaders(session: Session, session_id: int) -> list[NamedLeader]:
    level_ids = named_level_ids(session)
    if not level_ids:
        return []
    rows = session.exec(
        select(Person, Level, Attendance.department)
        .join(Attendance, col(Attendance.person_id) == Person.id)
        .join(Level, col(Level.id) == Attendance.level_id)
        .where(
            Attendance.session_id == session_id,
            col(Attendance.attended),
            col(Attendance.level_id).in_(level_ids),
        )
        .order_by(col(Level.position), col(Person.name))
    ).all()
    return [
        NamedLeader(name=person.name, title=person.title, level=level.name, department=department)
        for person, level, department in rows
    ]


def _top_departments(session: Session, session_id: int) -> list[DepartmentCount]:
    count = func.count().label("attendees")
    rows = session.exec(
        select(Attendance.department, count)
        .where(
            Attendance.session_id == session_id,
            col(Attendance.attended),
            Attendance.department != "",
        )
        .group_by(col(Attendance.department))
        .order_by(count.desc(), col(Attendance.department))
        .limit(TOP_DEPARTMENTS)
    ).all()
    return [DepartmentCount(department=name, attendees=n) for name, n in rows]


def _level_people(session: Session, session_id: int) -> tuple[dict[int, int], dict[int, int]]:
    """Per level id: (directory people who came at it, its people at the session).

    A level's people are those who came at it plus today's active headcount at it who did not
    come — the dashboards' rule, so a share never passes 100 % however people moved since.
    """
    person = col(Attendance.person_id)
    came = dict(
        session.exec(
            select(Attendance.level_id, func.count(func.distinct(person)))
            .where(
                Attendance.session_id == session_id, col(Attendance.attended), person.is_not(None)
            )
            .group_by(col(Attendance.level_id))
        ).all()
    )
    heads = dict(
        session.exec(
            select(Person.level_id, func.count())
            .where(col(Person.active))
            .group_by(col(Person.level_id))
        ).all()
    )
    still_there = dict(
        session.exec(
            select(Attendance.level_id, func.count(func.distinct(person)))
            .join(Person, col(Person.id) == Attendance.person_id)
            .where(
                Attendance.session_id == session_id,
                col(Attendance.attended),
                col(Person.active),
                col(Person.level_id) == Attendance.level_id,
            )
            .group_by(col(Attendance.level_id))
        ).all()
    )
    people = {
        level_id: came.get(level_id, 0) + heads.get(level_id, 0) - still_there.get(level_id, 0)
        for level_id in set(came) | set(heads)
        if level_id is not None
    }
    return {k: v for k, v in came.items() if k is not None}, people


@dataclass(frozen=True)
class ExecutivePresence:
    present: int
    expected: int
    basis: str
    absent: list[NamedLeader]


def executive_presence(session: Session, story_session: StorySession) -> ExecutivePresence:
    """Executives present out of those expected, and the invited ones who stayed away.

    Expected are the people invited whose level today is an executive one (with no invitation
    on record: the directory's active executives), plus any executive who came uninvited.
    Present are those who came at an executive level, or came having been invited as one.
    """
    session_id = story_session.id
    invited_any = session.exec(
        select(func.count()).select_from(Invitation).where(Invitation.session_id == session_id)
    ).one()
    expected_query = select(Person, Level).join(Level, col(Level.id) == Person.level_id)
    if invited_any:
        basis = "invited"
        expected_query = expected_query.join(
            Invitation, col(Invitation.person_id) == Person.id
        ).where(Invitation.session_id == session_id)
    else:
        basis = "directory"
        expected_query = expected_query.where(col(Person.active))
    expected = session.exec(
        expected_query.where(col(Level.is_executive)).order_by(
            col(Level.position), col(Person.name)
        )
    ).all()
    rows = session.exec(
        select(Attendance.person_id, Level.is_executive)
        .join(Level, col(Level.id) == Attendance.level_id, isouter=True)
        .where(
            Attendance.session_id == session_id,
            col(Attendance.attended),
            col(Attendance.person_id).is_not(None),
        )
    ).all()
    came = {person_id for person_id, _ in rows}
    came_as_executive = {person_id for person_id, executive in rows if executive}
    expected_ids = {id_of(person) for person, _ in expected}
    present = came_as_executive | (expected_ids & came)
    absent = [
        NamedLeader(
            name=person.name, title=person.title, level=level.name, department=person.department
        )
        for person, level in expected
        if id_of(person) not in came
    ]
    return ExecutivePresence(
        present=len(present), expected=len(expected_ids | present), basis=basis, absent=absent
    )


def _share_text(row: LevelCount) -> str:
    if not row.attendees:
        return "none"  # as in the table: an executive level nobody came from stands out
    if row.share is None:
        return "—"
    return f"{row.share:.0%}"


def attendance_section(session: Session, story_session: StorySession) -> AttendanceSection:
    """Who heard it: totals, levels (executives first) with their shares, executives present
    and absent, named leaders, departments, change."""
    assert story_session.id is not None
    previous = previous_session(session, story_session)
    before = (
        {c.level.id: c.attended for c in level_counts(session, story_session=previous)}
        if previous and previous.id
        else None
    )
    counts = level_counts(session, story_session=story_session)
    came, people = _level_people(session, story_session.id)
    ordered = sorted(counts, key=lambda c: not c.level.is_executive)  # stable: keeps seniority
    colors = level_colors([(c.level.key, c.level.is_executive) for c in ordered])
    levels = [
        LevelCount(
            level=c.level.name,
            is_executive=c.level.is_executive,
            attendees=c.attended,
            previous=before.get(c.level.id, 0) if before is not None else None,
            came=came.get(c.level.id, 0),
            people=people.get(c.level.id) or None,
        )
        for c in ordered
        # Every executive level is shown, even at zero ("none"); others only when they count.
        if c.level.is_executive or c.attended or (before and before.get(c.level.id))
    ]
    color_of = {c.level.name: colors[c.level.key] for c in ordered}
    attendees, unique = _totals(session, story_session.id)
    chart = rate_bars(
        chart_id=f"recap-{story_session.id}-levels",
        title="Share of each level present",
        desc=(
            f"For each level, the share of its people who attended “{story_session.title}”: "
            "those who came at that level, of the level's people in the directory plus them."
        ),
        bars=[
            RateBar(
                row.level,
                row.share,
                _share_text(row),
                color_of[row.level],
                detail=f"{row.came:,} of {row.people:,}" if row.people else "not in the directory",
            )
            for row in levels
            # Attendees outside the directory (the unknown level) have no share to show.
            if row.people or row.is_executive
        ],
        width=CHART_WIDTH,
    )
    presence = executive_presence(session, story_session)
    return AttendanceSection(
        attendees=attendees,
        unique_people=unique,
        previous_attendees=_totals(session, previous.id)[0] if previous and previous.id else None,
        previous_session_title=previous.title if previous else "",
        levels=levels,
        leaders=_leaders(session, story_session.id),
        top_departments=_top_departments(session, story_session.id),
        chart_svg=chart.svg,
        chart_summary=chart.summary,
        executives_present=presence.present,
        executives_expected=presence.expected,
        executives_basis=presence.basis,
        absent_executives=presence.absent,
    )
