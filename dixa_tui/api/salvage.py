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

Pure functions, no Textual: the client, the CLI, the TUI and the mock all use them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from dixa_tui.api.errors import DixaResponseError
from dixa_tui.api.gcpause import gc_paused
from dixa_tui.api.models import CustomAttributeDefinition, parse_definitions, parse_model
from dixa_tui.text import json_kind, plural

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


def read_definitions(payload: Any, operation: str = "list definitions", *,
                     keep_as_sent: bool = False) -> DefinitionsRead:
    """Every readable definition of ``payload`` (a list of Dixa objects) and what was skipped;
    with ``keep_as_sent``, also the readable items themselves (``DefinitionsRead.as_sent``).

    Raises ``DixaResponseError`` when ``payload`` is not a list; never for a single item.
    """
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


def _without_repeated_ids(indexed: list[tuple[int, CustomAttributeDefinition]],
                          skipped: list[SkippedDefinition]) -> DefinitionsRead:
    seen: dict[str, int] = {}
    kept: list[CustomAttributeDefinition] = []
    for index, definition in indexed:
        first = seen.setdefault(definition.id, index)
        if first == index:
            kept.append(definition)
        else:
            skipped.append(SkippedDefinition(
                index, definition.id, f"the same id as item {first}: only the first is shown"))
    if not skipped:
        return DefinitionsRead(kept)
    skipped.sort(key=lambda s: s.index)
    return DefinitionsRead(kept, tuple(skipped))


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
