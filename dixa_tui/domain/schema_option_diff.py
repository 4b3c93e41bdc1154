"""Comparing two option trees of one Select: what was added, removed, moved, renamed,
(de)activated or reordered, each change once.

Options are matched by value path: level by level, an option of A and one of B with the
same value under matched parents are the same option (two options with one value at one
level are paired in display order). What is left is matched by "moved": an option of A and
one of B with the same value **and** label, under different parents, are one option that
moved; its sub-options then match under it as if it had stayed (so a moved subtree is one
change, not one per option). Whatever is still unmatched was removed (in A) or added (in B);
a removed or added option carries its unmatched sub-options along (``count``) instead of
reporting each.

Order: Dixa numbers ``orderIndex`` across the whole tree in pre-order, so one option added
near the top renumbers every option after it. A number alone is therefore not a change: an
option is ``option_reordered`` when its rank among the siblings present in both trees
changed, and only the fewest such options are reported (those outside a longest run kept
in order), so moving one option up reports that option, not every sibling it passed.

Iterative throughout: a hostile tree may be deeper than Python's recursion limit.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from dixa_tui.api.models import SelectOption
from dixa_tui.domain.options import ordered
from dixa_tui.domain.schema_change import ChangeKind, ChangeValue, SchemaChange

Pos = tuple[int, ...]  # an option's place: its rank among its siblings at each level


class _Tree:
    """An option tree indexed by place; ``order`` lists the places in pre-order."""

    def __init__(self, roots: Sequence[SelectOption]) -> None:
        self.option: dict[Pos, SelectOption] = {}
        self.children: dict[Pos, list[Pos]] = {}
        self.order: list[Pos] = []
        stack: list[tuple[Pos, Sequence[SelectOption]]] = [((), roots)]
        while stack:
            parent, options = stack.pop()
            kids = [(*parent, i) for i in range(len(options))]
            self.children[parent] = kids
            for place, option in zip(kids, ordered(options), strict=True):
                self.option[place] = option
                stack.append((place, option.nested_options))
        # pre-order: places sorted as tuples (a parent's place prefixes its children's)
        self.order = sorted(self.option)

    def values(self, place: Pos) -> tuple[str, ...]:
        return tuple(self.option[place[:n]].value for n in range(1, len(place) + 1))


def diff_options(old: Sequence[SelectOption], new: Sequence[SelectOption], identifier: str,
                 entity_type: str = "") -> list[SchemaChange]:
    """The option changes from ``old`` to ``new`` (unsorted: the caller orders them)."""
    a, b = _Tree(old), _Tree(new)
    pairs: dict[Pos, Pos] = {}   # place in A -> place in B
    back: dict[Pos, Pos] = {}    # place in B -> place in A
    moved: set[Pos] = set()      # places in B of options that moved there
    matched_parents: list[tuple[Pos, Pos]] = []

    def match_under(pa: Pos, pb: Pos) -> None:
        """Match the subtrees under a matched pair, level by level, by value."""
        queue = [(pa, pb)]
        while queue:
            qa, qb = queue.pop()
            matched_parents.append((qa, qb))
            waiting: dict[str, list[Pos]] = {}
            for place in a.children[qa]:
                if place not in pairs:
                    waiting.setdefault(a.option[place].value, []).append(place)
            for place in b.children[qb]:
                if place in back:
                    continue
                same = waiting.get(b.option[place].value)
                if same:
                    mate = same.pop(0)
                    pairs[mate], back[place] = place, mate
                    queue.append((mate, place))

    match_under((), ())
    left: dict[tuple[str, str], list[Pos]] = {}
    for place in a.order:
        if place not in pairs:
            left.setdefault((a.option[place].value, a.option[place].label), []).append(place)
    for place in b.order:
        if place in back:
            continue
        candidates = left.get((b.option[place].value, b.option[place].label), [])
        for mate in candidates:
            if mate not in pairs and a.values(mate[:-1]) != b.values(place[:-1]):
                candidates.remove(mate)
                pairs[mate], back[place] = place, mate
                moved.add(place)
                match_under(mate, place)
                break

    changes: list[SchemaChange] = []

    def change(kind: ChangeKind, place: Pos, tree: _Tree, before: ChangeValue = None,
               after: ChangeValue = None, count: int = 0) -> None:
        changes.append(SchemaChange(kind, identifier, entity_type, tree.values(place),
                                    before, after, count))

    for place in b.order:
        origin = back.get(place)
        if origin is None:
            continue
        was, now = a.option[origin], b.option[place]
        if place in moved:
            change("option_moved", place, b, list(a.values(origin)), list(b.values(place)))
        if was.label != now.label:
            change("option_label_changed", place, b, was.label, now.label)
        if was.is_deactivated != now.is_deactivated:
            change("option_deactivated" if now.is_deactivated else "option_reactivated",
                   place, b, was.is_deactivated, now.is_deactivated)
    for qa, qb in matched_parents:
        for place in _reordered(a, b, qa, qb, back, moved):
            mate = back[place]
            change("option_reordered", place, b, a.option[mate].order_index,
                   b.option[place].order_index)
    for place, carried in _unmatched_roots(a, pairs).items():
        change("option_removed", place, a, before=a.option[place].label, count=carried)
    for place, carried in _unmatched_roots(b, back).items():
        change("option_added", place, b, after=b.option[place].label, count=carried)
    return changes


def _reordered(a: _Tree, b: _Tree, qa: Pos, qb: Pos, back: dict[Pos, Pos],
               moved: set[Pos]) -> list[Pos]:
    """Places in B (children of ``qb``) whose rank among the siblings matched in place
    changed: those outside a longest increasing run of their ranks in A."""
    kept = [p for p in b.children[qb] if p in back and p not in moved and back[p][:-1] == qa]
    ranks = [back[p][-1] for p in kept]
    stay = set(_longest_increasing(ranks))
    return [p for i, p in enumerate(kept) if i not in stay]


def _longest_increasing(seq: Sequence[int]) -> list[int]:
    """Indexes of one longest strictly increasing subsequence of ``seq`` (patience sort)."""
    tails: list[int] = []       # tails[k]: the smallest tail value of a run of length k+1
    tail_at: list[int] = []     # index in seq of that tail
    before: list[int] = [-1] * len(seq)
    for i, value in enumerate(seq):
        k = bisect.bisect_left(tails, value)
        if k == len(tails):
            tails.append(value)
            tail_at.append(i)
        else:
            tails[k], tail_at[k] = value, i
        before[i] = tail_at[k - 1] if k else -1
    run: list[int] = []
    i = tail_at[-1] if tail_at else -1
    while i != -1:
        run.append(i)
        i = before[i]
    return run[::-1]


def _unmatched_roots(tree: _Tree, matched: dict[Pos, Pos]) -> dict[Pos, int]:
    """The unmatched options whose parent is matched (or the top), each with how many
    unmatched options sit below it without a matched one between."""
    roots: dict[Pos, int] = {}
    root_of: dict[Pos, Pos] = {}
    for place in tree.order:
        if place in matched:
            continue
        parent = place[:-1]
        if parent and parent not in matched:
            root = root_of[parent]
            root_of[place] = root
            roots[root] += 1
        else:
            root_of[place] = place
            roots[place] = 0
    return roots
