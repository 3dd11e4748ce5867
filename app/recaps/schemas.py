"""Request and response shapes for recaps, quotes, themes and action items."""

from datetime import date, datetime
from typing import Annotated, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from app.deps import MAX_ID
from app.kit.schemas import Input
from app.models import ActionStatus, Consent, RecapStatus
from app.story_sessions.schemas import SpeakerRead

MAX_QUOTE_CHARS = 2_000
MAX_THEMES = 20
MAX_THEME_CHARS = 80
MAX_NOTE_CHARS = 2_000
MAX_DESCRIPTION_CHARS = 1_000


def _check_summary(value: str) -> str:
    # Checked here (not with max_length) so the message says what to do about it.
    from app.recaps.markdown import MAX_SUMMARY_CHARS

    if len(value) > MAX_SUMMARY_CHARS:
        raise ValueError(
            f"The summary is {len(value):,} characters long; the limit is "
            f"{MAX_SUMMARY_CHARS:,}. Shorten it: executives read the first page."
        )
    return value


Summary = Annotated[
    str, AfterValidator(_check_summary), Field(description="Markdown, at most 100,000 characters.")
]
ThemeName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_THEME_CHARS)
]
QuoteText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_QUOTE_CHARS)
]
Description = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_DESCRIPTION_CHARS)
]
Note = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NOTE_CHARS)
]
RowId = Annotated[int, Field(ge=1, le=MAX_ID)]
MAX_FIGURE = 10**12
Figure = Annotated[
    int,
    Field(
        ge=0,
        le=MAX_FIGURE,
        description="A whole number, not negative; amounts in whole units "
        "of the company's currency (STORYROOM_CURRENCY).",
    ),
]


class RecapUpdate(Input):
    """The recap's summary and themes; `themes` omitted keeps them, a list replaces them."""

    summary: Summary
    themes: list[ThemeName] | None = Field(default=None, max_length=MAX_THEMES)


SpeakerName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


MAX_QUOTE_CUES = 40


class QuoteCues(Input):
    """Consecutive cues of one speaker in a transcript of this session, by their positions."""

    transcript_id: RowId
    first: int = Field(ge=1, le=1_000_000, description="The first cue's position (1, 2, 3…).")
    last: int = Field(ge=1, le=1_000_000, description="The last cue's position, inclusive.")

    @model_validator(mode="after")
    def _in_order(self) -> Self:
        if self.last < self.first:
            raise ValueError(
                f"The last cue ({self.last}) comes before the first ({self.first}): give them "
                "in the order of the transcript"
            )
        if self.last - self.first + 1 > MAX_QUOTE_CUES:
            raise ValueError(
                f"A quote is at most {MAX_QUOTE_CUES} cues long; this asks for "
                f"{self.last - self.first + 1}. Pick the passage that says it best"
            )
        return self


class QuoteCreate(Input):
    """A speaker of this session whose consent allows quoting, named by id or by name; or a
    passage of a transcript (`cues`), whose speaker must be one of the session's storytellers.
    """

    speaker_id: RowId | None = Field(
        default=None, description="The id of one of the session's `speakers`."
    )
    speaker_name: SpeakerName | None = Field(
        default=None,
        description="Or the name of one of the session's speakers (case does not matter).",
    )
    text: QuoteText | None = Field(
        default=None, description="Required, unless `cues` gives the words (then it replaces them)."
    )
    cues: QuoteCues | None = Field(
        default=None,
        description="The transcript passage quoted: its speaker, words and timestamp are kept.",
    )

    @model_validator(mode="after")
    def _one_speaker(self) -> Self:
        if self.cues is not None:
            if self.speaker_id is not None or self.speaker_name is not None:
                raise ValueError(
                    "A quote from the transcript takes its speaker from the cues: send cues "
                    "without speaker_id or speaker_name"
                )
            return self
        if (self.speaker_id is None) == (self.speaker_name is None):
            raise ValueError(
                "Name the speaker one way: send speaker_id (from the session's speakers) or "
                "speaker_name, exactly one of the two"
            )
        if self.text is None:
            raise ValueError("Send the quote's text (or cues of a transcript to quote)")
        return self


class QuoteUpdate(Input):
    speaker_id: RowId | None = None
    speaker_name: SpeakerName | None = Field(
        default=None, description="Another speaker by name, instead of `speaker_id`."
    )
    text: QuoteText | None = None
    position: int | None = Field(default=None, ge=0, le=1000)

    @model_validator(mode="after")
    def _one_speaker(self) -> Self:
        if self.speaker_id is not None and self.speaker_name is not None:
            raise ValueError("Send speaker_id or speaker_name, not both")
        return self


class QuoteRead(BaseModel):
    id: int
    speaker_id: int
    speaker_name: str
    consent: Consent
    text: str
    attribution: str
    """As the recap prints it, following the speaker's consent."""
    position: int
    transcript_id: int | None = None
    """The transcript it was picked from, when it was."""
    start_seconds: float | None = None
    """Where in the recording it was said."""
    end_seconds: float | None = None
    first_cue: int | None = None
    last_cue: int | None = None


class QuestionCreate(Input):
    """A question asked in the session's chat: the chat's id and the message's position (as
    `GET …/transcripts/{tid}/cues` lists them)."""

    transcript_id: RowId
    position: int = Field(ge=1, le=1_000_000)


class QuestionRead(BaseModel):
    id: int
    text: str
    asked_by: str
    """As the recap prints it: the asker's name and level, their chat name, or ""."""
    person_id: int | None
    cue_id: int | None
    position: int


class RecapRead(BaseModel):
    """A session's working recap; `id` is null until the first edit creates it."""

    id: int | None
    session_id: int
    session_title: str
    status: RecapStatus
    latest_version: int
    """The number of the latest approved version; 0 before the first approval."""
    summary: str
    summary_html: str
    themes: list[str]
    speakers: list[SpeakerRead]
    """The session's speakers: who a quote can name (by `id`), and their consent."""
    quotes: list[QuoteRead]
    action_items: int
    updated_at: datetime | None


class ThemeRead(BaseModel):
    id: int
    name: str
    recaps: int
    """How many recaps use it."""
    customers_affected: int | None = None
    revenue_at_risk: int | None = None


class ThemeFigures(Input):
    """Figures recorded against a theme (the scorecard sums them); null clears one."""

    customers_affected: Figure | None = None
    revenue_at_risk: Figure | None = None


class VersionRead(BaseModel):
    number: int
    approved_at: datetime
    approved_by: str
    sent_at: datetime | None
    pdf_ready: bool
    render_error: str


class RecapListItem(BaseModel):
    session_id: int
    session_title: str
    starts_at: datetime
    timezone: str
    customer: str
    status: RecapStatus
    latest_version: int
    updated_at: datetime


class ActionItemCreate(Input):
    description: Description
    owner_id: RowId | None = None
    owner_email: str | None = Field(default=None, max_length=320)
    """Either the owner's person id or their work email; neither leaves it unassigned."""
    due_on: date | None = None
    """Not in the past."""
    status: ActionStatus = ActionStatus.open
    customers_affected: Figure | None = None
    revenue_at_risk: Figure | None = None
    revenue_saved: Figure | None = None
    theme_id: RowId | None = Field(
        default=None, description="The theme the item answers, by id (see GET /themes)."
    )
    theme: ThemeName | None = Field(
        default=None,
        description="Or by name: an existing theme (case does not matter), else a new one.",
    )

    @model_validator(mode="after")
    def _one_theme(self) -> Self:
        if self.theme_id is not None and self.theme is not None:
            raise ValueError("Name the theme one way: send theme_id or theme, not both")
        return self


class ActionItemPatch(Input):
    """Fields to change; a status change is also recorded as a dated update."""

    description: Description | None = None
    owner_id: RowId | None = None
    owner_email: str | None = Field(default=None, max_length=320)
    unassign: bool = False
    """True removes the owner."""
    due_on: date | None = None
    clear_due_on: bool = False
    status: ActionStatus | None = None
    customers_affected: Figure | None = None
    """The figures: left out, unchanged; null clears one."""
    revenue_at_risk: Figure | None = None
    revenue_saved: Figure | None = None
    theme_id: RowId | None = None
    theme: ThemeName | None = Field(
        default=None, description="Another theme by name (made when no theme has it)."
    )
    clear_theme: bool = False
    """True files the item under no theme."""

    @model_validator(mode="after")
    def _one_theme(self) -> Self:
        if sum((self.theme_id is not None, self.theme is not None, self.clear_theme)) > 1:
            raise ValueError("Send one of theme_id, theme or clear_theme")
        return self


class ActionUpdateCreate(Input):
    note: Note
    status: ActionStatus | None = None
    """Optionally change the item's status with this update."""


class ActionUpdateRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    note: str
    status: ActionStatus | None
    created_at: datetime
    author: str


class OwnerRef(BaseModel):
    id: int
    name: str
    email: str


class ThemeRef(BaseModel):
    id: int
    name: str


class ActionItemRead(BaseModel):
    id: int
    session_id: int
    session_title: str
    session_starts_at: datetime
    description: str
    owner: OwnerRef | None
    due_on: date | None
    status: ActionStatus
    overdue: bool
    done_at: datetime | None
    created_at: datetime
    latest_update: ActionUpdateRead | None
    customers_affected: int | None = None
    revenue_at_risk: int | None = None
    revenue_saved: int | None = None
    theme: ThemeRef | None = None
    """The theme the item answers, if it is filed under one."""


class ActionItemDetail(ActionItemRead):
    updates: list[ActionUpdateRead]
    """Newest first."""


class ActionItemFilters(BaseModel):
    session_id: RowId | None = None
    status: ActionStatus | None = None
    open: bool | None = None
    """True: open or in progress; False: done."""
    owner_id: RowId | None = None
    overdue: bool | None = None
    theme_id: RowId | None = None
