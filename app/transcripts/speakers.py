"""Who each transcript speaker is: a storyteller, someone in the directory, or nobody known.

Speakers are matched as attendance is: the session's storytellers first, then the directory
through `app.attendance.matching.Directory` (aliases, normalised names, and a name several
people share is never guessed). An organizer's confirmation is kept across re-imports and,
for a directory person, remembered as a name alias so the next import matches it.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.attendance.matching import Directory, name_candidates
from app.audit import service as audit
from app.db import id_of
from app.errors import Invalid, NotFound
from app.models import (
    AliasKind,
    Level,
    Person,
    PersonAlias,
    SessionSpeaker,
    SpeakerMatch,
    StorySession,
    Transcript,
    TranscriptKind,
    TranscriptSpeaker,
    User,
)
from app.people.schemas import LevelRef
from app.people.service import add_alias, is_erased, normalize_name
from app.transcripts.schemas import SpeakerConfirm, SpeakerRead
from app.transcripts.suggesting import recompute_suggestions

Found = tuple[SpeakerMatch, int | None, int | None]
"""How a label was matched, the storyteller (`SessionSpeaker`) id and the person id."""

# Zoom labels often carry the speaker's company: "Ana Ruiz - Acme", "Ana Ruiz | Acme".
# Spaces around the dash are required, so "Mary-Jane Smith" keeps her name whole.
_COMPANY_SUFFIX = re.compile(r"^(?P<name>.+?)\s+[-–—|/]\s+\S.*$")


def label_candidates(label: str) -> list[str]:
    """Normalised names a speaker label may stand for: as written, without a guest or
    "(Company)" suffix (attendance's `name_candidates`), then without a " - Company" one."""
    found = name_candidates(label)
    company = _COMPANY_SUFFIX.match(label.strip())
    if company:
        found += name_candidates(company["name"])
    return [name for i, name in enumerate(found) if name not in found[:i]]


def match_speakers(
    session: Session, *, story_session: StorySession, labels: Iterable[str]
) -> dict[str, Found]:
    """How each label is matched: one of the session's storytellers, else one directory
    person (ambiguous when several share the name, never guessed), else unknown."""
    storytellers: dict[str, set[int]] = {}
    for speaker in session.exec(
        select(SessionSpeaker).where(SessionSpeaker.session_id == id_of(story_session))
    ):
        storytellers.setdefault(normalize_name(speaker.name), set()).add(id_of(speaker))
    directory: Directory | None = None
    found: dict[str, Found] = {}
    for label in labels:
        candidates = label_candidates(label)
        found[label] = _storyteller(candidates, storytellers) or (SpeakerMatch.unknown, None, None)
        if found[label][0] is not SpeakerMatch.unknown:
            continue
        # Loaded only when a label is not a storyteller: most transcripts are all storytellers
        # and hosts, and the directory is the import's most expensive read.
        directory = directory or Directory.load(session)
        for candidate in candidates:
            match = directory.match(name=candidate, emails=())
            if match.person_id is not None:
                found[label] = (SpeakerMatch.person, None, match.person_id)
                break
            if match.how == "ambiguous":
                found[label] = (SpeakerMatch.ambiguous, None, None)
                break
    return found


def _storyteller(candidates: Sequence[str], storytellers: dict[str, set[int]]) -> Found | None:
    for candidate in candidates:
        ids = storytellers.get(candidate)
        if ids and len(ids) == 1:
            return (SpeakerMatch.storyteller, next(iter(ids)), None)
        if ids:
            return (SpeakerMatch.ambiguous, None, None)
    return None


# -- the session's speakers --------------------------------------------------------------------


@dataclass
class _Label:
    transcript: TranscriptSpeaker | None = None
    chat: TranscriptSpeaker | None = None

    @property
    def decided(self) -> TranscriptSpeaker:
        """The row that says who the label is: a confirmed one, else the transcript's."""
        rows = [row for row in (self.transcript, self.chat) if row is not None]
        return next((row for row in rows if row.confirmed), rows[0])


def _speaker_rows(
    session: Session, *, story_session: StorySession, label: str | None = None
) -> list[tuple[TranscriptSpeaker, TranscriptKind]]:
    query = (
        select(TranscriptSpeaker, Transcript.kind)
        .join(Transcript, col(Transcript.id) == TranscriptSpeaker.transcript_id)
        .where(Transcript.session_id == id_of(story_session))
        .order_by(col(TranscriptSpeaker.id))
    )
    if label is not None:
        query = query.where(TranscriptSpeaker.label == label)
    return [(row, TranscriptKind(kind)) for row, kind in session.exec(query).all()]


def session_speakers(session: Session, *, story_session: StorySession) -> list[SpeakerRead]:
    """Every name in the session's transcript and chat, once, with who it is and how much
    they said: most seconds spoken first, then most chat messages, then by name."""
    return _reads(session, _speaker_rows(session, story_session=story_session))


def _reads(
    session: Session, rows: Sequence[tuple[TranscriptSpeaker, TranscriptKind]]
) -> list[SpeakerRead]:
    labels: dict[str, _Label] = {}
    for row, kind in rows:
        setattr(labels.setdefault(row.label, _Label()), kind.value, row)
    storyteller_ids = {row.session_speaker_id for row, _ in rows} - {None}
    person_ids = {row.person_id for row, _ in rows} - {None}
    storytellers = (
        dict(
            session.exec(
                select(SessionSpeaker.id, SessionSpeaker.name).where(
                    col(SessionSpeaker.id).in_(storyteller_ids)
                )
            ).all()
        )
        if storyteller_ids
        else {}
    )
    people = (
        {
            person.id: (person, level)
            for person, level in session.exec(
                select(Person, Level)
                .join(Level, col(Level.id) == Person.level_id)
                .where(col(Person.id).in_(person_ids))
            ).all()
        }
        if person_ids
        else {}
    )
    reads = []
    for label, found in labels.items():
        row = found.decided
        person = people.get(row.person_id) if row.person_id else None
        reads.append(
            SpeakerRead(
                label=label,
                match=row.match,
                confirmed=row.confirmed,
                session_speaker_id=row.session_speaker_id,
                storyteller=storytellers.get(row.session_speaker_id)
                if row.session_speaker_id
                else None,
                person_id=row.person_id,
                person=person[0].name if person else None,
                level=LevelRef.model_validate(person[1]) if person else None,
                cue_count=found.transcript.cue_count if found.transcript else 0,
                seconds_spoken=found.transcript.seconds_spoken if found.transcript else 0,
                chat_messages=found.chat.cue_count if found.chat else 0,
            )
        )
    return sorted(reads, key=lambda r: (-r.seconds_spoken, -r.chat_messages, r.label.casefold()))


def confirm_speaker(
    session: Session,
    *,
    story_session: StorySession,
    label: str,
    data: SpeakerConfirm,
    user: User | None,
) -> SpeakerRead:
    """Say who a speaker is, in the session's transcript and chat alike; a directory person
    is remembered with the label as a name alias, so the next import matches them."""
    # No stored label holds a NUL, and PostgreSQL refuses one in a query.
    rows = (
        [] if "\x00" in label else _speaker_rows(session, story_session=story_session, label=label)
    )
    if not rows:
        raise NotFound(
            f"Nobody is named “{label}” in the transcript or chat of “{story_session.title}”."
        )
    person: Person | None = None
    if data.person_id is not None:
        person = session.get(Person, data.person_id)
        if person is None or is_erased(person):
            raise Invalid(f"There is no person with id {data.person_id} in the directory.")
        found: Found = (SpeakerMatch.person, None, id_of(person))
        who = f"{person.name} <{person.email}>"
    elif data.session_speaker_id is not None:
        storyteller = session.get(SessionSpeaker, data.session_speaker_id)
        if storyteller is None or storyteller.session_id != story_session.id:
            raise Invalid(
                f"Storyteller {data.session_speaker_id} is not one of the speakers of "
                f"“{story_session.title}”; choose one of the session's storytellers."
            )
        found = (SpeakerMatch.storyteller, id_of(storyteller), None)
        who = f"the storyteller {storyteller.name}"
    else:
        found = (SpeakerMatch.unknown, None, None)
        who = "nobody the directory or the session knows"

    changed_customer: set[int] = set()
    for row, _kind in rows:
        # Suggestions are made from what the customer said: redo them when that changes.
        if (row.match is SpeakerMatch.storyteller) != (found[0] is SpeakerMatch.storyteller):
            changed_customer.add(row.transcript_id)
        row.match, row.session_speaker_id, row.person_id = found
        row.confirmed = True
        session.add(row)
    session.flush()
    if person is not None:
        _remember_alias(session, person=person, label=label)
    for transcript_id in sorted(changed_customer):
        transcript = session.get(Transcript, transcript_id)
        assert transcript is not None
        recompute_suggestions(session, transcript=transcript)
    audit.record(
        session,
        action="confirmed",
        entity="transcript_speaker",
        entity_id=id_of(rows[0][0]),
        summary=f"Confirmed that “{label}” in the transcript of “{story_session.title}” is {who}",
    )
    return _reads(session, rows)[0]


def _remember_alias(session: Session, *, person: Person, label: str) -> None:
    """Keep the label as the person's name alias, unless it already names someone."""
    normalized = normalize_name(label)
    if not normalized or len(label) > 320 or normalized == normalize_name(person.name):
        return
    taken = session.exec(
        select(PersonAlias.id).where(
            PersonAlias.kind == AliasKind.name, PersonAlias.normalized == normalized
        )
    ).first()
    # Someone else's alias stays theirs: this session's confirmation already says who it is.
    if taken is None:
        add_alias(session, person=person, kind=AliasKind.name, value=label)
