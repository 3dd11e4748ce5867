"""Weekly and monthly digests: every recap approved since a list's last digest, in one email.

A list is due when its scheduled local time (weekday or day of the month, at a time, in its
timezone) has passed since its last digest. The digest is worked out, its PDF rendered with no
transaction open, then stored in a short one that locks the list row and moves
`last_digest_at` to the scheduled time, unless another job got there first: a job that runs
twice makes one digest.
"""

from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from app.config import get_settings
from app.db import id_of
from app.distribution.members import recipients
from app.distribution.schemas import (
    DigestAction,
    DigestDocument,
    DigestLevel,
    DigestSession,
    DigestTheme,
)
from app.follow_ups.digest_quotes import mark_quoted, replies_to_quote
from app.mail import outbox
from app.mail.addresses import normalize_email
from app.models import (
    Cadence,
    Delivery,
    DeliveryKind,
    Digest,
    DigestRecap,
    DistributionList,
    RecapVersion,
    utcnow,
)
from app.people.peers import digest_peers
from app.recaps.document import ActionEntry, RecapDocument
from app.templating import env

TOP_THEMES = 8


def _month_back(day: date) -> date:
    return (day.replace(day=1) - timedelta(days=1)).replace(day=day.day)


def scheduled_before(dlist: DistributionList, now: datetime) -> datetime | None:
    """The latest scheduled digest time at or before `now`, or None for every-recap lists."""
    zone = ZoneInfo(dlist.timezone)
    today = now.astimezone(zone).date()
    if dlist.cadence is Cadence.weekly and dlist.digest_weekday is not None:
        day = today - timedelta(days=(today.weekday() - dlist.digest_weekday) % 7)
        previous = day - timedelta(days=7)
    elif dlist.cadence is Cadence.monthly and dlist.digest_day is not None:
        day = today.replace(day=dlist.digest_day)  # digest_day ≤ 28 exists in every month
        previous = _month_back(day)
    else:
        return None
    moment = datetime.combine(day, dlist.digest_time, zone)
    if moment > now:
        moment = datetime.combine(previous, dlist.digest_time, zone)
    return moment.astimezone(now.tzinfo)


def _latest_versions(session: Session, since: datetime, until: datetime) -> list[RecapVersion]:
    """The newest version of each recap approved in (since, until], oldest session first."""
    versions = session.exec(
        select(RecapVersion)
        .where(col(RecapVersion.approved_at) > since, col(RecapVersion.approved_at) <= until)
        .order_by(col(RecapVersion.recap_id), col(RecapVersion.number))
    ).all()
    newest = {version.recap_id: version for version in versions}
    return sorted(
        newest.values(), key=lambda v: (RecapDocument.model_validate(v.document).starts_at, v.id)
    )


def _action(item: ActionEntry) -> DigestAction:
    return DigestAction(
        description=item.description,
        owner=item.owner,
        due_on=item.due_on,
        status=item.status,
        session_title=item.session_title,
        overdue=item.overdue,
    )


def build_document(
    dlist: DistributionList, docs: list[RecapDocument], *, start: datetime, end: datetime
) -> DigestDocument:
    """The digest's data from the recaps' frozen documents (oldest session first)."""
    sessions: list[DigestSession] = []
    levels: dict[str, DigestLevel] = {}
    items: dict[tuple[str, str, date], ActionEntry] = {}
    themes: Counter[str] = Counter()
    frequency: dict[str, str] = {}
    for doc in docs:
        attendance = doc.attendance
        sessions.append(
            DigestSession(
                session_id=doc.session_id,
                title=doc.session_title,
                customer=doc.customer,
                starts_at=doc.starts_at,
                timezone=doc.timezone,
                version=doc.version,
                attendees=attendance.attendees,
                unique_people=attendance.unique_people,
                executives=sum(lc.attendees for lc in attendance.levels if lc.is_executive),
            )
        )
        for count in attendance.levels:
            total = levels.setdefault(
                count.level,
                DigestLevel(level=count.level, is_executive=count.is_executive, attendees=0),
            )
            total.attendees += count.attendees
        # Later recaps know better: an item listed again replaces its earlier state.
        for item in [*doc.action_items, *doc.open_items, *doc.done_since_previous]:
            items[(item.description, item.session_title, item.session_date)] = item
        themes.update(set(doc.themes))
        # Oldest session first: the newest recap's sentence is the one that stays.
        frequency.update(doc.theme_frequency)
    ordered_levels = sorted(levels.values(), key=lambda level: not level.is_executive)
    open_items = [_action(item) for item in items.values() if item.status != "done"]
    open_items.sort(key=lambda item: (not item.overdue, item.due_on or date.max))
    return DigestDocument(
        company_name=docs[0].company_name if docs else get_settings().company_name,
        list_name=dlist.name,
        cadence=dlist.cadence,
        period_start=start,
        period_end=end,
        timezone=dlist.timezone,
        sessions=sessions,
        levels=ordered_levels,
        open_items=open_items,
        themes=[
            DigestTheme(theme=theme, sessions=count, frequency=frequency.get(theme, ""))
            for theme, count in sorted(themes.items(), key=lambda kv: (-kv[1], kv[0].casefold()))[
                :TOP_THEMES
            ]
        ],
    )


def digest_pdf_html(doc: DigestDocument) -> str:
    """The complete HTML page the digest PDF is rendered from (the recap's page wrapper)."""
    from app.distribution.emails import digest_period, digest_title
    from app.recaps.render import pdf_context

    return env.get_template("pdf/digest.html").render(
        doc=doc,
        title=digest_title(doc),
        period=digest_period(doc),
        for_pdf=True,
        **pdf_context(company_name=doc.company_name),
    )


def _still_due(session: Session, dlist: DistributionList, since: datetime) -> bool:
    """Whether no other job has served the list since `since` was read (row locked till commit)."""
    # PostgreSQL locks the row; SQLite's write transaction already serialises.
    session.refresh(dlist, with_for_update=True)
    return (dlist.last_digest_at or dlist.created_at) == since


def make_digest(session: Session, *, list_id: int, now: datetime | None = None) -> Digest | None:
    """Bundle what a due list has not received into one Digest and queue it to each member.

    Returns None when the list is not due or nothing new was approved; either way the list
    then counts as served up to its scheduled time. Commits the session before rendering the
    PDF, so no transaction is held meanwhile; the caller commits the digest.
    """
    from app.recaps.render import render_pdf

    now = now or utcnow()
    dlist = session.get(DistributionList, list_id)
    if dlist is None:
        return None
    scheduled = scheduled_before(dlist, now)
    since = dlist.last_digest_at or dlist.created_at
    if scheduled is None or scheduled <= since:
        return None
    versions = _latest_versions(session, since, scheduled)
    people = recipients(session, lists=[dlist])
    if not versions or not people:
        if _still_due(session, dlist, since):
            dlist.last_digest_at = scheduled
            session.add(dlist)
            session.flush()
        return None
    docs = [RecapDocument.model_validate(version.document) for version in versions]
    document = build_document(dlist, docs, start=since, end=scheduled)
    document.peers = digest_peers(session, at=scheduled)
    document.storyteller_replies = replies_to_quote(session, until=scheduled)
    html = digest_pdf_html(document)
    session.commit()
    pdf = render_pdf(html, subject="digest")
    if not _still_due(session, dlist, since):
        return None  # another job made this digest while this one rendered: theirs is sent
    dlist.last_digest_at = scheduled
    session.add_all([dlist, pdf])
    session.flush()
    digest = Digest(
        list_id=list_id,
        period_start=since,
        period_end=scheduled,
        document=document.model_dump(mode="json"),
        pdf_id=pdf.id,
        created_at=now,
    )
    session.add(digest)
    session.flush()
    mark_quoted(session, digest=digest, replies=document.storyteller_replies)
    session.add_all(
        DigestRecap(digest_id=id_of(digest), recap_version_id=id_of(v)) for v in versions
    )
    outbox.enqueue(
        session,
        (
            Delivery(
                kind=DeliveryKind.digest,
                dedup_key=f"digest:{digest.id}:{normalize_email(person.email)}",
                to_email=person.email,
                to_name=person.name,
                person_id=person.person_id,
                list_id=list_id,
                digest_id=digest.id,
                next_attempt_at=now,
                created_at=now,
            )
            for person in people
        ),
    )
    return digest


def digest_list_ids(session: Session) -> list[int]:
    """Lists that receive digests rather than each recap."""
    return [
        list_id
        for list_id in session.exec(
            select(DistributionList.id).where(DistributionList.cadence != Cadence.every_recap)
        )
        if list_id is not None
    ]
