"""Suggestions from a transcript, computed here and deterministically: no network, no model.

Candidate quotes, candidate themes and a draft summary of the customer's part. They are shown
to the organizer and never sent without review.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from pydantic import BaseModel


@dataclass(frozen=True, slots=True)
class CueText:
    position: int
    speaker: str
    """The speaker's label as the transcript writes it."""
    start_seconds: float
    end_seconds: float
    text: str


class QuoteSuggestion(BaseModel):
    speaker: str
    first_cue: int
    last_cue: int
    """Positions of the consecutive cues of one speaker the passage is made of."""
    start_seconds: float
    end_seconds: float
    text: str
    """The passage trimmed to complete sentences."""
    why: str
    """For the organizer: "a complete thought, strongly negative, names 'invoices'"."""
    score: float


class ThemeSuggestion(BaseModel):
    name: str
    theme_id: int | None
    """The organisation's existing theme this phrase matched, so vocabulary converges."""
    why: str
    score: float


class Suggestions(BaseModel):
    quotes: list[QuoteSuggestion] = []
    themes: list[ThemeSuggestion] = []
    summary: str = ""
    """A few extractive sentences of the customer's part, for the organizer to edit."""
    summary_cues: list[int] = []


def suggest(
    cues: Sequence[CueText],
    *,
    customer_speakers: Collection[str],
    themes: Sequence[tuple[int, str]],
) -> Suggestions:
    """Quotes, themes and a summary from the cues spoken by `customer_speakers` (labels);
    `themes` are the organisation's existing (id, name) pairs."""
    raise NotImplementedError  # filled in by the suggestions work
