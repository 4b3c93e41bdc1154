"""Comparing two schemas: what changed from organization A (before) to organization B (after).

Definitions are matched by ``identifier``: ids differ between organizations (a sandbox and
production) and identifiers are what admins and integrations use. Identifiers are meant to
be unique, but someone else's data may repeat one or leave it empty, so:

- an identifier held by one definition on each side: those two are one attribute;
- an identifier held by several definitions on a side (a duplicate): they are paired first
  with the ones on the other side of the same entity type and label, then the rest in
  listing order, and :func:`diff_caveats` says so;
- an empty identifier: paired only with an empty one of the same entity type and label
  (nothing else ties them); the others count as removed and added, and the caveats say so.

Each difference is reported exactly once (see ``schema_change.CHANGE_KINDS``): options are
compared by ``schema_option_diff`` and only when both sides are Selects (a Select that
became a Text is one ``input_type_changed``, not one removal per option); an added or removed
definition is one change carrying its option count.

Order is stable and independent of listing order: by identifier, then entity type and label
(for duplicates), then the definition's own changes in ``CHANGE_KINDS`` order, then its
option changes by option path and kind.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from dixa_tui.api.models import CustomAttributeDefinition, TextInput
from dixa_tui.domain.options import count_options
from dixa_tui.domain.schema_change import CHANGE_KINDS, ChangeKind, ChangeValue, SchemaChange
from dixa_tui.domain.schema_option_diff import diff_options
from dixa_tui.text import plural

Definition = CustomAttributeDefinition
Pair = tuple[Definition | None, Definition | None]
_RANK = {kind: i for i, kind in enumerate(CHANGE_KINDS)}
_FLAGS: tuple[tuple[ChangeKind, str], ...] = (
    ("required_changed", "is_required"), ("archived_changed", "is_archived"),
    ("deactivated_changed", "is_deactivated"))


def diff_schemas(a: Sequence[Definition], b: Sequence[Definition]) -> list[SchemaChange]:
    """Every change from ``a`` to ``b``, each once, in a stable order; ``[]`` when equal."""
    keyed: list[tuple[tuple[str, str, str, int], list[SchemaChange]]] = []
    for n, (before, after) in enumerate(pair_definitions(a, b)):
        either = after or before
        assert either is not None
        key = (either.identifier, either.entity_type, either.label, n)
        keyed.append((key, _changes(before, after)))
    keyed.sort(key=lambda item: item[0])
    ordered: list[SchemaChange] = []
    for _, changes in keyed:
        ordered += sorted(changes, key=lambda c: (c.is_option, c.option_path, _RANK[c.kind]))
    return ordered


def pair_definitions(a: Sequence[Definition], b: Sequence[Definition]) -> list[Pair]:
    """Definitions of A and B that are one attribute, as (A's, B's); (A's, None) for one
    only in A and (None, B's) for one only in B. Matching rules: the module's docstring.
    Listed by identifier; within one: pairs in B's order, then A's leftovers, then B's."""
    groups_a = _by_identifier(a)
    groups_b = _by_identifier(b)
    pairs: list[Pair] = []
    for identifier in sorted(set(groups_a) | set(groups_b)):
        left = list(groups_a.get(identifier, []))
        right = list(groups_b.get(identifier, []))
        for d in list(right):  # the same entity type and label first
            mate = next((x for x in left if (x.entity_type, x.label) ==
                         (d.entity_type, d.label)), None)
            if mate is not None:
                left.remove(mate)
                right.remove(d)
                pairs.append((mate, d))
        if identifier:  # then the rest in listing order
            while left and right:
                pairs.append((left.pop(0), right.pop(0)))
        pairs += [(d, None) for d in left]
        pairs += [(None, d) for d in right]
    return pairs


def diff_caveats(a: Sequence[Definition], b: Sequence[Definition]) -> list[str]:
    """Sentences on what made matching uncertain (duplicate or empty identifiers), for the
    reader of a diff; ``[]`` when every identifier is unique and non-empty on both sides.
    Identifiers are quoted with ``repr`` (clean before showing)."""
    notes: list[str] = []
    for side, definitions in (("A", a), ("B", b)):
        counts = Counter(d.identifier for d in definitions)
        empty = counts.pop("", 0)
        for identifier, count in sorted(counts.items()):
            if count > 1:
                notes.append(f"{side} has {count} definitions with the identifier "
                             f"{identifier!r}: they were matched by entity type and label, "
                             "then in listing order")
        if empty:
            notes.append(f"{side} has {plural(empty, 'definition')} without an "
                         "identifier: matched only by entity type and label, else counted "
                         "as removed or added")
    return notes


def _by_identifier(definitions: Sequence[Definition]) -> dict[str, list[Definition]]:
    groups: dict[str, list[Definition]] = {}
    for d in definitions:
        groups.setdefault(d.identifier, []).append(d)
    return groups


def _changes(before: Definition | None, after: Definition | None) -> list[SchemaChange]:
    if before is None:
        assert after is not None
        return [SchemaChange("definition_added", after.identifier, after.entity_type,
                             after=after.label, count=count_options(after.options))]
    if after is None:
        return [SchemaChange("definition_removed", before.identifier, before.entity_type,
                             before=before.label, count=count_options(before.options))]
    changes: list[SchemaChange] = []

    def change(kind: ChangeKind, was: ChangeValue, now: ChangeValue) -> None:
        if was != now:
            changes.append(SchemaChange(kind, after.identifier, after.entity_type,
                                        before=was, after=now))

    change("label_changed", before.label, after.label)
    change("entity_type_changed", before.entity_type, after.entity_type)
    change("input_type_changed", before.input_type, after.input_type)
    for kind, flag in _FLAGS:
        change(kind, bool(getattr(before, flag)), bool(getattr(after, flag)))
    change("description_changed", before.description or "", after.description or "")
    if isinstance(before.input_definition, TextInput) and isinstance(after.input_definition,
                                                                     TextInput):
        change("placeholder_changed", before.input_definition.placeholder or "",
               after.input_definition.placeholder or "")
    if before.input_type == after.input_type == "Select" and before.options != after.options:
        changes += diff_options(before.options, after.options, after.identifier,
                                after.entity_type)
    return changes
