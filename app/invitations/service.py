"""Invitations: who is invited to which session, their answers, reminders and calendar feeds.

Every email is a Delivery row queued in the caller's transaction; the dedup keys make each
message exist once (`invite:<session>:<email>:<sequence>`, `cancel:…`, `remind:…`), so inviting
twice, saving a session twice or re-running the reminder job never sends anything twice.
"""

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import Any, Literal

from icalendar import vCalAddress
from sqlalchemy import case
from sqlmodel import Session, col, func, select

from app.auth.security import token_digest
from app.config import get_settings
from app.errors import Conflict, Invalid, NotFound
from app.invitations.schemas import Audience, InviteResult, RsvpCounts
from app.kit.signing import sign, unsign
from app.mail import outbox
from app.mail.addresses import normalize_email
from app.models import (
    CalendarFeed,
    Customer,
    Delivery,
    DeliveryKind,
    DistributionList,
    Invitation,
    ListMember,
    Person,
    Rsvp,
    Series,
    SessionStatus,
    StorySession,
    User,
    utcnow,
)
from app.people.service import level_by_key, not_erased
from app.story_sessions import hooks, ics

RSVP_PURPOSE = "rsvp"
ANSWERS = (Rsvp.accepted, Rsvp.tentative, Rsvp.declined)
ANSWER_LABELS = {Rsvp.accepted: "Yes", Rsvp.tentative: "Maybe", Rsvp.declined: "No"}
FEED_HISTORY = timedelta(days=90)
"""How far back a calendar feed goes: recent sessions stay visible in the calendar."""
FEED_USE_RESOLUTION = timedelta(hours=1)
"""`last_used_at` is written at most this often: calendar apps poll feeds constantly."""


@dataclass(frozen=True)
class Invitee:
    email: str
    name: str
    person_id: int | None


# -- the audience ----------------------------------------------------------------------------


def _people_by_ids(session: Session, ids: set[int]) -> list[Person]:
    if not ids:
        return []
    found = list(session.exec(select(Person).where(col(Person.id).in_(ids))).all())
    missing = sorted(ids - {person.id for person in found if person.id is not None})
    if missing:
        raise Invalid(f"There is no person with id {', '.join(map(str, missing))}.")
    return found


def _people_by_emails(session: Session, emails: set[str]) -> list[Person]:
    if not emails:
        return []
    found = list(session.exec(select(Person).where(col(Person.email).in_(emails))).all())
    missing = sorted(emails - {person.email for person in found})
    if missing:
        raise Invalid(
            f"No one in the directory has the email {', '.join(missing)}. Check the spelling, "
            "or add them to the directory or to a distribution list first."
        )
    return found


def _people_in_levels(session: Session, keys: set[str]) -> list[Person]:
    if not keys:
        return []
    level_ids = [level_by_key(session, key).id for key in sorted(keys)]
    return list(
        session.exec(
            select(Person).where(
                col(Person.level_id).in_(level_ids), col(Person.active), not_erased()
            )
        ).all()
    )


def _people_in_departments(session: Session, departments: set[str]) -> list[Person]:
    if not departments:
        return []
    found = list(
        session.exec(
            select(Person).where(
                col(Person.department).in_(departments), col(Person.active), not_erased()
            )
        ).all()
    )
    empty = sorted(departments - {person.department for person in found})
    if empty:
        raise Invalid(f"No active person is in the department {', '.join(empty)}.")
    return found


def _list_members(session: Session, list_ids: set[int]) -> list[Invitee]:
    if not list_ids:
        return []
    known = set(
        session.exec(select(DistributionList.id).where(col(DistributionList.id).in_(list_ids)))
    )
    missing = sorted(list_ids - known)
    if missing:
        raise Invalid(f"There is no distribution list with id {', '.join(map(str, missing))}.")
    rows = session.exec(
        select(ListMember, Person)
        .join(Person, col(Person.id) == ListMember.person_id, isouter=True)
        .where(col(ListMember.list_id).in_(list_ids), col(ListMember.unsubscribed_at).is_(None))
    ).all()
    invitees = []
    for member, person in rows:
        if person is not None:
            if person.active:
                invitees.append(Invitee(person.email, person.name, person.id))
        elif member.email:
            invitees.append(Invitee(normalize_email(member.email), member.name, None))
    return invitees


def resolve_audience(session: Session, audience: Audience) -> list[Invitee]:
    """Everyone the audience names, once each (by lower-case email), ordered by email."""
    emails = {normalize_email(email) for email in audience.emails if email.strip()}
    levels = {key.strip().lower() for key in audience.levels if key.strip()}
    departments = {name.strip() for name in audience.departments if name.strip()}
    if not (emails or audience.person_ids or levels or departments or audience.list_ids):
        raise Invalid(
            "Choose who to invite: people by email, levels, departments or a distribution list."
        )
    people = [
        *_people_by_emails(session, emails),
        *_people_by_ids(session, set(audience.person_ids)),
        *_people_in_levels(session, levels),
        *_people_in_departments(session, departments),
    ]
    invitees: dict[str, Invitee] = {}
    for person in people:
        invitees.setdefault(person.email, Invitee(person.email, person.name, person.id))
    for invitee in _list_members(session, set(audience.list_ids)):
        invitees.setdefault(invitee.email, invitee)
    return [invitees[email] for email in sorted(invitees)]


# -- inviting --------------------------------------------------------------------------------


def _check_invitable(story_session: StorySession, now: datetime) -> None:
    if story_session.status is not SessionStatus.scheduled:
        raise Conflict(
            f"This session is {story_session.status.value}: only scheduled sessions take "
            "invitations."
        )
    if story_session.starts_at <= now:
        raise Conflict("This session has already started: invitations are for sessions to come.")


def upcoming_sessions(
    session: Session, series: Series, *, now: datetime | None = None
) -> list[StorySession]:
    """The series' scheduled sessions that have not started, soonest first."""
    return list(
        session.exec(
            select(StorySession)
            .where(
                StorySession.series_id == series.id,
                StorySession.status == SessionStatus.scheduled,
                col(StorySession.starts_at) > (now or utcnow()),
            )
            .order_by(col(StorySession.starts_at), col(StorySession.id))
        ).all()
    )


def _delivery(
    invitation: Invitation,
    story_session: StorySession,
    *,
    kind: DeliveryKind,
    key: str,
    **payload: Any,
) -> Delivery:
    return Delivery(
        kind=kind,
        dedup_key=key,
        to_email=invitation.email,
        to_name=invitation.name,
        person_id=invitation.person_id,
        session_id=story_session.id,
        payload={"invitation_id": invitation.id, **payload},
    )


def _invitation_email(
    invitation: Invitation, story_session: StorySession, *, update: bool = False
) -> Delivery:
    sequence = story_session.sequence
    key = f"invite:{story_session.id}:{invitation.email}:{sequence}"
    return _delivery(
        invitation,
        story_session,
        kind=DeliveryKind.invitation,
        key=key,
        sequence=sequence,
        update=update,
    )


def invite(
    session: Session,
    *,
    story_sessions: Sequence[StorySession],
    audience: Audience,
    invited_by_id: int | None,
    dry_run: bool = False,
    now: datetime | None = None,
) -> InviteResult:
    """Invite the audience to each session: one invitation and one email per new invitee."""
    now = now or utcnow()
    if not story_sessions:
        raise Conflict("There is no upcoming session to invite to.")
    for story_session in story_sessions:
        _check_invitable(story_session, now)
    invitees = resolve_audience(session, audience)
    by_id = {s.id: s for s in story_sessions}
    invited_before: set[tuple[int, str]] = set()
    emails = [invitee.email for invitee in invitees]
    for start in range(0, len(emails), 500):
        invited_before.update(
            session.exec(
                select(Invitation.session_id, Invitation.email).where(
                    col(Invitation.session_id).in_(list(by_id)),
                    col(Invitation.email).in_(emails[start : start + 500]),
                )
            ).all()
        )
    fresh = [
        (story_session, invitee)
        for story_session in story_sessions
        for invitee in invitees
        if (story_session.id, invitee.email) not in invited_before
    ]
    if not dry_run and fresh:
        invitations = [
            (
                story_session,
                Invitation(
                    session_id=story_session.id or 0,
                    person_id=invitee.person_id,
                    email=invitee.email,
                    name=invitee.name,
                    invited_at=now,
                    invited_by_id=invited_by_id,
                ),
            )
            for story_session, invitee in fresh
        ]
        session.add_all([invitation for _, invitation in invitations])
        session.flush()
        outbox.enqueue(session, (_invitation_email(i, s) for s, i in invitations))
    return InviteResult(
        sessions=len(story_sessions),
        audience=len(invitees),
        invited=len(fresh),
        already_invited=len(story_sessions) * len(invitees) - len(fresh),
        dry_run=dry_run,
    )


def _invitations(session: Session, session_id: int | None, *conditions: Any) -> list[Invitation]:
    return list(
        session.exec(
            select(Invitation)
            .where(Invitation.session_id == session_id, *conditions)
            .order_by(col(Invitation.id))
        ).all()
    )


@hooks.on_calendar_change
def send_updates(session: Session, story_session: StorySession) -> int:
    """After a change invitees should see (SEQUENCE raised): an updated invitation to everyone
    who has not declined. Returns how many emails were queued."""
    if story_session.status is not SessionStatus.scheduled:
        return 0
    invitations = _invitations(session, story_session.id, Invitation.rsvp != Rsvp.declined)
    added = outbox.enqueue(
        session, (_invitation_email(i, story_session, update=True) for i in invitations)
    )
    return len(added)


@hooks.on_cancel
def send_cancellations(session: Session, story_session: StorySession) -> int:
    """After a session is cancelled: METHOD:CANCEL to every invitee. Returns how many."""
    sequence = story_session.sequence
    added = outbox.enqueue(
        session,
        (
            _delivery(
                invitation,
                story_session,
                kind=DeliveryKind.cancellation,
                key=f"cancel:{story_session.id}:{invitation.email}:{sequence}",
                sequence=sequence,
            )
            for invitation in _invitations(session, story_session.id)
        ),
    )
    return len(added)


# -- reading invitations ---------------------------------------------------------------------


def list_invitations(
    session: Session,
    *,
    session_id: int,
    rsvp: Rsvp | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Invitation], int]:
    """One page of a session's invitations by name, and how many match."""
    conditions: list[Any] = [Invitation.session_id == session_id]
    if rsvp is not None:
        conditions.append(Invitation.rsvp == rsvp)
    total = session.exec(select(func.count()).select_from(Invitation).where(*conditions)).one()
    rows = session.exec(
        select(Invitation)
        .where(*conditions)
        .order_by(col(Invitation.name), col(Invitation.email))
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), total


def rsvp_counts(session: Session, *, session_ids: Iterable[int]) -> dict[int, RsvpCounts]:
    """Per session: how many were invited and how each answered (sessions with none: zeros)."""
    ids = list(session_ids)
    counts = {session_id: RsvpCounts() for session_id in ids}
    if not ids:
        return counts
    rows = session.exec(
        select(Invitation.session_id, Invitation.rsvp, func.count())
        .where(col(Invitation.session_id).in_(ids))
        .group_by(col(Invitation.session_id), col(Invitation.rsvp))
    ).all()
    for session_id, answer, count in rows:
        setattr(counts[session_id], Rsvp(answer).value, count)
        counts[session_id].invited += count
    return counts


def rsvp_counts_by_person(
    session: Session, person_ids: Sequence[int], start: datetime, end: datetime
) -> dict[int, tuple[int, int]]:
    """Per person: (invitations received, accepted) for sessions starting in [start, end)."""
    if not person_ids:
        return {}
    accepted = case((col(Invitation.rsvp) == Rsvp.accepted, 1), else_=0)
    rows = session.exec(
        select(Invitation.person_id, func.count(), func.sum(accepted))
        .join(StorySession, col(StorySession.id) == Invitation.session_id)
        .where(
            col(Invitation.person_id).in_(list(person_ids)),
            col(StorySession.starts_at) >= start,
            col(StorySession.starts_at) < end,
        )
        .group_by(col(Invitation.person_id))
    ).all()
    return {pid: (int(total), int(yes or 0)) for pid, total, yes in rows if pid is not None}


# -- RSVP links ------------------------------------------------------------------------------


def rsvp_url(invitation: Invitation, story_session: StorySession, answer: Rsvp | None) -> str:
    """The signed link to answer `invitation`; it stops working a while after the session."""
    expires_at = story_session.ends_at + timedelta(days=get_settings().rsvp_link_days)
    token = sign(RSVP_PURPOSE, invitation.id, expires_at=expires_at)
    query = f"?answer={answer.value}" if answer is not None else ""
    return f"{get_settings().base_url.rstrip('/')}/p/rsvp/{token}{query}"


def rsvp_links(invitation: Invitation, story_session: StorySession) -> dict[Rsvp, str]:
    """One link per answer, labelled as the email shows them."""
    return {answer: rsvp_url(invitation, story_session, answer) for answer in ANSWERS}


def invitation_for_token(session: Session, token: str) -> tuple[Invitation, StorySession]:
    """The invitation (and its session) an RSVP link is for: valid, unexpired, still there."""
    invitation_id = unsign(RSVP_PURPOSE, token)
    invitation = (
        session.get(Invitation, invitation_id)
        if isinstance(invitation_id, int) and not isinstance(invitation_id, bool)
        else None
    )
    if invitation is None:
        raise NotFound("This invitation no longer exists. Ask the organizer for a new one.")
    return invitation, session.get_one(StorySession, invitation.session_id)


def record_rsvp(
    session: Session, invitation: Invitation, *, answer: Rsvp, now: datetime | None = None
) -> Invitation:
    """Record an invitee's answer (the latest one counts)."""
    if answer not in ANSWERS:
        raise Invalid("Answer yes, maybe or no.")
    story_session = session.get_one(StorySession, invitation.session_id)
    if story_session.status is SessionStatus.cancelled:
        raise Conflict("This session was cancelled: there is nothing to answer.")
    invitation.rsvp = answer
    invitation.responded_at = now or utcnow()
    session.add(invitation)
    session.flush()
    return invitation


# -- calendar objects for invitations --------------------------------------------------------


def customer_name(session: Session, story_session: StorySession) -> str | None:
    if story_session.customer_id is None:
        return None
    customer = session.get(Customer, story_session.customer_id)
    return customer.name if customer else None


def organizer_address(session: Session, story_session: StorySession) -> vCalAddress:
    """The ORGANIZER: the user who scheduled the session, or the sending address."""
    user = session.get(User, story_session.organizer_id) if story_session.organizer_id else None
    if user is not None:
        return vCalAddress.new(user.email, cn=user.name or user.email)
    settings = get_settings()
    name, address = parseaddr(settings.mail_from)
    return vCalAddress.new(address or "storyroom@localhost", cn=name or settings.company_name)


def invitation_calendar(
    session: Session,
    invitation: Invitation,
    story_session: StorySession,
    *,
    method: Literal["REQUEST", "CANCEL"],
) -> bytes:
    """The iTIP message for one invitee: a meeting request (with RSVP links) or its cancellation."""
    attendee = vCalAddress.new(
        invitation.email,
        cn=invitation.name or None,
        cutype="INDIVIDUAL",
        role="REQ-PARTICIPANT",
        partstat="NEEDS-ACTION",
        rsvp=method == "REQUEST",
    )
    extra = ""
    if method == "REQUEST":
        links = rsvp_links(invitation, story_session)
        extra = "Will you come?\n" + "\n".join(
            f"{ANSWER_LABELS[answer]}: {url}" for answer, url in links.items()
        )
    event = ics.session_event(
        story_session,
        customer=customer_name(session, story_session),
        organizer=organizer_address(session, story_session),
        attendees=[attendee],
        extra_description=extra,
    )
    if method == "CANCEL":
        event["STATUS"] = "CANCELLED"
    return ics.calendar_bytes([event], method=method)


# -- reminders -------------------------------------------------------------------------------


def queue_reminders(
    session: Session, *, now: datetime | None = None, offsets: Sequence[int] | None = None
) -> int:
    """Queue the reminders now due; return how many were new.

    A session gets the reminder of the latest offset that has passed, to each invitee who has
    not declined, once (`remind:<session>:<offset>:<email>`). A session created after an
    offset's moment skips that reminder: it was news already.
    """
    now = now or utcnow()
    minutes = sorted(set(get_settings().reminder_offsets_minutes if offsets is None else offsets))
    if not minutes:
        return 0
    soon = session.exec(
        select(StorySession).where(
            StorySession.status == SessionStatus.scheduled,
            col(StorySession.starts_at) > now,
            col(StorySession.starts_at) <= now + timedelta(minutes=minutes[-1]),
        )
    ).all()
    due: dict[int, tuple[StorySession, int]] = {}
    for story_session in soon:
        offset = next(m for m in minutes if story_session.starts_at - timedelta(minutes=m) <= now)
        if story_session.created_at <= story_session.starts_at - timedelta(minutes=offset):
            due[story_session.id or 0] = (story_session, offset)
    if not due:
        return 0
    invitations = session.exec(
        select(Invitation).where(
            col(Invitation.session_id).in_(list(due)), Invitation.rsvp != Rsvp.declined
        )
    ).all()
    deliveries = []
    for invitation in invitations:
        story_session, offset = due[invitation.session_id]
        deliveries.append(
            _delivery(
                invitation,
                story_session,
                kind=DeliveryKind.session_reminder,
                key=f"remind:{invitation.session_id}:{offset}:{invitation.email}",
                offset_minutes=offset,
            )
        )
    added = outbox.enqueue(session, deliveries)
    return len(added)


# -- calendar feeds --------------------------------------------------------------------------


def active_feed(session: Session, *, user_id: int) -> CalendarFeed | None:
    """The user's feed that works now, if any."""
    return session.exec(
        select(CalendarFeed).where(
            CalendarFeed.user_id == user_id, col(CalendarFeed.revoked_at).is_(None)
        )
    ).first()


def revoke_feed(session: Session, *, user_id: int, now: datetime | None = None) -> int:
    """Stop the user's feed working; return how many were revoked (0 when there was none)."""
    feeds = session.exec(
        select(CalendarFeed).where(
            CalendarFeed.user_id == user_id, col(CalendarFeed.revoked_at).is_(None)
        )
    ).all()
    for feed in feeds:
        feed.revoked_at = now or utcnow()
        session.add(feed)
    session.flush()
    return len(feeds)


def create_feed(session: Session, *, user_id: int) -> tuple[CalendarFeed, str]:
    """A new secret feed address for the user (the old one stops working); the token is
    returned once and only its SHA-256 is kept."""
    revoke_feed(session, user_id=user_id)
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed(user_id=user_id, token_hash=token_digest(token))
    session.add(feed)
    session.flush()
    return feed, token


def feed_url(token: str) -> str:
    return f"{get_settings().base_url.rstrip('/')}/p/calendar/{token}/sessions.ics"


def feed_for_token(session: Session, token: str, *, now: datetime | None = None) -> CalendarFeed:
    """The working feed with this secret, or 404 (unknown, revoked, or its user deactivated)."""
    # Looked up by the token's hash: the database compares digests, never the secret itself.
    feed = session.exec(
        select(CalendarFeed).where(
            CalendarFeed.token_hash == token_digest(token), col(CalendarFeed.revoked_at).is_(None)
        )
    ).first()
    user = session.get(User, feed.user_id) if feed is not None else None
    if feed is None or user is None or not user.active:
        raise NotFound(
            "There is no calendar feed at this address: it may have been revoked. "
            "Create a new one on Storyroom's Calendar page."
        )
    now = now or utcnow()
    if feed.last_used_at is None or now - feed.last_used_at >= FEED_USE_RESOLUTION:
        feed.last_used_at = now
        session.add(feed)
    return feed


def feed_calendar(
    session: Session, *, series_id: int | None = None, now: datetime | None = None
) -> bytes:
    """Sessions from 90 days ago on (cancelled ones as STATUS:CANCELLED), all or one series."""
    conditions: list[Any] = [col(StorySession.starts_at) >= (now or utcnow()) - FEED_HISTORY]
    name = f"{get_settings().company_name}: customer-story sessions"
    if series_id is not None:
        series = session.get(Series, series_id)
        if series is None:
            raise NotFound(f"There is no series with id {series_id}.")
        conditions.append(StorySession.series_id == series_id)
        name = series.title
    story_sessions = session.exec(
        select(StorySession)
        .where(*conditions)
        .order_by(col(StorySession.starts_at), col(StorySession.id))
    ).all()
    customer_ids = {s.customer_id for s in story_sessions if s.customer_id is not None}
    rows = (
        session.exec(
            select(Customer.id, Customer.name).where(col(Customer.id).in_(customer_ids))
        ).all()
        if customer_ids
        else []
    )
    customers = dict(rows)
    events = [
        ics.session_event(
            s, customer=customers.get(s.customer_id) if s.customer_id is not None else None
        )
        for s in story_sessions
    ]
    return ics.calendar_bytes(events, method="PUBLISH", name=name)
