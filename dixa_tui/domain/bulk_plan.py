"""The bulk plan file: what ``bulk plan`` found and what ``bulk apply`` will send.

A plan is JSON a person can read and review: per target its line in the input, the PATCH
body, before -> after per attribute, errors and warnings, and totals. It also keeps the
input's own form (header, delimiter, BOM, line ending and each record as it was), so a
failures file can be written back in the input's format without the input at hand.

Reading a plan back is strict: a file that is not a plan, of another version, of the wrong
shape, or whose parts disagree (hand edits) is refused with a :class:`PlanFileError` that
says what is wrong, never with a traceback. Editing a plan by hand is not the way to change
a bulk edit: edit the input and plan again, so every row goes through the same checks.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cache
from typing import Any, Literal

from pydantic import ConfigDict, TypeAdapter, ValidationError

from dixa_tui.domain.bulk_rows import Format
from dixa_tui.domain.patch import Target, TargetKind
from dixa_tui.jsontext import dumps, loads
from dixa_tui.text import plural

PLAN_KIND = "dixa-tui bulk plan"
PLAN_VERSION = 1
Value = str | list[str] | None
PlanStatus = Literal["change", "unchanged", "error"]
PlanOrigin = Literal["file", "marks"]
_STRICT = ConfigDict(strict=True, extra="forbid")


class PlanFileError(ValueError):
    """A plan file that cannot be used; the message says why, in a sentence or a list."""


@dataclass(frozen=True)
class PlanProblem:
    """An error or warning: ``ref`` names the attribute (or column, key) concerned;
    ``line`` is set for the plan's file-level problems."""

    __pydantic_config__ = _STRICT
    code: str
    message: str
    ref: str = ""
    line: int | None = None

    @property
    def text(self) -> str:
        return f"{self.ref}: {self.message}" if self.ref else self.message


@dataclass(frozen=True)
class AttributeChange:
    """One attribute of a target: before (read at plan time) -> after. ``changed`` False
    means the target already holds the value: it is shown, not sent."""

    __pydantic_config__ = _STRICT
    definition_id: str
    identifier: str
    label: str
    before: Value
    after: Value
    changed: bool


@dataclass(frozen=True)
class PlanEntry:
    """One input record. ``body`` is exactly what is sent (definition id -> value; only the
    attributes that change). ``source`` is the record as it was: CSV cells or a JSONL line.
    ``target`` is None when the reference could not be resolved (or needed no lookup
    because the row changes nothing)."""

    __pydantic_config__ = _STRICT
    line: int
    ref: str
    target: Target | None
    status: PlanStatus
    body: dict[str, Value]
    changes: list[AttributeChange]
    errors: list[PlanProblem]
    warnings: list[PlanProblem]
    source: str | list[str]


@dataclass(frozen=True)
class PlanInput:
    """Where the plan came from and the form a failures file must take to be rerun.
    ``origin`` is ``marks`` for targets marked in the TUI (written as JSONL records, one
    per target, each with the same edits), ``file`` for an input file."""

    __pydantic_config__ = _STRICT
    name: str | None
    sha256: str
    format: Format
    target_kind: TargetKind | None
    header: list[str] = field(default_factory=list)
    delimiter: str = ","
    bom: bool = False
    newline: str = "\n"
    origin: PlanOrigin = "file"


@dataclass(frozen=True)
class PlanTotals:
    """Counts of entries: ``targets`` all of them; ``changes``, ``unchanged`` and
    ``errors`` by status; ``warnings`` entries with at least one warning; ``values`` the
    attribute values to send, over all entries."""

    __pydantic_config__ = _STRICT
    targets: int = 0
    changes: int = 0
    unchanged: int = 0
    errors: int = 0
    warnings: int = 0
    values: int = 0


def compute_totals(entries: list[PlanEntry]) -> PlanTotals:
    return PlanTotals(
        targets=len(entries),
        changes=sum(e.status == "change" for e in entries),
        unchanged=sum(e.status == "unchanged" for e in entries),
        errors=sum(e.status == "error" for e in entries),
        warnings=sum(bool(e.warnings) for e in entries),
        values=sum(len(e.body) for e in entries),
    )


def iso_utc(moment: datetime) -> str:
    """``2026-05-21T07:44:10Z``: UTC, to the second."""
    moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Plan:
    """A whole plan. ``problems`` are file-level errors (the header, the encoding): a plan
    with any of them, or with any entry in error, cannot be applied. ``batch_id`` is None
    until ``bulk apply`` starts, which records it (:meth:`with_batch_id`)."""

    __pydantic_config__ = _STRICT
    kind: str
    version: int
    created_at: str
    profile: str
    base_url: str
    api_version: str
    batch_id: str | None
    input: PlanInput
    totals: PlanTotals
    problems: list[PlanProblem]
    entries: list[PlanEntry]

    @property
    def applicable(self) -> bool:
        """Nothing in error: the plan may be applied (warnings were shown at plan time)."""
        return not self.problems and self.totals.errors == 0

    @property
    def to_send(self) -> list[PlanEntry]:
        """The entries that send a body, in input order."""
        return [e for e in self.entries if e.status == "change"]

    def entry_at(self, line: int) -> PlanEntry | None:
        return next((e for e in self.entries if e.line == line), None)

    def with_batch_id(self, batch_id: str) -> Plan:
        return replace(self, batch_id=batch_id)

    def restricted_to(self, lines: Iterable[int]) -> Plan:
        """The same plan (batch, input, problems) with only the entries of ``lines``:
        sending again the targets that failed, or the rest of a stopped run."""
        keep = set(lines)
        entries = [e for e in self.entries if e.line in keep]
        return replace(self, entries=entries, totals=compute_totals(entries))

    def to_json(self) -> str:
        """Indented, key order fixed, non-ASCII kept as is; ends with a newline."""
        data = _adapter().dump_python(self, mode="json")
        return dumps(data, indent=2) + "\n"  # a lone surrogate in a value: escaped

    @classmethod
    def from_json(cls, text: str | bytes) -> Plan:
        """A plan read back and checked (see the module docstring); :class:`PlanFileError`
        for anything that is not a sound plan of this version."""
        try:
            data = loads(text)
        except UnicodeDecodeError as exc:
            raise PlanFileError(f"the plan file is not UTF-8 text ({exc.reason})") from None
        except json.JSONDecodeError as exc:
            raise PlanFileError(f"the plan file is not valid JSON: {exc.msg} at line "
                                f"{exc.lineno}, column {exc.colno}") from None
        if not isinstance(data, dict) or data.get("kind") != PLAN_KIND:
            raise PlanFileError(f"this is not a dixa-tui bulk plan (no \"kind\": "
                                f"\"{PLAN_KIND}\"); make one with `dixa-tui bulk plan INPUT`")
        version = data.get("version")
        if version != PLAN_VERSION:
            raise PlanFileError(f"the plan has version {json.dumps(version)}, and this "
                                f"dixa-tui reads version {PLAN_VERSION}: make the plan again "
                                "with this version of dixa-tui")
        try:
            if _has_lone_surrogate(data):
                # pydantic's JSON parser refuses a "\\ud800" escape that json reads (and the
                # plan writes, for a value that holds one): checked from the parsed data,
                # with JSON's conversions (a time as text) allowed.
                plan = _adapter().validate_python(data, strict=False)
            else:
                plan = _adapter().validate_json(text)
        except ValidationError as exc:
            raise PlanFileError("the plan file has the wrong shape (was it edited by hand?): "
                                + "; ".join(_shape_errors(exc))) from None
        wrong = plan_inconsistencies(plan)
        if wrong:
            more = f" (and {len(wrong) - 5} more)" if len(wrong) > 5 else ""
            raise PlanFileError("the plan file does not hold together (was it edited by hand? "
                                "edit the input and plan again instead): "
                                + "; ".join(wrong[:5]) + more)
        return plan


def _has_lone_surrogate(data: Any) -> bool:
    todo = [data]
    while todo:
        item = todo.pop()
        if isinstance(item, str):
            if any("\ud800" <= ch <= "\udfff" for ch in item):
                return True
        elif isinstance(item, dict):
            todo.extend(item.keys())
            todo.extend(item.values())
        elif isinstance(item, list):
            todo.extend(item)
    return False


@cache
def _adapter() -> TypeAdapter[Plan]:
    return TypeAdapter(Plan)


def _shape_errors(exc: ValidationError, limit: int = 5) -> list[str]:
    """Pydantic's errors as ``entries[3].status: Input should be ...``, one per place (a
    union reports each of its branches: the first says enough)."""
    seen: dict[str, str] = {}
    for error in exc.errors():
        path = ""
        for part in error["loc"]:
            if isinstance(part, int):
                path += f"[{part}]"
            elif "[" in part or part in ("str", "int", "bool", "none", "Target", "dict"):
                continue  # a union branch's tag, not a place in the file
            else:
                path += f".{part}" if path else part
        seen.setdefault(path or "(top level)", error["msg"])
    lines = [f"{path}: {msg}" for path, msg in list(seen.items())[:limit]]
    if len(seen) > limit:
        lines.append(f"and {len(seen) - limit} more")
    return lines


def plan_inconsistencies(plan: Plan) -> list[str]:
    """What a well-formed plan's parts say against each other; ``[]`` for a sound plan."""
    wrong: list[str] = []
    lines: set[int] = set()
    csv_source = plan.input.format == "csv"
    for i, e in enumerate(plan.entries):
        where = f"entries[{i}] (line {e.line})"
        if e.line in lines:
            wrong.append(f"{where}: line {e.line} has two entries")
        lines.add(e.line)
        if (e.status == "error") != bool(e.errors):
            wrong.append(f"{where}: status '{e.status}' with {plural(len(e.errors), 'error')}")
        if e.status == "change" and (not e.body or e.target is None):
            wrong.append(f"{where}: status 'change' needs a target and a body")
        if e.status != "change" and e.body:
            wrong.append(f"{where}: status '{e.status}' but a body to send")
        sent = {c.definition_id: c.after for c in e.changes if c.changed}
        if e.status == "change" and sent != e.body:
            wrong.append(f"{where}: the body is not the changed attributes' after values")
        if e.target is not None and plan.input.target_kind not in (None, e.target.kind):
            wrong.append(f"{where}: a {e.target.kind} in a plan for "
                         f"{plan.input.target_kind}s")
        if isinstance(e.source, list) != csv_source:
            wrong.append(f"{where}: its source is not a {plan.input.format} record")
    if plan.totals != compute_totals(plan.entries):
        wrong.append("the totals do not match the entries")
    return wrong


def new_plan(*, created_at: datetime, profile: str, base_url: str, api_version: str,
             input: PlanInput, problems: list[PlanProblem],
             entries: list[PlanEntry]) -> Plan:
    """A plan of this version, its totals counted from ``entries``."""
    return Plan(PLAN_KIND, PLAN_VERSION, iso_utc(created_at), profile, base_url, api_version,
                None, input, compute_totals(entries), problems, entries)


def value_json(value: Any) -> str:
    """A value as it appears in messages: JSON, so ``""`` and ``null`` differ."""
    return json.dumps(value, ensure_ascii=False)
