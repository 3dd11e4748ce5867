"""Request and response models for invitations, RSVPs and calendar feeds."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from app.deps import Page
from app.kit.schemas import Input
from app.models import Rsvp

Id = Annotated[int, Field(ge=1, le=2_147_483_647)]


class Audience(Input):
    """Who to invite: any mix of people, levels, departments and distribution lists."""

    emails: list[Annotated[str, Field(max_length=320)]] = Field(
        default=[], max_length=5000, description="Work emails of people in the directory."
    )
    person_ids: list[Id] = Field(default=[], max_length=5000)
    levels: list[Annotated[str, Field(max_length=40)]] = Field(
        default=[], max_length=50, description='Level keys, e.g. "c-suite", "vp".'
    )
    departments: list[Annotated[str, Field(max_length=200)]] = Field(default=[], max_length=500)
    list_ids: list[Id] = Field(
        default=[], max_length=100, description="Distribution lists: their current members."
    )


class InviteRequest(Audience):
    dry_run: bool = Field(
        default=False, description="Only count who would be invited; change nothing."
    )


class InviteResult(BaseModel):
    """What an invitation did (or, with `dry_run`, would do)."""

    sessions: int
    """Sessions invited to: one, or every upcoming session of a series."""
    audience: int
    """Distinct people and addresses the audience resolved to."""
    invited: int
    """New invitations (one per person and session); each sends one email."""
    already_invited: int
    """Person-session pairs that were invited before: nothing is sent to them again."""
    dry_run: bool


class InvitationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    session_id: int
    person_id: int | None
    email: str
    name: str
    rsvp: Rsvp
    responded_at: datetime | None
    invited_at: datetime


class RsvpCounts(BaseModel):
    invited: int = 0
    accepted: int = 0
    tentative: int = 0
    declined: int = 0
    needs_action: int = 0
    """Invited but not yet answered."""


class InvitationPage(Page[InvitationRead]):
    """One page of a session's invitations, and the answers across all of them."""

    counts: RsvpCounts


class CalendarFeedRead(BaseModel):
    """The signed-in user's calendar feed. `url` is shown only once, when it is created."""

    active: bool
    created_at: datetime | None = None
    last_used_at: datetime | None = None
    url: str | None = None
    """`…/sessions.ics`: every session; replace `sessions` with `series/<id>` for one series."""
