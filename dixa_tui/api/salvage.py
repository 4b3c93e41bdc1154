"""Reading Dixa's list of definitions item by item: one unreadable definition must not hide
the rest of the organization.

``parse_definitions`` (in ``models``) is all-or-nothing, which is right for our own data.
What Dixa sends is read with :func:`read_definitions` instead: the whole list is validated
in one go (the fast path, the usual case), and only when that fails is it read again item by
item, so the definitions that can be read are kept and the others are listed in
:attr:`DefinitionsRead.skipped` with their position, their id when they have one, and the
reason. A definition whose id repeats an earlier one's is skipped too: everything in the
app (the detail fetched by id, PATCH bodies) is keyed by id, so two would be
indistinguishable. A response that is not a list at all still raises ``DixaResponseError``.

The list as Dixa sent it (the bytes of its pages) is read by :class:`DefinitionsBuilder`: each
item's JSON goes straight to pydantic-core (no dicts first: 0.2 s instead of 0.6 s at 10,000
definitions), a few hundred at a time, so a caller on an event loop can let other work run
in between; a step that meets an item it cannot read hands the whole list to the item by item
reading above, whose reasons are the ones shown.

Pure functions, no Textual: the client, the CLI, the TUI and the mock all use them. pydantic
and the models are imported only when a list is read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from dixa_tui.api.errors import DixaResponseError
from dixa_tui.api.gcpause import gc_paused
from dixa_tui.text import json_kind, plural

if TYPE_CHECKING:
    from dixa_tui.api.models import CustomAttributeDefinition

REASON_MAX = 160  # characters of a reason kept: Pydantic's messages can quote whole inputs
_TAGS = re.compile(r"\.(?:Text|Select|Unknown)(?=[.:])")  # the input kinds' union tags


@dataclass(frozen=True)
class SkippedDefinition:
    """An item of Dixa's list that could not be read as a definition.

    ``index`` is its position in the list Dixa sent (from 0); ``id`` is its ``id`` when that
    is a string, else None; ``reason`` says what was wrong (untrusted text: clean it to show).
    """

    index: int
    id: str | None
    reason: str

    def describe(self) -> str:
        """``item 17 (id 'x'): reason``: one line, for people (still to be cleaned)."""
        who = f"item {self.index}" + (f" (id {self.id!r})" if self.id is not None else "")
        return f"{who}: {self.reason}"


@dataclass(frozen=True)
class DefinitionsRead:
    """What a list of definitions gave: the readable ``definitions`` in Dixa's order, and
    the ``skipped`` items in theirs.

    ``as_sent`` (only when asked for: it keeps the decoded JSON alive as long as the
    definitions) holds each readable definition's item exactly as Dixa sent it, in the same
    order as ``definitions``: an export is then what Dixa sent (``null`` labels, key order,
    fields the models do not know), not the models' re-dump."""

    definitions: list[CustomAttributeDefinition]
    skipped: tuple[SkippedDefinition, ...] = field(default=())
    as_sent: tuple[Any, ...] | None = None

    def skipped_ids(self) -> set[str]:
        return {s.id for s in self.skipped if s.id is not None}

    def __repr__(self) -> str:
        """Short on purpose: a repr of 10,000 models takes a quarter of a second, and
        tracebacks, debuggers and asyncio's task reprs (``cli.common.run``) make one."""
        return (f"DefinitionsRead({plural(len(self.definitions), 'definition')}, "
                f"{len(self.skipped)} skipped)")


def read_definitions(payload: Any, operation: str = "list definitions", *,
                     keep_as_sent: bool = False) -> DefinitionsRead:
    """Every readable definition of ``payload`` (a list of Dixa objects) and what was skipped;
    with ``keep_as_sent``, also the readable items themselves (``DefinitionsRead.as_sent``).

    Raises ``DixaResponseError`` when ``payload`` is not a list; never for a single item.
    """
    from dixa_tui.api.models import parse_definitions

    if not isinstance(payload, list):
        raise DixaResponseError(operation, "unexpected response shape: the definitions are "
                                           f"not a list (got {json_kind(payload)})")
    # The definitions live as long as the session: the collector is paused while they are
    # made and then kept out of its way (gc_paused's ``keep``). No await happens inside.
    with gc_paused(keep=True):
        try:
            indexed = list(enumerate(parse_definitions(payload, operation)))
            skipped: list[SkippedDefinition] = []
        except DixaResponseError:
            indexed, skipped = _item_by_item(payload, operation)
        read = _without_repeated_ids(indexed, skipped)
    if not keep_as_sent:
        return read
    kept = {s.index for s in read.skipped}
    return DefinitionsRead(read.definitions, read.skipped,
                           tuple(item for i, item in enumerate(payload) if i not in kept))


def _item_by_item(payload: list[Any], operation: str) -> tuple[
        list[tuple[int, CustomAttributeDefinition]], list[SkippedDefinition]]:
    from dixa_tui.api.models import CustomAttributeDefinition, parse_model

    good: list[tuple[int, CustomAttributeDefinition]] = []
    skipped: list[SkippedDefinition] = []
    with gc_paused():
        for index, item in enumerate(payload):
            if not isinstance(item, dict):
                skipped.append(SkippedDefinition(index, None, f"not an object ({json_kind(item)})"))
                continue
            try:
                good.append((index, parse_model(CustomAttributeDefinition, item, operation)))
            except DixaResponseError as exc:
                skipped.append(SkippedDefinition(index, _id_of(item), _short(exc.message)))
    return good, skipped


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


T = TypeVar("T", bound=_HasId)


def first_of_each_id(indexed: Sequence[tuple[int, T]], skipped: list[SkippedDefinition]
                     ) -> tuple[list[T], tuple[SkippedDefinition, ...]]:
    """The items whose id no earlier item had, and ``skipped`` with the others added, in
    list order: models and list rows (``api.rows``) are kept by the same rule."""
    seen: dict[str, int] = {}
    kept: list[T] = []
    for index, item in indexed:
        first = seen.setdefault(item.id, index)
        if first == index:
            kept.append(item)
        else:
            skipped.append(SkippedDefinition(
                index, item.id, f"the same id as item {first}: only the first is shown"))
    skipped.sort(key=lambda s: s.index)
    return kept, tuple(skipped)


def _without_repeated_ids(indexed: list[tuple[int, CustomAttributeDefinition]],
                          skipped: list[SkippedDefinition]) -> DefinitionsRead:
    kept, all_skipped = first_of_each_id(indexed, skipped)
    return DefinitionsRead(kept, all_skipped)


STEP_ITEMS = 400  # items validated per step: about 10 ms of pydantic-core at a time


class DefinitionsBuilder:
    """Reads a list of definitions from each item's JSON (``api.rows.raw_items``), in
    steps of ``step_items``: call :meth:`step` until it returns True, then :attr:`result`.

    ``fallback`` reads the list the models' way when a step meets an item it cannot read
    (a call: it decodes the pages again, for the item-by-item reasons). The models made by a
    step live as long as the list: each step pauses the collector and keeps them out of its
    way (``gc_paused(keep=True)``), as :func:`read_definitions` does.
    """

    def __init__(self, items: Sequence[bytes], fallback: Callable[[], DefinitionsRead], *,
                 step_items: int = STEP_ITEMS) -> None:
        self._items = items
        self._fallback = fallback
        self._step = max(1, step_items)
        self._done = 0
        self._models: list[CustomAttributeDefinition] = []
        self._result: DefinitionsRead | None = None

    @property
    def progress(self) -> tuple[int, int]:
        """(items read, items in all)."""
        return (len(self._items) if self._result is not None else self._done,
                len(self._items))

    @property
    def result(self) -> DefinitionsRead:
        assert self._result is not None, "step() until it returns True"
        return self._result

    def step(self) -> bool:
        """Read the next items; True once the whole list is read."""
        if self._result is not None:
            return True
        from pydantic import ValidationError

        from dixa_tui.api.models import definitions_adapter

        chunk = self._items[self._done:self._done + self._step]
        try:
            with gc_paused(keep=True):
                self._models += definitions_adapter().validate_json(
                    b"[" + b",".join(chunk) + b"]")
        except (ValidationError, ValueError, RecursionError):
            self._result = self._fallback()
            return True
        self._done += len(chunk)
        if self._done < len(self._items):
            return False
        kept, skipped = first_of_each_id(list(enumerate(self._models)), [])
        self._result = DefinitionsRead(kept, skipped)
        return True

    def read_all(self) -> DefinitionsRead:
        while not self.step():
            pass
        return self.result


def items_of(bodies: Sequence[bytes], operation: str) -> list[Any]:
    """Every item of the pages of a list (pages the client has checked are Dixa's list
    format; anything else raises ``DixaResponseError``)."""
    from dixa_tui.api.answers import decode_json
    from dixa_tui.api.models import ListEnvelope, parse_model

    items: list[Any] = []
    for body in bodies:
        try:
            payload = decode_json(body)
        except (ValueError, RecursionError):
            raise DixaResponseError(operation, "a page of the list is not JSON") from None
        items += parse_model(ListEnvelope, payload, operation).data
    return items


def read_in_steps(bodies: Sequence[bytes], cancelled: Callable[[], bool],
                  operation: str = "list definitions") -> DefinitionsRead | None:
    """:func:`read_definitions_json` a step at a time, asking ``cancelled()`` between steps
    (None once it says so): for a thread that must give way to the screen's."""
    from dixa_tui.api.rows import raw_items

    def the_models_way() -> DefinitionsRead:
        return read_definitions(items_of(bodies, operation), operation)

    items = raw_items(bodies)
    if items is None:
        return the_models_way()
    builder = DefinitionsBuilder(items, the_models_way)
    while not builder.step():
        if cancelled():
            return None
    return builder.result


def read_definitions_json(bodies: Sequence[bytes], operation: str = "list definitions", *,
                          keep_as_sent: bool = False) -> DefinitionsRead:
    """:func:`read_definitions` of the pages of a list as Dixa sent them: the same result,
    read from each item's JSON when every item is readable (the usual case)."""
    from dixa_tui.api.rows import raw_items

    def the_models_way() -> DefinitionsRead:
        return read_definitions(items_of(bodies, operation), operation,
                                keep_as_sent=keep_as_sent)

    items = None if keep_as_sent else raw_items(bodies)
    if items is None:
        return the_models_way()
    return DefinitionsBuilder(items, the_models_way, step_items=len(items) or 1).read_all()


def _id_of(item: Any) -> str | None:
    if isinstance(item, dict) and isinstance(item.get("id"), str):
        return str(item["id"])
    return None


def _short(text: str) -> str:
    """``where: what``, short: a deep place keeps its start and end, so what was wrong
    (the part after the colon) survives the cut."""
    text = _TAGS.sub("", text.removeprefix("unexpected response shape at "))
    where, colon, what = text.partition(": ")
    if colon and len(where) > 70:
        where = f"{where[:30]}…{where[-30:]}"
        text = f"{where}: {what}"
    return text if len(text) <= REASON_MAX else text[: REASON_MAX - 1] + "…"


def skipped_lines(skipped: Sequence[SkippedDefinition], limit: int = 3) -> list[str]:
    """Lines for a warning: how many were skipped, then the first few with their reasons.

    Each line holds untrusted text: clean every line (``text.clean``) before showing it."""
    count = len(skipped)
    head = (f"{plural(count, 'definition')} sent by Dixa could not be read and "
            f"{'are' if count != 1 else 'is'} left out:")
    lines = [head, *(f"  {s.describe()}" for s in skipped[:limit])]
    if count > limit:
        lines.append(f"  and {count - limit} more")
    return lines
