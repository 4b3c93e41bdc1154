"""The definitions filter: a precomputed search index, fuzzy on names, narrowing per keystroke.

A query is whitespace-separated terms; a definition matches when every term matches it. A term
matches the label or identifier as a substring, or fuzzily when it has 3 letters or more
(its letters in order, e.g. ``ordnum`` finds ``order_number``), and the id and option labels
as a substring (fuzzy over hundreds of option labels would match almost anything). Results
are ranked by the sum over terms of: a name starts with the term (best), a name contains it,
an id or option label contains it, a name matches fuzzily; ties keep the original order. An
id matches from 6 characters on, since shorter hex fragments occur in most UUIDs by chance.

Typing one more character only narrows: the index searches the previous matches, not the
whole organization, so 10,000 definitions stay instant. Pure Python, no Textual, no pydantic.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dixa_tui.domain.options import walk

if TYPE_CHECKING:
    from dixa_tui.api.models import CustomAttributeDefinition

# Rank of a match, best first.
PREFIX, CONTAINS, ELSEWHERE, FUZZY = range(4)
FUZZY_MIN = 3  # shorter terms match nearly every name as a subsequence: substring only
ID_MIN = 6  # shorter terms are found in most UUIDs by chance: ids need a real fragment
PREFIX_CACHE = 256  # answers kept by their terms, to start from when narrowing cannot


@dataclass(frozen=True, slots=True)
class _Entry:
    label: str  # lowercased, like every field here
    ident: str
    names: str  # label and identifier joined by a newline: one scan tests both
    id: str
    options: str  # option labels joined by newlines


def _entry(definition: CustomAttributeDefinition) -> _Entry:
    label, ident = definition.label.lower(), definition.identifier.lower()
    labels = [path[-1].label.lower() for path in walk(definition.options)]
    return _Entry(label, ident, f"{label}\n{ident}", definition.id.lower(), "\n".join(labels))


def _fuzzy(term: str) -> re.Pattern[str]:
    """``term``'s letters in order, anchored, each found at its first chance: ``[^o]*+o``.

    Taking the first occurrence of each letter decides a subsequence, and the possessive
    ``*+`` never gives characters back, so a match costs one pass over the name. The obvious
    ``o.*?r.*?d`` backtracks: a 10,000-character label froze a keystroke for minutes."""
    return re.compile("".join(f"[^{c}]*+{c}" for c in map(re.escape, term)))


def _rank(entry: _Entry, term: str, fuzzy: re.Pattern[str] | None) -> int | None:
    """The best rank of ``term`` in ``entry`` (terms never hold whitespace, so a term found
    in ``names`` is inside the label or the identifier, not across them)."""
    if term in entry.names:
        if entry.label.startswith(term) or entry.ident.startswith(term):
            return PREFIX
        return CONTAINS
    if term in entry.options or (len(term) >= ID_MIN and term in entry.id):
        return ELSEWHERE
    if fuzzy is not None and (fuzzy.match(entry.label) or fuzzy.match(entry.ident)):
        return FUZZY
    return None


def terms(query: str) -> list[str]:
    return query.lower().split()


class DefinitionSearch:
    """Built once per list of definitions; ``filter`` answers each keystroke.

    The index is built on first need (a non-empty query, or ``prepare()``), not when the
    search is made: at 10,000 definitions it takes about 120 ms, which the list does not
    need in order to show.
    """

    def __init__(self, definitions: Sequence[CustomAttributeDefinition]) -> None:
        self._definitions = definitions
        self._index: list[_Entry] | None = None
        self._last_query: list[str] = []
        self._last: list[int] = list(range(len(definitions)))
        self._by_terms: dict[tuple[str, ...], list[int]] = {}

    def __len__(self) -> int:
        return len(self._definitions)

    @property
    def prepared(self) -> bool:
        return self._index is not None

    def prepare(self) -> None:
        """Build the index now (the first keystroke would otherwise build it)."""
        if self._index is None:
            self._index = [_entry(d) for d in self._definitions]

    @property
    def _entries(self) -> list[_Entry]:
        self.prepare()
        assert self._index is not None
        return self._index

    def filter(self, query: str) -> list[int]:
        """Positions of the matching definitions, best first (all of them for ``""``).

        A definition scores the sum of its terms' ranks. No sorting of matches: candidates
        are visited in original order and dropped into one bucket per score, so each bucket
        keeps the original order and the answer is the buckets joined, best score first.
        """
        wanted = terms(query)
        if not wanted:
            self._last_query, self._last = [], list(range(len(self._definitions)))
            return list(self._last)
        candidates = self._candidates(wanted)
        patterns = [(t, _fuzzy(t) if len(t) >= FUZZY_MIN else None) for t in wanted]
        entries = self._entries
        buckets: dict[int, list[int]] = {}
        matched: list[int] = []
        for i in candidates:
            entry = entries[i]
            score = 0
            for term, fuzzy in patterns:
                rank = _rank(entry, term, fuzzy)
                if rank is None:
                    break
                score += rank
            else:
                buckets.setdefault(score, []).append(i)
                matched.append(i)
        self._last_query, self._last = wanted, matched
        if len(self._by_terms) >= PREFIX_CACHE:
            self._by_terms.clear()
        self._by_terms[tuple(wanted)] = matched
        return [i for score in sorted(buckets) for i in buckets[score]]

    def _candidates(self, wanted: list[str]) -> Sequence[int]:
        """The smallest known set holding every match of ``wanted``: the previous answer
        when typing only narrowed it, else the answer for its longest cached leading terms
        (every term must match, so more terms only remove definitions)."""
        if self._narrows(wanted):
            return self._last
        for k in range(len(wanted) - 1, 0, -1):
            known = self._by_terms.get(tuple(wanted[:k]))
            if known is not None:
                return known
        return range(len(self._entries))

    def _narrows(self, wanted: list[str]) -> bool:
        """True when every match of ``wanted`` is among the previous matches.

        That holds when the previous terms are a prefix-wise weakening of the new ones: same
        number of terms (or more now) and each old term is a substring of its new term.
        Substring of a substring and subsequence of a subsequence both carry over.
        """
        old = self._last_query
        if not old or len(wanted) < len(old):
            return False
        # A term that just became long enough to match fuzzily, or to match ids, can match
        # more than before: then the whole index is searched again.
        return all(o in n and all(len(o) >= t or len(n) < t for t in (FUZZY_MIN, ID_MIN))
                   for o, n in zip(old, wanted, strict=False))
