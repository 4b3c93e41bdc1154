"""What people type to narrow the history: a target, a batch, a moment. Pure parsing.

The CLI's ``history --target/--batch/--since`` and the TUI's History filter read the same
forms through these functions, so ``#10001`` means the same thing in both. The history is
read without a key or a network (it is a local file), so a target here is an id, never an
``email:`` lookup: that would need Dixa.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from dixa_tui.domain.patch import INT64_MAX, UUID_PATTERN

FilterKind = Literal["enduser", "conversation"]
TARGET_FORMS = ("conversation:NUMBER, #NUMBER or a bare number for a conversation; "
                "enduser:UUID or a bare UUID for an end user")
SINCE_FORMS = ("a date (2026-01-31), a UTC date and time (2026-01-31T09:15 or "
               "'2026-01-31 09:15'), or an age: 30m, 12h, 7d, 2w")
_AGE = re.compile(r"([0-9]+)\s*([smhdw])")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800}
_BATCH = re.compile(r"b-[0-9a-z]+", re.IGNORECASE)
_KIND_WORDS: dict[str, FilterKind] = {"conversation": "conversation", "conv": "conversation",
                                      "c": "conversation", "enduser": "enduser",
                                      "end-user": "enduser", "user": "enduser", "u": "enduser"}


@dataclass(frozen=True)
class HistoryFilter:
    """A history query from one line a person typed (the TUI's filter box): a target, a
    batch, or nothing (an empty line)."""

    target: tuple[FilterKind, str] | None = None
    batch: str | None = None

    @property
    def empty(self) -> bool:
        return self.target is None and self.batch is None

    def describe(self) -> str:
        if self.target is not None:
            kind, target_id = self.target
            return f"conversation {target_id}" if kind == "conversation" else \
                f"end user {target_id}"
        if self.batch is not None:
            return f"batch {self.batch}"
        return "every entry"


def parse_target(text: str) -> tuple[FilterKind, str]:
    """``conversation:10001``, ``#10001``, ``10001`` -> a conversation; ``enduser:UUID`` or a
    bare UUID -> an end user (lower case, as the journal keeps it). ValueError saying the
    forms otherwise."""
    raw = text.strip()
    head, sep, rest = raw.partition(":")
    kind: FilterKind | None = _KIND_WORDS.get(head.strip().casefold()) if sep else None
    value = rest.strip() if kind else raw
    if kind in (None, "conversation"):
        number = value.removeprefix("#").strip()
        if number.isascii() and number.isdigit() and 0 < int(number) <= INT64_MAX:
            return "conversation", str(int(number))
        if kind == "conversation":
            raise ValueError(f"{text!r}: a conversation is a positive number")
    if kind in (None, "enduser") and UUID_PATTERN.fullmatch(value):
        return "enduser", value.lower()
    if kind == "enduser":
        raise ValueError(f"{text!r}: an end user is given by UUID here (the history is read "
                         "without asking Dixa, so email:, phone: and ext: cannot be looked up)")
    raise ValueError(f"{text!r} is not a target: use {TARGET_FORMS}")


def parse_filter(text: str) -> HistoryFilter:
    """The TUI's one-line filter: empty for every entry, ``b-...`` for a batch, else a
    target (``parse_target``). ValueError otherwise."""
    raw = text.strip()
    if not raw:
        return HistoryFilter()
    if _BATCH.fullmatch(raw):
        return HistoryFilter(batch=raw.lower())
    try:
        return HistoryFilter(target=parse_target(raw))
    except ValueError:
        raise ValueError(f"{raw!r} is neither a target ({TARGET_FORMS}) nor a batch id "
                         "(b-...)") from None


def parse_since(text: str, now: datetime) -> datetime:
    """The start of a ``--since`` window: a UTC date or date and time, or an age before
    ``now`` (an aware datetime). ValueError saying the forms otherwise."""
    raw = text.strip()
    age = _AGE.fullmatch(raw.lower())
    if age:
        try:
            return now - timedelta(seconds=int(age.group(1)) * _UNITS[age.group(2)])
        except (OverflowError, ValueError):  # ValueError: more digits than int() reads
            raise ValueError(f"--since {text!r} reaches back before the year 1: use a "
                             "smaller age, or a date") from None
    try:
        moment = datetime.fromisoformat(raw.replace(" ", "T", 1) if len(raw) > 10 else raw)
    except ValueError:
        raise ValueError(f"--since {text!r}: use {SINCE_FORMS}") from None
    try:
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else \
            moment.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"--since {text!r} in UTC falls outside the years 1 to 9999: use a "
                         "later date") from None
