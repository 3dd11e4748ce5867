"""Plain factory functions: each creates exactly what it says and flushes, nothing more."""

from datetime import datetime, timedelta

from sqlmodel import Session, select

from app.auth.security import hash_password
from app.models import (
    Attendance,
    AttendanceSource,
    Consent,
    Customer,
    Level,
    Person,
    Platform,
    Role,
    Series,
    SessionSpeaker,
    SessionStatus,
    SpeakerMatch,
    StorySession,
    Transcript,
    TranscriptCue,
    TranscriptKind,
    TranscriptSpeaker,
    User,
    utcnow,
)

PASSWORD = "correct horse battery"
_PASSWORD_HASH = hash_password(PASSWORD)  # hashing is slow on purpose: do it once


def create_user(
    session: Session, *, email: str = "organizer@example.com", role: Role = Role.organizer
) -> User:
    user = User(
        email=email.lower(), name=email.split("@")[0], password_hash=_PASSWORD_HASH, role=role
    )
    session.add(user)
    session.flush()
    return user


def create_session(
    session: Session,
    *,
    title: str = "How Acme runs its support desk",
    starts_at: datetime | None = None,
    timezone: str = "Europe/Paris",
    duration_minutes: int = 60,
    platform: Platform = Platform.zoom,
    join_url: str = "https://zoom.example.com/j/123",
    status: SessionStatus = SessionStatus.scheduled,
    customer: Customer | None = None,
    series: Series | None = None,
    host_id: int | None = None,
    organizer_id: int | None = None,
    description: str = "",
) -> StorySession:
    """A session; by default scheduled a week from now."""
    story_session = StorySession(
        title=title,
        description=description,
        starts_at=starts_at or utcnow() + timedelta(days=7),
        timezone=timezone,
        duration_minutes=duration_minutes,
        platform=platform,
        join_url=join_url,
        status=status,
        customer_id=customer.id if customer else None,
        series_id=series.id if series else None,
        host_id=host_id,
        organizer_id=organizer_id,
    )
    session.add(story_session)
    session.flush()
    return story_session


def create_customer(session: Session, *, name: str = "Acme Logistics") -> Customer:
    customer = Customer(name=name)
    session.add(customer)
    session.flush()
    return customer


def create_speaker(
    session: Session,
    story_session: StorySession,
    *,
    name: str = "Ana Ruiz",
    title: str = "CFO",
    consent: Consent = Consent.named,
) -> SessionSpeaker:
    speaker = SessionSpeaker(
        session_id=story_session.id or 0, name=name, title=title, consent=consent
    )
    session.add(speaker)
    session.flush()
    return speaker


def create_series(session: Session, *, title: str = "Voice of the customer") -> Series:
    """A fortnightly series in Europe/Paris, first held in January 2026."""
    series = Series(
        title=title,
        rrule="FREQ=WEEKLY;INTERVAL=2",
        timezone="Europe/Paris",
        first_start_local=datetime(2026, 1, 6, 16, 0),  # noqa: DTZ001 - wall clock, by design
        duration_minutes=60,
        platform=Platform.zoom,
    )
    session.add(series)
    session.flush()
    return series


def get_level(session: Session, key: str) -> Level:
    """A seeded level by key (levels come from the migration, not from factories)."""
    return session.exec(select(Level).where(Level.key == key)).one()


def create_person(
    session: Session,
    *,
    email: str = "ada@example.com",
    name: str = "Ada Lovelace",
    title: str = "",
    department: str = "",
    level_key: str = "ic",
    manager: Person | None = None,
    employee_id: str | None = None,
    active: bool = True,
) -> Person:
    person = Person(
        email=email.lower(),
        name=name,
        title=title,
        department=department,
        level_id=get_level(session, level_key).id or 0,
        manager_id=manager.id if manager else None,
        employee_id=employee_id,
        active=active,
    )
    session.add(person)
    session.flush()
    return person


def create_attendance(
    session: Session,
    *,
    story_session: StorySession,
    person: Person | None = None,
    attended: bool = True,
    minutes_present: int = 45,
    level_key: str | None = None,
    department: str | None = None,
    source: AttendanceSource = AttendanceSource.manual,
    raw_name: str = "",
) -> Attendance:
    """One attendance row; level and department default to the person's as they are now."""
    level_id = get_level(session, level_key).id if level_key else None
    if level_id is None and person is not None and level_key is None:
        level_id = person.level_id
    attendance = Attendance(
        session_id=story_session.id or 0,
        person_id=person.id if person else None,
        source=source,
        raw_name=raw_name or (person.name if person else "Guest"),
        raw_email=person.email if person else "",
        minutes_present=minutes_present,
        attended=attended,
        level_id=level_id,
        department=(person.department if person else "") if department is None else department,
    )
    session.add(attendance)
    session.flush()
    return attendance


def create_transcript(
    session: Session,
    story_session: StorySession,
    *,
    cues: list[tuple[str, float, float, str]],
    kind: TranscriptKind = TranscriptKind.transcript,
    who: dict[str, SessionSpeaker | Person] | None = None,
    format: str = "zoom-vtt",
) -> Transcript:
    """A transcript (or chat) of `cues` (speaker label, start, end, text), speakers as `who`
    says: a SessionSpeaker makes a storyteller, a Person a directory match, others unknown."""
    transcript = Transcript(
        session_id=story_session.id,  # type: ignore[arg-type]
        kind=kind,
        format=format,
        filename=f"{kind.value}.{'txt' if kind is TranscriptKind.chat else 'vtt'}",
        sha256=f"{len(cues):064d}",
        cue_count=len(cues),
        duration_seconds=max((end for _, _, end, _ in cues), default=0.0)
        - min((start for _, start, _, _ in cues), default=0.0),
    )
    session.add(transcript)
    session.flush()
    speakers: dict[str, TranscriptSpeaker] = {}
    for label, start, end, _ in cues:
        if not label:
            continue
        speaker = speakers.get(label)
        if speaker is None:
            found = (who or {}).get(label)
            speaker = TranscriptSpeaker(transcript_id=transcript.id, label=label)  # type: ignore[arg-type]
            if isinstance(found, SessionSpeaker):
                speaker.match, speaker.session_speaker_id = SpeakerMatch.storyteller, found.id
            elif isinstance(found, Person):
                speaker.match, speaker.person_id = SpeakerMatch.person, found.id
            speakers[label] = speaker
        speaker.cue_count += 1
        speaker.seconds_spoken += end - start
    session.add_all(speakers.values())
    session.flush()
    session.add_all(
        TranscriptCue(
            transcript_id=transcript.id,  # type: ignore[arg-type]
            position=position,
            speaker_id=speakers[label].id if label else None,
            start_seconds=start,
            end_seconds=end,
            text=text,
            is_question=text.rstrip().endswith("?"),
        )
        for position, (label, start, end, text) in enumerate(cues, start=1)
    )
    session.flush()
    return transcript
