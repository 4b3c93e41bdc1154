"""Linting an organization's definitions: what in a schema will mislead agents, break
integrations or make the CLI's paths ambiguous.

Each rule is listed in :data:`RULES` with its severity and why it matters; each finding is
reported once (a duplicate is one finding for the group, naming how many share it). Labels
are compared for duplicates as people see them: case-folded, with runs of whitespace as one
space and none at the ends ("Order number" and "order  number " are duplicates: an agent
cannot tell them apart). Option values are compared exactly (they are what Dixa stores).

``duplicate-label`` looks at definitions that are not archived (archived ones are not offered
to agents); every other rule looks at every definition it is given, so lint what the user
asked to see (``schema_export.exported`` leaves archived ones out unless asked).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypeVar

from dixa_tui.api.models import CustomAttributeDefinition, SelectOption
from dixa_tui.domain.options import ordered

T = TypeVar("T")
Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")

# code -> (severity, why it matters)
RULES: dict[str, tuple[Severity, str]] = {
    "empty-identifier": ("error", "an attribute without an identifier cannot be named in the "
                                  "CLI, in integrations or when comparing organizations"),
    "duplicate-identifier": ("error", "two attributes share an identifier: whatever names "
                                      "it (CLI, integrations, a diff) may reach the wrong one"),
    "duplicate-label": ("warning", "two attributes of one entity type look the same to "
                                   "agents, who then fill in the wrong one"),
    "required-deactivated": ("error", "required but deactivated: agents cannot fill it in, "
                                      "so conversations cannot meet the requirement"),
    "required-archived": ("error", "required but archived: agents cannot fill it in, so "
                                   "conversations cannot meet the requirement"),
    "empty-select": ("warning", "a Select with no options: nothing can be chosen"),
    "all-options-deactivated": ("warning", "every top-level option is deactivated: nothing "
                                           "can be chosen"),
    "duplicate-option-value": ("error", "two options at one level share a value: a stored "
                                        "path cannot say which one it means"),
    "duplicate-option-label": ("warning", "two options at one level look the same to "
                                          "agents"),
    "option-value-slash": ("warning", "an option value holding '/' makes a path typed as "
                                      "a/b/c ambiguous to read and easy to mistype"),
    "control-characters": ("warning", "control characters (escape sequences, line breaks, "
                                      "bidi overrides) in a name show differently everywhere "
                                      "and can hide what it says"),
    "surrounding-spaces": ("warning", "leading or trailing spaces make names that look equal "
                                      "differ, and are easy to miss when typing"),
}

# C0/C1 controls, DEL, line/paragraph separators and bidi embeddings/overrides/isolates.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Finding:
    """One problem: ``code`` (a key of :data:`RULES`), its ``severity``, the definition's
    ``identifier`` and ``definition_id``, the ``option_path`` of values when it is about an
    option (a duplicate value's path ends with that value), and a ``message``. Messages
    quote untrusted text with ``repr`` (one line), still to be cleaned before showing."""

    severity: Severity
    code: str
    identifier: str
    definition_id: str
    message: str
    option_path: tuple[str, ...] = ()

    def describe(self) -> str:
        """``error duplicate-identifier order_number: ...``: one line."""
        where = repr(self.identifier) if self.identifier else "(no identifier)"
        if self.option_path:
            where += f" option {'/'.join(self.option_path)!r}"
        return f"{self.severity} {self.code} {where}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        return {"severity": self.severity, "code": self.code, "identifier": self.identifier,
                "definition_id": self.definition_id, "option_path": list(self.option_path),
                "message": self.message}


def lint(definitions: Sequence[CustomAttributeDefinition]) -> list[Finding]:
    """Every finding, each once: in the definitions' order, then errors before warnings
    before infos at one definition, then by option path and code."""
    found: list[tuple[int, Finding]] = []
    position = {id(d): i for i, d in enumerate(definitions)}

    def add(d: CustomAttributeDefinition, code: str, message: str,
            path: tuple[str, ...]) -> None:
        severity = RULES[code][0]
        found.append((position[id(d)], Finding(severity, code, d.identifier, d.id, message,
                                               path)))

    for group in _groups(definitions, lambda d: d.identifier if d.identifier else None):
        add(group[0], "duplicate-identifier",
            f"{len(group)} definitions share this identifier (ids {_ids(group)})", ())
    active = [d for d in definitions if not d.is_archived]
    for group in _groups(active, lambda d: (d.entity_type, _seen(d.label)) if d.label.strip()
                         else None):
        add(group[0], "duplicate-label",
            f"{len(group)} {group[0].entity_type} attributes are labelled like "
            f"{_q(group[0].label)} (identifiers {_identifiers(group)})", ())
    for d in definitions:
        _definition_rules(d, _reporter(add, d))
    found.sort(key=lambda item: (item[0], SEVERITIES.index(item[1].severity),
                                 item[1].option_path, item[1].code))
    return [finding for _, finding in found]


class _Report(Protocol):
    def __call__(self, code: str, message: str, path: tuple[str, ...] = ()) -> None: ...


def _reporter(add: Callable[[CustomAttributeDefinition, str, str, tuple[str, ...]], None],
              d: CustomAttributeDefinition) -> _Report:
    def report(code: str, message: str, path: tuple[str, ...] = ()) -> None:
        add(d, code, message, path)

    return report


def _definition_rules(d: CustomAttributeDefinition, add: _Report) -> None:
    if not d.identifier:
        add("empty-identifier", "the identifier is empty")
    if d.is_required and d.is_deactivated:
        add("required-deactivated", "is required but deactivated")
    if d.is_required and d.is_archived:
        add("required-archived", "is required but archived")
    _names(add, (("identifier", d.identifier), ("label", d.label)), ())
    if d.input_type != "Select":
        return
    if not d.options:
        add("empty-select", "a Select with no options")
    elif all(o.is_deactivated for o in d.options):
        add("all-options-deactivated",
            f"all {len(d.options)} top-level options are deactivated")
    _option_rules(d.options, add)


def _option_rules(roots: Sequence[SelectOption], add: _Report) -> None:
    """Per level: duplicates among siblings; per option: its value and label (iterative)."""
    stack: list[tuple[tuple[str, ...], Sequence[SelectOption]]] = [((), roots)]
    while stack:
        parent, level = stack.pop()
        siblings = ordered(level)
        for group in _groups(siblings, lambda o: o.value):
            add("duplicate-option-value", f"{len(group)} options at this level have the "
                f"value {_q(group[0].value)} (labels {_labels(group)})", (*parent, group[0].value))
        for group in _groups(siblings, lambda o: _seen(o.label) if o.label.strip() else None):
            add("duplicate-option-label", f"{len(group)} options at this level are labelled "
                f"like {_q(group[0].label)} (values {_values(group)})", (*parent, group[0].value))
        for option in siblings:
            path = (*parent, option.value)
            if "/" in option.value:
                add("option-value-slash", f"the value {_q(option.value)} holds '/'", path)
            _names(add, (("option label", option.label),), path)
            stack.append((path, option.nested_options))


def _names(add: _Report, names: Iterable[tuple[str, str]], path: tuple[str, ...]) -> None:
    for what, text in names:
        if _CONTROL.search(text):
            add("control-characters", f"the {what} {_q(text)} holds control characters", path)
        if text != text.strip():
            add("surrounding-spaces", f"the {what} {_q(text)} has leading or trailing spaces",
                path)


def _seen(text: str) -> str:
    """A name as people tell names apart: case and spacing ignored."""
    return _SPACES.sub(" ", text).strip().casefold()


def _groups(items: Sequence[T], key: Callable[[T], Hashable | None]) -> list[list[T]]:
    """Groups of 2+ items with one key (None: not compared), in the order of their first."""
    groups: dict[Hashable, list[T]] = {}
    for item in items:
        k = key(item)
        if k is not None:
            groups.setdefault(k, []).append(item)
    return [g for g in groups.values() if len(g) > 1]


def _q(text: str, limit: int = 60) -> str:
    """``repr`` of untrusted text, cut to ``limit`` characters (a label may hold 10,000)."""
    return repr(text) if len(text) <= limit else repr(text[: limit - 1]) + "…"


def _ids(group: Sequence[CustomAttributeDefinition]) -> str:
    return ", ".join(d.id for d in group)


def _identifiers(group: Sequence[CustomAttributeDefinition]) -> str:
    return ", ".join(_q(d.identifier) for d in group)


def _labels(group: Sequence[SelectOption]) -> str:
    return ", ".join(_q(o.label) for o in group)


def _values(group: Sequence[SelectOption]) -> str:
    return ", ".join(_q(o.value) for o in group)
