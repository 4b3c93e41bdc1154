"""What people type to narrow the history: a target, a batch, a moment. Pure parsing.

The CLI's ``history --target/--batch/--since`` and the TUI's History filter read the same
forms through these functions, so ``#10001`` means the same thing in both. The history is
read without a key or a network (it is a local file), so a target here is an id, never an
``email:`` lookup: that would need Dixa.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from dixa_tui.domain.dates import DateError, parse_moment
from dixa_tui.domain.patch import check_target
from dixa_tui.domain.targets import conversation_number, reference

FilterKind = Literal["enduser", "conversation"]
TARGET_FORMS = ("conversation:NUMBER, #NUMBER or a bare number for a conversation; "
                "enduser:UUID or a bare UUID for an end user")
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
    bare UUID -> an end user (lower case, as the journal keeps it), each read as everywhere
    else (``domain.targets``). ValueError saying the forms otherwise."""
    raw = text.strip()
    head, sep, rest = raw.partition(":")
    kind: FilterKind | None = _KIND_WORDS.get(head.strip().casefold()) if sep else None
    value = rest.strip() if kind else raw
    if kind in (None, "conversation"):
        number = conversation_number(value)
        if number is not None:
            return "conversation", number
        if kind == "conversation":
            raise ValueError(f"{text!r}: a conversation is a positive number")
    if kind in (None, "enduser"):
        found = reference("enduser", value)
        if found.target is not None and not check_target(found.target):
            return "enduser", found.target.id
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
    """The start of a ``--since`` window: the moment ``text`` names, read as ``find``
    reads one (:func:`dixa_tui.domain.dates.parse_moment`: ``30s``, ``12h``, ``7d``,
    ``today``, a UTC date or date and time, an ISO time with its zone), so a word means the
    same in both. ValueError saying the forms otherwise."""
    try:
        return parse_moment(text, now).at
    except DateError as exc:
        raise ValueError(f"--since {exc}") from None
