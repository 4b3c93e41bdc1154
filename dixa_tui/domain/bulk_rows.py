"""One record of a bulk input file, whatever its format: how its target and its values are
read, and the problems found on the way.

CSV and JSONL differ in syntax only. What a target cell means, what a Select cell may say,
when two rows name the same target and what the trailing-``\\r`` hint says is answered
here, once, so both formats behave alike.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from dixa_tui.api.models import CustomAttributeDefinition, SelectInput, TextInput
from dixa_tui.domain.options import TRAILING_CR_HINT, resolve_path_text
from dixa_tui.domain.patch import (
    TARGET_FOR_ENTITY,
    UUID_PATTERN,
    DefinitionIndex,
    Problem,
    Severity,
    StagedEdit,
    Target,
    TargetKind,
)
from dixa_tui.domain.targets import NOUNS, Lookup, conversation_number, interpret
from dixa_tui.jsontext import loads

Format = Literal["csv", "jsonl"]
Scope = Literal["file", "row"]

CLEAR_CELL = "<clear>"
"""The CSV cell that clears an attribute. Chosen because no spreadsheet writes it by itself:
an empty cell means "leave alone", and Excel's own error values (``#N/A``, ``#VALUE!``) are
ordinary text here, so a failed lookup can never clear a value by accident."""

TARGET_KINDS: tuple[TargetKind, ...] = ("conversation", "enduser")
TARGET_NOUNS: dict[TargetKind, str] = {"conversation": "conversation", "enduser": "end user"}
_NOUNS: dict[str, str] = {str(k): v for k, v in NOUNS.items()}
_OWNERS: dict[str, str] = {"enduser": "end users", "conversation": "conversations"}


@dataclass(frozen=True)
class RowProblem:
    """Something wrong in the input, at the physical line where its record starts.

    ``scope`` is ``file`` for what concerns the whole file (the header, the encoding),
    reported once; ``row`` for one record. ``column`` names the attribute, column or key
    concerned, when there is one.
    """

    line: int
    message: str
    code: str
    severity: Severity = "error"
    column: str = ""
    scope: Scope = "row"

    @property
    def text(self) -> str:
        """The problem without its line number: ``column: message``."""
        return f"{self.column}: {self.message}" if self.column else self.message

    def __str__(self) -> str:
        return f"line {self.line}: {self.text}"


@dataclass(frozen=True)
class BulkRow:
    """One target and its edits, as read from the input.

    ``target_ref`` is the target cell as written (stripped). ``target_id`` is set when the
    reference is itself an id (a conversation number, an end user's UUID); ``lookup`` is
    set for every end-user reference and says how to find the user when it is not an id.
    ``source`` is the record as it was: the CSV cells, or the JSONL line (no line ending),
    so a failures file can give it back unchanged. ``edits`` hold only attributes that
    exist and belong to ``target_kind``; ``problems`` are this row's, also listed in
    :attr:`BulkInput.problems`.
    """

    line: int
    target_ref: str
    target_kind: TargetKind
    edits: list[StagedEdit]
    source: str | list[str]
    target_id: str | None = None
    lookup: Lookup | None = None
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def target(self) -> Target | None:
        """The target when the reference is an id; None when it needs a lookup (or is bad)."""
        return Target(self.target_kind, self.target_id) if self.target_id else None

    @property
    def errors(self) -> list[RowProblem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[RowProblem]:
        return [p for p in self.problems if p.severity == "warning"]


@dataclass(frozen=True)
class TargetCell:
    """What a target reference says: an id, a lookup, a key to spot duplicates, or why not."""

    target_id: str | None = None
    lookup: Lookup | None = None
    key: tuple[str, ...] | None = None
    problem: str | None = None


def read_target(kind: TargetKind, text: str) -> TargetCell:
    """A conversation is its number (``#`` allowed); an end user a UUID or an
    ``email:``/``phone:``/``ext:`` reference: both read by ``domain.targets``, as everywhere
    else."""
    text = text.strip()
    if kind == "conversation":
        if not text:
            return TargetCell(problem="the conversation cell is empty: give the conversation's "
                              "number, e.g. 12345")
        number = conversation_number(text)
        if number is None:
            return TargetCell(problem=f"'{text}' is not a conversation id: use the "
                              "conversation's number, e.g. 12345")
        return TargetCell(target_id=number, key=("conversation", number))
    lookup = interpret(text)
    if lookup is None:
        return TargetCell(problem="the enduser cell is empty: give the end user's UUID, or "
                          "email:, phone: or ext: followed by what to look up")
    if not lookup.value:
        return TargetCell(problem=f"'{text}' names no {NOUNS[lookup.kind]} after the prefix")
    if lookup.kind == "id":
        if not UUID_PATTERN.fullmatch(lookup.value):
            return TargetCell(problem=f"'{text}' is not an end user id: use the user's UUID, "
                              "e.g. 93b885ad-fe0d-3089-8df6-34904fd59f71, or email:, phone: "
                              "or ext:")
        user = lookup.value.lower()
        return TargetCell(target_id=user, lookup=lookup, key=("enduser", "id", user))
    value = lookup.value.casefold() if lookup.kind == "email" else lookup.value
    return TargetCell(lookup=lookup, key=("enduser", lookup.kind, value))


def describe_key(key: tuple[str, ...]) -> str:
    """A duplicate key in words: ``conversation 10001``, ``end user email a@b.c``."""
    if key[0] == "conversation":
        return f"conversation {key[1]}"
    if key[1] == "id":
        return f"end user {key[2]}"
    return f"end user {_NOUNS.get(key[1], key[1])} {key[2]}"


def duplicate_problem(line: int, key: tuple[str, ...], first_line: int) -> RowProblem:
    """The same target twice is an error, never merged: two rows may disagree, and which one
    wins would depend on row order that a spreadsheet's sort silently changes."""
    return RowProblem(line, f"{describe_key(key)} is also on line {first_line}: give each "
                      "target one row, with all its changes on it", "duplicate-target")


def resolve_column(
    index: DefinitionIndex, ref: str, kind: TargetKind | None
) -> CustomAttributeDefinition | tuple[str, str]:
    """The definition an identifier (or id) names, or (code, why) it cannot be used on
    ``kind``'s targets: unknown (with "did you mean"), ambiguous, or the other entity's."""
    found = index.resolve(ref)
    if isinstance(found, Problem):
        return found.code, found.message
    owner = TARGET_FOR_ENTITY.get(found.entity_type)
    if kind is not None and owner != kind:
        where = _OWNERS.get(owner or "", f"'{found.entity_type}' entities")
        return ("wrong-entity", f"is a {found.entity_type} attribute: it belongs to {where}, "
                f"and this file's targets are {TARGET_NOUNS[kind]}s")
    return found


@dataclass(frozen=True)
class BulkColumn:
    """A column of the input and what it is for: the ``target``, an ``attribute`` (with the
    definition it names), ``ignored`` (for reading only, or unnamed), or ``unknown`` (its
    header names no usable attribute: reported once). JSONL has no header: its columns are
    the target key and the attributes met, in order, with ``index`` -1."""

    index: int
    header: str
    role: Literal["target", "attribute", "ignored", "unknown"]
    definition_id: str = ""
    identifier: str = ""


@dataclass(frozen=True)
class ReadValue:
    """A value read from a cell or a JSON member, with the problems it raised."""

    edit: StagedEdit | None
    problems: list[tuple[Severity, str, str]] = field(default_factory=list)  # (sev, code, msg)


def read_text_value(ref: str, definition: CustomAttributeDefinition, text: str) -> ReadValue:
    """A string for ``definition``: a Select path is resolved (values or labels, ``/``- or
    `` > ``-joined), a Text is taken as written; anything else is left to the value rules."""
    spec = definition.input_definition
    if isinstance(spec, SelectInput):
        resolved = resolve_path_text(spec.options, text)
        if resolved.values is None:
            return ReadValue(None, [("error", "unknown-option", resolved.problem or "")])
        return ReadValue(StagedEdit(ref, resolved.values))
    problems: list[tuple[Severity, str, str]] = []
    if isinstance(spec, TextInput) and text.endswith("\r"):
        problems.append(("warning", "trailing-cr", f"{TRAILING_CR_HINT}: the value ends in "
                         "\\r; remove it unless it is meant"))
    return ReadValue(StagedEdit(ref, text), problems)


def read_json_path(ref: str, text: str) -> ReadValue:
    """A Select cell written as JSON: a list of exact option values, checked later by the
    value rules like any body."""
    try:
        value: Any = loads(text)
    except json.JSONDecodeError as exc:
        return ReadValue(None, [("error", "bad-json", f"not valid JSON ({exc.msg} at column "
                                 f"{exc.colno}); write a list like [\"payment\",\"card\"], or "
                                 "the path as values or labels joined by /")])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return ReadValue(None, [("error", "wrong-shape", "a JSON Select value is a list of "
                                 "option values (strings), e.g. [\"payment\",\"card\"]")])
    return ReadValue(StagedEdit(ref, value))
