"""Walking Select option trees: paths of values <-> the options and labels they name.

A Select value in Dixa is the path of option ``value``s from the top level down, e.g.
``["delivery", "damaged", "item"]``. Siblings are ordered by ``orderIndex``. These functions
are pure and iterative (no recursion limit on deep, hostile trees).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol, Self, TypeVar

PATH_SEPARATOR = " > "
TRAILING_CR_HINT = "trailing carriage return (a Windows line ending?)"
"""Said wherever a value ends in ``\\r`` (here for a typed path, in ``domain.patch`` for any
value): a line of a CRLF file taken without its ``\\r`` (a CSV from Excel, a shell ``read``
of one) is the usual cause, so the CLI and bulk input say it alike."""


class OptionLike(Protocol):
    """What these functions read of an option: ``api.models.SelectOption`` has it, and so
    has anything else shaped like one (the TUI's tree never needs pydantic to draw)."""

    @property
    def id(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def value(self) -> str: ...
    @property
    def is_deactivated(self) -> bool: ...
    @property
    def order_index(self) -> int: ...
    @property
    def nested_options(self) -> Sequence[Self]: ...


SelectOption = OptionLike  # the name the rest of this module reads best with
Opt = TypeVar("Opt", bound=OptionLike)


def ordered(options: Sequence[Opt]) -> list[Opt]:
    return sorted(options, key=lambda o: o.order_index)


def walk(options: Sequence[Opt]) -> Iterator[tuple[Opt, ...]]:
    """Every option as its path from the top level, in display (pre-)order."""
    stack: list[tuple[Opt, ...]] = [(o,) for o in reversed(ordered(options))]
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


@dataclass(frozen=True, slots=True)
class OptionCounts:
    total: int
    top: int
    levels: int
    deactivated: int


def option_counts(options: Sequence[SelectOption]) -> OptionCounts:
    """How many options, top-level ones, levels and deactivated ones: level by level, without
    building a path per option."""
    total = levels = deactivated = 0
    level: Sequence[SelectOption] = options
    while level:
        levels += 1
        total += len(level)
        deactivated += sum(1 for o in level if o.is_deactivated)
        level = [child for o in level for child in o.nested_options]
    return OptionCounts(total, len(options), levels, deactivated)


class OptionIndex:
    """Every option once, in display order, for search: parallel flat lists.

    ``haystacks[i]`` is the lowercased label path (``Parent > Child``) and value path
    (``parent/child``) of ``options[i]``, one line each; its parent is
    ``options[parents[i]]`` (-1 at the top level). Strings and ints are not tracked by the
    garbage collector: however big, the index costs a full collection three lists.
    """

    __slots__ = ("haystacks", "options", "parents")

    def __init__(self, options: Sequence[SelectOption]) -> None:
        flat: list[SelectOption] = []
        parents: list[int] = []
        haystacks: list[str] = []
        labels: list[str] = []
        values: list[str] = []
        # Two parallel stacks (option, parent position): no tuple per option.
        todo = ordered(options)
        todo.reverse()
        todo_parents = [-1] * len(todo)
        while todo:
            option, parent = todo.pop(), todo_parents.pop()
            here = len(flat)
            label, value = option.label, option.value
            if parent >= 0:
                label = f"{labels[parent]}{PATH_SEPARATOR}{label}"
                value = f"{values[parent]}/{value}"
            flat.append(option)
            parents.append(parent)
            labels.append(label)
            values.append(value)
            haystacks.append(f"{label}\n{value}".lower())
            children = option.nested_options
            if children:
                more = ordered(children)
                more.reverse()
                todo += more
                todo_parents += [here] * len(more)
        self.options, self.parents, self.haystacks = flat, parents, haystacks

    def chain(self, position: int) -> list[int]:
        """Positions from the top level down to ``position``."""
        chain = [position]
        parents = self.parents
        while parents[chain[-1]] >= 0:
            chain.append(parents[chain[-1]])
        chain.reverse()
        return chain

    def search(self, terms: Sequence[str], within: list[int] | None = None) -> list[int]:
        """Positions whose haystack holds every term (among ``within``; None: all)."""
        haystacks = self.haystacks
        matches = within
        for term in terms:
            if matches is None:
                matches = [i for i, text in enumerate(haystacks) if term in text]
            else:
                matches = [i for i in matches if term in haystacks[i]]
        return list(range(len(haystacks))) if matches is None else matches


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


@dataclass(frozen=True)
class PathText:
    """What :func:`resolve_path_text` made of a typed path: the option ``values`` from the
    top level down, or (``values`` None) the ``problem`` in a sentence for a person."""

    values: list[str] | None
    problem: str | None = None


LABEL_SEPARATOR = " > "


def resolve_path_text(options: Sequence[SelectOption], text: str) -> PathText:
    """A Select path as people type it -> option values, level by level.

    Steps are joined by ``/`` (or by `` > ``, as labels are shown). Each step is an option's
    value or its label: an exact value wins, then an exact label, then a value or label that
    differs only in case, and a step that could name two options is refused. Since an option
    value may itself hold a ``/``, the longest step that names an option at its level is
    taken first. Whitespace around steps is ignored only where an exact match fails.
    """
    separator = LABEL_SEPARATOR if LABEL_SEPARATOR in text and "/" not in text else "/"
    if text.strip() == "":
        return PathText(None, "is empty: write option values (or labels) joined by /")
    parts = text.split(separator)
    values: list[str] = []
    level: Sequence[SelectOption] = options
    i = 0
    while i < len(parts):
        if not level:
            where = "/".join(values)
            return PathText(None, f"'{where}' has no sub-options, so "
                                  f"'{separator.join(parts[i:])}' cannot follow it")
        found: SelectOption | None = None
        taken = 0
        problem: str | None = None
        for end in range(len(parts), i, -1):  # the longest step first
            step = separator.join(parts[i:end])
            choice, problem = _pick(level, step)
            if choice is not None:
                found, taken = choice, end - i
                break
            if problem is not None:  # an ambiguous step is said, not guessed past
                return PathText(None, problem)
        if found is None:
            step = parts[i]
            where = f"under '{'/'.join(values)}'" if values else "at the top level"
            shown = ", ".join(f"{o.value!r} ({o.label})" if o.label != o.value else repr(o.value)
                              for o in ordered(level)[:12])
            more = f" and {len(level) - 12} more" if len(level) > 12 else ""
            crlf = f"; it ends in a {TRAILING_CR_HINT}" if text.endswith("\r") else ""
            return PathText(None, f"'{step}' is not an option {where}{crlf}; options there: "
                                  f"{shown}{more}")
        values.append(found.value)
        level = found.nested_options
        i += taken
    return PathText(values)


def _pick(level: Sequence[SelectOption], step: str) -> tuple[SelectOption | None, str | None]:
    """The option ``step`` names at ``level``, or (None, why) when it names several."""
    folded = step.strip().casefold()
    keys: tuple[Callable[[SelectOption], bool], ...] = (
        lambda o: o.value == step, lambda o: o.label == step,
        lambda o: o.value.strip().casefold() == folded,
        lambda o: o.label.strip().casefold() == folded)
    for same in keys:
        hits = [o for o in level if same(o)]
        if len(hits) == 1:
            return hits[0], None
        if len(hits) > 1 and len({o.value for o in hits}) == 1:
            # Options sharing one value (bad data): whichever was meant, Dixa stores the same
            # path, read back as the first. Taken as such; the value rules warn of it.
            return hits[0], None
        if len(hits) > 1:
            values = ", ".join(repr(o.value) for o in hits)
            return None, (f"'{step}' names {len(hits)} options at one level (values "
                          f"{values}): write the value instead")
    return None, None


def parse_path(text: str, separator: str = "/") -> list[str] | None:
    """``delivery/damaged/item`` -> ``["delivery", "damaged", "item"]``; ``""`` -> ``[]``.

    Values are taken as written (no trimming: option values may have spaces); a path with
    an empty step (``a//b``, ``/a``, ``a/``) gives None, since no option value is empty.
    """
    if text == "":
        return []
    parts = text.split(separator)
    return None if any(part == "" for part in parts) else parts
