"""Action items: what the company commits to after a session, owned, dated and followed up."""

from collections.abc import Sequence
from datetime import date, datetime

from sqlmodel import Session, col, func, select

from app.audit import service as audit
from app.db import by_id, id_of
from app.errors import Invalid, NotFound
from app.mail.addresses import normalize_email
from app.models import (
    ActionItem,
    ActionItemUpdate,
    ActionStatus,
    Person,
    StorySession,
    Theme,
    User,
    utcnow,
)
from app.people.service import person_by_email
from app.recaps import builder
from app.recaps.builder import is_overdue, local_day
from app.recaps.editing import check_open, items_changed
from app.recaps.schemas import (
    ActionItemCreate,
    ActionItemDetail,
    ActionItemFilters,
    ActionItemPatch,
    ActionItemRead,
    ActionUpdateCreate,
    ActionUpdateRead,
    OwnerRef,
    ThemeRef,
)
from app.recaps.themes import theme_named

MAX_ACTION_ITEMS = 100
FIGURES = frozenset({"customers_affected", "revenue_at_risk", "revenue_saved"})
"""The figures an organizer may record on an item (the scorecard sums them)."""
STATUS_NOTES = {
    ActionStatus.open: "Reopened.",
    ActionStatus.in_progress: "Work started.",
    ActionStatus.done: "Marked done.",
}
"""The note recorded when a status changes without one, so every change is dated."""


def _owner(session: Session, *, owner_id: int | None, owner_email: str | None) -> Person | None:
    """The owner named by id or by work email (None when neither is given)."""
    if owner_id is not None:
        person = session.get(Person, owner_id)
        if person is None:
            raise Invalid(f"There is no person with id {owner_id} to own this action item.")
        return person
    if owner_email and owner_email.strip():
        person = person_by_email(session, owner_email)
        if person is None:
            raise Invalid(
                f"No one in the directory has the email {normalize_email(owner_email)}. "
                "Check the spelling, or import the directory first."
            )
        return person
    return None


def _theme(session: Session, *, theme_id: int | None, name: str | None) -> Theme | None:
    """The theme named by id, or by name (an existing one, else made); None when neither."""
    if theme_id is not None:
        theme = session.get(Theme, theme_id)
        if theme is None:
            raise Invalid(
                f"There is no theme with id {theme_id}: choose one from the list, or type a "
                "new theme's name."
            )
        return theme
    if name is not None:
        return theme_named(session, name=name)
    return None


def _check_due(due_on: date | None, today: date) -> None:
    if due_on is not None and due_on < today:
        raise Invalid(
            f"The due date {due_on.isoformat()} is in the past; choose today "
            f"({today.isoformat()}) or later."
        )


def _set_status(
    session: Session,
    item: ActionItem,
    status: ActionStatus,
    *,
    note: str,
    now: datetime,
) -> ActionItemUpdate:
    """Change the status (setting or clearing `done_at`) and record it as a dated update."""
    item.status = status
    item.done_at = now if status is ActionStatus.done else None
    update = ActionItemUpdate(
        action_item_id=id_of(item),
        note=note,
        status=status,
        created_at=now,
        author_id=audit.actor_of(session).user_id,
    )
    session.add_all([item, update])
    return update


def create_action_item(
    session: Session,
    *,
    story_session: StorySession,
    data: ActionItemCreate,
    now: datetime | None = None,
) -> ActionItem:
    """Commit the company to something after this session, owned by someone in the directory."""
    now = now or utcnow()
    check_open(story_session)
    count = session.exec(
        select(func.count()).where(ActionItem.session_id == story_session.id)
    ).one()
    if count >= MAX_ACTION_ITEMS:
        raise Invalid(
            f"“{story_session.title}” already has {count} action items, the most a session can "
            f"have is {MAX_ACTION_ITEMS}. Group related ones, or close and remove stale ones."
        )
    _check_due(data.due_on, local_day(now, story_session.timezone))
    owner = _owner(session, owner_id=data.owner_id, owner_email=data.owner_email)
    theme = _theme(session, theme_id=data.theme_id, name=data.theme)
    item = ActionItem(
        session_id=id_of(story_session),
        description=data.description,
        owner_id=owner.id if owner else None,
        due_on=data.due_on,
        status=ActionStatus.open,
        created_at=now,
        customers_affected=data.customers_affected,
        revenue_at_risk=data.revenue_at_risk,
        revenue_saved=data.revenue_saved,
        theme_id=theme.id if theme else None,
    )
    session.add(item)
    session.flush()
    if data.status is not ActionStatus.open:
        _set_status(session, item, data.status, note=STATUS_NOTES[data.status], now=now)
    items_changed(session, story_session=story_session)
    session.flush()
    return item


def get_action_item(session: Session, *, item_id: int) -> ActionItem:
    """The action item with this id, or 404."""
    item = session.get(ActionItem, item_id)
    if item is None:
        raise NotFound(f"There is no action item with id {item_id}.")
    return item


def update_action_item(
    session: Session, *, item: ActionItem, data: ActionItemPatch, now: datetime | None = None
) -> ActionItem:
    """Change an action item; a new due date may not be in the past."""
    now = now or utcnow()
    story_session = session.get(StorySession, item.session_id)
    assert story_session is not None
    before = (item.description, item.owner_id, item.due_on)
    if data.description is not None:
        item.description = data.description
    if data.unassign:
        item.owner_id = None
    elif data.owner_id is not None or data.owner_email:
        owner = _owner(session, owner_id=data.owner_id, owner_email=data.owner_email)
        item.owner_id = owner.id if owner else None
    if data.clear_due_on:
        item.due_on = None
    elif data.due_on is not None and data.due_on != item.due_on:
        _check_due(data.due_on, local_day(now, story_session.timezone))
        item.due_on = data.due_on
    if data.status is not None and data.status is not item.status:
        _set_status(session, item, data.status, note=STATUS_NOTES[data.status], now=now)
    for figure in FIGURES & data.model_fields_set:
        setattr(item, figure, getattr(data, figure))
    if data.clear_theme:
        item.theme_id = None
    elif data.theme_id is not None or data.theme is not None:
        theme = _theme(session, theme_id=data.theme_id, name=data.theme)
        item.theme_id = theme.id if theme else None
    session.add(item)
    if (item.description, item.owner_id, item.due_on) != before:
        items_changed(session, story_session=story_session)
    session.flush()
    return item


def add_action_update(
    session: Session, *, item: ActionItem, data: ActionUpdateCreate, now: datetime | None = None
) -> ActionItemUpdate:
    """Record progress on an action item, optionally changing its status."""
    now = now or utcnow()
    if data.status is not None and data.status is not item.status:
        update = _set_status(session, item, data.status, note=data.note, now=now)
    else:
        update = ActionItemUpdate(
            action_item_id=id_of(item),
            note=data.note,
            created_at=now,
            author_id=audit.actor_of(session).user_id,
        )
        session.add(update)
    session.flush()
    return update


def delete_action_item(session: Session, *, item: ActionItem) -> None:
    """Remove an action item recorded by mistake (its updates go with it)."""
    story_session = session.get(StorySession, item.session_id)
    assert story_session is not None
    items_changed(session, story_session=story_session)
    session.delete(item)
    session.flush()


def _filtered(filters: ActionItemFilters, today: date) -> list[object]:
    conditions: list[object] = []
    if filters.session_id is not None:
        conditions.append(ActionItem.session_id == filters.session_id)
    if filters.status is not None:
        conditions.append(ActionItem.status == filters.status)
    if filters.open is True:
        conditions.append(col(ActionItem.status).in_(builder.OPEN_STATUSES))
    elif filters.open is False:
        conditions.append(ActionItem.status == ActionStatus.done)
    if filters.owner_id is not None:
        conditions.append(ActionItem.owner_id == filters.owner_id)
    if filters.theme_id is not None:
        conditions.append(ActionItem.theme_id == filters.theme_id)
    late = (
        col(ActionItem.status) != ActionStatus.done,
        col(ActionItem.due_on).is_not(None),
        col(ActionItem.due_on) < today,
    )
    if filters.overdue is True:
        conditions.extend(late)
    elif filters.overdue is False:
        conditions.append(~(late[0] & late[1] & late[2]))
    return conditions


def list_action_items(
    session: Session,
    *,
    filters: ActionItemFilters,
    limit: int = 50,
    offset: int = 0,
    now: datetime | None = None,
) -> tuple[list[ActionItemRead], int]:
    """Action items matching the filters: overdue first, then by due date, then oldest."""
    today = (now or utcnow()).date()
    query = (
        select(ActionItem)
        .join(StorySession, col(StorySession.id) == ActionItem.session_id)
        .where(*_filtered(filters, today))  # type: ignore[arg-type]
    )
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    overdue_first = (
        (col(ActionItem.status) != ActionStatus.done)
        & col(ActionItem.due_on).is_not(None)
        & (col(ActionItem.due_on) < today)
    )
    rows = session.exec(
        query.order_by(
            overdue_first.desc(),
            col(ActionItem.due_on).is_(None),
            col(ActionItem.due_on),
            col(StorySession.starts_at),
            col(ActionItem.id),
        )
        .limit(limit)
        .offset(offset)
    ).all()
    return describe_action_items(session, items=rows, today=today), total


def _update_read(update: ActionItemUpdate, authors: dict[int, str]) -> ActionUpdateRead:
    return ActionUpdateRead(
        id=id_of(update),
        note=update.note,
        status=update.status,
        created_at=update.created_at,
        author=authors.get(update.author_id, "") if update.author_id is not None else "",
    )


def _authors(session: Session, updates: Sequence[ActionItemUpdate]) -> dict[int, str]:
    ids = {u.author_id for u in updates if u.author_id is not None}
    if not ids:
        return {}
    users = session.exec(select(User).where(col(User.id).in_(ids))).all()
    return {id_of(user): user.name or user.email for user in users}


def _theme_ref(theme: Theme | None) -> ThemeRef | None:
    return ThemeRef(id=id_of(theme), name=theme.name) if theme else None


def describe_action_items(
    session: Session, *, items: Sequence[ActionItem], today: date | None = None
) -> list[ActionItemRead]:
    """Action items with their owner, session and latest update (a few queries in all)."""
    today = today or utcnow().date()
    latest = builder.latest_updates(session, [item.id for item in items if item.id])
    authors = _authors(session, list(latest.values()))
    owners = by_id(session, Person, (item.owner_id for item in items))
    stories = by_id(session, StorySession, (item.session_id for item in items))
    themes = by_id(session, Theme, (item.theme_id for item in items))
    result = []
    for item in items:
        owner = owners.get(item.owner_id) if item.owner_id else None
        story = stories[item.session_id]
        update = latest.get(id_of(item))
        result.append(
            ActionItemRead(
                id=id_of(item),
                session_id=item.session_id,
                session_title=story.title,
                session_starts_at=story.starts_at,
                description=item.description,
                owner=OwnerRef(id=id_of(owner), name=owner.name, email=owner.email)
                if owner
                else None,
                due_on=item.due_on,
                status=item.status,
                overdue=is_overdue(item, today),
                done_at=item.done_at,
                created_at=item.created_at,
                latest_update=_update_read(update, authors) if update else None,
                customers_affected=item.customers_affected,
                revenue_at_risk=item.revenue_at_risk,
                revenue_saved=item.revenue_saved,
                theme=_theme_ref(themes.get(item.theme_id or 0)),
            )
        )
    return result


def action_item_detail(session: Session, *, item: ActionItem) -> ActionItemDetail:
    """One action item with every update, newest first."""
    updates = session.exec(
        select(ActionItemUpdate)
        .where(ActionItemUpdate.action_item_id == item.id)
        .order_by(col(ActionItemUpdate.created_at).desc(), col(ActionItemUpdate.id).desc())
    ).all()
    authors = _authors(session, updates)
    (read,) = describe_action_items(session, items=[item])
    return ActionItemDetail(
        **read.model_dump(), updates=[_update_read(update, authors) for update in updates]
    )
