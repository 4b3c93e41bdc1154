"""Making untrusted text safe to show: labels, values and server messages come from someone
else's organization and may carry ANSI/OSC escape sequences or other control characters.

Pure functions, no Textual: the CLI and the TUI both use them.
"""

from __future__ import annotations

import re
import unicodedata

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), other ESC sequences, and C1 CSI/OSC.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"
    r"|\x1b[@-Z\\-_]?"
    r"|\x9b[0-?]*[ -/]*[@-~]"
    r"|\x9d[^\x07\x9c]*[\x07\x9c]?"
)
ESCAPE_SEQUENCES = _ESCAPES  # what a terminal acts on and never shows (dixa_tui.redaction)


# Bidi embeddings, overrides and isolates reorder the rest of a line in terminals that do
# bidi (a label could make the next column read backwards): shown, not obeyed. The marks
# (LRM, RLM, ALM) only steer the characters next to them, and right-to-left text needs them.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_LINE_BREAKS = frozenset("\n\r\u2028\u2029")


def _visible(ch: str) -> str:
    if ch in "\t":
        return " "
    if ch in _LINE_BREAKS:
        return "⏎"
    if unicodedata.category(ch) in ("Cc", "Cs") or ch in _BIDI_CONTROLS:
        return "\ufffd"  # a lone surrogate (JSON "\\ud800", a raw \\xff) cannot be printed
    return ch


def clean(text: object, *, single_line: bool = True) -> str:
    """``text`` with escape sequences removed and control characters made visible.

    Line breaks (also U+2028/U+2029) become ``⏎`` in single-line mode so one value cannot
    fake extra rows of output; bidi embedding, override and isolate controls become U+FFFD
    like control characters, and so do lone surrogates (JSON's ``"\\ud800"``, or a byte that
    was not UTF-8 in an argument), which no terminal encoding can print. Printable Unicode
    (RTL, emoji, combining marks, zero-width) is kept as it is.
    """
    s = _ESCAPES.sub("", str(text))
    if s.isprintable():  # no control, format or separator character but the space
        return s  # nothing to replace (the usual case): no pass per character
    if single_line:
        return "".join(_visible(ch) for ch in s)
    return "".join(ch if ch == "\n" else _visible(ch) for ch in s)


def excerpt(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, saying how many were left out: a server's
    50 MB message must not flood a terminal or push the "what to do" line off the screen."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit:,} more characters)"


def json_kind(value: object) -> str:
    """What a JSON value is, in words for a message: "a string", "null", "a list"…"""
    names = {type(None): "null", bool: "a boolean", int: "a number", float: "a number",
             str: "a string", list: "a list", dict: "an object"}
    return names.get(type(value), f"a {type(value).__name__}")


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``1 edit``, ``2 edits``, ``0 edits``, ``10,000 definitions``: the one way a count
    meets a noun in what people read (``nouns`` for a plural that is not ``noun + "s"``:
    ``match``, ``matches``)."""
    return f"{count:,} {noun if count == 1 else nouns or noun + 's'}"
