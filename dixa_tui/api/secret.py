"""The API key in memory: a value whose ``repr`` and ``str`` never show it.

pydantic's ``SecretStr`` does the same, but importing it loads most of pydantic (about
50 ms), and the first request of a start (``session.early``) and the CLI's plain reads must
not wait for that. Everything that takes a key accepts either (:class:`SecretLike`): only
``get_secret_value()`` is ever called on it.
"""

from __future__ import annotations

from typing import Protocol

MASK = "**********"


class SecretLike(Protocol):
    """A key held so that printing it shows a mask: ``Secret`` or pydantic's ``SecretStr``."""

    def get_secret_value(self) -> str: ...


class Secret:
    """A string that says ``**********`` when printed, logged or shown in a traceback."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret('{MASK if self._value else ''}')"

    def __str__(self) -> str:
        return MASK if self._value else ""

    def __len__(self) -> int:
        return len(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("a Secret is not pickled: the key would be written out")


FINGERPRINT_LABEL = b"dixa-tui key fingerprint v1"


def fingerprint(key: SecretLike) -> str:
    """16 hex digits that tell two keys apart without telling anything of either: an
    HMAC-SHA256 of a fixed label, keyed by the key (what a start-up cache records of the
    key it was read with; never the key itself, nor a plain hash of it)."""
    import hashlib
    import hmac

    return hmac.new(key.get_secret_value().encode(), FINGERPRINT_LABEL,
                    hashlib.sha256).hexdigest()[:16]
