"""How people name a target: an end user by UUID, email, phone or external id, a
conversation by its number. Pure parsing: no lookups, no I/O.

The TUI's target dialog, the CLI (``get``, ``patch``) and bulk input files all read target
references with these functions, so "what does ``ext:123`` mean" is answered once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from dixa_tui.domain.patch import INT64_MAX, UUID_PATTERN, Target, TargetKind

LookupKind = Literal["id", "email", "phone", "external_id"]
PREFIXES: dict[str, LookupKind] = {"id": "id", "email": "email", "phone": "phone",
                                   "ext": "external_id"}
NOUNS: dict[LookupKind, str] = {"id": "id", "email": "email", "phone": "phone number",
                                "external_id": "external id"}
_UUID_LIKE = re.compile(r"[0-9a-zA-Z]{8}-[0-9a-zA-Z]{4}-\S*")  # meant as an id, maybe mistyped
_PHONE = re.compile(r"[0-9][0-9 \-]*")
_SEPARATORS = re.compile(r"[\s\-]")


@dataclass(frozen=True)
class Lookup:
    """How an end-user reference will be read: ``forced`` when a prefix chose the kind."""

    kind: LookupKind
    value: str
    forced: bool = False


def interpret(text: str) -> Lookup | None:
    """An end-user reference as a lookup; None when empty. ``email:``/``phone:``/``ext:``/
    ``id:`` force the kind; otherwise a UUID (or something shaped like one) is an id, ``@``
    makes an email, a leading ``+`` or only digits, spaces and dashes a phone (sent without
    the spaces and dashes), anything else an external id."""
    text = text.strip()
    if not text:
        return None
    head, sep, rest = text.partition(":")
    if sep and head.strip().casefold() in PREFIXES:
        kind = PREFIXES[head.strip().casefold()]
        value = _SEPARATORS.sub("", rest) if kind == "phone" else rest.strip()
        return Lookup(kind, value, forced=True)
    if UUID_PATTERN.fullmatch(text):
        return Lookup("id", text)
    if "@" in text:
        return Lookup("email", text)
    if _UUID_LIKE.fullmatch(text):
        return Lookup("id", text)
    if text.startswith("+") or _PHONE.fullmatch(text):
        return Lookup("phone", _SEPARATORS.sub("", text))
    return Lookup("external_id", text)


SEARCHABLE = "Dixa finds end users by exact email, phone, external id or UUID, not by name"
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def unsendable(lookup: Lookup) -> str | None:
    """Why ``lookup`` cannot be asked of Dixa, or None: a value holding a byte that was not
    UTF-8 (a command-line argument keeps byte 0xFF as U+DCFF) or a lone surrogate cannot be
    put in a URL, and no end user's email, phone or external id holds one."""
    if not _LONE_SURROGATE.search(lookup.value):
        return None
    return (f"The {NOUNS[lookup.kind]} {lookup.value!r} holds a byte that is not UTF-8 text "
            "(or half of a UTF-16 pair): no end user can have it. Retype it, or convert the "
            "input to UTF-8.")


def no_match(lookup: Lookup, *, prefixes: bool = True) -> str:
    """What to say when ``lookup`` found no end user. A bare word is read as an external id,
    a guess that may be wrong (a name, say): then say what can be searched, rather than only
    that the guess found nothing (and, with ``prefixes``, how to choose the kind)."""
    said = f"No end user has {NOUNS[lookup.kind]} {lookup.value!r}."
    if lookup.forced or lookup.kind != "external_id":  # an @ or a number: not a guess
        return said
    how = " Prefix email:, phone: or ext: to say which you typed." if prefixes else ""
    return f"{said} {SEARCHABLE}.{how}"


@dataclass(frozen=True)
class Reference:
    """A target as typed, before anything is read: ``target`` when it names one by id (a
    conversation number, an end user's UUID: check it with ``check_target`` at once), else
    ``lookup``, the search that must find exactly one end user; neither for empty input."""

    target: Target | None
    lookup: Lookup | None = None


def conversation_number(text: str) -> str | None:
    """A conversation number as typed (``10001``, ``#10001``, ``0010001``) in the form Dixa
    and the journal give it (``10001``); None when it is not a positive int64."""
    number = text.strip().removeprefix("#").strip()
    if not (number.isascii() and number.isdigit()):
        return None
    digits = number.lstrip("0")
    if not digits or len(digits) > 19 or int(digits) > INT64_MAX:  # no 5,000-digit int()
        return None
    return digits


def reference(kind: TargetKind, text: str) -> Reference:
    """How ``text`` names a target of ``kind`` (``#`` before a conversation number is
    allowed; an end user may be a UUID, ``email:``/``phone:``/``ext:`` or a bare email or
    phone). A conversation that is not a number is kept as typed, for ``check_target`` to
    say what is wrong with it."""
    text = text.strip()
    if kind == "conversation":
        return Reference(Target("conversation", conversation_number(text)
                                or text.removeprefix("#").strip()))
    lookup = interpret(text)
    if lookup is None or not lookup.value:
        return Reference(None)
    if lookup.kind == "id":
        return Reference(Target("enduser", lookup.value.lower()), lookup)
    return Reference(None, lookup)
