"""Request and response shapes for storyteller follow-ups and their replies."""

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from app.deps import MAX_ID
from app.kit.schemas import Input
from app.models import Consent
from app.story_sessions.schemas import check_speaker_email

MAX_SUBJECT_CHARS = 200
MAX_BODY_CHARS = 20_000
MAX_REPLY_CHARS = 5_000

Subject = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_SUBJECT_CHARS)
]
Body = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_BODY_CHARS),
    Field(description="Plain text; the email adds the storyteller's reply link below it."),
]
SpeakerEmail = Annotated[str, Field(max_length=320), AfterValidator(check_speaker_email)]
Rating = Annotated[int, Field(ge=1, le=5, description="1 (not at all) to 5 (a great deal).")]


class FollowUpCreate(Input):
    """A new draft, written from the session's approved recap unless a subject or body is sent."""

    speaker_id: Annotated[int, Field(ge=1, le=MAX_ID)] | None = Field(
        default=None,
        description="The storyteller to write to; without it, the session's only speaker "
        "(or its only one with an address).",
    )
    subject: Subject | None = None
    body: Body | None = None


class FollowUpPatch(Input):
    """Fields to change on a draft; absent fields stay."""

    subject: Subject | None = None
    body: Body | None = None
    speaker_email: SpeakerEmail | None = Field(
        default=None,
        description="The storyteller's address, kept on the session's speaker (also once the "
        "session is completed, when its speakers are otherwise closed); empty removes it.",
    )


class ReplyCreate(Input):
    """What the storyteller answers through their link (the public page posts this)."""

    helped: Rating | None = None
    text: Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_REPLY_CHARS)] = ""
    may_quote: bool = False


class ReplyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    follow_up_id: int
    helped: int | None
    helped_label: str = Field(description="The rating in words, e.g. “It helped a lot”.")
    text: str
    may_quote: bool
    created_at: datetime
    quoted_in_digest_id: int | None


class FollowUpRead(BaseModel):
    id: int
    session_id: int
    session_title: str
    speaker_id: int
    speaker_name: str
    speaker_email: str
    speaker_consent: Consent
    recap_version: int | None = Field(description="The approved recap version it was drafted from.")
    subject: str
    body: str
    status: str = Field(description="draft or sent.")
    sent_at: datetime | None
    sent_by: str
    delivery_status: str | None = Field(description="queued, sending, sent or failed, once sent.")
    created_at: datetime
    updated_at: datetime
    replies: int


class DigestReply(BaseModel):
    """A storyteller's reply as a digest quotes it: attributed as their consent allows."""

    reply_id: int
    session_title: str
    text: str
    attribution: str
    helped: int | None
    helped_label: str
