"""Sessions as iCalendar objects that calendars update in place (same UID, higher SEQUENCE).

The one place a VEVENT and its VTIMEZONE are built: the session download, the invitation
emails (METHOD:REQUEST / CANCEL) and the subscribable feeds (METHOD:PUBLISH) all use it.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress

from app.config import get_settings
from app.models import Platform, SessionStatus, StorySession

PRODID = "-//Storyroom//Customer-story sessions//EN"
TIMEZONE_MARGIN = timedelta(days=366)
"""How far around the events each VTIMEZONE describes its transitions."""


def session_uid(story_session: StorySession) -> str:
    """Stable for the life of the session, so an updated file replaces the calendar entry."""
    host = urlsplit(get_settings().base_url).hostname or "storyroom"
    return f"session-{story_session.id}@{host}"


def session_location(story_session: StorySession) -> str:
    if story_session.join_url:
        return story_session.join_url
    return "In person" if story_session.platform is Platform.in_person else ""


def session_event(
    story_session: StorySession,
    *,
    customer: str | None = None,
    organizer: vCalAddress | None = None,
    attendees: Sequence[vCalAddress] = (),
    extra_description: str = "",
) -> Event:
    """One VEVENT for `story_session`, its times in the session's zone (DTSTART;TZID=…)."""
    zone = ZoneInfo(story_session.timezone)
    start = story_session.starts_at.astimezone(zone)
    end = start + timedelta(minutes=story_session.duration_minutes)
    lines = [story_session.description.strip()]
    if customer:
        lines.insert(0, f"Customer: {customer}")
    if story_session.join_url:
        lines.append(f"Join: {story_session.join_url}")
    lines.append(extra_description.strip())
    event = Event.new(
        uid=session_uid(story_session),
        sequence=story_session.sequence,
        start=start,
        end=end,
        summary=story_session.title,
        description="\n\n".join(line for line in lines if line),
        location=session_location(story_session) or None,
        url=story_session.join_url or None,
        last_modified=story_session.updated_at,
        organizer=organizer,
        attendees=list(attendees) or None,
    )
    cancelled = story_session.status is SessionStatus.cancelled
    event.add("STATUS", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def calendar_bytes(events: Sequence[Event], *, method: str, name: str | None = None) -> bytes:
    """A VCALENDAR holding `events`, with a VTIMEZONE for every zone they use."""
    calendar = Calendar.new(prodid=PRODID, method=method, name=name, subcomponents=events)
    days = [
        moment.date() if isinstance(moment, datetime) else moment
        for event in events
        for moment in (event.start, event.end)
    ]
    if days:
        calendar.add_missing_timezones(
            first_date=min(days) - TIMEZONE_MARGIN, last_date=max(days) + TIMEZONE_MARGIN
        )
    body: bytes = calendar.to_ical()
    return body


def session_calendar(story_session: StorySession, *, customer: str | None = None) -> bytes:
    """A VCALENDAR with one VEVENT (and its VTIMEZONE) for `story_session`."""
    return calendar_bytes([session_event(story_session, customer=customer)], method="PUBLISH")
