"""When two attribute values are the same, and where a target stands against a write.

Dixa stores "no value" three ways (``None``, ``""`` and ``[]`` all read back as empty), and a
Select path is a sequence of option values whether it came from JSON (a list), a journal or
a plan (a tuple). Every comparison of values (a bulk plan's "unchanged", an undo's conflict
check, a ``--where`` condition, settling a write of unknown outcome) goes through here, so
they all agree on what "the same" means.

Standard library only: the domain's plans, the journal's undo and the find conditions all
import it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

Where = Literal["after", "before", "neither"]


def is_empty(value: Any) -> bool:
    """``None``, ``""``, ``[]`` (and an empty tuple): what Dixa reads back as no value."""
    return value is None or value == "" or (isinstance(value, list | tuple) and not value)


def normalized(value: Any) -> Any:
    """``value`` in the form two readings of one value share: every empty value is None, a
    Select path (a list or a tuple of option values) a tuple, a Text itself."""
    if is_empty(value):
        return None
    if isinstance(value, list | tuple):
        return tuple(value)
    return value


def same_value(a: Any, b: Any) -> bool:
    """Whether ``a`` and ``b`` are the same attribute value as Dixa stores it."""
    return bool(normalized(a) == normalized(b))


@dataclass(frozen=True)
class Standing:
    """How values read now stand against one write, attribute by attribute (in the order
    given): whether each holds the write's after value, and whether it holds its before."""

    at_after: tuple[bool, ...]
    at_before: tuple[bool, ...]

    @property
    def where(self) -> Where:
        """``after`` when every attribute holds what the write set (checked first: a write
        that changed nothing holds both), ``before`` when every one still holds what it had,
        else ``neither``: someone changed the target since, or only part of it reads new."""
        if all(self.at_after):
            return "after"
        if all(self.at_before):
            return "before"
        return "neither"


def standing(changes: Iterable[tuple[Any, Any, Any]]) -> Standing:
    """The :class:`Standing` of ``(now, before, after)`` per attribute."""
    triples = list(changes)
    return Standing(tuple(same_value(now, after) for now, _, after in triples),
                    tuple(same_value(now, before) for now, before, _ in triples))
