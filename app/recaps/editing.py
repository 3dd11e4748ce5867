"""What every edit of a recap does: the working copy is made on the first edit, and put back to
draft by any later one.

A session's `Recap` is its working copy. Approving freezes the built `RecapDocument` into a new
`RecapVersion` (`approval`); any later edit puts the recap back to draft, so the next approval
makes the next version. Versions are never rebuilt.
"""

from sqlmodel import Session, select

from app.audit import service as audit
from app.db import id_of
from app.errors import Conflict
from app.models import Recap, RecapStatus, SessionStatus, StorySession, utcnow


def get_recap(session: Session, *, story_session: StorySession) -> Recap | None:
    """The session's recap, or None before its first edit."""
    return session.exec(select(Recap).where(Recap.session_id == id_of(story_session))).first()


def check_open(story_session: StorySession) -> None:
    """Refuse to write about a cancelled session."""
    if story_session.status is SessionStatus.cancelled:
        raise Conflict(
            f"“{story_session.title}” was cancelled, so it has no recap or action items. "
            "Reopen it by scheduling a new session."
        )


def _audit_reopened(session: Session, recap: Recap, title: str) -> None:
    """An approved (or sent) recap edited: worth a line, unlike edits to a draft."""
    if recap.status is not RecapStatus.draft:
        audit.record(
            session,
            action="changed",
            entity="recap",
            entity_id=recap.id,
            summary=f"Edited the recap of “{title}” after version {recap.latest_version} was "
            "approved; it is a draft again",
            changes={"status": [recap.status, RecapStatus.draft]},
        )


def _reopen(session: Session, recap: Recap) -> None:
    """An edit: the working copy now differs from the latest version, so it is a draft again."""
    recap.status = RecapStatus.draft
    recap.updated_by_id = audit.actor_of(session).user_id
    recap.updated_at = utcnow()


def start_edit(session: Session, *, story_session: StorySession) -> Recap:
    """The recap about to be edited, created on the first edit and put back to draft."""
    check_open(story_session)
    recap = get_recap(session, story_session=story_session)
    if recap is None:
        recap = Recap(session_id=id_of(story_session))
    _audit_reopened(session, recap, story_session.title)
    _reopen(session, recap)
    session.add(recap)
    session.flush()
    return recap


def items_changed(session: Session, *, story_session: StorySession) -> None:
    """This session's action items changed: its approved recap becomes a draft again.

    Progress (status changes and dated updates) does not count: it is reported by the later
    recaps under "how it is being addressed", and must not reopen recaps already sent.
    """
    recap = get_recap(session, story_session=story_session)
    if recap is not None and recap.status is not RecapStatus.draft:
        _audit_reopened(session, recap, story_session.title)
        _reopen(session, recap)
        session.add(recap)
