"""Where a schema to compare comes from: a snapshot file, or a profile read live (or as it was
saved on a day), and reading a snapshot file with the same salvage rules as the client.

A source is written ``profile:NAME`` (the organization as it is now),
``profile:NAME@2026-11-01`` (the last snapshot of that profile saved on or before that day,
or at that ISO moment: ``@2026-11-01T08:30``), ``file:PATH`` or just ``PATH`` (a snapshot
file). :func:`parse_source` turns the text into a typed :data:`SchemaSource`; reading a
profile, or a file, is the session's job (``session.snapshots.load_snapshot`` reads one).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from dixa_tui.api.errors import DixaResponseError
from dixa_tui.api.models import CustomAttributeDefinition
from dixa_tui.api.salvage import SkippedDefinition, read_definitions
from dixa_tui.jsontext import loads
from dixa_tui.text import json_kind

PROFILE_PREFIX = "profile:"
FILE_PREFIX = "file:"


@dataclass(frozen=True)
class ProfileSource:
    """A profile's organization: live when ``at`` is None, else its last snapshot saved on
    or before ``at`` (a ``date`` means the end of that day)."""

    name: str
    at: date | datetime | None = None

    def describe(self) -> str:
        return PROFILE_PREFIX + self.name + (f"@{self.at.isoformat()}" if self.at else "")


@dataclass(frozen=True)
class FileSource:
    """A snapshot file: ``{"data": [...]}`` as ``GET /custom-attributes`` answers, or a list."""

    path: Path

    def describe(self) -> str:
        """The path; with ``file:`` in front when it would otherwise read as a profile."""
        text = str(self.path)
        return FILE_PREFIX + text if text.startswith((PROFILE_PREFIX, FILE_PREFIX)) else text


SchemaSource = ProfileSource | FileSource


def parse_source(text: str) -> SchemaSource:
    """``profile:NAME[@WHEN]``, ``file:PATH`` or ``PATH`` -> a typed source.

    ``WHEN`` follows the last ``@`` and is an ISO date or date and time. Raises
    ``ValueError`` with a sentence saying what to write instead."""
    if text.startswith(FILE_PREFIX):
        path = text[len(FILE_PREFIX):]
        if not path:
            raise ValueError("'file:' needs a path after it, e.g. file:snapshot.json")
        return FileSource(Path(path))
    if not text.startswith(PROFILE_PREFIX):
        if not text:
            raise ValueError("a schema source is empty: write profile:NAME or a file's path")
        return FileSource(Path(text))
    spec = text[len(PROFILE_PREFIX):]
    name, at_sign, when = spec.rpartition("@")
    if not at_sign:
        name, when = spec, ""
    if not name.strip():
        raise ValueError(f"'{text}' names no profile: write profile:NAME, e.g. profile:prod")
    if not at_sign:
        return ProfileSource(name)
    return ProfileSource(name, _moment(when, text))


def _moment(when: str, text: str) -> date | datetime:
    try:
        return date.fromisoformat(when) if len(when) == 10 else datetime.fromisoformat(when)
    except ValueError:
        raise ValueError(f"'{when}' in '{text}' is not a date: write "
                         "profile:NAME@YYYY-MM-DD (or an ISO date and time)") from None


@dataclass(frozen=True)
class SnapshotMeta:
    """What reading a snapshot found besides the definitions: ``name`` (what it was read
    from), ``shape`` (``envelope`` for ``{"data": [...]}``, ``list`` for a bare list),
    ``items`` (how many the list held) and the ``skipped`` items, as the client skips them."""

    name: str
    shape: Literal["envelope", "list"]
    items: int
    skipped: tuple[SkippedDefinition, ...] = ()


def parse_snapshot(data: bytes | str, name: str = "snapshot") -> tuple[
        list[CustomAttributeDefinition], SnapshotMeta]:
    """The definitions of a snapshot's text (an export, or any file in Dixa's list format).

    Items the client would skip are skipped the same way and listed in the meta. Raises
    ``ValueError`` (naming ``name``) for text that is not JSON or not that format."""
    try:
        payload: Any = loads(data)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{name}: not JSON ({exc.msg} at line {exc.lineno})") from None
    except RecursionError:
        raise ValueError(f"{name}: JSON nested too deeply to read") from None
    except UnicodeDecodeError:
        raise ValueError(f"{name}: not UTF-8 text") from None
    shape: Literal["envelope", "list"] = "list"
    if isinstance(payload, dict) and "data" in payload:
        payload, shape = payload["data"], "envelope"
    if not isinstance(payload, list):
        raise ValueError(f'{name}: expected {{"data": [definitions]}} or a list of '
                         f"definitions, got {json_kind(payload)}")
    try:
        read = read_definitions(payload, f"read {name}")
    except DixaResponseError as exc:  # not reached for a list, kept for the contract
        raise ValueError(f"{name}: {exc.message}") from None
    return read.definitions, SnapshotMeta(name, shape, len(payload), read.skipped)
