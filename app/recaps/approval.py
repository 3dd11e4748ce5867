"""Approving a recap and its versions: each approval freezes the document as the next version."""

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.audit import service as audit
from app.db import id_of
from app.errors import Conflict, NotFound
from app.models import Recap, RecapStatus, RecapVersion, StorySession, User, utcnow
from app.recaps import builder
from app.recaps.builder import DraftChanges
from app.recaps.document import RecapDocument
from app.recaps.editing import check_open, get_recap
from app.recaps.schemas import VersionRead

SYSTEM_APPROVER = "Customer Experience team"
"""Who approved a recap when no user did (the demo data)."""


def preview_document(
    session: Session,
    *,
    story_session: StorySession,
    draft: DraftChanges | None = None,
    now: datetime | None = None,
) -> RecapDocument:
    """The recap as it would be approved now (version 0), optionally with unsaved changes."""
    recap = get_recap(session, story_session=story_session)
    return builder.build_document(
        session, story_session=story_session, recap=recap, draft=draft, now=now
    )


class HasStatus(Protocol):
    @property
    def status(self) -> RecapStatus: ...
    @property
    def latest_version(self) -> int: ...


@dataclass(frozen=True)
class RecapState:
    """Where a recap stands, as the editor's badge says it and its preview shows it."""

    key: Literal["draft", "approved", "sent", "changed"]
    label: str
    """The badge: "draft", "approved", "sent" or "changed since approval"."""
    version: int
    """The latest approved version (0: none yet)."""

    @property
    def frozen(self) -> bool:
        """The preview is the approved version itself: nothing changed since it was approved."""
        return self.key in ("approved", "sent")


def recap_state(recap: HasStatus | None) -> RecapState:
    """The one answer to "is this recap approved?" that the badge and the preview both use."""
    if recap is None or recap.latest_version == 0:
        return RecapState("draft", "draft", 0)
    if recap.status is RecapStatus.draft:
        return RecapState("changed", "changed since approval", recap.latest_version)
    if recap.status is RecapStatus.sent:
        return RecapState("sent", "sent", recap.latest_version)
    return RecapState("approved", "approved", recap.latest_version)


def editor_preview(
    session: Session,
    *,
    story_session: StorySession,
    state: RecapState,
    draft: DraftChanges | None = None,
) -> RecapDocument:
    """What the editor's preview shows: the approved version as frozen while nothing has
    changed since, else the recap as it would be approved now (with unsaved changes)."""
    if state.frozen and draft is None:
        version = get_version(session, story_session=story_session, number=state.version)
        return version_document(version)
    return preview_document(session, story_session=story_session, draft=draft)


def approve_recap(
    session: Session,
    *,
    story_session: StorySession,
    now: datetime | None = None,
    render: bool = True,
    company_name: str | None = None,
) -> RecapVersion:
    """Freeze the recap as its next version and queue that version's PDF.

    The approver is the session's acting user; with none (the demo data) the system approves.
    `render` False leaves the PDF to be rendered on its first download or send.
    `company_name` overrides the setting (the demo's recaps are its own company's).
    """
    from app.recaps.tasks import schedule_pdf

    now = now or utcnow()
    check_open(story_session)
    actor = audit.actor_of(session)
    user = session.get(User, actor.user_id) if actor.user_id is not None else None
    recap = get_recap(session, story_session=story_session)
    if recap is None:
        raise Conflict(
            f"“{story_session.title}” has no recap yet: write a summary, then approve it."
        )
    # Lock the row (PostgreSQL) so two approvals cannot both make version n + 1.
    session.refresh(recap, with_for_update=True)
    if recap.status is not RecapStatus.draft:
        raise Conflict(
            f"Version {recap.latest_version} of this recap is already approved and nothing has "
            "changed since. Edit the recap to make a new version."
        )
    number = recap.latest_version + 1
    document = builder.build_document(
        session,
        story_session=story_session,
        recap=recap,
        version=number,
        approved_at=now,
        approved_by=(user.name or user.email) if user else SYSTEM_APPROVER,
        now=now,
        company_name=company_name,
    )
    version = RecapVersion(
        recap_id=id_of(recap),
        number=number,
        document=document.model_dump(mode="json"),
        approved_at=now,
        approved_by_id=user.id if user else None,
    )
    recap.latest_version = number
    recap.status = RecapStatus.approved
    session.add_all([version, recap])
    session.flush()
    audit.record(
        session,
        action="approved",
        entity="recap",
        entity_id=recap.id,
        summary=f"Approved version {number} of the recap of “{story_session.title}”",
        changes={"version": [number - 1 or None, number], "status": ["draft", "approved"]},
    )
    if render:
        schedule_pdf(session, version)
    return version


def _versions_query(story_session: StorySession) -> SelectOfScalar[RecapVersion]:
    return (
        select(RecapVersion)
        .join(Recap, col(Recap.id) == RecapVersion.recap_id)
        .where(Recap.session_id == story_session.id)
    )


def list_versions(session: Session, *, story_session: StorySession) -> list[VersionRead]:
    """Every approved version of the session's recap, newest first."""
    versions = session.exec(
        _versions_query(story_session).order_by(col(RecapVersion.number).desc())
    ).all()
    return [
        VersionRead(
            number=version.number,
            approved_at=version.approved_at,
            # As frozen: the name stays right after the user is renamed or removed.
            approved_by=str(version.document.get("approved_by", "")),
            sent_at=version.sent_at,
            pdf_ready=version.pdf_id is not None,
            render_error=version.render_error,
        )
        for version in versions
    ]


def get_version(session: Session, *, story_session: StorySession, number: int) -> RecapVersion:
    """One approved version of the session's recap, or 404."""
    version = session.exec(
        _versions_query(story_session).where(RecapVersion.number == number)
    ).first()
    if version is None:
        raise NotFound(
            f"The recap of “{story_session.title}” has no version {number}; "
            "see GET …/recap/versions for those that exist."
        )
    return version


def version_document(version: RecapVersion) -> RecapDocument:
    """The document frozen at approval, exactly as it was."""
    return RecapDocument.model_validate(version.document)
