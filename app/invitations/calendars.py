"""Calendar objects: the iTIP message each invitee gets, and the feeds calendar apps poll."""

import secrets
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import Any, Literal

from icalendar import vCalAddress
from sqlmodel import Session, col, select

from app.auth.security import token_digest
from app.config import get_settings
from app.db import id_of
from app.errors import NotFound
from app.invitations.rsvps import ANSWER_LABELS, rsvp_links
from app.models import CalendarFeed, Customer, Invitation, Series, StorySession, User, utcnow
from app.story_sessions import ics

FEED_HISTORY = timedelta(days=90)
"""How far back a calendar feed goes: recent sessions stay visible in the calendar."""
FEED_USE_RESOLUTION = timedelta(hours=1)
"""`last_used_at` is written at most this often: calendar apps poll feeds constantly."""


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


# -- calendar feeds --------------------------------------------------------------------------


def active_feed(session: Session, *, user: User) -> CalendarFeed | None:
    """The user's feed that works now, if any."""
    return session.exec(
        select(CalendarFeed).where(
            CalendarFeed.user_id == id_of(user), col(CalendarFeed.revoked_at).is_(None)
        )
    ).first()


def revoke_feed(session: Session, *, user: User, now: datetime | None = None) -> int:
    """Stop the user's feed working; return how many were revoked (0 when there was none)."""
    feeds = session.exec(
        select(CalendarFeed).where(
            CalendarFeed.user_id == id_of(user), col(CalendarFeed.revoked_at).is_(None)
        )
    ).all()
    for feed in feeds:
        feed.revoked_at = now or utcnow()
        session.add(feed)
    session.flush()
    return len(feeds)


def create_feed(session: Session, *, user: User) -> tuple[CalendarFeed, str]:
    """A new secret feed address for the user (the old one stops working); the token is
    returned once and only its SHA-256 is kept."""
    revoke_feed(session, user=user)
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed(user_id=id_of(user), token_hash=token_digest(token))
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
