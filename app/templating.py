"""The one Jinja2 environment: pages, emails and PDFs share its filters."""

import secrets
from datetime import datetime
from pathlib import Path
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


def static_url(path: str) -> str:
    """A file of app/static (mounted at /static by app.main). Not `url_for`: it walks every
    route to find the mount, a measurable share of a small page's CPU."""
    return f"/static/{path}"


env.globals["csrf_token"] = csrf_token
env.globals["static_url"] = static_url
env.globals["company_name"] = get_settings().company_name
env.filters["local_datetime"] = local_datetime
env.filters["number"] = number
