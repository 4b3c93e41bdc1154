"""The definitions filter: a precomputed search index, fuzzy on names, narrowing per keystroke.

A query is whitespace-separated terms; a definition matches when every term matches it. A term
matches the label or identifier as a substring, or fuzzily when it has 3 letters or more
(its letters in order, e.g. ``ordnum`` finds ``order_number``), and the id and option labels
as a substring (fuzzy over hundreds of option labels would match almost anything). Results
are ranked by the sum over terms of: a name starts with the term (best), a name contains it,
an id or option label contains it, a name matches fuzzily; ties keep the original order. An
id matches from 6 characters on, since shorter hex fragments occur in most UUIDs by chance.

How it stays within a frame at 50,000 definitions: sets of definitions are Python ints used
as bit sets (bit ``i``: definition ``i``), so intersecting two is one C operation over a few
kilobytes. For every character, the index holds the set of definitions whose names hold it,
whose label or identifier starts with it, and whose option labels hold it: a one-letter term
is answered from those alone, a longer one from their intersection, with only the survivors
tested for the whole term (in C too: ``map``/``compress`` over the index's columns). Typing
one more character only narrows: the previous matches are the candidates. An option list
many definitions share (the same Yes/No on hundreds) is one text, tested once for all of
them, when an organization has few distinct ones (``SHARED_TEXTS``) and they are shorter in
all than the texts a keystroke would test one by one; a term is looked for only in the ids
that hold each of its characters. The index is built in steps
(:meth:`DefinitionSearch.prepare_some`), so building it never freezes typing.

Pure Python, no Textual, no pydantic.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Sequence
from functools import reduce
from itertools import chain, compress, repeat
from operator import and_, contains, not_, or_
from typing import Any, Protocol, TypeAlias

from dixa_tui.domain.options import walk

# Rank of a match, best first.
PREFIX, CONTAINS, ELSEWHERE, FUZZY = range(4)
FUZZY_MIN = 3  # shorter terms match nearly every name as a subsequence: substring only
ID_MIN = 6  # shorter terms are found in most UUIDs by chance: ids need a real fragment
SPARSE = 32  # a set of fewer than 1 in this many is listed by jumping between its members
SHARED_TEXTS = 512  # distinct option texts tested once each, when no more (see _shared)
PREFIX_CACHE = 256  # answers kept by their terms, to start from when narrowing cannot
# A set of definitions as it was made: a bit set, or their positions in ascending order.
Found: TypeAlias = int | list[int]
_SPACE = re.compile(r"\s")  # terms hold none, so in a name any one stands for any other
_TO_DIGITS = bytes.maketrans(b"\x00\x01", b"01")
_FROM_DIGITS = bytes.maketrans(b"01", b"\x00\x01")


class Searchable(Protocol):
    """What the filter reads of a definition (a model; ``options`` as the models have it)."""

    @property
    def id(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def identifier(self) -> str: ...
    @property
    def options(self) -> Sequence[Any]: ...


def _fuzzy(term: str) -> re.Pattern[str]:
    """``term``'s letters in order, anchored, each found at its first chance: ``[^o]*+o``.

    Taking the first occurrence of each letter decides a subsequence, and the possessive
    ``*+`` never gives characters back, so a match costs one pass over the name. The obvious
    ``o.*?r.*?d`` backtracks: a 10,000-character label froze a keystroke for minutes."""
    return re.compile("".join(f"[^{c}]*+{c}" for c in map(re.escape, term)))


def _fuzzy_line(term: str) -> re.Pattern[str]:
    """:func:`_fuzzy` for one line of a names column (``\\nlabel\\nidentifier``): the same
    letters in order, not across the line break between the two names."""
    return re.compile("\n" + "".join(f"[^{c}\n]*+{c}" for c in map(re.escape, term)))


def terms(query: str) -> list[str]:
    return query.lower().split()


def _pack(flags: bytes | bytearray) -> int:
    """One byte per definition (0 or 1) -> a bit set."""
    return int(flags.translate(_TO_DIGITS)[::-1] or b"0", 2)


def _flags(bits: int, size: int) -> bytes:
    """A bit set -> one byte per definition (0 or 1), ``size`` of them."""
    return bin(bits)[:1:-1].encode().translate(_FROM_DIGITS).ljust(size, b"\x00")


def _members(bits: int, positions: Sequence[int]) -> list[int]:
    """A bit set -> its definitions' positions, ascending (``positions``: 0, 1, 2, ...)."""
    if not bits:
        return []
    flags = bin(bits)[:1:-1].encode().translate(_FROM_DIGITS)
    if bits.bit_count() * SPARSE > len(flags):
        return list(compress(positions, flags))  # (one test per definition, in C)
    found = []  # few: jumping from one to the next (memchr) skips the runs of none
    at = flags.find(1)
    while at >= 0:
        found.append(positions[at])
        at = flags.find(1, at + 1)
    return found


class DefinitionSearch:
    """Built once per list of definitions; ``filter`` answers each keystroke.

    The index is built on first need (a non-empty query, or ``prepare()``), or in steps
    with ``prepare_some()``; not when the search is made: the list does not need it in
    order to show.
    """

    def __init__(self, definitions: Sequence[Searchable]) -> None:
        self._definitions = definitions
        self._n = len(definitions)
        self._everyone = (1 << self._n) - 1
        # The columns, once built: tuples, which the cyclic collector stops walking after
        # its first look (lists of 50,000 were walked in every full collection: 5-10 ms).
        self._names: Sequence[str] = ()  # "\nlabel\nidentifier", lowercased, one kind of space
        self._options: Sequence[str] = ()  # option labels, lowercased, joined by newlines
        self._ids: Sequence[str] = ()
        self._columns: tuple[list[str], list[str], list[str]] = ([], [], [])  # (building)
        # While building: one byte per definition for each character; then bit sets.
        self._building: tuple[dict[str, bytearray], ...] = ({}, {}, {}, {}, {})
        self._in_names: dict[str, int] = {}
        self._starting: dict[str, int] = {}  # a label or identifier starts with it
        self._starting2: dict[str, int] = {}  # ... with these two characters
        # Option texts shared by many definitions (the same Yes/No list on hundreds): each
        # distinct text with its definitions, when there are few (None: too many to help).
        self._shared: list[tuple[str, int]] | None = None
        self._shared_chars = 0  # their length in all
        self._options_mean = 0.0  # the mean length of a definition's option texts
        self._texts_building: dict[str, list[int]] | None = {}
        self._in_options: dict[str, int] = {}
        self._in_ids: dict[str, int] = {}  # (only ids holding each character are tested)
        self._packed = self._n == 0
        self._positions = tuple(range(self._n))
        self._last_query: list[str] = []
        # The last query's matches: a bit set when it was answered with one, else positions
        # (None: every definition). Kept as made: listing a bit set costs a pass over all.
        self._last: Found | None = None
        self._by_terms: dict[tuple[str, ...], Found] = {}

    def __len__(self) -> int:
        return self._n

    @property
    def prepared(self) -> bool:
        return self._packed

    @property
    def progress(self) -> tuple[int, int]:
        """(definitions indexed, definitions in all)."""
        return (self._n if self._packed else len(self._columns[0])), self._n

    def prepare(self) -> None:
        """Build the index now (the first keystroke would otherwise build it)."""
        self.prepare_some(self._n)

    def prepare_some(self, count: int) -> bool:
        """Index up to ``count`` more definitions; True once all are."""
        if self._packed:
            return True
        names_chars, starts_chars, option_chars, starts_pairs, id_chars = self._building
        names_column, options_column, ids_column = self._columns
        start = len(names_column)
        for i, definition in enumerate(self._definitions[start:start + count], start):
            label = _SPACE.sub(" ", definition.label.lower())
            ident = _SPACE.sub(" ", definition.identifier.lower())
            names = f"\n{label}\n{ident}"
            options = "\n".join(path[-1].label.lower() for path in walk(definition.options))
            names_column.append(names)
            options_column.append(options)
            texts = self._texts_building
            if texts is not None and options:
                found = texts.get(options)
                if found is None:
                    texts[options] = [i]
                    if len(texts) > SHARED_TEXTS:
                        self._texts_building = None  # too many different ones to help
                else:
                    found.append(i)
            ident_ = definition.id.lower()
            ids_column.append(ident_)
            for chars, text in ((names_chars, names), (starts_chars, label[:1] + ident[:1]),
                                (option_chars, options),
                                (starts_pairs, [p for p in (label[:2], ident[:2])
                                                if len(p) == 2]), (id_chars, ident_)):
                for ch in set(text):
                    flags = chars.get(ch)
                    if flags is None:
                        flags = chars[ch] = bytearray(self._n)
                    flags[i] = 1
        if len(names_column) < self._n:
            return False
        for bits, chars in zip((self._in_names, self._starting, self._in_options,
                                self._starting2, self._in_ids), self._building, strict=True):
            bits.update((ch, _pack(flags)) for ch, flags in chars.items())
            chars.clear()
        if self._texts_building is not None:
            self._shared = [(text, self._bits(found))
                            for text, found in self._texts_building.items()]
            self._shared_chars = sum(len(text) for text, _ in self._shared)
            self._options_mean = sum(map(len, options_column)) / max(self._n, 1)
            self._texts_building = None
        self._names, self._options, self._ids = map(tuple, self._columns)
        self._columns = ([], [], [])
        self._packed = True
        return True

    def filter(self, query: str) -> list[int]:
        """Positions of the matching definitions, best first (all of them for ``""``).

        A definition scores the sum of its terms' ranks; each bucket of equal score keeps
        the original order, and the answer is the buckets joined, best score first.
        """
        wanted = terms(query)
        if not wanted:
            self._last_query, self._last = [], None
            return list(range(self._n))
        self.prepare()
        candidates = self._candidates(wanted)
        self._matched_bits: int | None = None
        matched: Found
        if len(wanted) == 1:
            groups = self._groups(wanted[0], candidates, self._substrings_within(wanted[0]))
            matched = (sorted(chain.from_iterable(groups)) if self._matched_bits is None
                       else self._matched_bits)
            answer = list(chain.from_iterable(groups))
        else:
            answer, matched = self._several(wanted, candidates)
        self._last_query, self._last = wanted, matched
        if len(self._by_terms) >= PREFIX_CACHE:
            self._by_terms.clear()
        self._by_terms[tuple(wanted)] = matched
        return answer

    def _several(self, wanted: list[str], candidates: Found | None
                 ) -> tuple[list[int], list[int]]:
        """The answer and the matches (in original order) of a query of several terms."""
        score: dict[int, int] = {}
        current: Found | None = candidates
        for term in wanted:
            groups = self._groups(term, current)
            for rank, group in enumerate(groups):
                for i in group:
                    score[i] = score.get(i, 0) + rank
            current = sorted(chain.from_iterable(groups))
        assert isinstance(current, list)
        buckets: dict[int, list[int]] = {}
        for i in current:
            buckets.setdefault(score[i], []).append(i)
        return [i for s in sorted(buckets) for i in buckets[s]], current

    def _substrings_within(self, term: str) -> int | None:
        """Where ``term``'s substring matches can be, when the last query's answer says it
        and ``_candidates`` cannot (the term just became long enough to match fuzzily: its
        fuzzy matches are anywhere, its substring matches among the last term's)."""
        old, last = self._last_query, self._last
        if len(old) != 1 or not isinstance(last, int):
            return None
        if old[0] in term and len(old[0]) < FUZZY_MIN <= len(term) < ID_MIN:
            return last
        return None

    def _groups(self, term: str, candidates: Found | None, within: int | None = None
                ) -> tuple[list[int], ...]:
        """The candidates (None: every definition) that ``term`` matches, by rank (PREFIX,
        CONTAINS, ELSEWHERE, FUZZY), each in original order; ``within``: where its substring
        matches can be (:meth:`_substrings_within`).

        Many candidates: their bit set is intersected with the definitions holding every
        character of the term, and only those are tested for the whole term. Few: each is
        tested, a column at a time."""
        if candidates is None:
            bits = self._everyone
        elif isinstance(candidates, int):
            if candidates.bit_count() * 4 < self._n:
                return self._tested(term, _members(candidates, self._positions))
            bits = candidates
        elif len(candidates) * 4 < self._n:
            return self._tested(term, candidates)
        else:
            bits = self._bits(candidates)
        chars = set(term)
        single = len(term) == 1
        sub = bits if within is None else bits & within
        if single:
            hits = sub & self._in_names.get(term, 0)
            prefix = hits & self._starting.get(term, 0)
        else:
            hits = self._holding_bits(sub & self._having(self._in_names, chars), self._names, term)
            prefix = hits & self._starting2.get(term[:2], 0)  # a name starts with its 2
            if len(term) > 2:
                prefix = self._holding_bits(prefix, self._names, "\n" + term)
        rest = bits & ~hits
        elsewhere = rest & sub & self._having(self._in_options, chars)
        if not single and elsewhere:
            holders = self._sharing(term, elsewhere.bit_count())
            if holders is None:
                elsewhere = self._holding_bits(elsewhere, self._options, term)
            else:
                elsewhere &= holders
        if len(term) >= ID_MIN:
            elsewhere |= self._holding_bits(
                rest & ~elsewhere & self._having(self._in_ids, chars), self._ids, term)
        fuzzy = 0
        if len(term) >= FUZZY_MIN:
            maybe = rest & ~elsewhere & self._having(self._in_names, chars)
            if maybe:
                flags = bin(maybe)[:1:-1].encode().translate(_FROM_DIGITS)
                fuzzy = self._bits(compress(compress(self._positions, flags), map(
                    _fuzzy_line(term).search, compress(self._names, flags))))
        self._matched_bits = hits | elsewhere | fuzzy
        return tuple(_members(group, self._positions)
                     for group in (prefix, hits & ~prefix, elsewhere, fuzzy))

    def _tested(self, term: str, candidates: list[int]) -> tuple[list[int], ...]:
        """:meth:`_groups` for a few candidates: every test over a column, in C."""
        names = _take(self._names, candidates)
        in_names = list(map(contains, names, repeat(term)))
        hits = list(compress(candidates, in_names))
        starts = list(map(contains, compress(names, in_names), repeat("\n" + term)))
        prefix = list(compress(hits, starts))
        inside = list(compress(hits, map(not_, starts)))
        rest = list(compress(candidates, map(not_, in_names)))
        elsewhere: list[int] = []
        fuzzy: list[int] = []
        if rest:
            holders = self._sharing(term, len(rest))
            found: list[Any]  # (a flag per definition of ``rest``: a bool, or 0 or 1)
            if holders is None:
                found = list(map(contains, _take(self._options, rest), repeat(term)))
            else:
                found = _take(_flags(holders, self._n), rest)
            if len(term) >= ID_MIN:
                in_ids = map(contains, _take(self._ids, rest), repeat(term))
                found = [a or b for a, b in zip(found, in_ids, strict=True)]
            elsewhere = list(compress(rest, found))
            if len(term) >= FUZZY_MIN:
                rest = list(compress(rest, map(not_, found)))
                fuzzy = list(compress(rest, map(_fuzzy_line(term).search,
                                                _take(self._names, rest))))
        return prefix, inside, elsewhere, fuzzy

    def _sharing(self, term: str, tests: int) -> int | None:
        """The definitions whose option texts hold ``term``, from each distinct text tested
        once, when that reads fewer characters than testing the ``tests`` definitions'
        own texts would (as many times the mean text), and they are fewer; None: not."""
        shared = self._shared
        if (shared is None or self._shared_chars >= tests * self._options_mean
                or len(shared) * 2 >= tests):  # (each text found costs a merge of all bits)
            return None
        return reduce(or_, (bits for text, bits in shared if term in text), 0)

    def _having(self, index: dict[str, int], chars: Iterable[str]) -> int:
        """The definitions whose text (in ``index``) holds every one of ``chars``."""
        return reduce(and_, (index.get(ch, 0) for ch in chars), self._everyone)

    def _holding_bits(self, bits: int, column: Sequence[str], text: str) -> int:
        """The definitions of ``bits`` whose text in ``column`` holds ``text``: the texts
        and positions are picked lazily by the bit set's flags (no list of either)."""
        if not bits:
            return 0
        if bits.bit_count() * 8 < self._n:  # few: their list is quicker than the flags'
            return self._bits(self._holding(_members(bits, self._positions), column, text))
        flags = bin(bits)[:1:-1].encode().translate(_FROM_DIGITS)
        found = map(contains, compress(column, flags), repeat(text))
        return self._bits(compress(compress(self._positions, flags), found))

    @staticmethod
    def _holding(positions: list[int], column: Sequence[str], text: str) -> list[int]:
        """The ``positions`` whose text in ``column`` holds ``text``."""
        return list(compress(positions, map(contains, _take(column, positions),
                                            repeat(text))))

    def _bits(self, positions: Iterable[int]) -> int:
        """Positions -> a bit set."""
        flags = bytearray(self._n)
        deque(map(flags.__setitem__, positions, repeat(1)), maxlen=0)
        return _pack(flags)

    def _candidates(self, wanted: list[str]) -> Found | None:
        """The smallest known set holding every match of ``wanted`` (None: everything):
        the previous answer when typing only narrowed it (with the definitions whose id a
        term now long enough to match ids finds), else the answer for its longest cached
        leading terms (every term must match, so more terms only remove definitions)."""
        universe: Found | None = None
        for k in range(len(wanted) - 1, 0, -1):
            known = self._by_terms.get(tuple(wanted[:k]))
            if known is not None:
                universe = known
                break
        old, last = self._last_query, self._last
        if not old or last is None or len(wanted) < len(old):
            return universe
        pairs = list(zip(old, wanted, strict=False))
        if not all(o in n for o, n in pairs):
            return universe
        # Substring of a substring and subsequence of a subsequence both carry over; a term
        # that just became long enough to match fuzzily can match almost anything anew,
        # one just long enough to match ids only what its id column holds.
        if any(len(o) < FUZZY_MIN <= len(n) for o, n in pairs):
            return universe
        by_id = [n for o, n in pairs if len(o) < ID_MIN <= len(n)]
        if not by_id:
            return last
        pool = self._everyone if universe is None else self._as_bits(universe)
        found = self._as_bits(last)
        for term in by_id:
            found |= self._holding_bits(pool & self._having(self._in_ids, set(term)),
                                        self._ids, term)
        return found

    def _as_bits(self, found: Found) -> int:
        return found if isinstance(found, int) else self._bits(found)


def _take(column: Sequence[Any], positions: Iterable[int]) -> list[Any]:
    return list(map(column.__getitem__, positions))
