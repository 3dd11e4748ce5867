"""The one Jinja2 environment: pages, emails and PDFs share its filters."""

import secrets
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.templating import Jinja2Templates

from app.config import get_settings
from app.deps import SESSION_CSRF_KEY

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"

templates = Jinja2Templates(directory=TEMPLATE_DIR)
env = templates.env
env.autoescape = True


def csrf_token(request: Request) -> str:
    """The form token of this browser session, created on first use."""
    token = request.session.get(SESSION_CSRF_KEY)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[SESSION_CSRF_KEY] = token
    return token


def local_datetime(
    value: datetime | None, timezone: str = "UTC", fmt: str = "%a %d %b %Y, %H:%M"
) -> str:
    """An instant shown in a zone, e.g. 'Tue 03 Mar 2026, 16:00'."""
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(timezone)).strftime(fmt)


def number(value: int | float | None) -> str:
    """Thousands separated, e.g. 1,204."""
    if value is None:
        return "–"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def clock(seconds: float | None) -> str:
    """A moment of a recording, e.g. '4:05' or '1:02:09'; '' for none."""
    if seconds is None:
        return ""
    whole = max(int(seconds), 0)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


# Hosts whose players read a start time from the query: Zoom and Teams/Stream share links and
# YouTube all take `t=<whole seconds>`. Any other link (a video file, an intranet player) gets
# the W3C media fragment `#t=<seconds>`, which browsers honour when they play the file.
QUERY_TIME_HOSTS = (
    "zoom.us",
    "zoom.com",
    "youtube.com",
    "youtu.be",
    "microsoft.com",
    "sharepoint.com",
    "teams.live.com",
    "vimeo.com",
)


def recording_at(url: str, seconds: float | None) -> str:
    """The recording link opening at `seconds`; '' when there is no link."""
    if not url:
        return ""
    if seconds is None:
        return url
    at = max(int(seconds), 0)
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if any(host == h or host.endswith("." + h) for h in QUERY_TIME_HOSTS):
        query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "t"]
        query.append(("t", str(at)))
        return urlunsplit(parts._replace(query=urlencode(query), fragment=""))
    return urlunsplit(parts._replace(fragment=f"t={at}"))


def static_url(path: str) -> str:
    """A file of app/static (mounted at /static by app.main). Not `url_for`: it walks every
    route to find the mount, a measurable share of a small page's CPU."""
    return f"/static/{path}"


env.globals["csrf_token"] = csrf_token
env.globals["static_url"] = static_url
env.globals["company_name"] = get_settings().company_name
env.filters["local_datetime"] = local_datetime
env.filters["number"] = number
env.filters["clock"] = clock
env.globals["recording_at"] = recording_at
