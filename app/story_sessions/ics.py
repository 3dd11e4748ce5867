"""A session as an iCalendar file that calendars update in place (same UID, higher SEQUENCE)."""

from datetime import timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from app.config import get_settings
from app.models import Platform, SessionStatus, StorySession

PRODID = "-//Storyroom//Customer-story sessions//EN"


def session_uid(story_session: StorySession) -> str:
    """Stable for the life of the session, so an updated file replaces the calendar entry."""
    host = urlsplit(get_settings().base_url).hostname or "storyroom"
    return f"session-{story_session.id}@{host}"


def session_location(story_session: StorySession) -> str:
    if story_session.join_url:
        return story_session.join_url
    return "In person" if story_session.platform is Platform.in_person else ""


def session_calendar(story_session: StorySession, *, customer: str | None = None) -> bytes:
    """A VCALENDAR with one VEVENT (and its VTIMEZONE) for `story_session`."""
    zone = ZoneInfo(story_session.timezone)
    start = story_session.starts_at.astimezone(zone)
    end = start + timedelta(minutes=story_session.duration_minutes)
    lines = [story_session.description.strip()]
    if customer:
        lines.insert(0, f"Customer: {customer}")
    if story_session.join_url:
        lines.append(f"Join: {story_session.join_url}")
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
    )
    cancelled = story_session.status is SessionStatus.cancelled
    event.add("STATUS", "CANCELLED" if cancelled else "CONFIRMED")
    calendar = Calendar.new(prodid=PRODID, method="PUBLISH", subcomponents=[event])
    calendar.add_missing_timezones(
        first_date=(start - timedelta(days=366)).date(),
        last_date=(end + timedelta(days=366)).date(),
    )
    body: bytes = calendar.to_ical()
    return body
