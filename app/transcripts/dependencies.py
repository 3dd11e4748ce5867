"""Load-or-404 dependencies for transcript paths."""

from typing import Annotated

from fastapi import Depends

from app.db import SessionDep
from app.deps import IdPath
from app.models import Transcript
from app.story_sessions.dependencies import ValidSession
from app.transcripts.queries import get_transcript


def valid_transcript(
    session: SessionDep, story_session: ValidSession, transcript_id: IdPath
) -> Transcript:
    """The session's transcript or chat named in the path, or 404."""
    return get_transcript(session, story_session=story_session, transcript_id=transcript_id)


ValidTranscript = Annotated[Transcript, Depends(valid_transcript)]
