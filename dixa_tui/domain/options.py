"""Walking Select option trees: paths of values <-> the options and labels they name.

A Select value in Dixa is the path of option ``value``s from the top level down, e.g.
``["delivery", "damaged", "item"]``. Siblings are ordered by ``orderIndex``. These functions
are pure and iterative (no recursion limit on deep, hostile trees).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: the TUI imports this before pydantic is loaded
    from dixa_tui.api.models import SelectOption

PATH_SEPARATOR = " > "


def ordered(options: Sequence[SelectOption]) -> list[SelectOption]:
    return sorted(options, key=lambda o: o.order_index)


def walk(options: Sequence[SelectOption]) -> Iterator[tuple[SelectOption, ...]]:
    """Every option as its path from the top level, in display (pre-)order."""
    stack: list[tuple[SelectOption, ...]] = [(o,) for o in reversed(ordered(options))]
    while stack:
        path = stack.pop()
        yield path
        stack.extend((*path, child) for child in reversed(ordered(path[-1].nested_options)))


def count_options(options: Sequence[SelectOption]) -> int:
    return sum(1 for _ in walk(options))


def depth(options: Sequence[SelectOption]) -> int:
    return max((len(p) for p in walk(options)), default=0)


def path_values(path: Sequence[SelectOption]) -> list[str]:
    return [o.value for o in path]


def path_label(path: Sequence[SelectOption]) -> str:
    """``Parent > Child`` as people read it."""
    return PATH_SEPARATOR.join(o.label for o in path)


@dataclass(frozen=True)
class PathMatch:
    """How far a list of values goes down an option tree.

    ``matched`` holds the options found level by level; when ``complete`` is false,
    ``matched[len(matched)]`` is where it broke and ``candidates`` are what could go there.
    """

    values: tuple[str, ...]
    matched: tuple[SelectOption, ...]
    candidates: tuple[SelectOption, ...]

    @property
    def complete(self) -> bool:
        return len(self.matched) == len(self.values)

    @property
    def failed_value(self) -> str | None:
        return None if self.complete else self.values[len(self.matched)]

    @property
    def is_leaf(self) -> bool:
        return self.complete and bool(self.matched) and not self.matched[-1].nested_options

    @property
    def deactivated(self) -> tuple[SelectOption, ...]:
        return tuple(o for o in self.matched if o.is_deactivated)


def match_path(options: Sequence[SelectOption], values: Sequence[str]) -> PathMatch:
    """Follow ``values`` level by level; stops at the first value that is not an option there."""
    level: Sequence[SelectOption] = options
    matched: list[SelectOption] = []
    for value in values:
        found = next((o for o in level if o.value == value), None)
        if found is None:
            return PathMatch(tuple(values), tuple(matched), tuple(ordered(level)))
        matched.append(found)
        level = found.nested_options
    return PathMatch(tuple(values), tuple(matched), tuple(ordered(level)))


def labels_for_values(options: Sequence[SelectOption], values: Sequence[str]) -> str:
    """A readable label for a stored value; unknown tails are shown as their raw values."""
    match = match_path(options, values)
    parts = [o.label for o in match.matched] + list(values[len(match.matched) :])
    return PATH_SEPARATOR.join(parts)


def parse_path(text: str, separator: str = "/") -> list[str] | None:
    """``delivery/damaged/item`` -> ``["delivery", "damaged", "item"]``; ``""`` -> ``[]``.

    Values are taken as written (no trimming: option values may have spaces); a path with
    an empty step (``a//b``, ``/a``, ``a/``) gives None, since no option value is empty.
    """
    if text == "":
        return []
    parts = text.split(separator)
    return None if any(part == "" for part in parts) else parts
