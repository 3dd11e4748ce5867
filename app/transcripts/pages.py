"""The transcript page: what was said, turn by turn, with the chat beside it; who the speakers
are; and the passages, questions, themes and summary an organizer takes into the recap.

Nothing is sent from here: everything lands in the recap's working copy, reviewed in the editor.
"""

import re
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup, escape
from pydantic import ValidationError
from sqlmodel import Session, col, func, select
from starlette.concurrency import run_in_threadpool

from app.auth.dependencies import CurrentUser
from app.db import SessionDep, id_of
from app.deps import MAX_ID, IdPath, Pagination
from app.errors import AppError, Invalid
from app.kit.forms import form_failed
from app.kit.paging import pager
from app.models import (
    SessionSpeaker,
    SpeakerMatch,
    StorySession,
    Transcript,
    TranscriptCue,
    TranscriptKind,
    TranscriptSpeaker,
    User,
)
from app.people.service import person_by_email
from app.recaps import questions
from app.recaps.quotes import add_quote, list_quotes
from app.recaps.schemas import QuestionCreate, QuoteCreate, RecapUpdate
from app.recaps.working_copy import describe_recap, update_recap
from app.story_sessions.dependencies import ValidSession
from app.templating import templates
from app.transcripts import importing, queries, speakers
from app.transcripts.schemas import CueRead, SpeakerConfirm, SpeakerRead, TranscriptRead
from app.transcripts.suggestions import Suggestions

router = APIRouter(include_in_schema=False)

PAGE = "pages/transcripts/transcript.html"
CUES_PER_PAGE = 200
CHAT_SHOWN = 500
PALETTE = 8
"""Speaker colours (`speaker-0` … `speaker-7` in transcript.css): distinct for the first eight
speakers, then repeated. The name is always printed beside the colour."""

NOTICES = {
    "imported": "Imported. The speakers below were matched; check the ones marked to confirm.",
    "unchanged": "This exact file was imported before: nothing changed.",
    "confirmed": "Saved. “{label}” will be recognised next time.",
    "quoted": "Added to the recap's quotes: edit its words in the recap editor.",
    "question": "Added to the recap under “Questions from the room”.",
    "question-removed": "Taken out of the recap's questions.",
    "theme": "Theme added to the recap.",
    "summary": "The draft is now the recap's summary: edit it in the recap editor.",
}


@dataclass
class Turn:
    """Consecutive cues of one speaker: how a person reads a conversation."""

    speaker: str
    colour: int | None
    storyteller: bool
    cues: list[CueRead] = field(default_factory=list)


def highlight(text: str, q: str) -> Markup:
    """The text escaped, each match of `q` (any case) marked: escaped first, then marked."""
    needle = q.strip()
    if not needle:
        return escape(text)
    parts = re.split(f"({re.escape(needle)})", text, flags=re.IGNORECASE)
    return Markup("").join(
        Markup("<mark>{}</mark>").format(part) if index % 2 else escape(part)
        for index, part in enumerate(parts)
    )


def _turns(cues: list[CueRead], colours: dict[str, int], storytellers: set[str]) -> list[Turn]:
    turns: list[Turn] = []
    for cue in cues:
        if not turns or turns[-1].speaker != cue.speaker:
            turns.append(Turn(cue.speaker, colours.get(cue.speaker), cue.speaker in storytellers))
        turns[-1].cues.append(cue)
    return turns


def _colours(session: Session, transcript_ids: list[int]) -> dict[str, int]:
    """Each label's colour, by the order it is first heard (transcript, then chat), so that a
    speaker keeps their colour on every page, filter and search."""
    if not transcript_ids:
        return {}
    first = func.min(TranscriptCue.position).label("first")
    rows = session.exec(
        select(TranscriptSpeaker.label, Transcript.kind, first)
        .join(TranscriptCue, col(TranscriptCue.speaker_id) == TranscriptSpeaker.id)
        .join(Transcript, col(Transcript.id) == TranscriptSpeaker.transcript_id)
        .where(col(TranscriptSpeaker.transcript_id).in_(transcript_ids))
        .group_by(col(TranscriptSpeaker.label), col(Transcript.kind))
    ).all()
    ordered = sorted(rows, key=lambda row: (row[1] is not TranscriptKind.transcript, row[2]))
    colours: dict[str, int] = {}
    for label, _, _ in ordered:
        colours.setdefault(label, len(colours) % PALETTE)
    return colours


def _matched(speaker: SpeakerRead) -> str:
    """What a speaker was taken to be, in words."""
    if speaker.match is SpeakerMatch.storyteller:
        return f"Storyteller: {speaker.storyteller}"
    if speaker.match is SpeakerMatch.person:
        level = f" ({speaker.level.name})" if speaker.level else ""
        return f"{speaker.person}{level}, from the directory"
    if speaker.match is SpeakerMatch.ambiguous:
        return "Several people in the directory have this name: say which"
    return "Not matched: neither a storyteller nor found in the directory"


def _of_kind(rows: list[TranscriptRead], kind: TranscriptKind) -> TranscriptRead | None:
    return next((row for row in rows if row.kind is kind), None)


def _context(
    request: Request,
    session: Session,
    user: User,
    story_session: StorySession,
    *,
    q: str = "",
    speaker: str | None = None,
    offset: int = 0,
    confirm_summary: bool = False,
    picked: list[int] | None = None,
) -> dict[str, Any]:
    files = queries.list_transcripts(session, story_session=story_session)
    said_read, chat_read = (
        _of_kind(files, TranscriptKind.transcript),
        _of_kind(files, TranscriptKind.chat),
    )
    said = (
        queries.get_transcript(session, story_session=story_session, transcript_id=said_read.id)
        if said_read
        else None
    )
    chat = (
        queries.get_transcript(session, story_session=story_session, transcript_id=chat_read.id)
        if chat_read
        else None
    )
    people = speakers.session_speakers(session, story_session=story_session)
    storyteller_labels = {p.label for p in people if p.match is SpeakerMatch.storyteller}
    colours = _colours(session, [id_of(t) for t in (said, chat) if t is not None])
    cues: list[CueRead] = []
    total = 0
    if said is not None:
        cues, total = queries.cues_page(
            session,
            transcript=said,
            q=q,
            speaker_label=speaker,
            limit=CUES_PER_PAGE,
            offset=offset,
        )
    messages: list[CueRead] = []
    messages_total = 0
    if chat is not None:
        messages, messages_total = queries.cues_page(
            session, transcript=chat, q=q, speaker_label=speaker, limit=CHAT_SHOWN, offset=0
        )
    recap = describe_recap(session, story_session=story_session)
    quoted = {
        (quote.transcript_id, quote.first_cue, quote.last_cue)
        for quote in list_quotes(session, story_session=story_session)
    }
    suggestions = (
        Suggestions.model_validate(said.suggestions or {}) if said is not None else Suggestions()
    )
    storytellers = list(
        session.exec(
            select(SessionSpeaker)
            .where(SessionSpeaker.session_id == id_of(story_session))
            .order_by(col(SessionSpeaker.id))
        )
    )
    notice = NOTICES.get(request.query_params.get("done", ""), "")
    return {
        "user": user,
        "s": story_session,
        "files": files,
        "said": said_read,
        "chat": chat_read,
        "turns": _turns(cues, colours, storyteller_labels),
        "total": total,
        "pager": pager(request, Pagination(limit=CUES_PER_PAGE, offset=offset), total),
        "messages": messages,
        "messages_total": messages_total,
        "colours": colours,
        "storyteller_labels": storyteller_labels,
        "q": q,
        "speaker": speaker,
        "people": [(p, _matched(p)) for p in people],
        "storytellers": storytellers,
        "suggestions": suggestions,
        "suggested_quoted": [
            (said_read.id if said_read else None, s.first_cue, s.last_cue) in quoted
            for s in suggestions.quotes
        ],
        "recap": recap,
        "recap_themes": {t.casefold() for t in recap.themes},
        "chat_questions": questions.chat_questions(session, story_session=story_session),
        "confirm_summary": confirm_summary,
        "picked": set(picked or []),
        "highlight": highlight,
        "notice": notice.format(label=request.query_params.get("label", "")[:300]),
        "can_write": user.role.can_write,
    }


def _back(story_session: StorySession, done: str, back: str = "", **extra: str) -> Response:
    """Back to the transcript page (its search, filter and page kept), saying what was done."""
    kept = [(k, v) for k, v in _query(back) if k in ("q", "speaker", "offset")]
    kept += [("done", done), *extra.items()]
    return RedirectResponse(
        f"/sessions/{story_session.id}/transcript?{urlencode(kept)}", status_code=303
    )


def _query(back: str) -> list[tuple[str, str]]:
    return parse_qsl(back.lstrip("?"))[:10]


def _refused(
    request: Request,
    session: Session,
    user: User,
    story_session: StorySession,
    error: AppError | str,
    *,
    back: str = "",
    picked: list[int] | None = None,
) -> Response:
    """Nothing is saved: roll back, show the page again (as it was) with what went wrong."""
    params = dict(_query(back))
    offset = params.get("offset", "0")
    return form_failed(
        session,
        request,
        PAGE,
        lambda: _context(
            request,
            session,
            user,
            story_session,
            q=params.get("q", "")[:200],
            speaker=params.get("speaker") or None,
            offset=int(offset) if offset.isdigit() else 0,
            picked=picked,
        ),
        error,
    )


def session_panel(session: Session, story_session: StorySession) -> dict[str, Any]:
    """What the session page shows of its transcript and chat: the files and their speakers."""
    files = queries.list_transcripts(session, story_session=story_session)
    return {"files": files}


@router.get("/sessions/{session_id}/transcript", response_class=HTMLResponse)
def transcript_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    story_session: ValidSession,
    q: Annotated[str, Query(max_length=200)] = "",
    speaker: Annotated[str | None, Query(max_length=300)] = None,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    summary: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    """The transcript turn by turn with the chat beside it, searchable and filtered by speaker."""
    context = _context(
        request,
        session,
        user,
        story_session,
        q=q,
        speaker=speaker or None,  # the filter's "Everyone"
        offset=offset,
        confirm_summary=summary == "confirm",
    )
    return templates.TemplateResponse(request, PAGE, context)


@router.post("/sessions/{session_id}/transcripts", response_class=HTMLResponse)
async def upload_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    story_session: ValidSession,
    file: Annotated[UploadFile, File()],
) -> Response:
    """Import a transcript or chat file; a refused file changes nothing and says why."""
    try:
        imported = await importing.import_upload(
            session, story_session=story_session, file=file, user=user
        )
    except AppError as error:
        return await run_in_threadpool(_refused, request, session, user, story_session, error)
    return _back(story_session, "unchanged" if imported.unchanged else "imported")


Back = Annotated[str, Form(max_length=2000)]


@router.post("/sessions/{session_id}/transcript/speakers", response_class=HTMLResponse)
def confirm_speaker_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    story_session: ValidSession,
    label: Annotated[str, Form(max_length=300)],
    who: Annotated[str, Form(max_length=40)] = "",
    person: Annotated[str, Form(max_length=320)] = "",
    back: Back = "",
) -> Response:
    """Say who a speaker is: a storyteller, a directory person (email or id), or nobody known."""
    try:
        data = _confirmation(session, who, person)
        speakers.confirm_speaker(
            session, story_session=story_session, label=label, data=data, user=user
        )
    except AppError as error:
        return _refused(request, session, user, story_session, error, back=back)
    return _back(story_session, "confirmed", back, label=label)


def _confirmation(session: Session, who: str, person: str) -> SpeakerConfirm:
    """The speakers form's choice as a SpeakerConfirm: `who` is storyteller-<id>, person or
    unknown; `person` an email or a directory id."""
    if who == "unknown":
        return SpeakerConfirm(unknown=True)
    if who.startswith("storyteller-") and who.removeprefix("storyteller-").isdigit():
        return SpeakerConfirm(session_speaker_id=int(who.removeprefix("storyteller-")))
    if who == "person":
        value = person.strip()
        if value.isdigit() and 0 < int(value) <= MAX_ID:
            return SpeakerConfirm(person_id=int(value))
        found = person_by_email(session, value) if value else None
        if found is None:
            raise Invalid(
                f"No one in the directory has the email {value!r}: give their work email or "
                "their id (from the People page)."
                if value
                else "Give the person's work email or id, or choose another answer."
            )
        return SpeakerConfirm(person_id=id_of(found))
    raise Invalid(
        "Choose who this speaker is: a storyteller, someone in the directory, or not one of ours."
    )


@router.post("/sessions/{session_id}/transcript/quotes", response_class=HTMLResponse)
def make_quote_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    story_session: ValidSession,
    transcript_id: Annotated[int, Form(ge=1, le=MAX_ID)],
    cue: Annotated[list[int] | None, Form()] = None,
    text: Annotated[str, Form(max_length=2000)] = "",
    back: Back = "",
) -> Response:
    """Make the ticked cues (consecutive, one storyteller's) a recap quote; a suggested quote
    posts its own words as `text`."""
    picked = sorted(set(cue or []))[:100]
    try:
        if not picked:
            raise Invalid("Tick the cues to quote first: one or several in a row, of one speaker.")
        if picked != list(range(picked[0], picked[-1] + 1)):
            raise Invalid(
                f"Cues {', '.join(map(str, picked))} are not all in a row: a quote is one "
                "passage, so tick consecutive cues."
            )
        data = QuoteCreate.model_validate(
            {
                "cues": {"transcript_id": transcript_id, "first": picked[0], "last": picked[-1]},
                "text": text.strip() or None,
            }
        )
        add_quote(session, story_session=story_session, data=data)
    except ValidationError as exc:
        message = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())
        return _refused(request, session, user, story_session, message, back=back, picked=picked)
    except AppError as error:
        return _refused(request, session, user, story_session, error, back=back, picked=picked)
    return _back(story_session, "quoted", back)


@router.post("/sessions/{session_id}/transcript/questions", response_class=HTMLResponse)
def add_question_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    story_session: ValidSession,
    transcript_id: Annotated[int, Form(ge=1, le=MAX_ID)],
    position: Annotated[int, Form(ge=1, le=1_000_000)],
    back: Back = "",
) -> Response:
    """Add a chat question to the recap's "Questions from the room"."""
    try:
        data = QuestionCreate(transcript_id=transcript_id, position=position)
        questions.add_question(session, story_session=story_session, data=data)
    except AppError as error:
        return _refused(request, session, user, story_session, error, back=back)
    return _back(story_session, "question", back)


@router.post(
    "/sessions/{session_id}/transcript/questions/{question_id}/delete",
    response_class=HTMLResponse,
)
def remove_question_page(
    session: SessionDep, story_session: ValidSession, question_id: IdPath, back: Back = ""
) -> Response:
    """Take a question out of the recap."""
    questions.delete_question(session, story_session=story_session, question_id=question_id)
    return _back(story_session, "question-removed", back)


@router.post("/sessions/{session_id}/transcript/themes", response_class=HTMLResponse)
def add_theme_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    story_session: ValidSession,
    name: Annotated[str, Form(max_length=200)],
    back: Back = "",
) -> Response:
    """Tag the recap with a suggested theme, beside the themes it has (as the editor does)."""
    recap = describe_recap(session, story_session=story_session)
    try:
        data = RecapUpdate(summary=recap.summary, themes=[*recap.themes, name])
        update_recap(session, story_session=story_session, data=data)
    except ValidationError as exc:
        message = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())
        return _refused(request, session, user, story_session, f"Themes: {message}", back=back)
    except AppError as error:
        return _refused(request, session, user, story_session, error, back=back)
    return _back(story_session, "theme", back)


@router.post("/sessions/{session_id}/transcript/summary", response_class=HTMLResponse)
def use_summary_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    story_session: ValidSession,
    replace: Annotated[str, Form(max_length=10)] = "",
    back: Back = "",
) -> Response:
    """Make the draft summary the recap's summary: at once when it has none, else once the
    organizer confirms replacing it."""
    files = queries.list_transcripts(session, story_session=story_session)
    said = _of_kind(files, TranscriptKind.transcript)
    transcript = session.get(Transcript, said.id) if said else None
    draft = Suggestions.model_validate(transcript.suggestions or {}).summary if transcript else ""
    if not draft:
        return _refused(
            request, session, user, story_session, "There is no draft summary to use.", back=back
        )
    recap = describe_recap(session, story_session=story_session)
    if recap.summary.strip() and replace != "yes":
        kept = [(k, v) for k, v in _query(back) if k in ("q", "speaker", "offset")]
        query = urlencode([*kept, ("summary", "confirm")])
        return RedirectResponse(
            f"/sessions/{story_session.id}/transcript?{query}#suggested-summary", status_code=303
        )
    try:
        update_recap(
            session, story_session=story_session, data=RecapUpdate(summary=draft, themes=None)
        )
    except AppError as error:
        return _refused(request, session, user, story_session, error, back=back)
    return _back(story_session, "summary", back)
