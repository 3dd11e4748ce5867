"""Every email Storyroom sends: one Delivery row per message, whatever domain decided to send it."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index
from sqlmodel import Field, SQLModel

from app.models.base import enum_type, instant_field, utcnow


class DeliveryKind(StrEnum):
    recap = "recap"
    recap_test = "recap_test"
    """A recap sent to the organizer alone to look at: not a delivery to its recipients."""
    digest = "digest"
    invitation = "invitation"
    cancellation = "cancellation"
    session_reminder = "session_reminder"
    recap_overdue = "recap_overdue"
    action_due = "action_due"
    commitment_due = "commitment_due"
    follow_up = "follow_up"
    """The letter to a storyteller on what became of their story."""
    scorecard = "scorecard"


class DeliveryStatus(StrEnum):
    queued = "queued"
    sending = "sending"
    sent = "sent"
    failed = "failed"


class Delivery(SQLModel, table=True):
    """One email to one recipient. The row, not the queue, is the truth about what was sent.

    `dedup_key` makes each message exist once ("recap:<version>:<email>"), so sending twice,
    re-running a sweep or a reminder job never creates a second message.
    """

    __table_args__ = (Index("ix_delivery_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: DeliveryKind = Field(sa_type=enum_type(DeliveryKind))
    dedup_key: str = Field(max_length=400, unique=True)
    to_email: str = Field(max_length=320, index=True)
    to_name: str = Field(default="", max_length=200)
    person_id: int | None = Field(
        default=None, foreign_key="person.id", index=True, ondelete="SET NULL"
    )
    list_id: int | None = Field(
        default=None, foreign_key="distribution_list.id", ondelete="SET NULL"
    )
    recap_version_id: int | None = Field(
        default=None, foreign_key="recap_version.id", index=True, ondelete="CASCADE"
    )
    digest_id: int | None = Field(
        default=None, foreign_key="digest.id", index=True, ondelete="CASCADE"
    )
    session_id: int | None = Field(
        default=None, foreign_key="story_session.id", index=True, ondelete="CASCADE"
    )
    action_item_id: int | None = Field(
        default=None, foreign_key="action_item.id", ondelete="CASCADE"
    )
    commitment_id: int | None = Field(default=None, foreign_key="commitment.id", ondelete="CASCADE")
    follow_up_id: int | None = Field(default=None, foreign_key="follow_up.id", ondelete="CASCADE")
    scorecard_id: int | None = Field(default=None, foreign_key="scorecard.id", ondelete="CASCADE")
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    """What the composer needs beyond the references (an invitation's SEQUENCE, say)."""
    status: DeliveryStatus = Field(default=DeliveryStatus.queued, sa_type=enum_type(DeliveryStatus))
    attempts: int = 0
    last_error: str = Field(default="", max_length=1000)
    next_attempt_at: datetime = instant_field(default_factory=utcnow)
    claimed_by: str = Field(default="", max_length=100)
    claimed_at: datetime | None = instant_field(default=None, nullable=True)
    sent_at: datetime | None = instant_field(default=None, nullable=True)
    read_at: datetime | None = instant_field(default=None, nullable=True)
    created_at: datetime = instant_field(default_factory=utcnow)
