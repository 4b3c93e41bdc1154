"""The usage census: how the Conversation attributes are actually filled in.

A :class:`UsageTally` is fed the values of each conversation read (definition id -> value,
as Dixa returns them) and gives a :class:`UsageReport` at any moment, so a census that was
stopped still reports what it read. Per Conversation attribute the report holds the fill
rate; per Select the count of each option, where a conversation counts for an option when
its stored path is that option's or runs through it (``delivery/damaged/item`` counts for
``delivery``, ``delivery/damaged`` and the item), so a parent shows its whole branch; the
stored paths that match no option (deleted options, or values written around the UI;
the options they start with still count them);
which options are deactivated yet still on conversations; which options no conversation
holds (each unused branch once, at its top); and for required attributes, how many
conversations leave them empty (of them, how many are closed: Dixa asks for required
attributes when a conversation is closed).

Archived attributes are left out unless a conversation still holds a value for one. Pure:
no I/O, nothing read here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dixa_tui.api.models import AttributeValue, CustomAttributeDefinition
from dixa_tui.domain.compare import is_empty
from dixa_tui.domain.options import path_label, walk

Path = tuple[str, ...]


@dataclass(frozen=True)
class OptionUse:
    """One option of a Select: its ``path`` of values, ``label`` path, ``count`` of
    conversations at or under it, ``exact`` count at it, and whether it is deactivated."""

    path: Path
    label: str
    count: int
    exact: int
    deactivated: bool

    @property
    def depth(self) -> int:
        return len(self.path)


@dataclass(frozen=True)
class AttributeUsage:
    """One Conversation attribute over ``total`` conversations."""

    definition_id: str
    identifier: str
    label: str
    input_type: str
    required: bool
    archived: bool
    deactivated: bool
    total: int
    filled: int
    empty_closed: int = 0  # empty on closed conversations (for a required attribute)
    options: tuple[OptionUse, ...] = ()  # every option, in display order (Selects)
    unknown: tuple[tuple[Path, int], ...] = ()  # stored paths that match no option

    @property
    def empty(self) -> int:
        return self.total - self.filled

    @property
    def fill_rate(self) -> float | None:
        return self.filled / self.total if self.total else None

    @property
    def never_used(self) -> tuple[OptionUse, ...]:
        """The options no conversation holds, each branch once: its topmost unused option
        (its sub-options are then unused too, and not listed again)."""
        unused = {o.path for o in self.options if o.count == 0}
        return tuple(o for o in self.options
                     if o.path in unused and o.path[:-1] not in unused)

    @property
    def deactivated_in_use(self) -> tuple[OptionUse, ...]:
        return tuple(o for o in self.options if o.deactivated and o.count)

    def share(self, count: int) -> float | None:
        """``count`` as a part of the filled conversations."""
        return count / self.filled if self.filled else None

    def to_json(self) -> dict[str, Any]:
        return {
            "definition_id": self.definition_id, "identifier": self.identifier,
            "label": self.label, "input_type": self.input_type, "required": self.required,
            "archived": self.archived, "deactivated": self.deactivated,
            "conversations": self.total, "filled": self.filled, "empty": self.empty,
            "fill_rate": self.fill_rate, "empty_closed": self.empty_closed,
            "options": [{"path": list(o.path), "label": o.label, "count": o.count,
                         "exact": o.exact, "share": self.share(o.count),
                         "deactivated": o.deactivated} for o in self.options],
            "unknown_values": [{"path": list(p), "count": n} for p, n in self.unknown],
            "never_used": [list(o.path) for o in self.never_used],
            "deactivated_in_use": [list(o.path) for o in self.deactivated_in_use],
        }


@dataclass(frozen=True)
class UsageReport:
    """The census over ``conversations`` conversations (``closed`` of them closed)."""

    conversations: int
    closed: int
    attributes: tuple[AttributeUsage, ...] = field(default=())

    @property
    def required_left_empty(self) -> tuple[AttributeUsage, ...]:
        return tuple(a for a in self.attributes if a.required and a.empty)

    def to_json(self) -> dict[str, Any]:
        return {"conversations": self.conversations, "closed": self.closed,
                "attributes": [a.to_json() for a in self.attributes],
                "required_left_empty": [a.identifier for a in self.required_left_empty],
                "deactivated_in_use": {a.identifier: [list(o.path) for o in
                                                      a.deactivated_in_use]
                                       for a in self.attributes if a.deactivated_in_use},
                "never_used": {a.identifier: [list(o.path) for o in a.never_used]
                               for a in self.attributes if a.never_used}}


class UsageTally:
    """Counts as conversations are added; :meth:`report` at any time."""

    def __init__(self, definitions: Sequence[CustomAttributeDefinition]) -> None:
        self.definitions = [d for d in definitions if d.entity_type == "Conversation"]
        self.conversations = 0
        self.closed = 0
        self.filled: Counter[str] = Counter()
        self.empty_closed: Counter[str] = Counter()
        self.paths: dict[str, Counter[Path]] = {}

    def add(self, values: Mapping[str, AttributeValue | None], *, closed: bool = False) -> None:
        """One conversation's values (definition id -> value; absent means empty)."""
        self.conversations += 1
        self.closed += int(closed)
        for d in self.definitions:
            value = values.get(d.id)
            if is_empty(value):
                if closed:
                    self.empty_closed[d.id] += 1
                continue
            self.filled[d.id] += 1
            if d.input_type == "Select":
                path = tuple(value) if isinstance(value, list) else (str(value),)
                self.paths.setdefault(d.id, Counter())[path] += 1

    def report(self) -> UsageReport:
        attributes = []
        for d in self.definitions:
            if d.is_archived and not self.filled[d.id]:
                continue
            options, unknown = _options(d, self.paths.get(d.id, Counter()))
            attributes.append(AttributeUsage(
                d.id, d.identifier, d.label, d.input_type, d.is_required, d.is_archived,
                d.is_deactivated, self.conversations, self.filled[d.id],
                self.empty_closed[d.id], options, unknown))
        return UsageReport(self.conversations, self.closed, tuple(attributes))


def _options(d: CustomAttributeDefinition,
             stored: Counter[Path]) -> tuple[tuple[OptionUse, ...], tuple[tuple[Path, int], ...]]:
    if d.input_type != "Select":
        return (), ()
    known = {tuple(o.value for o in path): path for path in walk(d.options)}
    under: Counter[Path] = Counter()
    unknown: list[tuple[Path, int]] = []
    for path, count in stored.items():
        if path not in known:
            unknown.append((path, count))  # its known start still counts, below
        for end in range(1, len(path) + 1):
            if path[:end] not in known:
                break
            under[path[:end]] += count
    options = tuple(OptionUse(values, path_label(path), under[values], stored[values],
                              path[-1].is_deactivated) for values, path in known.items())
    unknown.sort(key=lambda item: (-item[1], item[0]))
    return options, tuple(unknown)
