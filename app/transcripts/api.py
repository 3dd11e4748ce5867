"""Transcripts and chat over the JSON API: imports, cues, and who the speakers are."""

from typing import Annotated, Any

from fastapi import APIRouter, File, Path, Query, Response, UploadFile, status

from app.auth.dependencies import CurrentUser
from app.db import SessionDep
from app.deps import Page, PaginationDep
from app.story_sessions.dependencies import ValidSession
from app.transcripts import importing, queries, speakers
from app.transcripts.dependencies import ValidTranscript
from app.transcripts.schemas import (
    CueRead,
    SpeakerConfirm,
    SpeakerRead,
    TranscriptDetail,
    TranscriptImportRead,
    TranscriptRead,
)

router = APIRouter(prefix="/sessions/{session_id}", tags=["transcripts"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No session, or no transcript of this session, with this id."}
}
IMPORT_ERRORS: dict[int | str, dict[str, Any]] = {
    200: {"description": "This exact file was imported before; nothing changed."},
    404: {"description": "No session with this id."},
    409: {"description": "The session was cancelled or has not taken place yet."},
    413: {"description": "The file is larger than STORYROOM_UPLOAD_MAX_BYTES."},
    422: {
        "description": "The file is not a transcript or chat: `detail` says what was found and "
        "what was expected, with line numbers for broken cues. Nothing was imported."
    },
}
CONFIRM_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "No session with this id, or nobody with this name in its files."},
    409: {"description": "The person was erased."},
    422: {
        "description": "Not exactly one of person_id, session_speaker_id and unknown, no such "
        "person, or a storyteller of another session."
    },
}
Label = Annotated[
    str,
    Path(
        min_length=1,
        max_length=300,
        description="The speaker's name as the transcript or chat writes it, URL-encoded.",
    ),
]


@router.post(
    "/transcripts",
    status_code=status.HTTP_201_CREATED,
    responses=IMPORT_ERRORS,
)
async def import_transcript(
    session: SessionDep,
    story_session: ValidSession,
    user: CurrentUser,
    response: Response,
    file: Annotated[
        UploadFile,
        File(description="A Zoom, Teams or Meet transcript or chat, or subtitles (.srt)"),
    ],
) -> TranscriptImportRead:
    """Import the session's transcript or chat, replacing the earlier one of its kind."""
    imported = await importing.import_upload(
        session, story_session=story_session, file=file, user=user
    )
    if imported.unchanged:
        response.status_code = status.HTTP_200_OK
    return imported


@router.get("/transcripts", responses=NOT_FOUND)
def list_transcripts(session: SessionDep, story_session: ValidSession) -> list[TranscriptRead]:
    """The session's transcript and chat, the transcript first."""
    return queries.list_transcripts(session, story_session=story_session)


@router.get("/transcripts/{transcript_id}", responses=NOT_FOUND)
def read_transcript(session: SessionDep, transcript: ValidTranscript) -> TranscriptDetail:
    """One transcript or chat: its speakers and the quotes, themes and summary suggested."""
    return queries.transcript_detail(session, transcript=transcript)


@router.delete(
    "/transcripts/{transcript_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND
)
def delete_transcript(session: SessionDep, transcript: ValidTranscript) -> Response:
    """Remove a transcript or chat with its cues; quotes the recap took from it stay."""
    importing.delete_transcript(session, transcript=transcript)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/transcripts/{transcript_id}/cues", responses=NOT_FOUND)
def list_cues(
    session: SessionDep,
    transcript: ValidTranscript,
    page: PaginationDep,
    q: Annotated[
        str, Query(max_length=200, description="Words found anywhere in a cue, in any case")
    ] = "",
    speaker: Annotated[
        str | None,
        Query(max_length=300, description='One speaker\'s cues, by label ("" for nobody named)'),
    ] = None,
) -> Page[CueRead]:
    """The cues in the order of the file, a page at a time."""
    items, total = queries.cues_page(
        session,
        transcript=transcript,
        q=q,
        speaker_label=speaker,
        limit=page.limit,
        offset=page.offset,
    )
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/transcript-speakers", responses=NOT_FOUND)
def list_speakers(session: SessionDep, story_session: ValidSession) -> list[SpeakerRead]:
    """Every name in the session's transcript and chat, with who it is taken to be."""
    return speakers.session_speakers(session, story_session=story_session)


@router.put("/transcript-speakers/{label:path}", responses=CONFIRM_ERRORS)
def confirm_speaker(
    session: SessionDep,
    story_session: ValidSession,
    user: CurrentUser,
    label: Label,
    body: SpeakerConfirm,
) -> SpeakerRead:
    """Confirm or correct who a speaker is, in the transcript and chat alike; a directory
    person keeps the name as an alias, so the next import matches them."""
    return speakers.confirm_speaker(
        session, story_session=story_session, label=label, data=body, user=user
    )
