"""A query as a list of parts, the way a builder shows it: one line per option given.

The Find screen builds a :class:`~dixa_tui.domain.query.QuerySpec` with pickers, one part at
a time (``--created-since 7d``, ``--status open,pending``, ``--where "x is empty"``), shows
each part on a line of its own, and removes one by its line. A part is an option and its
value as the CLI takes them, so the list, the query's text form and a saved query are the
same thing read three ways.

Each part is checked on its own (:func:`check_parts`), so a problem is shown on the line
that has it, before anything is requested; what only the parts together get wrong (a
``since`` after its ``until``) is said for the whole query. Pure: the definitions and the
moment relative dates count from are handed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from dixa_tui.api.models import CustomAttributeDefinition
from dixa_tui.domain.query import OPTIONS, QueryError, QuerySpec, compile_query
from dixa_tui.domain.where import Condition, Op, Wanted

SINGLE = frozenset(option for option, _, many in OPTIONS if not many)
DATE_OPTIONS = ("--created-since", "--created-until", "--closed-since", "--closed-until")
# The date shortcuts a picker offers, with what each means (relative ones stay relative).
DATE_SHORTCUTS: tuple[tuple[str, str], ...] = (
    ("7d", "the 7 days before now"),
    ("30d", "the 30 days before now"),
    ("today", "since midnight UTC"),
    ("yesterday", "midnight UTC a day ago"),
)


@dataclass(frozen=True)
class Part:
    """One option of a query and its value, as typed after the option on a command line."""

    option: str
    value: str

    def words(self) -> list[str]:
        return [self.option, self.value]


@dataclass(frozen=True)
class CheckedPart:
    """A part, what it means for people (``describe``) or what is wrong with it."""

    part: Part
    describe: str
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class PartsCheck:
    """Every part checked, and the problems of the query as a whole (none of a single
    part's): the query runs only when :attr:`ok`."""

    parts: tuple[CheckedPart, ...]
    whole: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.whole and not any(p.problems for p in self.parts)

    @property
    def problems(self) -> list[str]:
        return [*(problem for p in self.parts for problem in p.problems), *self.whole]


def parts(spec: QuerySpec) -> list[Part]:
    """The spec's options in the fixed order of :meth:`QuerySpec.args`."""
    words = spec.args()
    return [Part(words[i], words[i + 1]) for i in range(0, len(words), 2)]


def from_parts(items: Sequence[Part]) -> QuerySpec:
    """The spec the parts make; raises ``QueryError`` (an option given twice that takes one
    value, an option that does not exist)."""
    return QuerySpec.from_args([word for part in items for word in part.words()])


def add_part(spec: QuerySpec, part: Part) -> QuerySpec:
    """``spec`` with ``part`` added: a second value of an option that takes one (a date,
    the text) replaces the first, a list option gets one more item."""
    kept = [p for p in parts(spec) if not (part.option in SINGLE and p.option == part.option)]
    return from_parts([*kept, part])


def remove_part(spec: QuerySpec, index: int) -> QuerySpec:
    """``spec`` without its ``index``-th part (as :func:`parts` lists them)."""
    items = parts(spec)
    if not 0 <= index < len(items):
        return spec
    return from_parts(items[:index] + items[index + 1:])


def check_parts(spec: QuerySpec, definitions: Sequence[CustomAttributeDefinition], *,
                now: datetime) -> PartsCheck:
    """Each part checked alone against ``definitions`` at ``now``, then the whole query."""
    checked: list[CheckedPart] = []
    for part in parts(spec):
        try:
            query = compile_query(from_parts([part]), definitions, now=now)
        except QueryError as exc:
            checked.append(CheckedPart(part, f"{part.option} {part.value}",
                                       tuple(exc.problems)))
        else:
            checked.append(CheckedPart(part, query.describe()))
    whole: tuple[str, ...] = ()
    if not any(p.problems for p in checked):
        try:
            compile_query(spec, definitions, now=now)
        except QueryError as exc:
            whole = tuple(exc.problems)
    return PartsCheck(tuple(checked), whole)


def where_part(definition: CustomAttributeDefinition, op: Op,
               wanted: Sequence[Wanted] = ()) -> Part:
    """The ``--where`` part for ``definition op wanted`` (Select paths as tuples of option
    values, Text values as strings), written as the domain writes conditions: by
    identifier and option values, quoted where needed, so it reads back as picked."""
    return Part("--where", Condition(definition, op, tuple(wanted)).text())
