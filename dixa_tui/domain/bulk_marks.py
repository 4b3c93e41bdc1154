"""Marked targets and one edit set, written as a bulk input: one JSONL record per target.

The TUI's marks (a user's conversations, lookup results, a Find worklist) become the same
input a file would give, so planning them goes through the very rules a file goes through
(:func:`~dixa_tui.domain.bulk_input.parse_bulk`, then the planner), and a failures file
written from such a plan is valid input for ``dixa-tui bulk plan`` as it stands.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from dixa_tui.domain.bulk_rows import TARGET_NOUNS
from dixa_tui.domain.patch import DefinitionIndex, StagedEdit, Target, TargetKind


def marks_kind(targets: Iterable[Target]) -> TargetKind:
    """The one kind of target ``targets`` are; ``ValueError`` (in words) for none or a mix:
    one bulk run edits one kind, as one input file does."""
    kinds = {t.kind for t in targets}
    if not kinds:
        raise ValueError("nothing is marked: mark the targets to edit first")
    if len(kinds) > 1:
        raise ValueError("the marks hold both end users and conversations: edit one kind "
                         "at a time")
    kind: TargetKind = kinds.pop()
    return kind


def _key(index: DefinitionIndex, ref: str) -> str:
    """The attribute as the record names it: its identifier where that names it alone (a
    person reads the failures file), else its id."""
    found = index.by_id.get(ref)
    if found is None:
        return ref
    alone = found.identifier and len(index.by_identifier.get(found.identifier, [])) == 1
    return found.identifier if alone else found.id


def marks_record(target: Target, edits: Sequence[StagedEdit], index: DefinitionIndex) -> str:
    """``{"conversation": 10001, "set": {...}, "clear": [...]}``: one line, no line ending.
    A Select value is its exact path of option values; ``None`` clears."""
    ref: int | str = int(target.id) if target.kind == "conversation" else target.id
    record: dict[str, Any] = {target.kind: ref}
    sets = {_key(index, e.ref): e.value for e in edits if e.value is not None}
    clears = [_key(index, e.ref) for e in edits if e.value is None]
    if sets:
        record["set"] = sets
    if clears:
        record["clear"] = clears
    return json.dumps(record, ensure_ascii=False)


def marks_jsonl(targets: Sequence[Target], edits: Sequence[StagedEdit],
                index: DefinitionIndex) -> str:
    """Every target (in order, each once) with the same edits, as JSONL text."""
    kind = marks_kind(targets)
    if not edits:
        raise ValueError(f"no edits are staged for the marked {TARGET_NOUNS[kind]}s: set or "
                         "clear at least one attribute")
    unique = list(dict.fromkeys(t.normalized() for t in targets))
    return "".join(marks_record(t, edits, index) + "\n" for t in unique)
