"""The storyteller hears back: a letter on what became of their story, and their reply."""

from datetime import datetime

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from app.models.base import Timestamped, instant_field, utcnow


class FollowUp(Timestamped, table=True):
    """A letter to one storyteller, drafted from the approved recap, reviewed, then sent."""

    __tablename__ = "follow_up"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="story_session.id", index=True, ondelete="CASCADE")
    speaker_id: int = Field(foreign_key="session_speaker.id", index=True, ondelete="CASCADE")
    recap_version_id: int | None = Field(
        default=None, foreign_key="recap_version.id", ondelete="SET NULL"
    )
    """The approved recap the draft was made from."""
    subject: str = Field(max_length=200)
    body: str = Field(default="", sa_type=Text)
    """Plain text the organizer reviewed; the email adds the reply link below it."""
    sent_at: datetime | None = instant_field(default=None, nullable=True)
    sent_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")


class FollowUpReply(SQLModel, table=True):
    """What the storyteller answered through their signed link: their weigh-in."""

    __tablename__ = "follow_up_reply"

    id: int | None = Field(default=None, primary_key=True)
    follow_up_id: int = Field(foreign_key="follow_up.id", index=True, ondelete="CASCADE")
    helped: int | None = None
    """1 (not at all) to 5 (a great deal): did what the company did help them?"""
    text: str = Field(default="", max_length=5000)
    may_quote: bool = False
    """The storyteller agreed to be quoted (as their session consent allows) in a digest."""
    created_at: datetime = instant_field(default_factory=utcnow)
    quoted_in_digest_id: int | None = Field(
        default=None, foreign_key="digest.id", ondelete="SET NULL"
    )
    """The digest that quoted it, so the next digest quotes only replies not yet quoted."""
