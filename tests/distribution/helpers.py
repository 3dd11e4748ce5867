"""Distribution test data: approved recaps made directly (no authoring), lists with members."""

import hashlib
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, select

from app.models import (
    Cadence,
    DistributionList,
    ListMember,
    Person,
    Platform,
    Recap,
    RecapStatus,
    RecapVersion,
    RenderedPdf,
    Series,
    StorySession,
    utcnow,
)
from tests.recaps.documents import typical_document

PDF_BYTES = b"%PDF-1.7\n% a stored recap PDF, the same bytes for every recipient\n%%EOF\n"


def approve_recap(
    session: Session,
    story_session: StorySession,
    *,
    number: int = 1,
    status: RecapStatus = RecapStatus.approved,
    themes: list[str] | None = None,
    approved_at_days_ago: float = 0,
    with_pdf: bool = True,
) -> RecapVersion:
    """A recap whose latest approved version is `number`, with its PDF already stored."""
    recap = session.exec(select(Recap).where(Recap.session_id == story_session.id)).first()
    if recap is None:
        recap = Recap(session_id=story_session.id or 0, summary="What we heard")
    recap.status = status
    recap.latest_version = number
    session.add(recap)
    session.flush()
    document = typical_document(version=number).model_copy(
        update={
            "session_id": story_session.id,
            "session_title": story_session.title,
            "starts_at": story_session.starts_at,
            "timezone": story_session.timezone,
            **({"themes": themes} if themes is not None else {}),
        }
    )
    version = RecapVersion(
        recap_id=recap.id or 0,
        number=number,
        document=document.model_dump(mode="json"),
        approved_at=utcnow() - timedelta(days=approved_at_days_ago),
    )
    if with_pdf:
        pdf = RenderedPdf(sha256=hashlib.sha256(PDF_BYTES).hexdigest(), content=PDF_BYTES, pages=1)
        session.add(pdf)
        session.flush()
        version.pdf_id = pdf.id
    session.add(version)
    session.flush()
    return version


def create_list(
    session: Session,
    *,
    name: str = "Operating committee",
    cadence: Cadence = Cadence.every_recap,
    people: Sequence[Person] = (),
    outsiders: Sequence[str] = (),
    allow_unsubscribe: bool = False,
    **fields: Any,
) -> DistributionList:
    """A list with these people and outsider addresses as members."""
    dlist = DistributionList(
        name=name, cadence=cadence, allow_unsubscribe=allow_unsubscribe, **fields
    )
    session.add(dlist)
    session.flush()
    for person in people:
        session.add(ListMember(list_id=dlist.id or 0, person_id=person.id))
    for email in outsiders:
        session.add(
            ListMember(list_id=dlist.id or 0, email=email.lower(), name=email.split("@")[0])
        )
    session.flush()
    return dlist


def create_series(session: Session, *, title: str = "Voice of the customer") -> Series:
    series = Series(
        title=title,
        rrule="FREQ=MONTHLY;COUNT=3",
        timezone="Europe/Paris",
        first_start_local=datetime(2027, 1, 5, 16, 0),  # noqa: DTZ001 (wall-clock time)
        duration_minutes=60,
        platform=Platform.zoom,
    )
    session.add(series)
    session.flush()
    return series
