"""What other domains do when a session changes: they register here, and story_sessions calls them.

Invitations register at import (app.invitations.inviting): they build on sessions, so sessions
cannot import them without a cycle.
"""

from collections.abc import Callable
from typing import TypeVar

from sqlmodel import Session

from app.models import StorySession

SessionHook = Callable[[Session, StorySession], object]
Hook = TypeVar("Hook", bound=SessionHook)

_on_calendar_change: list[SessionHook] = []
_on_cancel: list[SessionHook] = []


def on_calendar_change(hook: Hook) -> Hook:
    """Call `hook` after a change invitees should see (the session's SEQUENCE was raised)."""
    _on_calendar_change.append(hook)
    return hook


def on_cancel(hook: Hook) -> Hook:
    """Call `hook` after a scheduled session is cancelled."""
    _on_cancel.append(hook)
    return hook


def calendar_changed(session: Session, story_session: StorySession) -> None:
    for hook in _on_calendar_change:
        hook(session, story_session)


def cancelled(session: Session, story_session: StorySession) -> None:
    for hook in _on_cancel:
        hook(session, story_session)
