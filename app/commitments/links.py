"""Signed links: one to make a commitment after a session, one to close a commitment.

Each has its own purpose, so a commitment link never closes anything, a close link never
makes a commitment, and neither opens a recap (nor a recap link either of them).
"""

from datetime import datetime, timedelta

from sqlmodel import Session

from app.config import get_settings
from app.errors import NotFound
from app.kit.signing import LinkError, sign, unsign
from app.models import Commitment, Person, StorySession, utcnow
from app.people.service import is_erased

COMMITMENT_PURPOSE = "commitment"
CLOSE_PURPOSE = "commitment-close"


def _url(path: str) -> str:
    return get_settings().base_url.rstrip("/") + path


def _expires(now: datetime | None) -> datetime:
    # As long as the recap link beside it in the same email.
    return (now or utcnow()) + timedelta(days=get_settings().recap_link_days)


def commitment_token(*, person_id: int, session_id: int, now: datetime | None = None) -> str:
    return sign(COMMITMENT_PURPOSE, [person_id, session_id], expires_at=_expires(now))


def commitment_path(*, person_id: int, session_id: int, now: datetime | None = None) -> str:
    """The path of the person's own form to say what they will do about `session_id`."""
    return f"/p/commit/{commitment_token(person_id=person_id, session_id=session_id, now=now)}"


def commitment_link(*, person_id: int, session_id: int, now: datetime | None = None) -> str:
    """The person's own link (a full URL, for emails) to their commitment form."""
    return _url(commitment_path(person_id=person_id, session_id=session_id, now=now))


def close_link(commitment: Commitment, *, status: str, now: datetime | None = None) -> str:
    """The owner's one-click link to close `commitment` as done or dropped (asks first)."""
    token = sign(CLOSE_PURPOSE, commitment.id, expires_at=_expires(now))
    return _url(f"/p/commitments/close/{token}?status={status}")


def _ids(payload: object) -> tuple[int, int]:
    if (
        isinstance(payload, list)
        and len(payload) == 2
        and all(isinstance(value, int) and not isinstance(value, bool) for value in payload)
    ):
        return payload[0], payload[1]
    raise LinkError("This link is not valid. Check that you copied all of it.")


def open_commitment_link(session: Session, *, token: str) -> tuple[Person, StorySession]:
    """The person and session a commitment link names, or an error a person can act on."""
    person_id, session_id = _ids(unsign(COMMITMENT_PURPOSE, token))
    person = session.get(Person, person_id)
    if person is None or is_erased(person):
        raise NotFound("This link's owner is no longer in the directory.")
    story_session = session.get(StorySession, session_id)
    if story_session is None:
        raise NotFound("This session no longer exists; ask the organizer for a new link.")
    return person, story_session


def open_close_link(session: Session, *, token: str) -> Commitment:
    """The commitment a close link names, or an error a person can act on."""
    commitment_id = unsign(CLOSE_PURPOSE, token)
    commitment = (
        session.get(Commitment, commitment_id)
        if isinstance(commitment_id, int) and not isinstance(commitment_id, bool)
        else None
    )
    if commitment is None:
        raise NotFound("This commitment no longer exists; there is nothing to close.")
    return commitment
