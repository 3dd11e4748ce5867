"""Erasing a person: their personal data removed for good, their anonymous history kept."""

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import JSON, Enum, String, TypeDecorator, delete, update
from sqlalchemy.types import TypeEngine
from sqlmodel import Session, SQLModel, and_, col, func, or_, select

from app.audit import service as audit
from app.db import id_of
from app.errors import Conflict
from app.models import (
    AliasKind,
    ApiToken,
    Attendance,
    CalendarFeed,
    Commitment,
    Delivery,
    DeliveryStatus,
    Digest,
    Invitation,
    ListMember,
    Person,
    PersonAlias,
    RecapQuestion,
    RecapVersion,
    RenderedPdf,
    Role,
    StorySession,
    Transcript,
    TranscriptCue,
    TranscriptSpeaker,
    User,
    utcnow,
)
from app.people.schemas import ErasureReport
from app.people.service import ERASED_DOMAIN, erased_email, is_erased, list_aliases

ERASED_NAME = "Erased person"

# Tables erase_person anonymises column by column; the generic text scrub leaves them alone.
# Customers and storytellers are not directory people: a namesake there is someone else.
_ERASURE_HANDLED_TABLES = frozenset(
    {
        "person",
        "person_alias",
        "user",
        "api_token",
        "calendar_feed",
        "attendance",
        "invitation",
        "delivery",
        "list_member",
        "customer",
        "session_speaker",
    }
)
_SHORTEST_IDENTIFIER = 3


def _identifiers(person: Person, aliases: Sequence[PersonAlias]) -> list[str]:
    """The person's name, emails, employee id and several-word aliases, longest first."""
    values = {person.name, person.email, person.employee_id or ""}
    for alias in aliases:
        # A one-word display name ("Sam") would also hit other people's names in free text.
        if alias.kind is AliasKind.email or len(alias.normalized.split()) > 1:
            values.update({alias.value, alias.normalized})
    return sorted(
        (value.strip() for value in values if len(value.strip()) >= _SHORTEST_IDENTIFIER),
        key=len,
        reverse=True,
    )


def _identifier_pattern(person: Person, aliases: Sequence[PersonAlias]) -> re.Pattern[str]:
    """Whole-word, case-insensitive matches of the person's name, emails and employee id."""
    kept = _identifiers(person, aliases)
    return re.compile(
        r"(?<!\w)(?:" + "|".join(re.escape(value) for value in kept) + r")(?!\w)", re.IGNORECASE
    )


def _scrub(value: Any, pattern: re.Pattern[str]) -> Any:
    """`value` (text or a JSON tree) with every identifier replaced by the erased name."""
    if isinstance(value, str):
        return pattern.sub(ERASED_NAME, value)
    if isinstance(value, list):
        return [_scrub(item, pattern) for item in value]
    if isinstance(value, dict):
        return {key: _scrub(item, pattern) for key, item in value.items()}
    return value


def _holds_text(column_type: TypeEngine[Any]) -> bool:
    """Free text: String, Text and SQLModel's AutoString, but not enums stored as text."""
    if isinstance(column_type, TypeDecorator):
        column_type = column_type.impl_instance
    return isinstance(column_type, String) and not isinstance(column_type, Enum)


def _scrub_other_tables(
    session: Session, pattern: re.Pattern[str], needles: Sequence[str]
) -> tuple[int, dict[str, set[int]]]:
    """Replace the identifiers in every other text and JSON column, whatever the table.

    Walks the metadata, so a table added later is covered without touching this code.
    Returns the rows changed and, per table, the ids of the changed rows.
    """
    connection = session.connection()
    changed = 0
    touched: dict[str, set[int]] = {}
    for table in SQLModel.metadata.sorted_tables:
        if table.name in _ERASURE_HANDLED_TABLES:
            continue
        texts = [column for column in table.columns if _holds_text(column.type)]
        documents = [column for column in table.columns if isinstance(column.type, JSON)]
        keys = list(table.primary_key.columns)
        if not (texts or documents) or not keys:
            continue
        query = select(*keys, *texts, *documents)
        if not documents:
            # Text is narrowed in SQL; JSON is read whole (SQLite stores it ASCII-escaped).
            query = query.where(
                or_(
                    *(
                        func.lower(column).contains(needle, autoescape=True)
                        for column in texts
                        for needle in needles
                    )
                )
            )
        for row in connection.execute(query).mappings():
            values = {
                column.name: _scrub(row[column], pattern)
                for column in (*texts, *documents)
                if row[column] is not None
            }
            values = {name: value for name, value in values.items() if value != row[name]}
            if not values:
                continue
            connection.execute(
                update(table).where(*(key == row[key] for key in keys)).values(**values)
            )
            changed += 1
            if len(keys) == 1 and isinstance(row[keys[0]], int):
                touched.setdefault(table.name, set()).add(row[keys[0]])
    return changed, touched


def _discard_pdfs(session: Session, touched: dict[str, set[int]]) -> int:
    """Drop rendered PDFs made from documents that named the person; recaps render again."""
    owners: list[RecapVersion | Digest] = []
    if touched.get("recap_version"):
        ids = touched["recap_version"]
        owners += session.exec(select(RecapVersion).where(col(RecapVersion.id).in_(ids))).all()
    if touched.get("digest"):
        owners += session.exec(select(Digest).where(col(Digest.id).in_(touched["digest"]))).all()
    pdf_ids: set[int] = set()
    for owner in owners:
        if owner.pdf_id is not None:
            pdf_ids.add(owner.pdf_id)
            owner.pdf_id = None
            session.add(owner)
    if not pdf_ids:
        return 0
    session.flush()
    still_used = set(
        session.exec(select(RecapVersion.pdf_id).where(col(RecapVersion.pdf_id).in_(pdf_ids)))
    ) | set(session.exec(select(Digest.pdf_id).where(col(Digest.pdf_id).in_(pdf_ids))))
    unused = pdf_ids - {pdf_id for pdf_id in still_used if pdf_id is not None}
    if unused:
        session.execute(delete(RenderedPdf).where(col(RenderedPdf.id).in_(unused)))
    return len(unused)


def _drop_citing_suggestions(session: Session, removed: dict[int, set[int]]) -> int:
    """Drop the suggested quotes and summary of each transcript that cite a removed cue.

    Suggestions are computed by app.transcripts, above this domain; rather than compute them
    again, the ones built from the person's words go, and the organizer's next import or
    recompute brings fresh ones. Key phrases name no one once the text scrub has run.
    """
    dropped = 0
    for transcript in session.exec(select(Transcript).where(col(Transcript.id).in_(removed))):
        positions = removed[id_of(transcript)]
        suggestions = dict(transcript.suggestions)
        quotes = suggestions.get("quotes") or []
        kept = [
            quote
            for quote in quotes
            if not any(
                int(quote.get("first_cue", 0)) <= position <= int(quote.get("last_cue", -1))
                for position in positions
            )
        ]
        dropped += len(quotes) - len(kept)
        suggestions["quotes"] = kept
        if positions & set(suggestions.get("summary_cues") or []):
            suggestions["summary"], suggestions["summary_cues"] = "", []
            dropped += 1
        if suggestions != transcript.suggestions:
            transcript.suggestions = suggestions
            session.add(transcript)
    return dropped


def _remove_transcript_words(
    session: Session, *, person_id: int, identifiers: Sequence[str]
) -> dict[str, int]:
    """Delete what the person said or wrote in transcripts and chats, and their questions.

    Their own speakers (matched to them) lose every cue but stay, renamed, with their counts:
    taking part is a ladder signal, and erasure keeps every figure. An unmatched speaker
    labelled with one of their identifiers is them too, and goes whole; a storyteller of the
    same name is a customer, someone else.
    """
    labels = sorted({value.lower() for value in identifiers})
    theirs = session.exec(
        select(TranscriptSpeaker).where(col(TranscriptSpeaker.person_id) == person_id)
    ).all()
    namesakes = session.exec(
        select(TranscriptSpeaker).where(
            col(TranscriptSpeaker.person_id).is_(None),
            col(TranscriptSpeaker.session_speaker_id).is_(None),
            func.lower(func.trim(col(TranscriptSpeaker.label))).in_(labels),
        )
    ).all()
    speaker_ids = [id_of(speaker) for speaker in (*theirs, *namesakes)]
    counts = {
        "transcript_cues_removed": 0,
        "transcript_speakers_removed": len(namesakes),
        "transcript_speakers_anonymised": len(theirs),
        "recap_questions_removed": 0,
        "transcript_suggestions_dropped": 0,
    }
    cues = (
        session.connection()
        .execute(
            select(TranscriptCue.id, TranscriptCue.transcript_id, TranscriptCue.position).where(
                col(TranscriptCue.speaker_id).in_(speaker_ids)
            )
        )
        .all()
        if speaker_ids
        else []
    )
    cue_ids = [cue_id for cue_id, _, _ in cues]
    questions = session.execute(
        delete(RecapQuestion).where(
            or_(
                col(RecapQuestion.person_id) == person_id,
                col(RecapQuestion.cue_id).in_(cue_ids),
            )
        )
    )
    counts["recap_questions_removed"] = questions.rowcount  # type: ignore[attr-defined]
    if not speaker_ids:
        return counts
    removed: dict[int, set[int]] = {}
    for _, transcript_id, position in cues:
        removed.setdefault(transcript_id, set()).add(position)
    if cue_ids:
        session.execute(delete(TranscriptCue).where(col(TranscriptCue.id).in_(cue_ids)))
    counts["transcript_cues_removed"] = len(cue_ids)
    if namesakes:
        session.execute(
            delete(TranscriptSpeaker).where(
                col(TranscriptSpeaker.id).in_([id_of(speaker) for speaker in namesakes])
            )
        )
    for speaker in theirs:
        # The label is unique in its transcript: the id keeps two of theirs apart.
        speaker.label = f"{ERASED_NAME} ({speaker.id})"
        session.add(speaker)
    for transcript in session.exec(select(Transcript).where(col(Transcript.id).in_(removed))):
        transcript.cue_count -= len(removed[id_of(transcript)])
        session.add(transcript)
    counts["transcript_suggestions_dropped"] = _drop_citing_suggestions(session, removed)
    session.flush()
    return counts


def _close_user_accounts(session: Session, emails: set[str]) -> tuple[int, int, int]:
    """Sign-in accounts at the person's addresses: anonymised, deactivated, keys removed."""
    users = list(session.exec(select(User).where(col(User.email).in_(emails))).all())
    admins = [user for user in users if user.role is Role.admin and user.active]
    if admins:
        raise Conflict(
            f"{admins[0].email} is also an active admin account. Another admin must first "
            "change that account's role or deactivate it; then erase the person."
        )
    user_ids = [user.id for user in users]
    if not user_ids:
        return 0, 0, 0
    tokens = session.execute(delete(ApiToken).where(col(ApiToken.user_id).in_(user_ids)))
    feeds = session.execute(delete(CalendarFeed).where(col(CalendarFeed.user_id).in_(user_ids)))
    for user in users:
        user.email = f"erased-user-{user.id}@{ERASED_DOMAIN}"
        user.name = ""
        user.password_hash = "!"  # noqa: S105 -- not a hash: no password matches it
        user.active = False
        user.session_generation += 1  # its sign-in cookies and sign-in tokens end
        session.add(user)
    return len(users), tokens.rowcount, feeds.rowcount  # type: ignore[attr-defined]


def erase_person(session: Session, *, person: Person) -> ErasureReport:
    """Remove a person's personal data for good, keeping their anonymous attendance history.

    The person row stays as "Erased person" with its level, department, manager and active
    flag, and keeps its attendance, past invitation answers, sent deliveries, owned action
    items and (without a word of theirs) its transcript speakers, so every dashboard figure is
    unchanged. What they said or wrote in transcripts and chats is deleted. Running it again
    changes nothing.
    """
    person_id = id_of(person)
    report = dict.fromkeys(
        (
            name
            for name in ErasureReport.model_fields
            if name not in ("person_id", "already_erased")
        ),
        0,
    )
    if is_erased(person):
        return ErasureReport(person_id=person_id, already_erased=True, **report)
    aliases = list_aliases(session, person=person)
    emails = {person.email} | {a.normalized for a in aliases if a.kind is AliasKind.email}
    pattern = _identifier_pattern(person, aliases)
    needles = sorted(
        {person.name.lower(), *emails, (person.employee_id or "").lower()} - {""}, key=len
    )
    accounts, tokens, feeds = _close_user_accounts(session, emails)
    report["user_accounts_closed"] = accounts
    report["api_tokens_removed"] = tokens
    report["calendar_feeds_removed"] = feeds

    for alias in aliases:
        session.delete(alias)
    report["aliases_removed"] = len(aliases)
    # Before the text scrub, which would otherwise rewrite the words about to be deleted.
    report.update(
        _remove_transcript_words(
            session, person_id=person_id, identifiers=_identifiers(person, aliases)
        )
    )

    # Unmatched rows carrying one of the person's addresses or their exact name are them too.
    theirs = or_(
        col(Attendance.person_id) == person_id,
        and_(
            col(Attendance.person_id).is_(None),
            or_(
                func.lower(col(Attendance.raw_email)).in_(emails),
                func.lower(col(Attendance.raw_name)) == person.name.lower(),
            ),
        ),
    )
    blanked = session.execute(
        update(Attendance)
        .where(theirs, or_(col(Attendance.raw_name) != "", col(Attendance.raw_email) != ""))
        .values(raw_name="", raw_email="")
    )
    report["attendance_rows_anonymised"] = blanked.rowcount  # type: ignore[attr-defined]

    members = session.execute(
        delete(ListMember).where(
            or_(
                col(ListMember.person_id) == person_id,
                func.lower(col(ListMember.email)).in_(emails),
            )
        )
    )
    report["list_memberships_removed"] = members.rowcount  # type: ignore[attr-defined]

    now = utcnow()
    invitations = session.exec(
        select(Invitation, StorySession.starts_at)
        .join(StorySession, col(StorySession.id) == Invitation.session_id)
        .where(or_(col(Invitation.person_id) == person_id, col(Invitation.email).in_(emails)))
    ).all()
    for invitation, starts_at in invitations:
        if starts_at > now:
            session.delete(invitation)
            report["invitations_removed"] += 1
        else:
            # Past answers feed the leaders' engagement figures: kept, with no address.
            invitation.email = f"erased-invitation-{invitation.id}@{ERASED_DOMAIN}"
            invitation.name = ""
            session.add(invitation)
            report["invitations_anonymised"] += 1

    # Their own words: deleted with their updates and reminders (the foreign keys cascade).
    commitments = session.execute(delete(Commitment).where(col(Commitment.person_id) == person_id))
    report["commitments_removed"] = commitments.rowcount  # type: ignore[attr-defined]

    deliveries = or_(
        col(Delivery.person_id) == person_id, func.lower(col(Delivery.to_email)).in_(emails)
    )
    unsent = session.execute(
        delete(Delivery).where(
            deliveries, col(Delivery.status).in_([DeliveryStatus.queued, DeliveryStatus.sending])
        )
    )
    report["deliveries_removed"] = unsent.rowcount  # type: ignore[attr-defined]
    for delivery in session.exec(select(Delivery).where(deliveries)):
        delivery.to_email = ""
        delivery.to_name = ""
        delivery.payload = {}
        delivery.dedup_key = f"erased:{delivery.id}"
        delivery.last_error = _scrub(delivery.last_error, pattern)
        session.add(delivery)
        report["deliveries_anonymised"] += 1

    person.name = ERASED_NAME
    person.email = erased_email(person_id)
    person.title = ""
    person.employee_id = None
    session.add(person)
    session.flush()

    report["texts_scrubbed"], touched = _scrub_other_tables(session, pattern, needles)
    # The scrub wrote through Core: reload whatever the session had cached.
    session.expire_all()
    report["pdfs_discarded"] = _discard_pdfs(session, touched)
    # Earlier audit entries naming them were scrubbed above; this one names no one either.
    audit.record(
        session,
        action="erased",
        entity="person",
        entity_id=person_id,
        summary=f"Erased the personal data of person #{person_id}",
    )
    session.flush()
    return ErasureReport(person_id=person_id, already_erased=False, **report)
