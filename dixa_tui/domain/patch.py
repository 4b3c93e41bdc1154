"""Dixa's value rules: staged edits -> a PATCH body or the problems that block it.

This module is the only place that knows what a valid attribute value is. The TUI, the CLI
and the embedded mock all call it, so a rule is written once.

Errors block sending. Warnings are sendable only after an explicit confirmation (``--force``
in the CLI, a second confirmation in the TUI).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from dixa_tui.api.models import (
    CustomAttribute,
    CustomAttributeDefinition,
    SelectInput,
    SelectOption,
    TextInput,
)
from dixa_tui.domain.compare import is_empty
from dixa_tui.domain.options import TRAILING_CR_HINT, labels_for_values, match_path
from dixa_tui.text import json_kind

TargetKind = Literal["enduser", "conversation"]
ENTITY_FOR_TARGET: dict[TargetKind, str] = {"enduser": "Contact", "conversation": "Conversation"}
TARGET_FOR_ENTITY = {v: k for k, v in ENTITY_FOR_TARGET.items()}
INT64_MAX = 2**63 - 1
UUID_PATTERN = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    severity: Severity
    code: str
    message: str
    ref: str = ""

    def __str__(self) -> str:
        return f"{self.ref}: {self.message}" if self.ref else self.message


@dataclass(frozen=True)
class StagedEdit:
    """One staged change: ``ref`` is a definition id or identifier; ``value`` None clears."""

    ref: str
    value: Any

    @classmethod
    def clear(cls, ref: str) -> StagedEdit:
        return cls(ref, None)


@dataclass(frozen=True)
class Target:
    kind: TargetKind
    id: str

    @property
    def entity_type(self) -> str:
        return ENTITY_FOR_TARGET[self.kind]

    def describe(self) -> str:
        return f"end user {self.id}" if self.kind == "enduser" else f"conversation {self.id}"

    def normalized(self) -> Target:
        """The form Dixa's ids compare in: end user UUIDs in lower case."""
        return Target(self.kind, self.id.lower()) if self.kind == "enduser" else self


def check_target(target: Target) -> list[Problem]:
    """End users are UUIDs; conversations are positive int64 numbers."""
    if target.kind == "enduser":
        if not UUID_PATTERN.fullmatch(target.id):
            return [_error("invalid-target", f"'{target.id}' is not an end user id: use the "
                           "user's UUID, e.g. 93b885ad-fe0d-3089-8df6-34904fd59f71")]
        return []
    if not re.fullmatch(r"[0-9]{1,19}", target.id) or not 0 < int(target.id) <= INT64_MAX:
        return [_error("invalid-target", f"'{target.id}' is not a conversation id: "
                       "use the conversation's number, e.g. 12345")]
    return []


def _error(code: str, message: str, ref: str = "") -> Problem:
    return Problem("error", code, message, ref)


def _warning(code: str, message: str, ref: str = "") -> Problem:
    return Problem("warning", code, message, ref)


def _join(values: Iterable[str], limit: int = 8) -> str:
    items = list(values)
    shown = ", ".join(repr(v) for v in items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def check_value(definition: CustomAttributeDefinition, value: Any) -> list[Problem]:
    """The rules for one value against one definition, whatever the target.

    ``None`` (clear) is always well-formed. The mock uses this to answer like Dixa.
    """
    ref = definition.identifier or definition.id
    problems: list[Problem] = []
    if definition.is_archived:
        problems.append(_error("archived", "is archived and cannot be changed; "
                               "restore it in Dixa's settings first", ref))
    if not definition.is_editable_type:
        problems.append(_error("read-only-type", f"has input type '{definition.input_type}', "
                               "which this version of dixa-tui cannot edit", ref))
        return problems
    if definition.is_deactivated:
        problems.append(_warning("deactivated-attribute", "is deactivated in Dixa; agents no "
                                 "longer see it", ref))
    if definition.is_required and (value is None or value == ""):
        problems.append(_warning("required-cleared", "is required in Dixa: clearing it leaves "
                                 "a value agents must fill in empty", ref))
    if value is None:
        return problems
    problems.extend(_not_unicode(value, ref))
    spec = definition.input_definition
    if isinstance(spec, TextInput):
        if not isinstance(value, str):
            problems.append(_error("wrong-shape", "is a Text attribute and takes a string, "
                                   f"not {json_kind(value)}", ref))
        elif value.endswith("\r") and not _CONTROL.search(value[:-1]):
            problems.append(_warning("trailing-cr", f"the value ends in a {TRAILING_CR_HINT}; "
                                     "remove it unless it is meant", ref))
        elif _CONTROL.search(value):
            problems.append(_warning("control-characters", "the value contains line breaks "
                                     "or control characters, which Dixa's screens show "
                                     "oddly; check it was meant", ref))
        return problems
    assert isinstance(spec, SelectInput)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(_error("wrong-shape", "is a Select attribute and takes a list of "
                               f"option values from the top level down, not {json_kind(value)}; "
                               "in the CLI write it as parent/child", ref))
        return problems
    if not value:
        problems.append(_error("empty-path", "needs at least one option value; to remove "
                               "the value, clear it instead", ref))
        return problems
    match = match_path(spec.options, value)
    if not match.complete:
        where = (f"under '{'/'.join(value[: len(match.matched)])}'" if match.matched
                 else "at the top level")
        if match.candidates:
            hint = f"options there: {_join(o.value for o in match.candidates)}"
        else:
            hint = "that option has no sub-options"
        failed = match.failed_value or ""
        if failed.endswith("\r"):
            hint = f"it ends in a {TRAILING_CR_HINT}; {hint}"
        problems.append(_error("unknown-option", f"'{failed}' is not an option "
                               f"{where}; {hint}", ref))
        return problems
    problems.extend(_shared_values(spec.options, value, ref))
    for option in match.deactivated:
        problems.append(_warning("deactivated-option", f"option '{option.value}' "
                                 f"({option.label}) is deactivated; Dixa normally refuses "
                                 "deactivated options", ref))
    if not match.is_leaf:
        problems.append(_warning("non-leaf", f"the path stops at '{match.matched[-1].value}', "
                                 "which has sub-options: "
                                 f"{_join(o.value for o in match.candidates)}", ref))
    return problems


def _shared_values(options: Sequence[SelectOption], path: Sequence[str],
                   ref: str) -> list[Problem]:
    """A value on the path that two or more options of its level share (bad data, which the
    lint reports too): Dixa stores values only, so the stored path cannot say which option
    it means, and everything that reads it back (the diff, Dixa's own screens) takes one."""
    problems: list[Problem] = []
    level: Sequence[SelectOption] = options
    for step in path:
        same = [o for o in level if o.value == step]
        if not same:
            break
        if len(same) > 1:
            labels = ", ".join(repr(o.label) for o in same)
            problems.append(_warning(
                "duplicate-option-value", f"'{step}' is the value of {len(same)} options at "
                f"one level ({labels}): Dixa stores only values, so the path cannot say which "
                f"is meant, and it reads back as the first, {same[0].label!r}; fix the "
                "options in Dixa's settings", ref))
        level = same[0].nested_options
    return problems


def _not_unicode(value: Any, ref: str) -> list[Problem]:
    """A lone surrogate in a value: a JSON ``"\\ud800"``, or a byte that was not UTF-8 on
    the command line (Python keeps byte 0xFF of an argument as U+DCFF). Neither is text:
    Dixa would store the code as it is, and every screen shows it as U+FFFD."""
    texts = value if isinstance(value, list) else [value]
    for text in texts:
        found = _SURROGATE.search(text) if isinstance(text, str) else None
        if found is None:
            continue
        code = ord(found.group())
        if 0xDC80 <= code <= 0xDCFF:
            what = (f"the byte 0x{code - 0xDC00:02X}, which is not UTF-8 (text in another "
                    "encoding, such as Latin-1?)")
        else:
            what = f"U+{code:04X}, half of a UTF-16 pair without its other half (no character)"
        return [_warning("invalid-unicode", f"the value holds {what}; Dixa would store it as "
                         f"the code U+{code:04X}, which screens show as \ufffd: retype it, or "
                         "convert the input to UTF-8", ref)]
    return []


class DefinitionIndex:
    """Definitions looked up by id or identifier (identifiers may collide in bad data)."""

    def __init__(self, definitions: Iterable[CustomAttributeDefinition]) -> None:
        self.by_id: dict[str, CustomAttributeDefinition] = {}
        self.by_identifier: dict[str, list[CustomAttributeDefinition]] = {}
        for d in definitions:
            self.by_id[d.id] = d
            self.by_identifier.setdefault(d.identifier, []).append(d)
        self._by_lower_id = {k.lower(): d for k, d in self.by_id.items()}

    def resolve(self, ref: str) -> CustomAttributeDefinition | Problem:
        if ref in self.by_id:
            return self.by_id[ref]
        if UUID_PATTERN.fullmatch(ref) and ref.lower() in self._by_lower_id:
            return self._by_lower_id[ref.lower()]
        found = self.by_identifier.get(ref, [])
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            return _error("ambiguous", "more than one attribute has this identifier: use "
                          f"its id instead ({_join(d.id for d in found)})", ref)
        close = self.similar(ref)
        hint = f"; did you mean {_join(close)}?" if close else \
            "; `dixa-tui definitions list` shows them all"
        return _error("unknown-attribute", f"no attribute has this identifier or id{hint}", ref)


    def similar(self, ref: str, limit: int = 5) -> list[str]:
        """Identifiers a typo ``ref`` probably meant: those that contain it, then the
        closest by spelling (identifiers and labels alike, ignoring case)."""
        wanted = ref.strip().casefold()
        if not wanted:
            return []
        names = {i.casefold(): i for i in self.by_identifier if i}
        labels = {d.label.casefold(): d.identifier for d in self.by_id.values()
                  if d.label and d.identifier}
        close = [names[n] for n in names if wanted in n]
        for found in difflib.get_close_matches(wanted, list(names) + list(labels),
                                               n=limit, cutoff=0.6):
            close.append(names.get(found) or labels[found])
        return list(dict.fromkeys(close))[:limit]


@dataclass(frozen=True)
class PatchPlan:
    target: Target
    body: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def sendable(self, force: bool = False) -> bool:
        """A body goes out only with no errors, and with warnings only when forced."""
        return bool(self.body) and not self.errors and (force or not self.warnings)


def build_patch(
    definitions: Iterable[CustomAttributeDefinition] | DefinitionIndex,
    target: Target,
    edits: Sequence[StagedEdit],
) -> PatchPlan:
    """The PATCH body for ``edits`` on ``target``, or the problems that stop it.

    The body maps definition ids to values (a string, a list of option values, or ``None``
    to clear), with exactly one key per staged edit. With any error the body is empty.
    """
    index = definitions if isinstance(definitions, DefinitionIndex) else \
        DefinitionIndex(definitions)
    problems = check_target(target)
    body: dict[str, Any] = {}
    if not edits:
        problems.append(_error("nothing-staged", "no edits are staged: set or clear at least "
                               "one attribute"))
    for edit in edits:
        found = index.resolve(edit.ref)
        if isinstance(found, Problem):
            problems.append(found)
            continue
        if found.id in body:
            problems.append(_error("duplicate-edit", "is staged more than once: keep one "
                                   "edit per attribute", edit.ref))
            continue
        if found.entity_type != target.entity_type:
            kind = TARGET_FOR_ENTITY.get(found.entity_type)
            where = "end users" if kind == "enduser" else "conversations" if kind else \
                f"'{found.entity_type}' entities"
            problems.append(_error("wrong-entity", f"is a {found.entity_type} attribute: it "
                                   f"belongs to {where}, not to {target.describe()}", edit.ref))
            continue
        problems.extend(check_value(found, edit.value))
        body[found.id] = edit.value
    if any(p.severity == "error" for p in problems):
        body = {}
    return PatchPlan(target, body, problems)


def validate_body(
    index: DefinitionIndex, entity_type: str, body: Any
) -> tuple[list[Problem], list[Problem]]:
    """Server-side view of a raw PATCH body (keys are ids only): (errors, warnings).

    Used by the embedded mock to answer 400 like Dixa does; every problem's ``ref`` is the
    key as sent.
    """
    if not isinstance(body, dict):
        return [_error("wrong-shape", "the body must be a JSON object of id -> value")], []
    problems: list[Problem] = []
    for key, value in body.items():
        definition = index.by_id.get(key)
        if definition is None:
            problems.append(_error("unknown-attribute", "no attribute has this id", key))
        elif definition.entity_type != entity_type:
            problems.append(_error("wrong-entity", f"is a {definition.entity_type} attribute, "
                                   f"not a {entity_type} attribute", key))
        else:
            problems.extend(replace(p, ref=key) for p in check_value(definition, value))
    return ([p for p in problems if p.severity == "error"],
            [p for p in problems if p.severity == "warning"])


@dataclass(frozen=True)
class DiffRow:
    definition_id: str
    identifier: str
    label: str
    before: Any
    after: Any
    before_text: str
    after_text: str

    @property
    def changed(self) -> bool:
        return bool(self.before != self.after)


def format_value(definition: CustomAttributeDefinition | None, value: Any) -> str:
    """A value as a person reads it: Select paths by label, ``(empty)`` for no value."""
    if is_empty(value):
        return "(empty)"
    if isinstance(value, list):
        if definition is not None and isinstance(definition.input_definition, SelectInput):
            return labels_for_values(definition.input_definition.options, value)
        return " > ".join(str(v) for v in value)
    return str(value)


def current_values(attributes: Iterable[CustomAttribute]) -> dict[str, Any]:
    return {a.id: a.value for a in attributes}


def diff(
    definitions: Iterable[CustomAttributeDefinition] | DefinitionIndex,
    current: Mapping[str, Any],
    body: Mapping[str, Any],
) -> list[DiffRow]:
    """Before -> after for every key of ``body``, in body order."""
    index = definitions if isinstance(definitions, DefinitionIndex) else \
        DefinitionIndex(definitions)
    rows = []
    for key, after in body.items():
        d = index.by_id.get(key)
        before = current.get(key)
        rows.append(DiffRow(key, d.identifier if d else key, d.label if d else key, before,
                            after, format_value(d, before), format_value(d, after)))
    return rows
