"""Recap authoring: summary, quotes, themes, action items, approval and versions.

A session's `Recap` is its working copy, created on the first edit. Approving freezes the
built `RecapDocument` into a new `RecapVersion`; any later edit puts the recap back to draft,
so the next approval makes the next version. Versions are never rebuilt.
"""

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import delete
from sqlmodel import Session, col, func, select
from sqlmodel.sql.expression import SelectOfScalar

from app.audit import service as audit
from app.db import by_id
from app.errors import Conflict, Invalid, NotFound
from app.mail.addresses import normalize_email
from app.models import (
    ActionItem,
    ActionItemUpdate,
    ActionStatus,
    Consent,
    Customer,
    Person,
    Recap,
    RecapQuote,
    RecapStatus,
    RecapTheme,
    RecapVersion,
    SessionSpeaker,
    SessionStatus,
    StorySession,
    Theme,
    User,
    utcnow,
)
from app.people.service import person_by_email
from app.recaps import builder
from app.recaps.builder import DraftChanges, attribution, is_overdue, local_day
from app.recaps.document import RecapDocument
from app.recaps.markdown import render_markdown
from app.recaps.schemas import (
    ActionItemCreate,
    ActionItemDetail,
    ActionItemFilters,
    ActionItemPatch,
    ActionItemRead,
    ActionUpdateCreate,
    ActionUpdateRead,
    OwnerRef,
    QuoteCreate,
    QuoteRead,
    QuoteUpdate,
    RecapListItem,
    RecapRead,
    RecapUpdate,
    ThemeRead,
    VersionRead,
)
from app.story_sessions.schemas import SpeakerRead

MAX_QUOTES = 50
SYSTEM_APPROVER = "Customer Experience team"
MAX_ACTION_ITEMS = 100
STATUS_NOTES = {
    ActionStatus.open: "Reopened.",
    ActionStatus.in_progress: "Work started.",
    ActionStatus.done: "Marked done.",
}
"""The note recorded when a status changes without one, so every change is dated."""


# -- the working copy -------------------------------------------------------------------------


def get_recap(session: Session, *, session_id: int) -> Recap | None:
    """The session's recap, or None before its first edit."""
    return session.exec(select(Recap).where(Recap.session_id == session_id)).first()


def _check_open(story_session: StorySession) -> None:
    if story_session.status is SessionStatus.cancelled:
        raise Conflict(
            f"“{story_session.title}” was cancelled, so it has no recap or action items. "
            "Reopen it by scheduling a new session."
        )


def _audit_reopened(session: Session, recap: Recap, title: str) -> None:
    """An approved (or sent) recap edited: worth a line, unlike edits to a draft."""
    if recap.status is not RecapStatus.draft:
        audit.record(
            session,
            action="changed",
            entity="recap",
            entity_id=recap.id,
            summary=f"Edited the recap of “{title}” after version {recap.latest_version} was "
            "approved; it is a draft again",
            changes={"status": [recap.status, RecapStatus.draft]},
        )


def _reopen(recap: Recap, user_id: int | None) -> None:
    """An edit: the working copy now differs from the latest version, so it is a draft again."""
    recap.status = RecapStatus.draft
    recap.updated_by_id = user_id
    recap.updated_at = utcnow()


def _edit(session: Session, story_session: StorySession, *, user_id: int | None) -> Recap:
    """The recap about to be edited, created on the first edit and put back to draft."""
    _check_open(story_session)
    recap = get_recap(session, session_id=story_session.id or 0)
    if recap is None:
        recap = Recap(session_id=story_session.id or 0)
    _audit_reopened(session, recap, story_session.title)
    _reopen(recap, user_id)
    session.add(recap)
    session.flush()
    return recap


def _items_changed(session: Session, session_id: int, user_id: int | None) -> None:
    """This session's action items changed: its approved recap becomes a draft again.

    Progress (status changes and dated updates) does not count: it is reported by the later
    recaps under "how it is being addressed", and must not reopen recaps already sent.
    """
    recap = get_recap(session, session_id=session_id)
    if recap is not None and recap.status is not RecapStatus.draft:
        story_session = session.get(StorySession, session_id)
        _audit_reopened(session, recap, story_session.title if story_session else "")
        _reopen(recap, user_id)
        session.add(recap)


def update_recap(
    session: Session, story_session: StorySession, *, data: RecapUpdate, user_id: int | None
) -> Recap:
    """Save the summary and, when given, replace the themes."""
    recap = _edit(session, story_session, user_id=user_id)
    recap.summary = data.summary
    if data.themes is not None:
        _set_themes(session, recap, data.themes)
    session.add(recap)
    session.flush()
    return recap


def describe_recap(session: Session, story_session: StorySession) -> RecapRead:
    """The working recap as the API shows it (an empty draft before the first edit)."""
    assert story_session.id is not None
    recap = get_recap(session, session_id=story_session.id)
    items = session.exec(
        select(func.count()).where(ActionItem.session_id == story_session.id)
    ).one()
    return RecapRead(
        id=recap.id if recap else None,
        session_id=story_session.id,
        session_title=story_session.title,
        status=recap.status if recap else RecapStatus.draft,
        latest_version=recap.latest_version if recap else 0,
        summary=recap.summary if recap else "",
        summary_html=render_markdown(recap.summary) if recap else "",
        themes=builder.recap_theme_names(session, recap.id if recap else None),
        speakers=[
            SpeakerRead.model_validate(speaker)
            for speaker in session.exec(
                select(SessionSpeaker)
                .where(SessionSpeaker.session_id == story_session.id)
                .order_by(col(SessionSpeaker.id))
            )
        ],
        quotes=list_quotes(session, story_session),
        action_items=items,
        updated_at=recap.updated_at if recap else None,
    )


def list_recaps(
    session: Session, *, status: RecapStatus | None = None, limit: int = 50, offset: int = 0
) -> tuple[list[RecapListItem], int]:
    """Every recap, the most recent session first."""
    query = select(Recap, StorySession, Customer.name).join(
        StorySession, col(StorySession.id) == Recap.session_id
    )
    query = query.join(Customer, col(Customer.id) == StorySession.customer_id, isouter=True)
    if status is not None:
        query = query.where(Recap.status == status)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(col(StorySession.starts_at).desc(), col(Recap.id))
        .limit(limit)
        .offset(offset)
    ).all()
    return [
        RecapListItem(
            session_id=story.id or 0,
            session_title=story.title,
            starts_at=story.starts_at,
            timezone=story.timezone,
            customer=customer or "",
            status=recap.status,
            latest_version=recap.latest_version,
            updated_at=recap.updated_at,
        )
        for recap, story, customer in rows
    ], total


# -- themes -----------------------------------------------------------------------------------


def theme_key(name: str) -> str:
    """Themes match case-insensitively and ignore repeated spaces."""
    return " ".join(name.split()).casefold()


def _set_themes(session: Session, recap: Recap, names: Sequence[str]) -> None:
    wanted: dict[str, str] = {}
    for name in names:
        clean = " ".join(name.split())
        if clean:
            wanted.setdefault(theme_key(clean), clean)
    existing = {
        theme.key: theme
        for theme in session.exec(select(Theme).where(col(Theme.key).in_(list(wanted))))
    }
    ids = []
    for key, name in wanted.items():
        theme = existing.get(key)
        if theme is None:
            theme = Theme(name=name, key=key)
            session.add(theme)
            session.flush()
        ids.append(theme.id)
    session.exec(delete(RecapTheme).where(col(RecapTheme.recap_id) == recap.id))
    session.add_all(RecapTheme(recap_id=recap.id or 0, theme_id=theme_id or 0) for theme_id in ids)
    session.flush()


def list_themes(
    session: Session, *, prefix: str = "", limit: int = 50, offset: int = 0
) -> tuple[list[ThemeRead], int]:
    """Themes in use, most used first; `prefix` suggests the ones starting with it."""
    uses = func.count(col(RecapTheme.recap_id)).label("uses")
    query = select(Theme, uses).join(RecapTheme, col(RecapTheme.theme_id) == Theme.id, isouter=True)
    key = theme_key(prefix)
    if key:
        escaped = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(col(Theme.key).like(f"{escaped}%", escape="\\"))
    query = query.group_by(col(Theme.id))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(uses.desc(), col(Theme.key)).limit(limit).offset(offset)
    ).all()
    return [ThemeRead(id=theme.id or 0, name=theme.name, recaps=n) for theme, n in rows], total


# -- quotes -----------------------------------------------------------------------------------


def _speaker_named(session: Session, story_session: StorySession, name: str) -> SessionSpeaker:
    speakers = session.exec(
        select(SessionSpeaker)
        .where(SessionSpeaker.session_id == story_session.id)
        .order_by(col(SessionSpeaker.id))
    ).all()
    named = [s for s in speakers if s.name.casefold() == name.casefold()]
    if len(named) > 1:
        ids = ", ".join(str(s.id) for s in named)
        raise Invalid(
            f"{len(named)} speakers of “{story_session.title}” are called {name!r}: name the "
            f"one you mean by speaker_id ({ids})."
        )
    if not named:
        known = ", ".join(repr(s.name) for s in speakers)
        raise Invalid(
            f"No speaker of “{story_session.title}” is called {name!r}: "
            + (f"its speakers are {known}." if known else "it has no speakers yet.")
            + " Add them on the session's edit page."
        )
    return named[0]


def _speaker(
    session: Session,
    story_session: StorySession,
    speaker_id: int | None,
    speaker_name: str | None = None,
) -> SessionSpeaker:
    """The session's speaker named by id or by name, if their consent allows quoting."""
    if speaker_name is not None:
        speaker = _speaker_named(session, story_session, speaker_name)
    else:
        found = session.get(SessionSpeaker, speaker_id) if speaker_id is not None else None
        if found is None or found.session_id != story_session.id:
            raise Invalid(
                f"Speaker {speaker_id} did not speak at “{story_session.title}”: quote one of "
                "this session's speakers (add them on the session's edit page)."
            )
        speaker = found
    if speaker.consent is Consent.none:
        raise Invalid(
            f"{speaker.name} did not consent to being quoted, so their words cannot appear in "
            "the recap. Paraphrase them in the summary instead, or record their consent first."
        )
    return speaker


def list_quotes(session: Session, story_session: StorySession) -> list[QuoteRead]:
    """The recap's quotes in order, each with the attribution the recap will print."""
    assert story_session.id is not None
    customer = builder.customer_name(session, story_session.customer_id)
    rows = session.exec(
        select(RecapQuote, SessionSpeaker)
        .join(Recap, col(Recap.id) == RecapQuote.recap_id)
        .join(SessionSpeaker, col(SessionSpeaker.id) == RecapQuote.speaker_id)
        .where(Recap.session_id == story_session.id)
        .order_by(col(RecapQuote.position), col(RecapQuote.id))
    ).all()
    return [
        QuoteRead(
            id=quote.id or 0,
            speaker_id=speaker.id or 0,
            speaker_name=speaker.name,
            consent=speaker.consent,
            text=quote.text,
            attribution=attribution(speaker, customer)
            if speaker.consent is not Consent.none
            else "Not quoted: consent withdrawn",
            position=quote.position,
        )
        for quote, speaker in rows
    ]


def add_quote(
    session: Session, story_session: StorySession, *, data: QuoteCreate, user_id: int | None
) -> RecapQuote:
    """Quote one of the session's speakers (who consented), at the end of the list."""
    _check_open(story_session)
    speaker = _speaker(session, story_session, data.speaker_id, data.speaker_name)
    recap = get_recap(session, session_id=story_session.id or 0)
    if recap is not None:
        count, last = session.exec(
            select(func.count(), func.max(RecapQuote.position)).where(
                RecapQuote.recap_id == recap.id
            )
        ).one()
        if count >= MAX_QUOTES:
            raise Invalid(
                f"This recap already has {count} quotes, the most it can hold is {MAX_QUOTES}. "
                "Keep the ones that say it best and remove others first."
            )
        position = (last or 0) + 1
    else:
        position = 1
    recap = _edit(session, story_session, user_id=user_id)
    quote = RecapQuote(
        recap_id=recap.id or 0, speaker_id=speaker.id or 0, text=data.text, position=position
    )
    session.add(quote)
    session.flush()
    return quote


def get_quote(session: Session, story_session: StorySession, quote_id: int) -> RecapQuote:
    quote = session.get(RecapQuote, quote_id)
    recap = session.get(Recap, quote.recap_id) if quote else None
    if quote is None or recap is None or recap.session_id != story_session.id:
        raise NotFound(f"The recap of “{story_session.title}” has no quote {quote_id}.")
    return quote


def update_quote(
    session: Session,
    story_session: StorySession,
    *,
    quote_id: int,
    data: QuoteUpdate,
    user_id: int | None,
) -> RecapQuote:
    """Change a quote's text, speaker or position."""
    quote = get_quote(session, story_session, quote_id)
    if data.speaker_id is not None or data.speaker_name is not None:
        speaker = _speaker(session, story_session, data.speaker_id, data.speaker_name)
        quote.speaker_id = speaker.id or 0
    if data.text is not None:
        quote.text = data.text
    if data.position is not None:
        quote.position = data.position
    _edit(session, story_session, user_id=user_id)
    session.add(quote)
    session.flush()
    return quote


def delete_quote(
    session: Session, story_session: StorySession, *, quote_id: int, user_id: int | None
) -> None:
    quote = get_quote(session, story_session, quote_id)
    _edit(session, story_session, user_id=user_id)
    session.delete(quote)
    session.flush()


# -- action items -----------------------------------------------------------------------------


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
    user_id: int | None,
    now: datetime,
) -> ActionItemUpdate:
    """Change the status (setting or clearing `done_at`) and record it as a dated update."""
    item.status = status
    item.done_at = now if status is ActionStatus.done else None
    update = ActionItemUpdate(
        action_item_id=item.id or 0, note=note, status=status, created_at=now, author_id=user_id
    )
    session.add_all([item, update])
    return update


def create_action_item(
    session: Session,
    story_session: StorySession,
    *,
    data: ActionItemCreate,
    user_id: int | None,
    now: datetime | None = None,
) -> ActionItem:
    """Commit the company to something after this session, owned by someone in the directory."""
    now = now or utcnow()
    _check_open(story_session)
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
    item = ActionItem(
        session_id=story_session.id or 0,
        description=data.description,
        owner_id=owner.id if owner else None,
        due_on=data.due_on,
        status=ActionStatus.open,
    )
    session.add(item)
    session.flush()
    if data.status is not ActionStatus.open:
        _set_status(
            session, item, data.status, note=STATUS_NOTES[data.status], user_id=user_id, now=now
        )
    _items_changed(session, item.session_id, user_id)
    session.flush()
    return item


def get_action_item(session: Session, *, item_id: int) -> ActionItem:
    item = session.get(ActionItem, item_id)
    if item is None:
        raise NotFound(f"There is no action item with id {item_id}.")
    return item


def update_action_item(
    session: Session,
    item: ActionItem,
    *,
    data: ActionItemPatch,
    user_id: int | None,
    now: datetime | None = None,
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
        _set_status(
            session, item, data.status, note=STATUS_NOTES[data.status], user_id=user_id, now=now
        )
    session.add(item)
    if (item.description, item.owner_id, item.due_on) != before:
        _items_changed(session, item.session_id, user_id)
    session.flush()
    return item


def add_action_update(
    session: Session,
    item: ActionItem,
    *,
    data: ActionUpdateCreate,
    user_id: int | None,
    now: datetime | None = None,
) -> ActionItemUpdate:
    """Record progress on an action item, optionally changing its status."""
    now = now or utcnow()
    if data.status is not None and data.status is not item.status:
        update = _set_status(session, item, data.status, note=data.note, user_id=user_id, now=now)
    else:
        update = ActionItemUpdate(
            action_item_id=item.id or 0, note=data.note, created_at=now, author_id=user_id
        )
        session.add(update)
    session.flush()
    return update


def delete_action_item(session: Session, item: ActionItem, *, user_id: int | None) -> None:
    """Remove an action item recorded by mistake (its updates go with it)."""
    _items_changed(session, item.session_id, user_id)
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
    return describe_action_items(session, rows, today=today), total


def _update_read(update: ActionItemUpdate, authors: dict[int, str]) -> ActionUpdateRead:
    return ActionUpdateRead(
        id=update.id or 0,
        note=update.note,
        status=update.status,
        created_at=update.created_at,
        author=authors.get(update.author_id or 0, ""),
    )


def _authors(session: Session, updates: Sequence[ActionItemUpdate]) -> dict[int, str]:
    ids = {u.author_id for u in updates if u.author_id is not None}
    if not ids:
        return {}
    users = session.exec(select(User).where(col(User.id).in_(ids))).all()
    return {user.id or 0: user.name or user.email for user in users}


def describe_action_items(
    session: Session, items: Sequence[ActionItem], *, today: date | None = None
) -> list[ActionItemRead]:
    """Action items with their owner, session and latest update (a few queries in all)."""
    today = today or utcnow().date()
    latest = builder.latest_updates(session, [item.id for item in items if item.id])
    authors = _authors(session, list(latest.values()))
    owners = by_id(session, Person, (item.owner_id for item in items))
    stories = by_id(session, StorySession, (item.session_id for item in items))
    result = []
    for item in items:
        owner = owners.get(item.owner_id) if item.owner_id else None
        story = stories[item.session_id]
        update = latest.get(item.id or 0)
        result.append(
            ActionItemRead(
                id=item.id or 0,
                session_id=item.session_id,
                session_title=story.title,
                session_starts_at=story.starts_at,
                description=item.description,
                owner=OwnerRef(id=owner.id or 0, name=owner.name, email=owner.email)
                if owner
                else None,
                due_on=item.due_on,
                status=item.status,
                overdue=is_overdue(item, today),
                done_at=item.done_at,
                created_at=item.created_at,
                latest_update=_update_read(update, authors) if update else None,
            )
        )
    return result


def action_item_detail(session: Session, item: ActionItem) -> ActionItemDetail:
    """One action item with every update, newest first."""
    updates = session.exec(
        select(ActionItemUpdate)
        .where(ActionItemUpdate.action_item_id == item.id)
        .order_by(col(ActionItemUpdate.created_at).desc(), col(ActionItemUpdate.id).desc())
    ).all()
    authors = _authors(session, updates)
    (read,) = describe_action_items(session, [item])
    return ActionItemDetail(
        **read.model_dump(), updates=[_update_read(update, authors) for update in updates]
    )


# -- approval and versions --------------------------------------------------------------------


def preview_document(
    session: Session,
    story_session: StorySession,
    *,
    draft: DraftChanges | None = None,
    now: datetime | None = None,
) -> RecapDocument:
    """The recap as it would be approved now (version 0), optionally with unsaved changes."""
    recap = get_recap(session, session_id=story_session.id or 0)
    return builder.build_document(
        session, story_session=story_session, recap=recap, draft=draft, now=now
    )


def approve_recap(
    session: Session,
    story_session: StorySession,
    *,
    user: User | None,
    now: datetime | None = None,
    render: bool = True,
) -> RecapVersion:
    """Freeze the recap as its next version and queue that version's PDF.

    `user` None is an approval by the system (demo data); `render` False leaves the PDF to be
    rendered on its first download or send.
    """
    from app.recaps.tasks import schedule_pdf

    now = now or utcnow()
    _check_open(story_session)
    recap = get_recap(session, session_id=story_session.id or 0)
    if recap is None:
        raise Conflict(
            f"“{story_session.title}” has no recap yet: write a summary, then approve it."
        )
    # Lock the row (PostgreSQL) so two approvals cannot both make version n + 1.
    session.refresh(recap, with_for_update=True)
    if recap.status is not RecapStatus.draft:
        raise Conflict(
            f"Version {recap.latest_version} of this recap is already approved and nothing has "
            "changed since. Edit the recap to make a new version."
        )
    number = recap.latest_version + 1
    document = builder.build_document(
        session,
        story_session=story_session,
        recap=recap,
        version=number,
        approved_at=now,
        approved_by=(user.name or user.email) if user else SYSTEM_APPROVER,
        now=now,
    )
    version = RecapVersion(
        recap_id=recap.id or 0,
        number=number,
        document=document.model_dump(mode="json"),
        approved_at=now,
        approved_by_id=user.id if user else None,
    )
    recap.latest_version = number
    recap.status = RecapStatus.approved
    session.add_all([version, recap])
    session.flush()
    audit.record(
        session,
        action="approved",
        entity="recap",
        entity_id=recap.id,
        summary=f"Approved version {number} of the recap of “{story_session.title}”",
        changes={"version": [number - 1 or None, number], "status": ["draft", "approved"]},
    )
    if render:
        schedule_pdf(session, version)
    return version


def _versions_query(story_session: StorySession) -> SelectOfScalar[RecapVersion]:
    return (
        select(RecapVersion)
        .join(Recap, col(Recap.id) == RecapVersion.recap_id)
        .where(Recap.session_id == story_session.id)
    )


def list_versions(session: Session, story_session: StorySession) -> list[VersionRead]:
    """Every approved version of the session's recap, newest first."""
    versions = session.exec(
        _versions_query(story_session).order_by(col(RecapVersion.number).desc())
    ).all()
    return [
        VersionRead(
            number=version.number,
            approved_at=version.approved_at,
            # As frozen: the name stays right after the user is renamed or removed.
            approved_by=str(version.document.get("approved_by", "")),
            sent_at=version.sent_at,
            pdf_ready=version.pdf_id is not None,
            render_error=version.render_error,
        )
        for version in versions
    ]


def get_version(session: Session, story_session: StorySession, *, number: int) -> RecapVersion:
    version = session.exec(
        _versions_query(story_session).where(RecapVersion.number == number)
    ).first()
    if version is None:
        raise NotFound(
            f"The recap of “{story_session.title}” has no version {number}; "
            "see GET …/recap/versions for those that exist."
        )
    return version


def version_document(version: RecapVersion) -> RecapDocument:
    """The document frozen at approval, exactly as it was."""
    return RecapDocument.model_validate(version.document)
