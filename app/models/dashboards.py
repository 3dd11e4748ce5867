from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel

from app.models.base import enum_type, instant_field, utcnow


class EngagementStage(StrEnum):
    """The ladder CX leaders use, from least to most engaged."""

    ignorance = "ignorance"
    skepticism = "skepticism"
    buy_in = "buy_in"
    commitment = "commitment"
    action = "action"


class LeaderStage(SQLModel, table=True):
    """An organizer's word on one leader: a stage that overrides the computed one, a target."""

    __tablename__ = "leader_stage"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("person.id", ondelete="CASCADE"),
            unique=True,
            nullable=False,
        )
    )
    override_stage: EngagementStage | None = Field(
        default=None, sa_type=enum_type(EngagementStage), nullable=True
    )
    target_stage: EngagementStage | None = Field(
        default=None, sa_type=enum_type(EngagementStage), nullable=True
    )
    updated_at: datetime = instant_field(default_factory=utcnow)
    updated_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
