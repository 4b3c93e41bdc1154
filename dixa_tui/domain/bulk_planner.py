"""From parsed rows to a plan: the same value rules as ``patch``, then only what changes.

The engine resolves each row's target and reads its current values; these pure functions
do the rest. A value is compared as ``domain.compare`` does (``None``, ``""`` and ``[]`` all
mean empty, a Select path is a sequence), so an attribute that already holds the value is
``unchanged`` and never sent. The same comparison decides, at apply time, whether a target
still holds the plan's before values (:func:`settle`), which is also how an entry of unknown
outcome is settled.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal

from dixa_tui.api.models import CustomAttributeDefinition
from dixa_tui.domain.bulk_input import BulkInput, BulkRow
from dixa_tui.domain.bulk_plan import (
    AttributeChange,
    Plan,
    PlanEntry,
    PlanInput,
    PlanOrigin,
    PlanProblem,
    PlanStatus,
    new_plan,
    value_json,
)
from dixa_tui.domain.bulk_rows import RowProblem, describe_key
from dixa_tui.domain.compare import same_value, standing
from dixa_tui.domain.patch import DefinitionIndex, Problem, Target, build_patch

# Stands in for an unresolved target so the value rules can still judge a row's values
# (every problem of a bad row at once); it never reaches a plan.
_PLACEHOLDER = {"conversation": "1", "enduser": "00000000-0000-0000-0000-000000000000"}


def needs_values(row: BulkRow) -> bool:
    """Whether the engine must resolve this row's target and read its current values:
    only a row without errors that changes something."""
    return not row.errors and bool(row.edits)


def _problem(p: RowProblem | Problem) -> PlanProblem:
    ref = p.column if isinstance(p, RowProblem) else p.ref
    return PlanProblem(p.code, p.message, ref)


def _index(definitions: Iterable[CustomAttributeDefinition] | DefinitionIndex) -> DefinitionIndex:
    return definitions if isinstance(definitions, DefinitionIndex) else \
        DefinitionIndex(definitions)


def plan_entry(
    row: BulkRow,
    definitions: Iterable[CustomAttributeDefinition] | DefinitionIndex,
    *,
    target: Target | None = None,
    current: Mapping[str, Any] | None = None,
    target_problem: str | None = None,
) -> PlanEntry:
    """The plan entry for one row.

    ``target`` is the resolved target (default: ``row.target``, set when the reference is
    an id); ``target_problem`` says why it could not be resolved (no such user, two users
    with that phone, conversation not found); ``current`` maps definition id -> value as
    read now (``patch.current_values``). Both are needed only when :func:`needs_values`.
    Errors come from the input and from ``build_patch``; with any, nothing is sent.
    """
    index = _index(definitions)
    target = target or row.target
    errors = [_problem(p) for p in row.errors]
    warnings = [_problem(p) for p in row.warnings]
    if target_problem:
        errors.append(PlanProblem("target-not-found", target_problem))
    elif needs_values(row) and target is None:
        raise ValueError(f"line {row.line}: resolve the target (or give target_problem)")
    changes: list[AttributeChange] = []
    body: dict[str, Any] = {}
    if row.edits:
        check = build_patch(index, target if target and not target_problem else
                            Target(row.target_kind, _PLACEHOLDER[row.target_kind]), row.edits)
        errors += [_problem(p) for p in check.errors]
        said = {(w.code, w.ref) for w in warnings}  # the input's own reading said it first
        warnings += [w for w in map(_problem, check.warnings) if (w.code, w.ref) not in said]
        if not errors:
            if current is None:
                raise ValueError(f"line {row.line}: read the target's current values")
            for key, after in check.body.items():
                definition = index.by_id[key]
                before = current.get(key)
                changed = not same_value(before, after)
                changes.append(AttributeChange(key, definition.identifier, definition.label,
                                               before, after, changed))
                if changed:
                    body[key] = after
    status: PlanStatus = "error" if errors else "change" if body else "unchanged"
    return PlanEntry(row.line, row.target_ref, target if not target_problem else None, status,
                     body, changes, errors, warnings, row.source)


def _orphan(inp: BulkInput, line: int, problems: list[RowProblem]) -> PlanEntry:
    """A record that never became a row (bad JSON, broken CSV quoting): listed in the plan
    with its line, so every bad record shows."""
    source: str | list[str] = [] if inp.format == "csv" else ""
    return PlanEntry(line, "", None, "error", {}, [],
                     [_problem(p) for p in problems if p.severity == "error"],
                     [_problem(p) for p in problems if p.severity == "warning"], source)


def _mark_duplicates(entries: list[PlanEntry]) -> list[PlanEntry]:
    """Two rows that resolve to one target (a UUID and that user's email): the later is an
    error, as for two rows with the same reference."""
    first: dict[Target, int] = {}
    out = []
    for e in entries:
        if e.target is not None and e.target in first and e.status != "error":
            key = (e.target.kind, e.target.id) if e.target.kind == "conversation" else \
                ("enduser", "id", e.target.id)
            problem = PlanProblem("duplicate-target", f"{describe_key(key)} is also on line "
                                  f"{first[e.target]}: give each target one row, with all its "
                                  "changes on it")
            e = replace(e, status="error", body={}, errors=[*e.errors, problem])
        elif e.target is not None:
            first.setdefault(e.target, e.line)
        out.append(e)
    return out


def build_plan(
    inp: BulkInput,
    entries: Sequence[PlanEntry],
    *,
    created_at: datetime,
    profile: str,
    base_url: str,
    api_version: str,
    origin: PlanOrigin = "file",
) -> Plan:
    """The plan of a parsed input and its rows' entries (one per ``inp.rows``, any order).

    Records that never became rows get entries of their own, rows resolving to the same
    target are marked, and the input's file-level errors become the plan's ``problems``.
    """
    have = {e.line for e in entries}
    orphans: dict[int, list[RowProblem]] = {}
    for p in inp.problems:
        if p.scope == "row" and p.line not in have:
            orphans.setdefault(p.line, []).append(p)
    every = sorted([*entries, *(_orphan(inp, n, ps) for n, ps in orphans.items())],
                   key=lambda e: e.line)
    problems = [PlanProblem(p.code, p.message, p.column, p.line) for p in inp.file_problems
                if p.severity == "error"]
    source = PlanInput(inp.name, inp.sha256, inp.format, inp.target_kind, list(inp.header),
                       inp.delimiter, inp.bom, inp.newline, origin)
    return new_plan(created_at=created_at, profile=profile, base_url=base_url,
                    api_version=api_version, input=source, problems=problems,
                    entries=_mark_duplicates(every))


Settled = Literal["pending", "landed", "conflict"]


@dataclass(frozen=True)
class Drift:
    """An attribute that holds neither the plan's before nor its after value."""

    identifier: str
    expected: Any
    found: Any

    def __str__(self) -> str:
        return (f"{self.identifier} is now {value_json(self.found)} (the plan expected "
                f"{value_json(self.expected)})")


def settle(entry: PlanEntry, current: Mapping[str, Any]) -> tuple[Settled, list[Drift]]:
    """Where a target stands against its plan entry, from values read now.

    ``pending``: every changed attribute still holds its before value (send it);
    ``landed``: every one holds its after value (already done: by us, when the outcome
    was unknown, or by someone else); ``conflict``: anything else (someone changed the
    target since the plan; ``--force`` sends anyway). The drifts name each attribute that
    holds neither, or that holds its after value while others are still before.
    """
    changed = [c for c in entry.changes if c.changed]
    now = [current.get(c.definition_id) for c in changed]
    found = standing((value, c.before, c.after) for value, c in zip(now, changed, strict=True))
    if found.where == "after":
        return "landed", []
    if found.where == "before":
        return "pending", []
    return "conflict", [Drift(c.identifier, c.before, value)
                        for value, c, before in zip(now, changed, found.at_before, strict=True)
                        if not before]

