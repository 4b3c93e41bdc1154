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


def _visible(ch: str) -> str:
    if ch in "\t":
        return " "
    if ch in "\n\r":
        return "⏎"
    if unicodedata.category(ch) == "Cc":
        return "\ufffd"
    return ch


def clean(text: object, *, single_line: bool = True) -> str:
    """``text`` with escape sequences removed and control characters made visible.

    Newlines become ``⏎`` in single-line mode so one value cannot fake extra rows of output.
    Printable Unicode (RTL, emoji, combining marks, zero-width) is kept as it is.
    """
    s = _ESCAPES.sub("", str(text))
    if single_line:
        return "".join(_visible(ch) for ch in s)
    return "".join(ch if ch == "\n" else _visible(ch) for ch in s)
