"""Undo, worked out from journaled writes: what to restore, and whether it is still safe to.

Pure: entries in, plans out. The session reads the journal and the targets' current values and
sends the result through the same rules and preview as any edit; this module only decides.

The journal entry types are not imported (the domain imports nothing with I/O): any objects
with the attributes of ``dixa_tui.journal.Entry`` / ``Change`` will do (``JournaledWrite``).

How an undo goes:

1. ``undo_targets(entries)``: per target, per attribute, the value to restore (the earliest
   applied write's before) and the value the target should hold now (the latest applied
   write's after, or what Dixa answered it set). Failed writes changed nothing: skipped, with
   the reason. Writes of unknown outcome come back in ``unsettled``: settle them first.
2. ``settle_outcome(entry, current)`` for each unsettled entry, from the target's values now
   (then ``Journal.settle``), and plan again.
3. ``check_conflicts(target, current)``: an attribute whose value is no longer the expected
   one was changed by someone since; it is left out of the body (reported) unless forced.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Literal, Protocol, TypeVar

from dixa_tui.domain.compare import normalized, same_value, standing

SettledOutcome = Literal["applied", "failed", "unknown"]


class JournaledChange(Protocol):
    """One attribute of a journaled write (``dixa_tui.journal.Change``)."""

    @property
    def definition_id(self) -> str: ...
    @property
    def identifier(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def before(self) -> Any: ...
    @property
    def after(self) -> Any: ...


class JournaledWrite(Protocol):
    """A journaled write (``dixa_tui.journal.Entry``): what undo needs of it."""

    @property
    def id(self) -> int: ...
    @property
    def target_kind(self) -> str: ...
    @property
    def target_id(self) -> str: ...
    @property
    def changes(self) -> Sequence[JournaledChange]: ...
    @property
    def outcome(self) -> str: ...
    @property
    def returned(self) -> Mapping[str, Any] | None: ...


W = TypeVar("W", bound=JournaledWrite)


def _copy(value: Any) -> Any:
    return list(value) if isinstance(value, list | tuple) else value


# -- planning ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Restore:
    """One attribute of one target to put back.

    ``value``: what to send (the before value of the earliest applied write; None where the
    attribute had no value, which clears it). ``expected``: what the target should hold now
    if nobody changed it since (the latest applied write's after, or the value Dixa answered
    with). ``entries``: the applied writes of this attribute, oldest first.
    """

    definition_id: str
    identifier: str
    label: str
    value: Any
    expected: Any
    entries: tuple[int, ...]


@dataclass(frozen=True)
class UndoTarget:
    """What undoing puts back on one target, attributes in the order they were first
    written; ``entries`` are this target's applied writes, oldest first."""

    kind: str
    id: str
    restores: tuple[Restore, ...]
    entries: tuple[int, ...]

    @property
    def target(self) -> tuple[str, str]:
        return self.kind, self.id


@dataclass(frozen=True)
class Skipped:
    """A write left out of the undo, and why (said to the user)."""

    entry_id: int
    reason: str


@dataclass(frozen=True)
class UndoPlan(Generic[W]):
    """The result of ``undo_targets``.

    ``unsettled``: the writes of unknown outcome, oldest first. While there are any, the
    targets are computed without them and may be wrong: settle them (``settle_outcome`` and
    ``Journal.settle``) and plan again before sending anything (``ready``).
    """

    targets: tuple[UndoTarget, ...]
    skipped: tuple[Skipped, ...]
    unsettled: tuple[W, ...]

    @property
    def ready(self) -> bool:
        return not self.unsettled


def _expected(entry: JournaledWrite, change: JournaledChange) -> Any:
    returned = entry.returned
    if returned is not None and change.definition_id in returned:
        return returned[change.definition_id]
    return change.after


def undo_targets(entries: Iterable[W]) -> UndoPlan[W]:
    """The inverse of ``entries`` (one entry, a batch, or any selection), per target.

    Entries are taken in journal order (by id) whatever order they come in; one given twice
    counts once. For an attribute written several times, the value to restore is the before
    of the first applied write and the expected value the after of the last one, so undoing a
    batch that set ``A -> B`` then ``B -> C`` puts back ``A`` where ``C`` is found.
    """
    ordered = sorted({e.id: e for e in entries}.values(), key=lambda e: e.id)
    skipped: list[Skipped] = []
    unsettled: list[W] = []
    # target -> definition id -> (first change, earliest before, expected, entry ids)
    plans: dict[tuple[str, str], dict[str, tuple[JournaledChange, Any, Any, list[int]]]] = {}
    target_entries: dict[tuple[str, str], list[int]] = {}
    for entry in ordered:
        if entry.outcome == "failed":
            skipped.append(Skipped(entry.id, f"entry {entry.id} failed: Dixa did not apply "
                                   "it, so it changed nothing to undo"))
            continue
        if entry.outcome != "applied":
            unsettled.append(entry)
            continue
        target = (entry.target_kind, entry.target_id)
        attributes = plans.setdefault(target, {})
        target_entries.setdefault(target, []).append(entry.id)
        for change in entry.changes:
            known = attributes.get(change.definition_id)
            if known is None:
                attributes[change.definition_id] = (change, change.before,
                                                     _expected(entry, change), [entry.id])
            else:
                first, before, _, ids = known
                attributes[change.definition_id] = (first, before, _expected(entry, change),
                                                    [*ids, entry.id])
    targets = tuple(
        UndoTarget(kind=kind, id=target_id, entries=tuple(target_entries[(kind, target_id)]),
                   restores=tuple(Restore(definition_id=key, identifier=first.identifier,
                                          label=first.label, value=_copy(before),
                                          expected=_copy(expected), entries=tuple(ids))
                                  for key, (first, before, expected, ids) in attributes.items()))
        for (kind, target_id), attributes in plans.items())
    return UndoPlan(targets=targets, skipped=tuple(skipped), unsettled=tuple(unsettled))


# -- checking against the target as it is now ----------------------------------------------


@dataclass(frozen=True)
class Conflict:
    """An attribute changed since the journaled write: it holds ``current``, not what the
    write left (``restore.expected``). Restoring it would overwrite someone's change."""

    restore: Restore
    current: Any

    def describe(self) -> str:
        return (f"{self.restore.identifier or self.restore.definition_id}: changed since "
                f"(expected {_shown(self.restore.expected)}, found {_shown(self.current)})")


def _shown(value: Any) -> str:
    norm = normalized(value)
    if norm is None:
        return "no value"
    return "/".join(norm) if isinstance(norm, tuple) else repr(norm)


@dataclass(frozen=True)
class CheckedUndo:
    """An undo checked against the target's values now.

    ``body``: the PATCH body to send (definition id -> value to restore), in restore order;
    empty when there is nothing to do. ``restoring``: the restores in the body, with
    ``current`` holding what each of those attributes has now (the undo's own before values,
    for its journal entry). ``conflicts``: attributes changed since; in the body only when
    ``forced``. ``unchanged``: attributes that already hold the value to restore (not sent).
    """

    body: dict[str, Any]
    restoring: tuple[Restore, ...]
    current: dict[str, Any]
    conflicts: tuple[Conflict, ...]
    unchanged: tuple[Restore, ...]
    forced: bool = False


def check_conflicts(target: UndoTarget, current_values: Mapping[str, Any], *,
                    force: bool = False) -> CheckedUndo:
    """Which restores of ``target`` are safe, given ``current_values`` (definition id ->
    value, as read from the target now; a missing key means no value).

    A restore goes into the body when the attribute still holds what the journaled writes
    left. One that holds something else is a conflict: left out, unless ``force``. One that
    already holds the value to restore needs nothing and is listed in ``unchanged``.
    """
    body: dict[str, Any] = {}
    restoring: list[Restore] = []
    current: dict[str, Any] = {}
    conflicts: list[Conflict] = []
    unchanged: list[Restore] = []
    for restore in target.restores:
        now = current_values.get(restore.definition_id)
        if same_value(now, restore.value):
            unchanged.append(restore)
            continue
        if not same_value(now, restore.expected):
            conflicts.append(Conflict(restore, _copy(now)))
            if not force:
                continue
        body[restore.definition_id] = _copy(restore.value)
        restoring.append(restore)
        current[restore.definition_id] = _copy(now)
    return CheckedUndo(body=body, restoring=tuple(restoring), current=current,
                       conflicts=tuple(conflicts), unchanged=tuple(unchanged), forced=force)


# -- settling an unknown outcome -----------------------------------------------------------


@dataclass(frozen=True)
class Settlement:
    """What reading the target says about a write of unknown outcome; ``note`` says why, in
    words to keep in the journal (``Journal.settle``)."""

    outcome: SettledOutcome
    note: str


def _names(changes: Iterable[JournaledChange]) -> str:
    return ", ".join(c.identifier or c.definition_id for c in changes)


def settle_outcome(entry: JournaledWrite, current_values: Mapping[str, Any]) -> Settlement:
    """``applied`` when the target holds every value ``entry`` set, ``failed`` when it still
    holds every value from before it, else still ``unknown`` with the reason.

    Only as good as the reading: an entry still on its way in another process reads as
    ``failed`` until it lands (see ``Journal.unsettled``'s ``begun_before``), and someone
    changing the same attributes since makes the reading say nothing.
    """
    changes = list(entry.changes)
    found = standing((current_values.get(c.definition_id), c.before, c.after)
                     for c in changes)
    after, before = found.at_after, found.at_before
    if found.where == "after":
        if all(before):
            return Settlement("applied", "the target holds what the write set, which is also "
                              "what it held before: applied or not, it changed nothing")
        return Settlement("applied", "read from the target: it holds every value the write "
                          "set")
    if found.where == "before":
        return Settlement("failed", "read from the target: it still holds every value from "
                          "before the write, so the write did not land")
    neither = [c for c, a, b in zip(changes, after, before, strict=True) if not a and not b]
    if neither:
        return Settlement("unknown", f"the target now holds other values for {_names(neither)}"
                          ": someone changed it since, so reading it cannot tell whether the "
                          "write landed")
    new = [c for c, a in zip(changes, after, strict=True) if a]
    old = [c for c, a in zip(changes, after, strict=True) if not a]
    return Settlement("unknown", f"the target holds the new values of {_names(new)} but the "
                      f"old ones of {_names(old)}: a write lands whole, so someone changed it "
                      "since")
