"""The level ladder: its levels in order, and the title rules that place a person on it."""

import logging
import re
import string
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import re2
from sqlmodel import Session, col, func, select

from app.errors import Conflict, Invalid
from app.models import Attendance, Level, Person
from app.people.schemas import LevelIn

logger = logging.getLogger(__name__)

FALLBACK_LEVEL_KEY = "ic"
UNKNOWN_LEVEL_KEY = "unknown"
LEVEL_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def get_levels(session: Session) -> list[Level]:
    """Every level, the most senior first."""
    return list(session.exec(select(Level).order_by(col(Level.position), col(Level.id))).all())


def level_by_key(session: Session, key: str) -> Level:
    """The level with this key, or a 422 listing the keys there are."""
    level = session.exec(select(Level).where(Level.key == key.strip().lower())).first()
    if level is None:
        keys = ", ".join(lvl.key for lvl in get_levels(session))
        raise Invalid(f"There is no level {key!r}; the levels are: {keys}.")
    return level


MAX_TITLE_MATCHED = 200
"""Title rules see at most this many characters of a title (the longest a title can be)."""
_RULE_MEMORY = 1 << 20
_UNSUPPORTED = {
    "invalid perl operator: (?=": "lookahead (?=…) is not supported",
    "invalid perl operator: (?!": "negative lookahead (?!…) is not supported",
    "invalid perl operator: (?<=": "lookbehind (?<=…) is not supported",
    "invalid perl operator: (?<!": "negative lookbehind (?<!…) is not supported",
    "invalid perl operator: (?>": "atomic groups (?>…) are not supported",
    "invalid perl operator: (?P": "backreferences (?P=name) are not supported",
    "invalid escape sequence: \\Z": "\\Z is not supported, use $ for the end of the title",
}


class TitleRuleError(ValueError):
    """A title rule RE2 refuses, with the reason in words."""


def _rule_options() -> Any:
    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False
    options.max_mem = _RULE_MEMORY
    return options


def _refusal(error: str) -> str:
    if error in _UNSUPPORTED:
        return _UNSUPPORTED[error]
    if re.fullmatch(r"invalid escape sequence: \\[1-9k]", error):
        return "backreferences such as \\1 are not supported"
    if error.startswith("pattern too large"):
        return "the rule is too large; use fewer or smaller repetitions"
    return error


@lru_cache(maxsize=256)
def _title_rule(pattern: str) -> Any:
    """The rule compiled by RE2, which matches in linear time: no pattern can backtrack."""
    try:
        return re2.compile(pattern, _rule_options())
    except re2.error as exc:
        message = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else ""
        raise TitleRuleError(_refusal(message or str(exc))) from None


def check_title_rule(pattern: str) -> None:
    """Raise TitleRuleError, saying what is wrong, when a title rule cannot be used."""
    _title_rule(pattern)


@lru_cache(maxsize=64)
def _warn_unusable(pattern: str, reason: str) -> None:
    logger.warning("Title rule %r is skipped: %s. Fix it on the levels page.", pattern, reason)


def title_matches(pattern: str, title: str) -> bool:
    """Whether a level's title rule matches (part of) a job title; an empty rule never does."""
    if not pattern:
        return False
    try:
        rule = _title_rule(pattern)
    except TitleRuleError as exc:
        # Saved before rules were checked with RE2: skipped, never run on a backtracking engine.
        _warn_unusable(pattern, str(exc))
        return False
    return rule.search(title[:MAX_TITLE_MATCHED]) is not None


def infer_level(levels: Sequence[Level], title: str) -> Level:
    """The first level (by position) whose title rule matches, else individual contributor."""
    ordered = sorted(levels, key=lambda level: level.position)
    for level in ordered:
        if title_matches(level.title_pattern, title):
            return level
    by_key = {level.key: level for level in ordered}
    fallback = by_key.get(FALLBACK_LEVEL_KEY) or by_key.get(UNKNOWN_LEVEL_KEY)
    if fallback is None:
        raise Invalid("The level ladder has neither an 'ic' nor an 'unknown' level.")
    return fallback


def level_for_new(levels: Sequence[Level], title: str) -> Level:
    """Inferred from the title; a person without one is honestly 'unknown'."""
    if title.strip():
        return infer_level(levels, title)
    return next(level for level in levels if level.key == UNKNOWN_LEVEL_KEY)


# "Title contains …" rules: plain words and phrases, each matched as a whole word, whatever
# the case, written as (and read back from) an RE2 pattern. ASCII letters and digits at a
# word's edge use \b; any other edge (C++, .NET, Député) must not touch a letter or digit.
_PLAIN_EDGE = re.compile(r"[A-Za-z0-9_]")
_BEFORE = r"(?:^|[^\pL\pN_])"
_AFTER = r"(?:[^\pL\pN_]|$)"
_PUNCTUATION = frozenset(string.punctuation)


def split_words(text: str) -> list[str]:
    """The words and phrases of a comma- or line-separated list, spaces tidied, each once."""
    words: list[str] = []
    for part in re.split(r"[,\n]", text):
        word = " ".join(part.split())
        if word and word.casefold() not in {w.casefold() for w in words}:
            words.append(word)
    return words


def _escape(word: str) -> str:
    return "".join(f"\\{c}" if c in _PUNCTUATION else c for c in word)


def words_rule(words: Sequence[str]) -> str:
    """The title rule matching any of `words` as a whole word, case-insensitively."""
    alternatives = []
    for word in words:
        word = " ".join(word.split())
        if not word:
            continue
        before = r"\b" if _PLAIN_EDGE.match(word[0]) else _BEFORE
        after = r"\b" if _PLAIN_EDGE.match(word[-1]) else _AFTER
        alternatives.append(f"{before}{_escape(word)}{after}")
    return "|".join(alternatives)


def _read_word(pattern: str, at: int) -> tuple[str, int] | None:
    """The word written at `at` (edges included) and where it ends, or None if there is none."""
    for edge in (r"\b", _BEFORE):
        if pattern.startswith(edge, at):
            at += len(edge)
            break
    else:
        return None
    word: list[str] = []
    while at < len(pattern):
        c = pattern[at]
        if c == "\\" and pattern[at + 1 : at + 2] in _PUNCTUATION:
            word.append(pattern[at + 1])
            at += 2
        elif c == "\\" or c in _PUNCTUATION:
            break  # an edge, the next alternative, or an operator
        else:
            word.append(c)
            at += 1
    for edge in (r"\b", _AFTER):
        if pattern.startswith(edge, at):
            return "".join(word), at + len(edge)
    return None


def rule_words(pattern: str) -> list[str] | None:
    """The words a title rule was written from, or None if it is not a plain word list."""
    pattern = pattern.strip()
    words: list[str] = []
    at = 0
    while at < len(pattern):
        found = _read_word(pattern, at)
        if found is None or not found[0].strip() or "," in found[0]:
            return None
        words.append(found[0])
        at = found[1]
        if at < len(pattern):
            if pattern[at] != "|":
                return None
            at += 1
    # Only a rule these words write back exactly is theirs (so nothing is lost by editing it).
    return words if words_rule(words) == pattern else None


def _check_ladder(levels: Sequence[LevelIn]) -> None:
    keys: set[str] = set()
    names: set[str] = set()
    for position, level in enumerate(levels, start=1):
        label = f"Level {position} ({level.name!r})"
        if not LEVEL_KEY_RE.match(level.key):
            raise Invalid(
                f"{label}: the key {level.key!r} must be lower-case letters, digits, '-' or '_'."
            )
        if level.key in keys:
            raise Invalid(f"{label}: the key {level.key!r} appears twice.")
        if level.name.strip().casefold() in names:
            raise Invalid(f"{label}: the name {level.name!r} appears twice.")
        keys.add(level.key)
        names.add(level.name.strip().casefold())
        try:
            check_title_rule(level.title_pattern)
        except TitleRuleError as exc:
            raise Invalid(
                f"{label}: the title rule {level.title_pattern!r} is not a valid regular "
                f"expression ({exc}). Title rules use RE2 syntax, without lookaround or "
                "backreferences, so that matching a title never backtracks."
            ) from None
    if UNKNOWN_LEVEL_KEY not in keys:
        raise Invalid(
            "The level 'unknown' must stay: people and attendees without a known level count there."
        )


def replace_levels(session: Session, *, levels: Sequence[LevelIn]) -> list[Level]:
    """Replace the ladder with `levels`, in order; existing keys keep their ids."""
    _check_ladder(levels)
    current = {level.key: level for level in get_levels(session)}
    wanted = {level.key for level in levels}
    removed = [level for key, level in current.items() if key not in wanted]
    for level in removed:
        people = session.exec(
            select(func.count()).select_from(Person).where(Person.level_id == level.id)
        ).one()
        if people:
            noun = "person has" if people == 1 else "people have"
            raise Conflict(
                f"The level {level.name!r} cannot be removed: {people} {noun} it. "
                "Move them to another level first."
            )
        attendances = session.exec(
            select(func.count()).select_from(Attendance).where(Attendance.level_id == level.id)
        ).one()
        if attendances:
            raise Conflict(
                f"The level {level.name!r} cannot be removed: {attendances} past attendances "
                "were recorded at it. Rename it instead."
            )
    for level in removed:
        session.delete(level)
    # Names are unique: park the kept levels on placeholders so a swap cannot collide mid-flush.
    for key, level in current.items():
        if key in wanted:
            level.name = f"~{level.id}"
    session.flush()
    for position, incoming in enumerate(levels, start=1):
        level = current.get(incoming.key) or Level(key=incoming.key, name="", position=position)
        level.name = incoming.name.strip()
        level.position = position
        level.is_executive = incoming.is_executive
        level.title_pattern = incoming.title_pattern.strip()
        session.add(level)
    session.flush()
    return get_levels(session)
