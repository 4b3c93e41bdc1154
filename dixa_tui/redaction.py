"""Finding an API key in text: where it stands as the key, and any long run of it anywhere.

Two rules, so that a key is blanked wherever it could be read and nowhere else:

- **As the key**: each form of the key (as is, URL-, JSON- and repr-escaped, base64) is
  blanked where it stands as a whole token (a header value, a URL part, a word of a
  message), never inside other words. A test key ``a`` must not turn "unreachable" into
  "unre[redacted]ch[redacted]ble"; short keys stay usable.
- **Any run of ``RUN`` (12) or more consecutive characters** of a form is blanked wherever
  it appears, inside words too: a server that echoes the key minus its last character, a
  prefix of it, or its middle, shows nothing a person could reuse. The reversed key is a
  form of its own (for keys of at least ``RUN`` characters; a short key reversed is just a
  short word).

Both look at the text as a terminal would show it: escape sequences, control and zero-width
characters are skipped when matching (and blanked with the key they hide in), so a server
cannot split an echoed key, or glue a colour code to it, to slip it past the rules.

The standard library only: the debug log and the api layer both use it.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

from dixa_tui.text import ESCAPE_SEQUENCES

REDACTED = "[redacted]"
RUN = 12  # this many consecutive characters of a key are blanked wherever they appear
# What a terminal never shows: escape sequences, controls (line breaks and tabs excepted: they
# separate words), soft hyphen, zero-width and bidi formatting characters, the BOM.
_HIDDEN = re.compile(
    ESCAPE_SEQUENCES.pattern
    + r"|[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u00ad\u180e\u200b-\u200f\u202a-\u202e"
    r"\u2060-\u2064\u2066-\u206f\ufeff]")


def _as_shown(text: str) -> tuple[str, list[int] | None]:
    """``text`` without what a terminal hides, and where each of its characters (and its
    end) was in ``text``; None when nothing was hidden."""
    if _HIDDEN.search(text) is None:
        return text, None
    parts: list[str] = []
    where: list[int] = []
    last = 0
    for hidden in _HIDDEN.finditer(text):
        parts.append(text[last:hidden.start()])
        where.extend(range(last, hidden.start()))
        last = hidden.end()
    parts.append(text[last:])
    where.extend(range(last, len(text)))
    where.append(len(text))
    return "".join(parts), where


def secret_forms(secret: str) -> set[str]:
    """How a key may appear in text: as is, base64-encoded, URL-encoded, JSON-escaped, and
    (when long enough to be unmistakable) reversed."""
    raw = secret.encode("utf-8", "surrogatepass")  # a key with a lone surrogate still has forms
    forms = {secret, quote(secret, safe="", errors="surrogatepass"),
             quote_plus(secret, errors="surrogatepass"), json.dumps(secret)[1:-1],
             repr(secret)[1:-1]}
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        text = encode(raw).decode()
        forms |= {text, text.rstrip("=")}
    if len(secret) >= RUN:
        forms.add(secret[::-1])
    return {f for f in forms if f}


class Needles:
    """Everything to look for, for a set of keys, compiled once; ``blank`` applies it."""

    def __init__(self, secrets: Iterable[str]) -> None:
        forms: set[str] = set()
        for secret in secrets:
            if secret:
                forms |= secret_forms(secret)
        ordered = sorted(forms, key=len, reverse=True)  # the longest form wins at a place
        self._token = re.compile("|".join(
            rf"(?<![\w-]){re.escape(form)}(?![\w-])" for form in ordered)) if ordered else None
        long_forms = [form for form in ordered if len(form) >= RUN]
        self._grams = frozenset(form[i:i + RUN] for form in long_forms
                                for i in range(len(form) - RUN + 1))
        alphabet = sorted(set("".join(long_forms)))
        # Only stretches made of the keys' own characters can hold a run: found in C, so
        # ordinary prose (short words, spaces) costs almost nothing.
        self._stretch = re.compile(
            "[" + "".join(re.escape(ch) for ch in alphabet) + f"]{{{RUN},}}"
        ) if alphabet else None

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where ``text`` holds a key, merged, in order (hidden characters inside a key's
        span are part of it)."""
        shown, where = _as_shown(text)
        found = self._shown_spans(shown)
        if where is not None:
            found = [(where[start], where[end - 1] + 1) for start, end in found]
        return found

    def _shown_spans(self, text: str) -> list[tuple[int, int]]:
        found: list[tuple[int, int]] = []
        if self._token is not None:
            found += [m.span() for m in self._token.finditer(text)]
        if self._stretch is not None:
            grams = self._grams
            for stretch in self._stretch.finditer(text):
                start, end = stretch.span()
                found += [(i, i + RUN) for i in range(start, end - RUN + 1)
                          if text[i:i + RUN] in grams]
        found.sort()
        merged: list[tuple[int, int]] = []
        for start, end in found:
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        return merged

    def blank(self, text: str) -> str:
        """``text`` with every place that holds a key replaced by ``[redacted]``."""
        spans = self.spans(text)
        if not spans:
            return text
        parts: list[str] = []
        last = 0
        for start, end in spans:
            parts += [text[last:start], REDACTED]
            last = end
        parts.append(text[last:])
        return "".join(parts)
