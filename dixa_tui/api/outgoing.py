"""Request bodies as they leave: JSON that is valid UTF-8 whatever its strings hold.

httpx encodes ``json=`` as UTF-8 and fails (``UnicodeEncodeError``, a crash, not an error of
ours) on a lone surrogate: a value sent with ``--force`` after the domain's ``invalid-unicode``
warning (a JSON ``"\\ud800"``, a byte that was not UTF-8 in an argument). Here such a code
leaves as its ``\\uXXXX`` escape, which is the same JSON string; everything else is byte for
byte what httpx would send.
"""

from __future__ import annotations

from typing import Any

from dixa_tui.jsontext import dumps

CONTENT_TYPE = "application/json"


def json_body(value: Any) -> bytes:
    """``value`` as httpx's ``json=`` encodes it (compact, non-ASCII kept, no NaN), with lone
    surrogates escaped."""
    return dumps(value, separators=(",", ":"), allow_nan=False).encode("utf-8")
