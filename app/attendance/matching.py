"""Who is this attendee? Email, then alias, then an unambiguous display name — never a guess."""

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from difflib import SequenceMatcher

from sqlmodel import Session, col, select

from app.mail.addresses import normalize_email
from app.models import AliasKind, Person, PersonAlias
from app.people.service import normalize_name, not_erased

# "(Guest)" and its translations, as Teams and Zoom append them to outsiders' names.
_GUEST_SUFFIX = re.compile(
    r"\s*[\(\[]\s*(guest|gast|invité|invitée|invitado|invitada|ospite|convidado|convidada|"
    r"gość|gosc|gäst|vieras|gjest|gæst|externo|external|extern|externe|ゲスト|게스트|访客|來賓)"
    r"\s*[\)\]]\s*$",
    re.IGNORECASE,
)
# Zoom shows a renamed participant as "New Name (Original Name)".
_ORIGINAL_NAME = re.compile(r"^(?P<shown>.+?)\s*\((?P<original>[^()]+)\)\s*$")
# A B2B guest's Teams UPN: "john.doe_contoso.com#EXT#@fabrikam.onmicrosoft.com".
_EXT_UPN = re.compile(r"^(?P<local>.+)_(?P<domain>[^_@]+\.[^_@]+)#ext#@", re.IGNORECASE)


def email_candidates(*values: str) -> list[str]:
    """Normalized emails an attendee may be known by, including the one inside a guest UPN."""
    found: list[str] = []
    for value in values:
        email = normalize_email(value)
        if not email or "@" not in email:
            continue
        guest = _EXT_UPN.match(email)
        for candidate in ((f"{guest['local']}@{guest['domain']}",) if guest else ()) + (email,):
            if candidate not in found:
                found.append(candidate)
    return found


def name_candidates(display_name: str) -> list[str]:
    """Normalized names to try: without a guest suffix, then Zoom's shown and original names."""
    name = _GUEST_SUFFIX.sub("", display_name.strip())
    found = [normalize_name(name)]
    renamed = _ORIGINAL_NAME.match(name)
    if renamed:
        found += [normalize_name(renamed["original"]), normalize_name(renamed["shown"])]
    return [
        candidate for i, candidate in enumerate(found) if candidate and candidate not in found[:i]
    ]


def is_guest_name(display_name: str) -> bool:
    """Whether the platform marked this name as a guest's ("Ada Lovelace (Guest)")."""
    return _GUEST_SUFFIX.search(display_name) is not None


def email_domain(*values: str) -> str:
    """The domain of the first address an attendee is known by ("" without one)."""
    found = email_candidates(*values)
    return found[0].rpartition("@")[2] if found else ""


SIMILAR = 0.85
"""How alike two normalized names must be (see `name_similarity`) to suggest one for the other."""


def name_similarity(a: str, b: str) -> float:
    """How alike two normalized names are, from 0 to 1: the same words in another order
    ("radcliffe skyler") 0.98, an initial for the first name ("s radcliffe") 0.9, else the
    share of characters in common (a typo in "jon smith" still scores 0.95)."""
    if a == b:
        return 1.0
    words_a, words_b = a.split(), b.split()
    if sorted(words_a) == sorted(words_b):
        return 0.98
    if len(words_a) >= 2 and len(words_b) >= 2 and words_a[-1] == words_b[-1]:
        first_a, first_b = words_a[0], words_b[0]
        if (len(first_a) == 1 and first_b.startswith(first_a)) or (
            len(first_b) == 1 and first_a.startswith(first_b)
        ):
            return 0.9
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def person_with_email(session: Session, email: str) -> Person | None:
    """The active person one email (or a guest UPN) identifies, by the rules of `Directory`:
    their own email first, then an email alias. Indexed lookups, for a single check-in, where
    loading the whole directory cost more than all the rest of the request."""
    # A NUL cannot be in a stored email, and PostgreSQL refuses it in a query (a 500).
    candidates = [candidate for candidate in email_candidates(email) if "\x00" not in candidate]
    if not candidates:
        return None
    by_email = select(Person.email, Person).where(
        col(Person.email).in_(candidates), col(Person.active)
    )
    by_alias = (
        select(PersonAlias.normalized, Person)
        .join(Person, col(Person.id) == PersonAlias.person_id)
        .where(
            PersonAlias.kind == AliasKind.email,
            col(PersonAlias.normalized).in_(candidates),
            col(Person.active),
        )
    )
    for query in (by_email, by_alias):
        found = dict(session.exec(query).all())
        for candidate in candidates:
            if candidate in found:
                return found[candidate]
    return None


@dataclass
class Match:
    person_id: int | None
    how: str
    """"email", "alias", "name", "ambiguous" (several people share the name) or "none"."""


@dataclass
class Similar:
    person_ids: list[int]
    """The most similar people: one is a suggestion, several (equally similar) are none."""
    score: float
    name: str
    """The directory name (normalized) they were found by."""


class Directory:
    """The directory indexed in memory for one import: a few queries, then dictionary lookups.

    Names are indexed only when an attendee cannot be found by email: most reports carry
    emails, and normalising 20,000 names costs more than the rest of an import.
    """

    def __init__(self, session: Session) -> None:
        self._session = session
        self._by_name: dict[str, set[int]] | None = None
        self._by_word: dict[str, set[str]] | None = None
        # Core rows, not ORM objects: this reads the whole directory on every import.
        connection = session.connection()
        people = select(Person.email, Person.id, Person.level_id, Person.department).where(
            col(Person.active)
        )
        aliases = (
            select(PersonAlias.normalized, PersonAlias.person_id)
            .join(Person, col(Person.id) == PersonAlias.person_id)
            .where(PersonAlias.kind == AliasKind.email, col(Person.active))
        )
        self.by_email: dict[str, int] = {}
        self.snapshot: dict[int, tuple[int, str]] = {}
        """Each person's level and department now, to be kept with their attendance."""
        for email, person_id, level_id, department in connection.execute(people).all():
            self.by_email[email] = person_id
            self.snapshot[person_id] = (level_id, department)
        self.by_email_alias: dict[str, int] = dict(connection.execute(aliases).all())

    @classmethod
    def load(cls, session: Session) -> "Directory":
        return cls(session)

    @property
    def by_name(self) -> dict[str, set[int]]:
        if self._by_name is None:
            by_name: dict[str, set[int]] = defaultdict(set)
            for person_id, name in self._session.exec(
                select(Person.id, Person.name).where(col(Person.active), not_erased())
            ):
                assert person_id is not None
                by_name[normalize_name(name)].add(person_id)
            for person_id, normalized in self._session.exec(
                select(PersonAlias.person_id, PersonAlias.normalized)
                .join(Person, col(Person.id) == PersonAlias.person_id)
                .where(PersonAlias.kind == AliasKind.name, col(Person.active))
            ):
                by_name[normalized].add(person_id)
            self._by_name = by_name
        return self._by_name

    @property
    def company_domains(self) -> set[str]:
        """The domains the company's people have addresses at: each held by at least 1 % of
        the directory, so one contractor's personal address does not make gmail.com one."""
        domains = Counter(email.rpartition("@")[2] for email in self.by_email)
        least = max(1, len(self.by_email) // 100)
        return {domain for domain, count in domains.items() if count >= least}

    def similar(self, display_name: str) -> Similar | None:
        """The directory people whose names are most like this one (at least `SIMILAR`).

        Only names sharing a word with it are compared, so a large directory costs a few
        dictionary lookups and a few hundred comparisons, not one per person."""
        if self._by_word is None:
            by_word: dict[str, set[str]] = defaultdict(set)
            for normalized in self.by_name:
                for word in normalized.split():
                    by_word[word].add(normalized)
            self._by_word = by_word
        best: Similar | None = None
        for wanted in name_candidates(display_name):
            words = [word for word in wanted.split() if len(word) > 1]
            pools = sorted((self._by_word.get(word, set()) for word in words), key=len)
            # A common first name ("john") alone is not a reason to compare thousands.
            names = set().union(*pools[:2]) if pools else set()
            for normalized in names:
                score = name_similarity(wanted, normalized)
                if score < SIMILAR or (best is not None and score < best.score):
                    continue
                people = sorted(self.by_name[normalized])
                if best is not None and score == best.score:
                    best.person_ids = sorted(set(best.person_ids) | set(people))
                else:
                    best = Similar(person_ids=people, score=score, name=normalized)
        return best

    def match(self, *, name: str, emails: tuple[str, ...]) -> Match:
        """Find the one person this attendee is; ambiguous names stay unmatched."""
        candidates = email_candidates(*emails)
        for email in candidates:
            if email in self.by_email:
                return Match(self.by_email[email], "email")
        for email in candidates:
            if email in self.by_email_alias:
                return Match(self.by_email_alias[email], "alias")
        for normalized in name_candidates(name):
            people = self.by_name.get(normalized)
            if people and len(people) == 1:
                return Match(next(iter(people)), "name")
            if people:
                return Match(None, "ambiguous")
        return Match(None, "none")
