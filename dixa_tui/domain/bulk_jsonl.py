"""Bulk input as JSONL: one object per line, for scripts.

``{"conversation": 10001, "set": {"contact_reason": ["payment", "card"]}, "clear":
["order_number"]}`` or ``{"enduser": "email:a@b.c", "set": {...}}``. In ``set``, a list is
a Select path of exact option values, ``null`` clears, and a string is a Text value as
written or, for a Select, a path of values or labels joined by ``/`` (as in a CSV cell).
Keys starting with ``#`` are notes and ignored; blank lines are skipped.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from typing import Any

from dixa_tui.api.models import CustomAttributeDefinition
from dixa_tui.domain.bulk_rows import (
    TARGET_KINDS,
    TARGET_NOUNS,
    BulkColumn,
    BulkRow,
    RowProblem,
    duplicate_problem,
    read_target,
    read_text_value,
    resolve_column,
)
from dixa_tui.domain.patch import DefinitionIndex, StagedEdit, TargetKind
from dixa_tui.jsontext import loads
from dixa_tui.text import json_kind

KEYS = ("conversation", "enduser", "set", "clear")
NOTE_PREFIX = "#"
EXAMPLE = '{"conversation": 12345, "set": {"order_number": "100-2345"}}'


class _Object(dict[str, Any]):
    """A JSON object that remembers the keys it was given twice (json keeps the last)."""

    duplicates: list[str]


def _object(pairs: list[tuple[str, Any]]) -> _Object:
    obj = _Object(pairs)
    obj.duplicates = list(dict.fromkeys(k for i, (k, _) in enumerate(pairs)
                                        if any(k == other for other, _ in pairs[:i])))
    return obj


@dataclass
class JsonlParse:
    target_kind: TargetKind | None = None
    first_line: int = 0
    columns: list[BulkColumn] = field(default_factory=list)
    rows: list[BulkRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


def split_lines(text: str) -> list[str]:
    """Physical lines without their endings (``\\n`` or ``\\r\\n``)."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def parse_jsonl(text: str, index: DefinitionIndex) -> JsonlParse:
    out = JsonlParse()
    seen: dict[tuple[str, ...], int] = {}
    for number, line in enumerate(split_lines(text), start=1):
        if not line.strip():
            continue
        row = _read_line(out, index, number, line, seen)
        if row is not None:
            out.rows.append(row)
            out.problems.extend(row.problems)
    if not out.rows and not out.problems:
        out.problems.append(RowProblem(1, f"the file is empty: write one object per line, "
                                       f"e.g. {EXAMPLE}", "empty-file", scope="file"))
    return out


def _read_line(out: JsonlParse, index: DefinitionIndex, line: int, text: str,
               seen: dict[tuple[str, ...], int]) -> BulkRow | None:
    """A line as a row; None when it is no object naming a target (its problem is kept)."""
    def fail(message: str, code: str) -> None:
        out.problems.append(RowProblem(line, message, code))

    try:
        obj = loads(text, object_pairs_hook=_object)
    except json.JSONDecodeError as exc:
        fail(f"not valid JSON: {exc.msg} at column {exc.colno}", "bad-json")
        return None
    if not isinstance(obj, _Object):
        hint = (" (a JSONL file is not a JSON array: `jq -c '.[]'` turns one into the other)"
                if isinstance(obj, list) else "")
        fail(f"is {json_kind(obj)}, not an object like {EXAMPLE}{hint}", "not-an-object")
        return None
    problems: list[RowProblem] = [
        RowProblem(line, f"the key '{k}' is given twice: keep one", "duplicate-key", column=k)
        for k in obj.duplicates]
    problems += [_unknown_key(line, index, k) for k in obj
                 if k not in KEYS and not k.startswith(NOTE_PREFIX)]
    kinds = [k for k in TARGET_KINDS if k in obj]
    if len(kinds) != 1:
        fail("names no target: add \"conversation\": 12345 or \"enduser\": \"email:a@b.c\""
             if not kinds else "names both a conversation and an end user: keep one",
             "missing-target" if not kinds else "two-targets")
        out.problems.extend(problems)
        return None
    kind: TargetKind = kinds[0]
    if out.target_kind is None:
        out.target_kind, out.first_line = kind, line
        out.columns.append(BulkColumn(-1, kind, "target"))
    elif kind != out.target_kind:
        problems.append(RowProblem(line, f"names {_a(TARGET_NOUNS[kind])}, but the first "
                                   f"line ({out.first_line}) names "
                                   f"{_a(TARGET_NOUNS[out.target_kind])}: a file edits one "
                                   "kind of target", "mixed-targets"))
    raw = obj[kind]
    ref = str(raw) if isinstance(raw, int | str) and not isinstance(raw, bool) else ""
    target = read_target(kind, ref)
    if not ref:
        problems.append(RowProblem(line, f"\"{kind}\" takes " + (
            "the conversation's number, e.g. 12345" if kind == "conversation" else
            "a string: the user's UUID, or email:, phone: or ext: and what to look up")
            + f", not {json_kind(raw)}", "bad-target", column=kind))
    elif target.problem:
        problems.append(RowProblem(line, target.problem, "bad-target", column=kind))
    elif target.key is not None:
        if target.key in seen:
            problems.append(duplicate_problem(line, target.key, seen[target.key]))
        else:
            seen[target.key] = line
    edits = _read_edits(out, index, line, obj, kind, problems)
    if not edits and not any(p.severity == "error" for p in problems) and \
            not obj.get("set") and not obj.get("clear"):
        problems.append(RowProblem(line, "nothing to change: \"set\" and \"clear\" are empty "
                                   "or absent; the line is skipped", "no-change", "warning"))
    return BulkRow(line, ref.strip(), kind, edits, text, target.target_id, target.lookup,
                   problems)


def _a(noun: str) -> str:
    return ("an " if noun[0] in "aeiou" else "a ") + noun


def _unknown_key(line: int, index: DefinitionIndex, key: str) -> RowProblem:
    if isinstance(index.resolve(key), CustomAttributeDefinition):
        hint = f"attributes go inside \"set\" (e.g. \"set\": {{\"{key}\": ...}}) or \"clear\""
    else:
        close = difflib.get_close_matches(key, KEYS, n=1, cutoff=0.6)
        hint = (f"did you mean '{close[0]}'?" if close else "the keys are conversation or "
                "enduser, set and clear (keys starting with # are ignored)")
    return RowProblem(line, f"unknown key: {hint}", "unknown-key", column=key)


def _read_edits(out: JsonlParse, index: DefinitionIndex, line: int, obj: _Object,
                kind: TargetKind, problems: list[RowProblem]) -> list[StagedEdit]:
    sets: Any = obj.get("set", _object([]))
    clears: Any = obj.get("clear", [])
    pairs: list[tuple[str, Any, bool]] = []  # (ref, value, is a clear)
    if isinstance(sets, _Object):
        problems.extend(RowProblem(line, "is given twice in \"set\": keep one", "duplicate-key",
                                   column=k) for k in sets.duplicates)
        pairs += [(ref, value, value is None) for ref, value in sets.items()]
    else:
        problems.append(RowProblem(line, "\"set\" takes an object of identifier -> value, e.g. "
                                   "{\"order_number\": \"100-2345\"}, not " + json_kind(sets),
                                   "wrong-shape", column="set"))
    if isinstance(clears, list) and all(isinstance(c, str) for c in clears):
        pairs += [(ref, None, True) for ref in clears]
    else:
        problems.append(RowProblem(line, "\"clear\" takes a list of identifiers, e.g. "
                                   "[\"order_number\"]", "wrong-shape", column="clear"))
    edits: list[StagedEdit] = []
    staged: dict[str, str] = {}  # definition id -> the ref that staged it
    for ref, value, is_clear in pairs:
        found = resolve_column(index, ref.strip(), kind)
        if not isinstance(found, CustomAttributeDefinition):
            problems.append(RowProblem(line, found[1], found[0], column=ref))
            continue
        if found.id in staged:
            problems.append(RowProblem(line, f"is staged twice (also as '{staged[found.id]}'); "
                                       "set or clear each attribute once", "duplicate-edit",
                                       column=ref))
            continue
        staged[found.id] = ref
        if not any(c.definition_id == found.id for c in out.columns):
            out.columns.append(BulkColumn(-1, found.identifier, "attribute", found.id,
                                          found.identifier))
        if is_clear:
            edits.append(StagedEdit.clear(ref))
        elif isinstance(value, str):
            read = read_text_value(ref, found, value)
            problems.extend(RowProblem(line, message, code, severity, ref)
                            for severity, code, message in read.problems)
            if read.edit is not None:
                edits.append(read.edit)
        else:
            edits.append(StagedEdit(ref, value))  # its shape is judged by the value rules
    return edits
