"""Recaps: what the customer said, who heard it, and what the company is doing about it."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import Timestamped, enum_type, instant_field, utcnow


class RecapStatus(StrEnum):
    draft = "draft"
    approved = "approved"
    sent = "sent"


class ActionStatus(StrEnum):
    open = "open"
    in_progress = "in_progress"
    done = "done"


class Theme(SQLModel, table=True):
    """A tag reused across sessions ("onboarding", "billing"); `key` is its case-folded name."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80)
    key: str = Field(max_length=80, unique=True)
    customers_affected: int | None = None
    """Figures an organizer records against the theme; the scorecard sums them."""
    revenue_at_risk: int | None = None
    """In whole units of the company's currency (STORYROOM_CURRENCY)."""


class Recap(Timestamped, table=True):
    """The working copy of one session's recap. Approving freezes it into a RecapVersion."""

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="story_session.id", unique=True, ondelete="CASCADE")
    summary: str = Field(default="", sa_type=Text)
    """Markdown, sanitised when rendered."""
    status: RecapStatus = Field(default=RecapStatus.draft, sa_type=enum_type(RecapStatus))
    """draft while the working copy differs from the latest version; approved, then sent."""
    latest_version: int = 0
    """Number of the latest approved version; 0 until first approval."""
    updated_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")


class RecapTheme(SQLModel, table=True):
    __tablename__ = "recap_theme"

    recap_id: int = Field(foreign_key="recap.id", primary_key=True, ondelete="CASCADE")
    theme_id: int = Field(foreign_key="theme.id", primary_key=True, ondelete="CASCADE", index=True)


class RecapQuote(SQLModel, table=True):
    """A customer verbatim; its attribution follows the speaker's consent."""

    __tablename__ = "recap_quote"

    id: int | None = Field(default=None, primary_key=True)
    recap_id: int = Field(foreign_key="recap.id", index=True, ondelete="CASCADE")
    speaker_id: int = Field(foreign_key="session_speaker.id", index=True, ondelete="CASCADE")
    text: str = Field(max_length=5000)
    position: int = 0
    transcript_id: int | None = Field(
        default=None, foreign_key="transcript.id", index=True, ondelete="SET NULL"
    )
    """The transcript it was picked from; empty for a typed quote, or once retention dropped it."""
    start_seconds: float | None = None
    """Where in the recording it was said; kept after its transcript is gone."""
    end_seconds: float | None = None
    first_cue: int | None = None
    """Positions of the first and last source cues in their transcript."""
    last_cue: int | None = None


class RenderedPdf(SQLModel, table=True):
    """PDF bytes rendered once and served to every download and recipient."""

    __tablename__ = "rendered_pdf"

    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(max_length=64)
    content: bytes = Field(sa_type=LargeBinary)
    pages: int
    rendered_at: datetime = instant_field(default_factory=utcnow)


class RecapVersion(SQLModel, table=True):
    """An approved, immutable snapshot of a recap: its document and, once rendered, its PDF."""

    __tablename__ = "recap_version"
    __table_args__ = (UniqueConstraint("recap_id", "number", name="uq_recap_version_number"),)

    id: int | None = Field(default=None, primary_key=True)
    recap_id: int = Field(foreign_key="recap.id", index=True, ondelete="CASCADE")
    number: int
    document: dict[str, Any] = Field(sa_type=JSON)
    """The frozen `app.recaps.document.RecapDocument`, as JSON."""
    approved_at: datetime = instant_field(default_factory=utcnow)
    approved_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    sent_at: datetime | None = instant_field(default=None, nullable=True)
    pdf_id: int | None = Field(default=None, foreign_key="rendered_pdf.id", ondelete="SET NULL")
    render_error: str = Field(default="", max_length=2000)


class ActionItem(Timestamped, table=True):
    """Something the company committed to after a session, owned by someone in the directory."""

    __tablename__ = "action_item"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="story_session.id", index=True, ondelete="CASCADE")
    description: str = Field(max_length=1000)
    owner_id: int | None = Field(
        default=None, foreign_key="person.id", index=True, ondelete="SET NULL"
    )
    due_on: date | None = None
    status: ActionStatus = Field(
        default=ActionStatus.open, sa_type=enum_type(ActionStatus), index=True
    )
    done_at: datetime | None = instant_field(default=None, nullable=True)
    customers_affected: int | None = None
    """Figures an organizer records against the item; the scorecard sums them."""
    revenue_at_risk: int | None = None
    """In whole units of the company's currency (STORYROOM_CURRENCY)."""
    revenue_saved: int | None = None
    theme_id: int | None = Field(
        default=None, foreign_key="theme.id", index=True, ondelete="SET NULL"
    )
    """The theme the item answers, so a theme's page shows what is being done about it."""


class ActionItemUpdate(SQLModel, table=True):
    """A dated note on an action item's progress, optionally changing its status."""

    __tablename__ = "action_item_update"

    id: int | None = Field(default=None, primary_key=True)
    action_item_id: int = Field(foreign_key="action_item.id", index=True, ondelete="CASCADE")
    note: str = Field(max_length=2000)
    status: ActionStatus | None = Field(
        default=None, sa_type=enum_type(ActionStatus), nullable=True
    )
    created_at: datetime = instant_field(default_factory=utcnow)
    author_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
