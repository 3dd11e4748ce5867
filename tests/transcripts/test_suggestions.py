"""Suggestions from a transcript: quotes, themes and a draft summary, computed locally."""

import itertools
import re
import socket

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.transcripts import suggestions
from app.transcripts.suggestions import CueText, Suggestions, match_theme, suggest
from tests.transcripts.story import (
    CUSTOMERS,
    DANA,
    INVOICES_PASSAGE,
    LUIS,
    PRIYA,
    STORY,
    story_cues,
)

THEMES = [(1, "Billing"), (2, "Onboarding"), (3, "Support response time"), (4, "Mobile app")]


def story_suggestions(themes: list[tuple[int, str]] = THEMES) -> Suggestions:
    return suggest(story_cues(), customer_speakers=CUSTOMERS, themes=themes)


def cues(*lines: tuple[str, str]) -> list[CueText]:
    return [
        CueText(position=i, speaker=s, start_seconds=i * 5.0, end_seconds=i * 5.0 + 4, text=t)
        for i, (s, t) in enumerate(lines, start=1)
    ]


def test_first_quote_is_the_strongly_negative_passage_about_invoices() -> None:
    first = story_suggestions().quotes[0]

    assert (first.speaker, first.first_cue, first.last_cue) == (DANA, 16, 18)
    assert (first.start_seconds, first.end_seconds) == (95.5, 116.0)
    assert first.text == "Then the billing started, and that is where things went wrong. " + (
        INVOICES_PASSAGE
    )
    assert first.why == (
        "complete thought, the whole answer · strongly negative · first-hand · "
        "mentions “billing”, “invoices”, “three months”, “three weeks”"
    )


def test_quotes_are_five_ordered_by_score_and_do_not_overlap() -> None:
    quotes = story_suggestions().quotes

    assert [(q.first_cue, q.last_cue) for q in quotes] == [
        (16, 18),
        (44, 45),
        (11, 12),
        (20, 23),
        (40, 41),
    ]
    assert [q.score for q in quotes] == sorted((q.score for q in quotes), reverse=True)
    ranges = sorted((q.first_cue, q.last_cue) for q in quotes)
    assert all(a[1] < b[0] for a, b in itertools.pairwise(ranges))


def test_quotes_never_contain_filler() -> None:
    texts = " ".join(q.text.casefold() for q in story_suggestions().quotes)

    for filler in ("see my screen", "on mute", "hear me", "next slide", "thanks for having"):
        assert filler not in texts


def test_a_quote_is_made_of_consecutive_cues_of_one_customer_speaker() -> None:
    for quote in story_suggestions().quotes:
        speakers = {STORY[p - 1][0] for p in range(quote.first_cue, quote.last_cue + 1)}
        assert speakers == {quote.speaker}
        assert quote.speaker in CUSTOMERS


def test_a_quote_is_trimmed_to_whole_sentences() -> None:
    # The turn starts mid-sentence and stops mid-sentence: only the whole sentences are kept.
    result = suggest(
        cues(
            ("Host", "What happened next?"),
            ("Ana", "and then it broke. We lost a whole week of deliveries because the invoices"),
            ("Ana", "froze our account and nobody at support picked up the phone for days."),
            ("Ana", "It was the worst week we"),
            ("Host", "Sorry to hear that."),
        ),
        customer_speakers={"Ana"},
        themes=[],
    )

    assert [(q.text, q.first_cue, q.last_cue) for q in result.quotes] == [
        (
            "We lost a whole week of deliveries because the invoices froze our account and "
            "nobody at support picked up the phone for days.",
            2,
            3,
        )
    ]


def test_every_quote_starts_a_sentence_and_ends_one() -> None:
    for quote in story_suggestions().quotes:
        assert re.match(r"[A-Z]", quote.text)
        assert quote.text.endswith((".", "!", "?"))
        said = " ".join(STORY[p - 1][3] for p in range(quote.first_cue, quote.last_cue + 1))
        assert quote.text in said


def test_an_existing_theme_comes_first_with_its_id_and_name() -> None:
    themes = story_suggestions().themes

    assert [(t.name, t.theme_id, t.why) for t in themes[:2]] == [
        ("Billing", 1, "you already use this theme; said 9 times"),
        ("Onboarding", 2, "you already use this theme; said 3 times"),
    ]


def test_new_themes_come_after_existing_ones_at_most_six() -> None:
    themes = story_suggestions().themes

    # "Mobile app" for the customer's "app": the two share half their words.
    assert [(t.name, t.theme_id) for t in themes] == [
        ("Billing", 1),
        ("Onboarding", 2),
        ("Mobile app", 4),
        ("Invoices", None),
        ("Route planning", None),
        ("Support", None),
    ]
    assert themes[3].why == "a new theme: a key phrase of what the customer said, 9 times"


def test_without_existing_themes_phrases_are_new_and_not_near_duplicates() -> None:
    names = [t.name for t in story_suggestions(themes=[]).themes]

    assert names == [
        "Billing",
        "Invoices",
        "Route planning",
        "Onboarding",
        "Dispatchers",
        "Drivers",
    ]
    # Neither "Billing support" beside "Billing" nor a speaker's name, a month or a feeling.
    assert not {"Billing support", "Route", "Dana", "Northwind", "June", "Wrong"} & set(names)


def test_a_phrase_matches_the_theme_whose_words_it_says() -> None:
    existing = [(1, "Billing"), (2, "Invoices"), (3, "Support response time"), (4, "Onboarding")]

    assert match_theme("billing", existing) == (1, "Billing")
    assert match_theme("invoices billing", existing) == (1, "Billing")
    assert match_theme("billing process", existing) == (1, "Billing")
    assert match_theme("Invoicing", existing) == (2, "Invoices")
    assert match_theme("the invoice", existing) == (2, "Invoices")
    assert match_theme("support response times", existing) == (3, "Support response time")
    assert match_theme("support", existing) is None
    assert match_theme("route planning", existing) is None


def test_an_existing_theme_is_suggested_for_the_billing_phrases() -> None:
    themes = story_suggestions(themes=[(9, "Invoices billing"), (1, "Billing")]).themes

    assert [(t.name, t.theme_id) for t in themes if t.theme_id is not None] == [
        ("Billing", 1),
        ("Invoices billing", 9),
    ]


def test_suggestions_are_deterministic() -> None:
    first = story_suggestions()
    shuffled = list(reversed(story_cues()))

    assert story_suggestions() == first
    assert suggest(shuffled, customer_speakers=CUSTOMERS, themes=THEMES) == first


def test_the_summary_is_the_customers_sentences_in_the_order_spoken() -> None:
    result = story_suggestions()

    assert result.summary == (
        "Your onboarding team had us live in two weeks. I wasted two full days every month "
        "checking each invoice line by hand. My dispatchers plan a whole day of routes in twenty "
        "minutes instead of two hours. The route planning is excellent, I have nothing but "
        "praise for the product itself. And a billing support line that answers within two "
        "days, not three weeks."
    )
    assert result.summary_cues == [11, 21, 41, 42, 45]
    assert {STORY[p - 1][0] for p in result.summary_cues} <= CUSTOMERS
    spoken = " ".join(STORY[p - 1][3] for p in result.summary_cues)
    sentences = re.split(r"(?<=[.!?]) ", result.summary)
    positions = [spoken.index(s) for s in sentences]
    assert positions == sorted(positions)


def test_nothing_to_suggest_from_empty_or_tiny_input() -> None:
    assert suggest([], customer_speakers=CUSTOMERS, themes=THEMES) == Suggestions()
    assert suggest(story_cues(), customer_speakers=set(), themes=THEMES) == Suggestions()
    assert suggest(story_cues(), customer_speakers={"Nobody"}, themes=THEMES) == Suggestions()
    assert suggest(cues((DANA, "Hi.")), customer_speakers={DANA}, themes=THEMES) == Suggestions()
    assert suggest(cues((DANA, "   ")), customer_speakers={DANA}, themes=[]) == Suggestions()


def test_a_customer_who_only_says_filler_gets_no_quotes() -> None:
    result = suggest(
        cues(
            (LUIS, "Hi everyone, thanks for having me. Can you see my screen now, everyone?"),
            (PRIYA, "Yes we can."),
            (LUIS, "Sorry, I was on mute. Can you hear me? Let me share my screen again."),
        ),
        customer_speakers={LUIS},
        themes=[],
    )

    assert result.quotes == []
    assert result.summary == ""


def test_quote_text_is_kept_as_said_markup_and_all() -> None:
    said = (
        "Our <b>invoices</b> were wrong for three months and it cost our finance team "
        "two full weeks of work every single quarter."
    )
    result = suggest(cues((DANA, said)), customer_speakers={DANA}, themes=[])

    assert [q.text for q in result.quotes] == [said]


def test_suggestions_load_their_libraries_without_the_network(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("suggestions tried to open a network connection")

    # Loaded afresh, as in a new process: the lexicon and stopwords are files of the packages.
    monkeypatch.setattr(suggestions, "_vader", None)
    monkeypatch.setattr(suggestions, "_yake", None)
    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)

    assert story_suggestions().quotes[0].first_cue == 16


SPEAKERS = st.sampled_from([DANA, LUIS, PRIYA, ""])
WORDS = st.sampled_from(
    ["invoices", "billing", "we", "I", "three weeks", "40%", "um", "great", "terrible", "the"]
)
TEXTS = st.one_of(
    st.text(max_size=80),
    st.lists(WORDS, min_size=1, max_size=30).map(" ".join).map(lambda t: t + "."),
    st.sampled_from([s for _, _, _, s in STORY]),
)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(st.tuples(SPEAKERS, TEXTS), max_size=25))
def test_any_cues_give_suggestions_that_keep_their_promises(lines: list[tuple[str, str]]) -> None:
    given_cues = cues(*lines)
    result = suggest(given_cues, customer_speakers=CUSTOMERS, themes=THEMES)

    assert len(result.quotes) <= 5
    assert len(result.themes) <= 6
    chosen: list[tuple[int, int]] = []
    for quote in result.quotes:
        spoken = given_cues[quote.first_cue - 1 : quote.last_cue]
        assert {cue.speaker for cue in spoken} == {quote.speaker} <= CUSTOMERS
        assert len(re.findall(r"[^\W\d_]+|\d+", quote.text)) >= 12
        assert quote.text.endswith((".", "!", "?"))
        assert all(quote.last_cue < a or b < quote.first_cue for a, b in chosen)
        chosen.append((quote.first_cue, quote.last_cue))
    existing = [t.theme_id is not None for t in result.themes]
    assert existing == sorted(existing, reverse=True)
    assert {given_cues[p - 1].speaker for p in result.summary_cues} <= CUSTOMERS
    assert suggest(given_cues, customer_speakers=CUSTOMERS, themes=THEMES) == result


def test_a_transcript_without_punctuation_still_gets_themes_but_no_quotes() -> None:
    # Some recordings are transcribed without a full stop: each turn is one long "sentence".
    turn = " ".join(
        f"the billing team sent invoices late again in week {i} and our finance team waited"
        for i in range(250)
    )
    result = suggest(cues((DANA, turn)), customer_speakers={DANA}, themes=[(1, "Billing")])

    assert result.quotes == []
    assert result.summary == ""
    assert [(t.name, t.theme_id) for t in result.themes][:1] == [("Billing", 1)]


def test_times_of_day_and_generic_nouns_are_never_themes() -> None:
    said = [
        "This afternoon our site lost power, and the site manager called support twice.",
        "Every afternoon the site waits for the courier, and the courier never calls ahead.",
        "By the afternoon the site team has given up on courier updates for the day.",
    ]
    cues = [
        CueText(position=n, speaker=DANA, start_seconds=n * 10.0, end_seconds=n * 10.0 + 9, text=t)
        for n, t in enumerate(said, start=1)
    ]

    themes = [
        theme.name.casefold() for theme in suggest(cues, customer_speakers={DANA}, themes=[]).themes
    ]

    assert themes == ["courier"]  # not "afternoon the site"
