"""The one rule for whether a string can be a Dixa API key: it travels as an HTTP header.

``dixa_tui.secrets.check_key`` is this function; ``auth set``, the key screen, the
environment variable, the keyring, the session and the client all apply it, so a key is
refused the same way wherever it comes from, before anything is sent. Nothing here repeats
the key.
"""

from __future__ import annotations

from typing import Protocol

# A Dixa API token is a few hundred characters; a header this long is refused by servers.
MAX_KEY_LENGTH = 4096


class _Secret(Protocol):
    def get_secret_value(self) -> str: ...


def check_key(key: str | _Secret) -> str | None:
    """Why ``key`` (a str or a ``SecretStr``) cannot be sent as Dixa's API key, or None when
    it can. Surrounding whitespace is the caller's to strip (a pasted line break)."""
    value = key if isinstance(key, str) else key.get_secret_value()
    if not value:
        return "The API key is empty: paste the API token created in your Dixa settings."
    if "\n" in value or "\r" in value:
        return "The API key must be a single line: it contains a line break."
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        return "The API key contains control characters: paste the key again as plain text."
    if any(ch.isspace() for ch in value):
        return "The API key must not contain spaces: paste only the key itself."
    if not value.isascii():
        return ("The API key contains characters that are not plain ASCII (such as "
                "typographic quotes), which an HTTP header cannot carry: paste the key "
                "again as plain text.")
    if len(value) > MAX_KEY_LENGTH:
        return (f"The API key is {len(value):,} characters long, more than a Dixa key "
                f"(at most {MAX_KEY_LENGTH:,}): paste only the key.")
    return None
