"""One difference between two schemas (organizations, or one organization at two times).

A :class:`SchemaChange` names its ``kind`` (one of :data:`CHANGE_KINDS`, in the order
changes of one definition are listed), the definition by ``identifier`` (ids differ between
organizations) and, for an option, its ``option_path`` of values. ``before`` and ``after``
hold what changed (a label, a flag, a type, an orderIndex, a path). ``describe()`` gives one
line for people and ``to_json()`` a dict for scripts; both carry untrusted text (labels,
values): ``describe()`` quotes it with ``repr`` so it stays on one line, and the caller
still cleans it (``text.clean``) before a terminal sees it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, get_args

from dixa_tui.text import plural

ChangeKind = Literal[
    "definition_added",       # after: the label; count: its options
    "definition_removed",     # before: the label; count: its options
    "label_changed",          # before/after: labels
    "entity_type_changed",    # before/after: Contact | Conversation
    "input_type_changed",     # before/after: Text | Select | ... (options are not compared)
    "required_changed",       # before/after: booleans
    "archived_changed",
    "deactivated_changed",
    "description_changed",    # before/after: text ("" for none)
    "placeholder_changed",    # Text attributes: before/after: text ("" for none)
    "option_added",           # after: the option's label; count: sub-options added with it
    "option_removed",         # before: the option's label; count: sub-options removed with it
    "option_moved",           # before/after: the value paths (same value and label)
    "option_label_changed",   # before/after: labels
    "option_deactivated",     # before False, after True
    "option_reactivated",     # before True, after False
    "option_reordered",       # before/after: orderIndex; its rank among its siblings changed
]
CHANGE_KINDS: tuple[ChangeKind, ...] = get_args(ChangeKind)
ChangeValue = str | bool | int | list[str] | None

_FLAG_WORDS = {"required_changed": "required", "archived_changed": "archived",
               "deactivated_changed": "deactivated"}
_FIELD_WORDS = {"label_changed": "label", "entity_type_changed": "entity type",
                "input_type_changed": "input type", "description_changed": "description",
                "placeholder_changed": "placeholder", "option_label_changed": "label"}


@dataclass(frozen=True)
class SchemaChange:
    """One change from schema A (before) to schema B (after).

    ``identifier`` and ``entity_type`` are B's (A's for a removed definition);
    ``option_path`` is the option's values from the top level in B (in A for a removed
    option), empty for a change of the definition itself. ``count`` is what an added or
    removed definition or option carries along (its options, its sub-options)."""

    kind: ChangeKind
    identifier: str
    entity_type: str = ""
    option_path: tuple[str, ...] = ()
    before: ChangeValue = None
    after: ChangeValue = None
    count: int = 0

    @property
    def is_option(self) -> bool:
        return self.kind.startswith("option_")

    def describe(self) -> str:
        """One line, e.g. ``contact_reason: option 'delivery/lost' deactivated``."""
        who = _q(self.identifier, bare=True) if self.identifier else "(no identifier)"
        if self.entity_type:
            who = f"{who} ({_q(self.entity_type, bare=True)})"
        return f"{who}: {self.what()}"

    def what(self) -> str:
        """What changed, without naming the definition (a list grouped by definition shows
        it once above its changes), e.g. ``option 'delivery/lost' deactivated``."""
        kind, before, after = self.kind, self.before, self.after
        option = f"option {_q('/'.join(self.option_path))}"
        many = f" with {plural(self.count, 'sub-option')}" if self.count else ""
        if kind == "definition_added":
            return f"added, label {_q(after)}" + (
                f", {plural(self.count, 'option')}" if self.count else "")
        if kind == "definition_removed":
            return f"removed (label was {_q(before)})" + (
                f", {plural(self.count, 'option')}" if self.count else "")
        if kind in _FLAG_WORDS:
            word = _FLAG_WORDS[kind]
            return f"is now {word}" if after else f"is no longer {word}"
        if kind == "option_added":
            return f"{option} added, label {_q(after)}{many}"
        if kind == "option_removed":
            return f"{option} removed (label was {_q(before)}){many}"
        if kind == "option_moved":
            return f"option {_q(self.option_path[-1] if self.option_path else '')} moved from " \
                   f"{_q('/'.join(_path(before)))} to {_q('/'.join(_path(after)))}"
        if kind == "option_deactivated":
            return f"{option} deactivated"
        if kind == "option_reactivated":
            return f"{option} reactivated"
        if kind == "option_reordered":
            return f"{option} moved among its siblings (orderIndex {before} -> {after})"
        word = _FIELD_WORDS[kind]
        prefix = f"{option} " if self.is_option else ""
        return f"{prefix}{word} {_q(before)} -> {_q(after)}"

    def to_json(self) -> dict[str, Any]:
        """``{"kind", "identifier", "entity_type", "option_path", "before", "after",
        "count", "description"}``: JSON-ready (paths and ``before``/``after`` as lists)."""
        return {"kind": self.kind, "identifier": self.identifier,
                "entity_type": self.entity_type, "option_path": list(self.option_path),
                "before": _json_value(self.before), "after": _json_value(self.after),
                "count": self.count, "description": self.describe()}


def _path(value: ChangeValue) -> list[str]:
    return list(value) if isinstance(value, list) else []


def _json_value(value: ChangeValue) -> ChangeValue:
    return list(value) if isinstance(value, list) else value


def _q(value: object, *, bare: bool = False) -> str:
    """Untrusted text quoted with ``repr`` (control characters and line breaks escaped, so
    one line stays one line); ``bare`` leaves a plain word (no space, nothing escaped)
    unquoted."""
    text = "" if value is None else str(value)
    shown = repr(text)
    plain = text.isprintable() and " " not in text and shown[1:-1] == text
    return text if bare and text and plain else shown
