"""JSON text at the edges: read from outside without surprises, written as valid UTF-8.

Reading: JSON from outside (files, command lines, request bodies) is read so that bad input
is a ``json.JSONDecodeError`` like any other, never a crash.

``json.loads`` has three ways to fail that are not ``JSONDecodeError``: ``RecursionError``
on deep nesting (``[`` x 30,000), ``ValueError`` on a number of more than 4,300 digits (Python's
guard against slow integer parsing), and accepting ``NaN``/``Infinity``, which are not JSON
and which nothing that reads JSON elsewhere accepts. Every caller that reads input a person or
a server gave already says what a ``JSONDecodeError`` means; here the three join it.

Writing: a string may hold a lone surrogate (Dixa's JSON can say ``"\\ud800"``; a
command-line byte that is not UTF-8 arrives as one), which ``json.dumps(ensure_ascii=False)``
keeps raw and UTF-8 cannot encode: :func:`dumps` writes it as its ``\\uXXXX`` escape, the same
JSON string, so a file, a body or a pipe always gets valid UTF-8 and the exact data.
Standard library only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# What JSON may carry raw that a terminal would act on (C1 controls, DEL, bidi controls and
# marks, line and paragraph separators) or UTF-8 cannot carry (lone surrogates): inside a
# JSON string its \uXXXX escape is the same value.
_UNSAFE_FOR_TERMINAL = re.compile(
    "[\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def loads(text: str | bytes, *,
          object_pairs_hook: Callable[[list[tuple[str, Any]]], Any] | None = None) -> Any:
    """``json.loads(text)``; raises ``json.JSONDecodeError`` for anything that is not JSON
    it can read, including the three cases above (at position 0: where is not known)."""
    try:
        return json.loads(text, parse_constant=_no_constant,
                          object_pairs_hook=object_pairs_hook)
    except json.JSONDecodeError:
        raise
    except RecursionError:
        problem = "nested too deeply to read"
    except ValueError as exc:
        if isinstance(exc, UnicodeDecodeError):
            raise
        problem = (str(exc) if "is not JSON" in str(exc) else
                   "a number with too many digits to read")
    doc = text if isinstance(text, str) else text.decode("utf-8", "replace")
    raise json.JSONDecodeError(problem, doc, 0) from None


def dumps(value: Any, **options: Any) -> str:
    """``json.dumps(value, ensure_ascii=False, **options)`` with every lone surrogate written
    as its ``\\uXXXX`` escape: encodable as UTF-8, and the same JSON."""
    text = json.dumps(value, ensure_ascii=False, **options)
    return escape_surrogates(text)


def escape_surrogates(text: str) -> str:
    """JSON ``text`` with lone surrogates (which can only stand inside its strings) escaped."""
    if not _LONE_SURROGATE.search(text):
        return text
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def for_terminal(text: str) -> str:
    """JSON text with every character a terminal could obey (or UTF-8 could not carry)
    written as its ``\\uXXXX`` escape: safe to print, the same JSON to a parser."""
    return _UNSAFE_FOR_TERMINAL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
