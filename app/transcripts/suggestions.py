"""Suggestions from a transcript, computed here and deterministically: no network, no model.

Candidate quotes, candidate themes and a draft summary of the customer's part. They are shown
to the organizer and never sent without review.

Key phrases come from YAKE (statistical, stopword lists inside the package) and sentiment from
VADER (a lexicon inside the package); both are loaded once per process, on first use.
"""

import bisect
import heapq
import math
import re
import threading
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

if TYPE_CHECKING:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer


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
    mentions: int = 0
    """How many times the customer said it (the phrase, or the theme's words)."""


class Suggestions(BaseModel):
    quotes: list[QuoteSuggestion] = []
    themes: list[ThemeSuggestion] = []
    summary: str = ""
    """A few extractive sentences of the customer's part, for the organizer to edit."""
    summary_cues: list[int] = []


QUOTES = 5
THEMES = 6
SUMMARY_MIN, SUMMARY_MAX = 3, 5
QUOTE_WORDS = (12, 60)
QUOTE_CUES = 4
SUMMARY_WORDS = (8, 40)
KEY_PHRASES = 60
SALIENT_PHRASES = 20
KEY_PHRASE_WORDS = 2000
"""YAKE costs about 25 ms per 1,000 words: a long session's key phrases come from its most
salient sentences, up to this many words (75–150 ms on a shared 2-core machine)."""
SENTIMENT_WEIGHT = 2.5
MIN_QUOTE_SCORE = 1.5
"""A passage of whole sentences scores 1; it must say something more to be suggested."""
VADER_ALPHA = 15  # vaderSentiment.normalize's alpha: compound = s / sqrt(s² + alpha)


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_LETTER = re.compile(r"[^\W\d_]")
_WORD = re.compile(r"\$?\d+(?:[.,]\d+)*%?|[^\W\d_]+(?:['’][^\W\d_]+)*")
_BOUNDARY = re.compile(r"[.!?]+[\"”’')\]]*(?=\s+[^\sa-z]|\s*$)")
_QUANTITY_STARTS = _word_set(
    """a an one two three four five six seven eight nine ten eleven twelve fifteen twenty
    thirty forty fifty sixty ninety hundred hundreds thousand thousands million millions few
    several couple half"""
)
_QUANTITY_WORDS = _QUANTITY_STARTS | {"of", "whole", "full", "extra", "more"}
_FILLER = re.compile(
    r"(?i)\b(?:can (?:you|everyone|everybody) (?:all )?(?:see|hear) (?:my|me|it|this|that)\b"
    r"|see my screen|share my screen|sharing my screen|let me (?:just )?share"
    r"|(?:you'?re|you are|i'?m|i was|you were) (?:still )?(?:on )?mute|unmute|next slide"
    r"|breaking up|(?:my|your) (?:audio|camera|video|mic|microphone|connection|wifi|internet)\b"
    r"|is (?:this|that|it) (?:recording|working)|thanks? (?:you )?(?:so much |very much )?"
    r"for (?:having|inviting) (?:me|us)|(?:nice|good|great) to (?:meet|see) you"
    r"|see you (?:all|everyone|next)|bye\b)"
)
_FILLER_KEYS = _word_set(
    """see hear screen share sharing mute unmute slide breaking audio camera video mic
    microphone connection wifi internet recording working having inviting meet bye"""
)
"""A sentence without one of these words cannot match _FILLER: most are spared the regex."""
_FILLER_ONLY = re.compile(
    r"(?i)^\W*(?:hi|hello|hey|good (?:morning|afternoon|evening)|thanks|thank you|okay|ok"
    r"|alright|all right|yeah|yes|no|sure|cool|great|perfect|awesome|right|so)\b\W*"
    r"(?:(?:everyone|everybody|all|guys|folks|so much|very much|again)\W*)*$"
)
_DISFLUENCY = re.compile(r"(?i)\b(?:u+m+|u+h+|erm|uhm|hmm+|you know|i mean)\b|,\s*like\b")
_DISFLUENCY_HINT = re.compile(r"um|uh|erm|hm|know|mean|like")
"""A sentence without one of these cannot match _DISFLUENCY: one quick scan spares most."""
_UNIT_WORDS = _word_set(
    """second seconds minute minutes hour hours day days week weeks month months year years
    quarter quarters times percent dollars euros people customers users tickets invoices calls
    emails clicks steps k m million thousand"""
)
_FIRST_PERSON = _word_set(
    "i me my mine myself we us our ours ourselves i'm i've i'd i'll we're we've we'd we'll"
)
_FILLER_WORDS = _word_set(
    """um uh erm hmm yeah yep okay ok oh gonna wanna gotta kinda sorta like know mean think
    guess really actually basically literally just thing things stuff lot lots kind sort
    right yes well pretty sure great good thanks thank hi hello hey screen mute slide slides
    today question questions everyone everybody guys folks bit way maybe probably honestly
    definitely absolutely obviously totally super cool awesome nice said say saying talk
    talking went go going got get getting come came let look looking see seen back"""
)
_GENERIC_WORDS = _word_set(
    """time times day days week weeks month months year years team teams company companies
    customer customers work part point end side story lot people person one two first last
    start beginning moment case example place number numbers sense idea site sites
    thing things way ways bit kind morning afternoon evening night today tomorrow yesterday"""
)
_VERBS = _word_set(
    """tell tells telling told say says saying said notice notices noticing remember remembers
    change changes changing dropped drop drops hope hopes hoping improve improves improving
    work works working call calls calling spend spends spending spent fix fixes fixing broke
    break breaks breaking keep keeps keeping kept take takes taking took make makes making made
    give gives giving gave want wants wanting need needs needing try tries trying ask asks
    asking start starts starting happen happens happening feel feels feeling felt think thinks
    thought knew knows see sees saw use uses using move moves moving find finds finding found
    help helps helping love loves loving hate hates like likes wait waits waiting cost costs
    lose loses losing lost pay pays paying paid send sends sending sent answer answers owned
    own owns cancel cancels renew renews run runs running ran become became seem seems seemed
    mean means meant put puts getting gets got understand understood build built buy bought"""
)
"""Without a part-of-speech tagger: a theme neither starts nor ends with a common verb."""
_NOT_PARTICIPLES = _word_set("speed feed seed need bed red shed shred")
_CALENDAR_WORDS = _word_set(
    """january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday"""
)
_NUMBER_TOKENS = _word_set(
    """one two three four five six seven eight nine ten eleven twelve fifteen twenty thirty
    forty fifty sixty hundred thousand million half few several couple"""
)
_TOPIC_FEELINGS = _word_set(
    """support help care trust security safety value quality credit free growth success problem
    problems risk delay delays pain freedom"""
)
"""Words VADER gives a feeling to that still name a topic, so they stay key phrases."""
_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "es", "ed", "s", "e")


@cache
def stem(word: str) -> str:
    """A crude, stable stem so "invoice", "invoices" and "invoicing" compare equal."""
    word = word.casefold().replace("’", "'").removesuffix("'s")
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith("ss"):
                continue
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def _tokens(text: str) -> list[str]:
    return _WORD.findall(text)


_vader: "SentimentIntensityAnalyzer | None" = None
_yake: Any = None
_lock = threading.Lock()


def _sentiment_analyzer() -> "SentimentIntensityAnalyzer":
    global _vader  # one lexicon per process, loaded on first use
    if _vader is None:
        with _lock:
            if _vader is None:
                from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

                _vader = SentimentIntensityAnalyzer()
    return _vader


def _key_phrase_extractor() -> Any:
    global _yake  # importing YAKE (networkx) costs ~150 ms: once, when needed
    if _yake is None:
        with _lock:
            if _yake is None:
                import yake

                _yake = yake.KeywordExtractor(lan="en", n=3, top=KEY_PHRASES)
    return _yake


def _stopwords() -> frozenset[str]:
    return frozenset(_key_phrase_extractor().stopword_set)


@dataclass(slots=True)
class _Sentence:
    text: str
    run: int
    first_cue: int
    """Index into the cue list of the cue the sentence starts in, and of the one it ends in."""
    last_cue: int
    complete: bool
    """Starts at a sentence start and ends with . ! or ?"""
    words: int
    stems: tuple[str, ...]
    is_question: bool
    is_filler: bool
    disfluencies: int
    first_person: bool
    numbers: tuple[str, ...]
    phrases: dict[int, str] = field(default_factory=dict)
    """Key phrase index → the words the sentence says it with."""
    sentiment: float | None = None
    """VADER's summed valence, computed only for sentences a top passage might contain."""


@dataclass(frozen=True, slots=True)
class _Phrase:
    text: str
    stems: tuple[str, ...]
    rank: int


def _split_runs(cues: Sequence[CueText], customers: Collection[str]) -> list[list[int]]:
    """Maximal runs of consecutive cues of one customer speaker, as indexes into `cues`."""
    runs: list[list[int]] = []
    previous = None
    for index, cue in enumerate(cues):
        if cue.speaker not in customers or not cue.text.strip():
            previous = None
            continue
        if previous == cue.speaker and runs:
            runs[-1].append(index)
        else:
            runs.append([index])
        previous = cue.speaker
    return runs


def _sentences(cues: Sequence[CueText], runs: list[list[int]]) -> list[_Sentence]:
    """Each run's text split into sentences, each knowing the cues it spans."""
    sentences: list[_Sentence] = []
    for run_number, run in enumerate(runs):
        parts = [cues[i].text.strip() for i in run]
        offsets: list[int] = []
        length = 0
        for part in parts:
            offsets.append(length)
            length += len(part) + 1
        text = " ".join(parts)
        start = 0
        ends = [m.end() for m in _BOUNDARY.finditer(text)]
        if not ends or ends[-1] < len(text.rstrip()):
            ends.append(len(text))
        for end in ends:
            while start < end and text[start].isspace():
                start += 1
            if start >= end:
                continue
            sentence = text[start:end].strip()
            letter = _LETTER.search(sentence)
            begins = letter is not None and not letter.group(0).islower()
            ends_well = sentence.rstrip("\"”’')]").endswith((".", "!", "?"))
            surfaces = _tokens(sentence)
            lowered = [w.casefold().replace("’", "'") for w in surfaces]
            words = set(lowered)
            folded = sentence.casefold().replace("’", "'")
            sentences.append(
                _Sentence(
                    text=sentence,
                    run=run_number,
                    first_cue=run[bisect.bisect_right(offsets, start) - 1],
                    last_cue=run[bisect.bisect_right(offsets, end - 1) - 1],
                    complete=begins and ends_well,
                    words=len(surfaces),
                    stems=tuple(map(stem, lowered)),
                    is_question=sentence.rstrip("\"”’')]").endswith("?"),
                    is_filler=_is_filler(folded, words, len(surfaces)),
                    disfluencies=len(_DISFLUENCY.findall(folded))
                    if _DISFLUENCY_HINT.search(folded)
                    else 0,
                    first_person=not words.isdisjoint(_FIRST_PERSON),
                    numbers=tuple(_numbers(surfaces, lowered)),
                )
            )
            start = end
    return sentences


def _numbers(surfaces: list[str], lowered: list[str]) -> list[str]:
    """Figures and durations as said: "40%", "$1.5 million", "three weeks", "a whole quarter"."""
    found: list[str] = []
    i, n = 0, len(lowered)
    while i < n:
        word = lowered[i]
        end = i + 1
        if word[0].isdigit() or word[0] == "$":
            end += end < n and lowered[end] in _UNIT_WORDS
        elif word in _QUANTITY_STARTS:
            while end < n and lowered[end] in _QUANTITY_WORDS:
                end += 1
            if end == n or lowered[end] not in _UNIT_WORDS:
                i += 1
                continue
            end += 1
        else:
            i += 1
            continue
        found.append(" ".join(surfaces[i:end]))
        i = end
    return found


def _is_filler(folded: str, words: set[str], count: int) -> bool:
    """Small talk of a call ("can you see my screen?", "thanks, everyone")."""
    if count <= 8 and _FILLER_ONLY.search(folded):
        return True
    return not words.isdisjoint(_FILLER_KEYS) and _FILLER.search(folded) is not None


def _key_phrase_text(sentences: list[_Sentence], stopwords: frozenset[str]) -> str:
    """The customer's distinct, non-filler sentences; when long, the most salient of them."""
    seen: set[str] = set()
    kept: list[_Sentence] = []
    for sentence in sentences:
        key = sentence.text.casefold()
        if sentence.is_filler or sentence.words < 3 or key in seen:
            continue
        seen.add(key)
        kept.append(sentence)
    if sum(s.words for s in kept) > KEY_PHRASE_WORDS:
        # A cheap salience first: how often the sentence's content words recur in the session.
        def content(s: _Sentence) -> set[str]:
            return {
                st
                for st, w in zip(s.stems, _tokens(s.text), strict=True)
                if len(w) > 2
                and w.casefold() not in stopwords
                and w.casefold() not in _FILLER_WORDS
            }

        contents = [content(s) for s in kept]
        frequency = Counter(st for c in contents for st in c)
        salience = [
            (-sum(frequency[st] for st in c) / (len(s.stems) + 4), i)
            for i, (s, c) in enumerate(zip(kept, contents, strict=True))
        ]
        chosen: list[int] = []
        words = 0
        for _, i in sorted(salience):
            if words + kept[i].words > KEY_PHRASE_WORDS:
                continue
            chosen.append(i)
            words += kept[i].words
        if not chosen:
            # No full stops at all: the turns are "sentences" longer than the budget.
            return " ".join(" ".join(s.text for s in kept).split()[:KEY_PHRASE_WORDS])
        kept = [kept[i] for i in sorted(chosen)]
    return " ".join(s.text for s in kept)


def _phrases(text: str, names: set[str], stopwords: frozenset[str]) -> list[_Phrase]:
    """YAKE's key phrases, minus filler, numbers, stopword-only phrases and speakers' names."""
    if not text:
        return []
    extractor = _key_phrase_extractor()
    feelings = _sentiment_analyzer().lexicon.keys() - _TOPIC_FEELINGS
    with _lock:
        found = extractor.extract_keywords(text)
    phrases: list[_Phrase] = []
    seen: set[tuple[str, ...]] = set()
    for phrase, _score in found:
        words = _tokens(phrase)
        folded = [w.casefold() for w in words]
        if not words or len(words) != len(phrase.split()):
            continue
        if any(
            w in _FILLER_WORDS
            or w in names
            or w in _NUMBER_TOKENS
            or w in _CALENDAR_WORDS
            or len(w) < 2
            or w[0].isdigit()
            for w in folded
        ):
            continue
        if any(_verbish(w) for w in {folded[0], folded[-1]}):
            continue
        if len(words) == 1 and not words[0].isupper() and not _lowercase_in(folded[0], text):
            continue  # never written in lower case: a name ("Sam"), not a theme
        if all(w in stopwords or w in _GENERIC_WORDS or w in feelings for w in folded):
            continue  # a theme is a topic: "wrong" or "furious" is how it felt
        stems = tuple(stem(w) for w in words)
        if stems in seen:
            continue
        seen.add(stems)
        phrases.append(_Phrase(text=phrase, stems=stems, rank=len(phrases)))
    return phrases


def _verbish(word: str) -> bool:
    return word in _VERBS or (
        len(word) >= 5 and word.endswith("ed") and word not in _NOT_PARTICIPLES
    )


def _lowercase_in(word: str, text: str) -> bool:
    return re.search(rf"(?<![\w']){re.escape(word)}(?![\w'])", text) is not None


def _find_phrases(sentences: list[_Sentence], phrases: list[_Phrase]) -> None:
    """Mark in each sentence the key phrases it says, with the words it says them with."""
    by_first: dict[str, list[_Phrase]] = {}
    for phrase in phrases:
        by_first.setdefault(phrase.stems[0], []).append(phrase)
    for sentence in sentences:
        stems = sentence.stems
        surfaces: list[str] | None = None  # the sentence's words as said, when one is needed
        for i, st in enumerate(stems):
            for phrase in by_first.get(st, ()):
                n = len(phrase.stems)
                if stems[i : i + n] == phrase.stems and phrase.rank not in sentence.phrases:
                    surfaces = surfaces or _tokens(sentence.text)
                    sentence.phrases[phrase.rank] = " ".join(surfaces[i : i + n])


def _valence(sentence: _Sentence) -> float:
    """VADER's summed valence of a sentence, recovered from its compound score."""
    if sentence.sentiment is None:
        compound = _sentiment_analyzer().polarity_scores(sentence.text)["compound"]
        compound = max(-0.9999, min(0.9999, compound))
        sentence.sentiment = compound * math.sqrt(VADER_ALPHA / (1 - compound * compound))
    return sentence.sentiment


@dataclass(slots=True)
class _Candidate:
    first: int
    last: int
    """Sentence indexes, inclusive."""
    first_cue: int
    last_cue: int
    base: float
    """The score without sentiment; sentiment adds at most SENTIMENT_WEIGHT."""
    whole: bool
    """The speaker's whole turn, nothing cut."""
    first_person: bool
    mentions: tuple[str, ...]


def _distinct(found: dict[int, str], phrases: Sequence[_Phrase], limit: int) -> list[int]:
    """The best-ranked phrases found, skipping any that shares a word with a better one."""
    kept: list[int] = []
    words: set[str] = set()
    for rank in sorted(found):
        stems = set(phrases[rank].stems)
        if stems & words:
            continue
        kept.append(rank)
        words |= stems
        if len(kept) == limit:
            break
    return kept


def _candidates(
    sentences: list[_Sentence], runs: list[list[int]], phrases: Sequence[_Phrase]
) -> list[_Candidate]:
    """Every passage of whole sentences of one run: 1-4 cues, 12-60 words, no filler."""
    out: list[_Candidate] = []
    low, high = QUOTE_WORDS
    for first, opening in enumerate(sentences):
        if not opening.complete:
            continue
        words = 0
        found: dict[int, str] = {}
        numbers: list[str] = []
        questions = disfluencies = 0
        first_person = False
        run = runs[opening.run]
        for last in range(first, len(sentences)):
            sentence = sentences[last]
            # A run's cues are consecutive, so the cues a passage takes is a difference.
            if (
                sentence.run != opening.run
                or not sentence.complete
                or sentence.is_filler
                or sentence.last_cue - opening.first_cue >= QUOTE_CUES
            ):
                break
            words += sentence.words
            if words > high:
                break
            for rank, surface in sentence.phrases.items():
                found.setdefault(rank, surface)
            if len(numbers) < 2:
                numbers.extend(n for n in sentence.numbers if n not in numbers)
            questions += sentence.is_question
            disfluencies += sentence.disfluencies
            first_person = first_person or sentence.first_person
            if words < low or words < 5 * (last - first + 1):
                continue  # too short, or a string of "Yes. Right. Okay." and the like
            whole = (
                opening.first_cue == run[0]
                and sentence.last_cue == run[-1]
                and (first == 0 or sentences[first - 1].run != opening.run)
                and (last + 1 == len(sentences) or sentences[last + 1].run != opening.run)
            )
            ranks = _distinct(found, phrases, 4) if found else []
            score = 1.0 + (0.5 if whole else 0.0)
            score += sum(0.4 + 0.4 * (1 - rank / max(len(phrases), 1)) for rank in ranks)
            score += 0.5 if first_person else 0.0
            score += 0.4 * min(len(numbers), 2)
            score -= 1.5 * questions + 0.25 * disfluencies
            score += 0.3 if 18 <= words <= 45 else 0.0
            out.append(
                _Candidate(
                    first=first,
                    last=last,
                    first_cue=opening.first_cue,
                    last_cue=sentence.last_cue,
                    base=score,
                    whole=whole,
                    first_person=first_person,
                    mentions=(*(found[rank] for rank in ranks), *numbers[:2]),
                )
            )
    return out


def _tone(compound: float) -> str:
    strength = abs(compound)
    if strength < 0.3:
        return ""
    side = "negative" if compound < 0 else "positive"
    return f"strongly {side}" if strength >= 0.6 else side


def _quotes(
    cues: Sequence[CueText], sentences: list[_Sentence], candidates: list[_Candidate]
) -> list[QuoteSuggestion]:
    """The best non-overlapping passages; sentiment computed lazily, best bound first."""
    order = sorted(
        range(len(candidates)),
        key=lambda i: (-candidates[i].base, candidates[i].first_cue, candidates[i].last_cue),
    )
    evaluated: list[tuple[float, int, int, int, float]] = []
    chosen: list[tuple[_Candidate, float, float]] = []
    pointer = 0
    while len(chosen) < QUOTES:
        # Evaluate every candidate whose bound could still beat the best one evaluated.
        while pointer < len(order) and (
            not evaluated or candidates[order[pointer]].base + SENTIMENT_WEIGHT >= -evaluated[0][0]
        ):
            c = candidates[order[pointer]]
            valence = sum(_valence(s) for s in sentences[c.first : c.last + 1])
            compound = valence / math.sqrt(valence * valence + VADER_ALPHA)
            score = round(c.base + SENTIMENT_WEIGHT * compound * compound, 6)
            heapq.heappush(evaluated, (-score, c.first_cue, c.last_cue, order[pointer], compound))
            pointer += 1
        if not evaluated:
            break
        negative, _, _, index, compound = heapq.heappop(evaluated)
        if -negative < MIN_QUOTE_SCORE:
            break
        c = candidates[index]
        if any(c.first_cue <= o.last_cue and o.first_cue <= c.last_cue for o, _, _ in chosen):
            continue
        chosen.append((c, -negative, compound))
    quotes: list[QuoteSuggestion] = []
    for c, score, compound in chosen:
        first, last = cues[c.first_cue], cues[c.last_cue]
        reasons = ["complete thought" + (", the whole answer" if c.whole else "")]
        if tone := _tone(compound):
            reasons.append(tone)
        if c.first_person:
            reasons.append("first-hand")
        if mentions := list(dict.fromkeys(c.mentions))[:4]:
            reasons.append("mentions " + ", ".join(f"“{m}”" for m in mentions))
        passage = " ".join(s.text for s in sentences[c.first : c.last + 1])
        quotes.append(
            QuoteSuggestion(
                speaker=first.speaker,
                first_cue=first.position,
                last_cue=last.position,
                start_seconds=first.start_seconds,
                end_seconds=last.end_seconds,
                text=passage,
                why=" · ".join(reasons),
                score=round(score, 3),
            )
        )
    return quotes


def _occurrences(
    sentences: list[_Sentence], wanted: Iterable[tuple[str, ...]]
) -> Counter[tuple[str, ...]]:
    """How many times each stem sequence occurs in the customer's sentences, filler aside."""
    by_first: dict[str, set[tuple[str, ...]]] = {}
    for sequence in wanted:
        if sequence:
            by_first.setdefault(sequence[0], set()).add(sequence)
    counts: Counter[tuple[str, ...]] = Counter()
    for sentence in sentences:
        if sentence.is_filler:
            continue
        stems = sentence.stems
        for i, st in enumerate(stems):
            for sequence in by_first.get(st, ()):
                if stems[i : i + len(sequence)] == sequence:
                    counts[sequence] += 1
    return counts


def _content_stems(name: str, stopwords: frozenset[str]) -> frozenset[str]:
    words = [w for w in _tokens(name) if w.casefold() not in stopwords]
    return frozenset(stem(w) for w in words)


def _matches(phrase: frozenset[str], theme: frozenset[str]) -> float:
    """How well a phrase matches a theme (0 for not at all): it says all the theme's words, or
    the two share half their words."""
    if not phrase or not theme:
        return 0.0
    jaccard = len(phrase & theme) / len(phrase | theme)
    if theme <= phrase:
        return 1.0 + jaccard
    return jaccard if jaccard >= 0.5 else 0.0


def _best_theme(
    phrase: frozenset[str], existing: Sequence[tuple[int, str, frozenset[str]]]
) -> tuple[int, str, frozenset[str]] | None:
    """The existing theme a phrase's words match best; the lowest id among equals."""
    best: tuple[float, int] | None = None
    found = None
    for theme_id, name, stems in existing:
        quality = _matches(phrase, stems)
        if quality > 0 and (best is None or (quality, -theme_id) > best):
            best, found = (quality, -theme_id), (theme_id, name, stems)
    return found


def match_theme(phrase: str, themes: Sequence[tuple[int, str]]) -> tuple[int, str] | None:
    """The existing (id, name) theme a key phrase belongs to, if any: "invoices billing" and
    "billing process" belong to "Billing"."""
    stopwords = _stopwords()
    existing = [(theme_id, name, _content_stems(name, stopwords)) for theme_id, name in themes]
    found = _best_theme(_content_stems(phrase, stopwords), existing)
    return None if found is None else (found[0], found[1])


def _themes(
    phrases: list[_Phrase],
    themes: Sequence[tuple[int, str]],
    sentences: list[_Sentence],
    stopwords: frozenset[str],
) -> list[ThemeSuggestion]:
    """Existing themes the key phrases match first, then new phrases said at least twice."""
    existing = [(theme_id, name, _content_stems(name, stopwords)) for theme_id, name in themes]
    spelled = {
        theme_id: tuple(stem(w) for w in _tokens(name) if w.casefold() not in stopwords)
        for theme_id, name in themes
    }
    counts = _occurrences(sentences, [*(p.stems for p in phrases), *spelled.values()])
    matched: dict[int, tuple[str, int, frozenset[str]]] = {}  # theme id → name, best rank, stems
    new: list[_Phrase] = []
    for phrase in phrases:
        found = _best_theme(_content_stems(phrase.text, stopwords), existing)
        if found is None:
            new.append(phrase)
        elif found[0] not in matched:
            matched[found[0]] = (found[1], phrase.rank, found[2])
    suggestions: list[tuple[tuple[float, int, int], ThemeSuggestion]] = []
    for theme_id, (name, rank, t_stems) in matched.items():
        said = counts[spelled[theme_id]]
        if said == 0:
            said = max(
                (counts[p.stems] for p in phrases if _matches(frozenset(p.stems), t_stems)),
                default=0,
            )
        score = round(1 + min(said, 20) / 20 + 1 / (2 + rank), 4)
        times = "once" if said == 1 else f"{said} times"
        suggestions.append(
            (
                (-score, rank, theme_id),
                ThemeSuggestion(
                    name=name,
                    theme_id=theme_id,
                    why=f"you already use this theme; said {times}",
                    score=score,
                    mentions=said,
                ),
            )
        )
    suggestions.sort(key=lambda pair: pair[0])
    out = [s for _, s in suggestions][:THEMES]
    taken = [frozenset(t_stems) for _, _, t_stems in matched.values()]
    # New phrases by how often the customer said them, YAKE's rank breaking ties.
    said_of = {p.rank: counts[p.stems] for p in new}
    for phrase in sorted(new, key=lambda p: (-said_of[p.rank], p.rank)):
        said = said_of[phrase.rank]
        if len(out) >= THEMES or said < 2:
            break
        # "Mobile app" rather than "app" when the customer mostly said the longer phrase.
        longer = [
            p
            for p in new
            if len(p.stems) > len(phrase.stems)
            and set(phrase.stems) <= set(p.stems)
            and said_of[p.rank] * 2 >= said
        ]
        if longer:
            phrase = min(longer, key=lambda p: (-said_of[p.rank], p.rank))
            said = said_of[phrase.rank]
        words = frozenset(phrase.stems)
        if any(_matches(words, other) > 0 or _matches(other, words) > 0 for other in taken):
            continue
        taken.append(words)
        out.append(
            ThemeSuggestion(
                name=phrase.text[0].upper() + phrase.text[1:],
                theme_id=None,
                why=f"a new theme: a key phrase of what the customer said, {said} times",
                score=round(min(said, 50) / 50 + 0.5 / (2 + phrase.rank), 4),
                mentions=said,
            )
        )
    return out


def _summary(
    sentences: list[_Sentence], phrases: int, cues: Sequence[CueText]
) -> tuple[str, list[int]]:
    """A few of the customer's sentences covering the most key phrases, in the order spoken."""
    low, high = SUMMARY_WORDS
    pool: list[int] = []
    seen: set[str] = set()
    for i, s in enumerate(sentences):
        key = s.text.casefold()
        if (
            s.complete
            and low <= s.words <= high
            and not s.is_question
            and not s.is_filler
            and s.disfluencies <= 2
            and key not in seen
        ):
            seen.add(key)
            pool.append(i)

    def weight(rank: int) -> float:
        return 1.0 - rank / (max(phrases, 1) + 1)

    covered: set[int] = set()
    chosen: list[int] = []
    while len(chosen) < SUMMARY_MAX and pool:
        gains = []
        for i in pool:
            s = sentences[i]
            gain = sum(weight(r) for r in s.phrases if r not in covered)
            gain += 0.15 * s.first_person + 0.15 * bool(s.numbers) - 0.2 * s.disfluencies
            gains.append((round(gain, 6), -i))
        gain, negative = max(gains)
        novel = any(r not in covered for r in sentences[-negative].phrases)
        if not novel and len(chosen) >= SUMMARY_MIN:
            break
        if not sentences[-negative].phrases and not chosen:
            break
        chosen.append(-negative)
        covered.update(sentences[-negative].phrases)
        pool.remove(-negative)
    chosen.sort()
    text = " ".join(sentences[i].text for i in chosen)
    positions = sorted(
        {
            cues[c].position
            for i in chosen
            for c in range(sentences[i].first_cue, sentences[i].last_cue + 1)
        }
    )
    return text, positions


def _names(labels: Iterable[str]) -> set[str]:
    return {w.casefold() for label in labels for w in _tokens(label)}


def suggest(
    cues: Sequence[CueText],
    *,
    customer_speakers: Collection[str],
    themes: Sequence[tuple[int, str]],
) -> Suggestions:
    """Quotes, themes and a summary from the cues spoken by `customer_speakers` (labels);
    `themes` are the organisation's existing (id, name) pairs."""
    customers = set(customer_speakers)
    ordered = sorted(cues, key=lambda cue: cue.position)
    runs = _split_runs(ordered, customers)
    if not runs:
        return Suggestions()
    sentences = _sentences(ordered, runs)
    if sum(s.words for s in sentences) < SUMMARY_WORDS[0]:
        return Suggestions()
    stopwords = _stopwords()
    names = _names({cue.speaker for cue in ordered})
    phrases = _phrases(_key_phrase_text(sentences, stopwords), names, stopwords)
    salient = phrases[:SALIENT_PHRASES]
    _find_phrases(sentences, salient)
    quotes = _quotes(ordered, sentences, _candidates(sentences, runs, salient))
    summary, summary_cues = _summary(sentences, len(salient), ordered)
    return Suggestions(
        quotes=quotes,
        themes=_themes(phrases, themes, sentences, stopwords),
        summary=summary,
        summary_cues=summary_cues,
    )
