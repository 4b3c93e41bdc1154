"""What the journal records: the intent of a write, and the entry it becomes.

Plain frozen dataclasses, no SQLite: the domain's undo logic and the front ends read entries
without touching the database. The checks here guard the record's meaning (every key of the
body has its before value; a batch id can never be taken for an entry id), so a caller's slip
fails loudly before anything is sent instead of leaving a record that cannot be undone.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, get_args
from urllib.parse import urlsplit, urlunsplit

Outcome = Literal["applied", "failed", "unknown"]
Origin = Literal["cli", "tui", "bulk", "undo"]
JournalTargetKind = Literal["enduser", "conversation"]
OUTCOMES: tuple[str, ...] = get_args(Outcome)
ORIGINS: tuple[str, ...] = get_args(Origin)
TARGET_KINDS: tuple[str, ...] = get_args(JournalTargetKind)

# No 0/o, 1/l/i: a batch id is read off a screen and typed back.
BATCH_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
BATCH_PREFIX = "b-"
BATCH_LENGTH = 8
MAX_BATCH_ID = 64
LAST = "last"  # the CLI's `undo last`: never a batch id
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_DIGITS = re.compile(r"[0-9]+")
_STORED_TIME = "%Y-%m-%dT%H:%M:%S.%fZ"  # fixed width: text order is time order


@dataclass(frozen=True)
class Change:
    """One attribute of a write: its before value (what the target held when the write was
    planned) and its after value (what the body sets), both exactly as a PATCH body writes
    them: a string (Text), a list of option values (Select path), or None (no value / clear).

    ``identifier`` and ``label`` are the definition's at the time of the write, kept so the
    history reads well even after the definition is renamed or deleted.
    """

    definition_id: str
    identifier: str
    label: str
    before: Any
    after: Any

    def to_json(self) -> dict[str, Any]:
        return {"definition_id": self.definition_id, "identifier": self.identifier,
                "label": self.label, "before": self.before, "after": self.after}


@dataclass(frozen=True)
class Intent:
    """A write about to be sent: everything the journal records before sending.

    ``body`` is the exact PATCH body (definition id -> value) and ``changes`` holds one
    ``Change`` per key of it, in any order. ``batch`` groups the writes of one user action (a
    bulk run, an undo of several targets): get one from ``Journal.new_batch_id()``. ``origin``
    says which front end sent it; ``undoes`` is the entry id (as a decimal string) or batch
    id this write reverses, for an ``origin="undo"`` write.

    There is deliberately no field for the API key, headers or anything of the request but
    its body: the key cannot reach the journal through this API.
    """

    profile: str
    base_url: str
    api_version: str
    target_kind: JournalTargetKind
    target_id: str
    body: Mapping[str, Any]
    changes: tuple[Change, ...]
    batch: str | None = None
    origin: Origin = "cli"
    undoes: str | None = None


@dataclass(frozen=True)
class Entry:
    """One journaled write, as read back.

    ``outcome`` is ``unknown`` both for a write whose answer never came (a timeout, a dropped
    connection) and for one begun and never completed (the process died between recording
    and answer): ``completed_at`` is None for the latter. ``settled`` is the note left by
    ``Journal.settle`` when an unknown outcome was decided by reading the target. ``returned``
    maps definition id -> value as Dixa answered (``dixa_tui.domain.patch.current_values``
    of the PATCH response); ``error`` is the typed error's message when it failed.
    """

    id: int
    batch: str | None
    time: datetime
    profile: str
    base_url: str
    api_version: str
    target_kind: JournalTargetKind
    target_id: str
    body: dict[str, Any]
    changes: tuple[Change, ...]
    outcome: Outcome
    status: int | None = None
    returned: dict[str, Any] | None = None
    error: str | None = None
    origin: Origin = "cli"
    undoes: str | None = None
    completed_at: datetime | None = None
    settled: str | None = None
    settled_at: datetime | None = field(default=None, compare=False)

    @property
    def target(self) -> tuple[JournalTargetKind, str]:
        return self.target_kind, self.target_id

    @property
    def completed(self) -> bool:
        """Whether Dixa's answer (or the error in its place) was recorded."""
        return self.completed_at is not None

    def to_json(self) -> dict[str, Any]:
        """The entry for scripts (``history --json``). These names are a promise:

        ``id`` (int), ``batch`` (str or null), ``time`` (ISO-8601 UTC ending in ``Z``),
        ``profile``, ``target`` (``{"kind": "conversation"|"enduser", "id": ...}``: a
        conversation's id is a JSON integer, an end user's a string), ``changes`` (a list of
        ``{"identifier", "label", "definition_id", "before", "after"}`` with values as in a
        PATCH body), ``outcome`` (``applied``, ``failed`` or ``unknown``), and ``base_url``,
        ``api_version``, ``body``, ``status``, ``error``, ``returned``, ``origin``, ``undoes``
        (an entry id as an integer, or a batch id as a string), ``completed_at``, ``settled``
        and ``settled_at``.
        """
        return {
            "id": self.id,
            "batch": self.batch,
            "time": iso_z(self.time),
            "profile": self.profile,
            "base_url": self.base_url,
            "api_version": self.api_version,
            "target": {"kind": self.target_kind, "id": target_json_id(self.target_kind,
                                                                      self.target_id)},
            "changes": [c.to_json() for c in self.changes],
            "body": self.body,
            "outcome": self.outcome,
            "status": self.status,
            "error": self.error,
            "returned": self.returned,
            "origin": self.origin,
            "undoes": int(self.undoes) if self.undoes and _DIGITS.fullmatch(self.undoes)
            else self.undoes,
            "completed_at": iso_z(self.completed_at) if self.completed_at else None,
            "settled": self.settled,
            "settled_at": iso_z(self.settled_at) if self.settled_at else None,
        }


# -- identity of targets, batches and times ------------------------------------------------


def canonical_target_id(kind: str, target_id: str) -> str:
    """The one spelling a target is stored and looked up under: an end user's UUID in lower
    case (Dixa reads UUIDs case-insensitively), a conversation's number without leading
    zeros. Raises ValueError for a conversation id that is not a positive number."""
    if kind not in TARGET_KINDS:
        raise ValueError(f"target kind must be one of {', '.join(TARGET_KINDS)}, not {kind!r}")
    text = str(target_id).strip()
    if kind == "conversation":
        if not _DIGITS.fullmatch(text) or int(text) <= 0:
            raise ValueError(f"a conversation id is a positive number, not {target_id!r}")
        return str(int(text))
    if not text:
        raise ValueError("an end user id cannot be empty")
    return text.lower() if _UUID.fullmatch(text) else text


def target_json_id(kind: str, target_id: str) -> int | str:
    return int(target_id) if kind == "conversation" and _DIGITS.fullmatch(target_id) \
        else target_id


def new_batch_id() -> str:
    """``b-`` and 8 characters nobody misreads (31**8 of them): short enough to type back."""
    return BATCH_PREFIX + "".join(secrets.choice(BATCH_ALPHABET) for _ in range(BATCH_LENGTH))


def batch_id_problem(batch: str) -> str | None:
    """Why ``batch`` cannot be a batch id, or None. A batch id must never read as an entry id
    (``undo 12`` means entry 12) nor as ``last``."""
    if not batch or len(batch) > MAX_BATCH_ID:
        return f"a batch id has 1 to {MAX_BATCH_ID} characters"
    if not batch.isprintable() or any(ch.isspace() for ch in batch):
        return "a batch id has no spaces or control characters"
    if batch.casefold() == LAST:
        return f"{LAST!r} means the newest entry or batch, not a batch id"
    try:
        int(batch)
    except ValueError:
        return None
    return "a batch id must not read as a number (numbers are entry ids)"


def stored_time(moment: datetime) -> str:
    """``moment`` as the journal stores it: UTC, microseconds, fixed width."""
    if moment.tzinfo is None:
        raise ValueError("journal times are timezone-aware (a naive datetime is ambiguous)")
    return moment.astimezone(UTC).strftime(_STORED_TIME)


def parse_stored_time(text: str) -> datetime:
    """The inverse of ``stored_time`` (``fromisoformat`` reads the ``Z`` since Python 3.11,
    and is ten times quicker than ``strptime``: history reads two per entry)."""
    return datetime.fromisoformat(text)


def iso_z(moment: datetime) -> str:
    """ISO-8601 in UTC to the millisecond, ending in ``Z``: ``2026-01-31T09:15:02.123Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def without_credentials(url: str) -> str:
    """``url`` without a ``user:password@`` part: a URL's credentials are secrets too."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


# -- checking an intent --------------------------------------------------------------------


def _is_body_value(value: Any) -> bool:
    return value is None or isinstance(value, str) or (
        isinstance(value, list) and all(isinstance(v, str) for v in value))


def _storable(text: str) -> bool:
    """Whether ``text`` has a UTF-8 form (no lone surrogate): SQLite stores TEXT as UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_intent(intent: Intent) -> Intent:
    """``intent`` with its target id and base URL in stored form, or ValueError saying what
    is wrong with it (a programming error of the caller: nothing may be sent)."""
    for name in ("profile", "base_url", "api_version", "target_id"):
        value = getattr(intent, name)
        if not isinstance(value, str) or not value or not _storable(value):
            raise ValueError(f"intent.{name} must be a non-empty string of text")
    target_id = canonical_target_id(intent.target_kind, intent.target_id)
    if not isinstance(intent.body, Mapping) or not intent.body:
        raise ValueError("intent.body must be a non-empty mapping of definition id -> value")
    for key, value in intent.body.items():
        if not isinstance(key, str) or not _is_body_value(value):
            raise ValueError(f"intent.body[{key!r}] must be a string, a list of strings or "
                             "None (a PATCH body's values)")
    seen: set[str] = set()
    for change in intent.changes:
        if not isinstance(change, Change):
            raise ValueError("intent.changes holds Change objects")
        key = change.definition_id
        if key in seen or key not in intent.body:
            raise ValueError(f"intent.changes must name each key of the body once: {key!r}")
        if change.after != intent.body[key] or not _is_body_value(change.before):
            raise ValueError(f"change {key!r}: after must equal the body's value and before "
                             "must be a body value")
        seen.add(key)
    if seen != set(intent.body):
        missing = ", ".join(sorted(set(intent.body) - seen))
        raise ValueError(f"intent.changes lacks the before value of {missing}")
    if intent.batch is not None and (problem := batch_id_problem(intent.batch)):
        raise ValueError(f"intent.batch {intent.batch!r}: {problem}")
    if intent.origin not in ORIGINS:
        raise ValueError(f"intent.origin must be one of {', '.join(ORIGINS)}")
    if intent.undoes is not None and not _DIGITS.fullmatch(intent.undoes) \
            and batch_id_problem(intent.undoes):
        raise ValueError("intent.undoes is an entry id (digits) or a batch id")
    return Intent(profile=intent.profile, base_url=without_credentials(intent.base_url),
                  api_version=intent.api_version, target_kind=intent.target_kind,
                  target_id=target_id, body=dict(intent.body), changes=tuple(intent.changes),
                  batch=intent.batch, origin=intent.origin, undoes=intent.undoes)
