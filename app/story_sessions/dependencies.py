"""Load-or-404 dependencies for session and series paths."""

from typing import Annotated

from fastapi import Depends

from app.db import SessionDep
from app.deps import IdPath
from app.models import Series, StorySession
from app.story_sessions import service


def valid_session_id(session: SessionDep, session_id: IdPath) -> StorySession:
    """The session named in the path, or 404."""
    return service.get_session(session, session_id=session_id)


def valid_series_id(session: SessionDep, series_id: IdPath) -> Series:
    """The series named in the path, or 404."""
    return service.get_series(session, series_id=series_id)


ValidSession = Annotated[StorySession, Depends(valid_session_id)]
ValidSeries = Annotated[Series, Depends(valid_series_id)]
