"""The changes of a schema diff, grouped by definition, colour-coded, navigable.

Each definition with changes gets a header line (its identifier, entity type and how many
changes it has); its changes follow, one line each, marked ``+`` (added), ``-`` (removed) or
``~`` (changed) as well as coloured, so the list reads the same without colour (NO_COLOR).
Headers cannot be highlighted: the cursor moves over changes only, ``n``/``p`` jump to the
next or previous definition, and ``enter`` asks for the highlighted change's before/after
(:class:`ChangeList.Chosen`). Everything shown from the schemas goes through ``lit``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from dixa_tui.domain.schema_change import ChangeKind, ChangeValue, SchemaChange
from dixa_tui.text import plural
from dixa_tui.tui.literal import gap, join, lit

ADDED: frozenset[ChangeKind] = frozenset({"definition_added", "option_added"})
REMOVED: frozenset[ChangeKind] = frozenset({"definition_removed", "option_removed"})
# Changes that take something away from agents, shown like removals' warning colour.
OFF: frozenset[ChangeKind] = frozenset({"option_deactivated"})


def mark(change: SchemaChange) -> tuple[str, str]:
    """(marker, style) of a change: ``+`` green, ``-`` red, ``~`` yellow or blue."""
    if change.kind in ADDED:
        return "+", "green"
    if change.kind in REMOVED:
        return "-", "red"
    if change.kind in OFF or (change.kind in ("archived_changed", "deactivated_changed")
                              and change.after is True):
        return "~", "yellow"
    return "~", "cyan"


def value_text(value: ChangeValue) -> str:
    """A change's before or after, for people: a path as ``a/b``, flags as yes/no."""
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "/".join(value) if value else "(top level)"
    text = str(value)
    return text if text else "(empty)"


def definition_key(change: SchemaChange) -> tuple[str, str]:
    return change.identifier, change.entity_type


def heading(change: SchemaChange, count: int) -> Text:
    who = lit(change.identifier, "bold") if change.identifier else lit("(no identifier)",
                                                                       "bold italic")
    entity = [lit(f"· {change.entity_type} ·"), gap()] if change.entity_type else [
        lit("·"), gap()]
    return join(who, gap(), *entity, lit(plural(count, "change"), "dim"))


def line(change: SchemaChange) -> Text:
    marker, style = mark(change)
    return join(gap(2), lit(marker, f"bold {style}"), gap(), lit(change.what(), style))


class ChangeList(OptionList):
    """The changes, grouped by definition; ``changes[i]`` is the change of option ``c{i}``."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="changes.down",
                tooltip="Move down the list of changes"),
        Binding("k", "cursor_up", "Up", show=False, id="changes.up",
                tooltip="Move up the list of changes"),
        Binding("g", "first", "First", show=False, id="changes.first",
                tooltip="Jump to the first change"),
        Binding("G", "last", "Last", show=False, id="changes.last",
                tooltip="Jump to the last change"),
        Binding("n", "next_definition", "Next definition", id="changes.next_definition",
                tooltip="Jump to the next definition's changes"),
        Binding("p", "previous_definition", "Previous definition",
                id="changes.previous_definition",
                tooltip="Jump to the previous definition's changes"),
    ]
    DEFAULT_CSS = """
    ChangeList > .option-list--option-disabled { color: $text; }
    """

    @dataclass
    class Chosen(Message):
        """``enter`` on a change: show its before and after."""

        change: SchemaChange

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.changes: list[SchemaChange] = []
        self._group_starts: list[int] = []  # option index of each definition's first change

    def show(self, changes: Sequence[SchemaChange]) -> None:
        """Replace the list; the cursor goes to the first change."""
        self.changes = list(changes)
        options: list[Option] = []
        self._group_starts = []
        groups: dict[tuple[str, str], list[int]] = {}
        for i, change in enumerate(self.changes):
            groups.setdefault(definition_key(change), []).append(i)
        for members in groups.values():  # in the diff's own (stable) order
            options.append(Option(heading(self.changes[members[0]], len(members)),
                                  disabled=True))
            self._group_starts.append(len(options))
            options += [Option(line(self.changes[i]), id=f"c{i}") for i in members]
        self.clear_options()
        self.add_options(options)
        self.highlighted = self._group_starts[0] if self._group_starts else None

    @property
    def current(self) -> SchemaChange | None:
        """The highlighted change."""
        if self.highlighted is None:
            return None
        option = self.get_option_at_index(self.highlighted)
        return self.changes[int(option.id[1:])] if option.id else None

    def action_next_definition(self) -> None:
        here = self.highlighted or 0
        later = [i for i in self._group_starts if i > here]
        if later:
            self.highlighted = later[0]

    def action_previous_definition(self) -> None:
        here = self.highlighted or 0
        mine = max((i for i in self._group_starts if i <= here), default=None)
        earlier = [i for i in self._group_starts if mine is not None and i < mine]
        if earlier:
            self.highlighted = earlier[-1]
        elif mine is not None:
            self.highlighted = mine

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        change = self.current
        if change is not None:
            self.post_message(self.Chosen(change))
