"""Typed errors for everything that can go wrong talking to Dixa.

Every error carries the operation it happened in, and for HTTP errors the status and Dixa's own
``message``. None of them ever holds the API key: they are built from the operation name, the
status and the response body only, never from the request or its headers.
"""

from __future__ import annotations

REDACTED = "[redacted]"


class DixaError(Exception):
    """Base of every error the client raises; ``str()`` is a sentence a person can act on."""

    def __init__(self, operation: str, message: str) -> None:
        self.operation = operation
        self.message = message
        super().__init__(operation, message)

    def __str__(self) -> str:
        return self.summary()

    def summary(self) -> str:
        return f"{self.operation}: {self.message}"

    def redacted(self, secret: str) -> DixaError:
        """The same error with ``secret`` blanked out of every text it carries."""
        if not secret or secret not in self.summary():
            return self
        clone = type(self).__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone.operation = self.operation.replace(secret, REDACTED)
        clone.message = self.message.replace(secret, REDACTED)
        clone.args = (clone.operation, clone.message)
        return clone

    @property
    def hint(self) -> str:
        """What the user can do about it."""
        return "Try again; if it keeps failing, check the base URL and your network."


class DixaApiError(DixaError):
    """Dixa answered with an error status; ``message`` is Dixa's own ``{"message": ...}``."""

    def __init__(self, operation: str, status: int, message: str) -> None:
        self.status = status
        super().__init__(operation, message)

    def summary(self) -> str:
        return f"{self.operation}: HTTP {self.status}: {self.message}"

    @property
    def hint(self) -> str:
        if self.status < 400:
            return "Dixa does not redirect: check the base URL (--base-url or the profile)."
        if self.status == 401:
            return "The API key was refused: store a valid key with `dixa-tui auth set`."
        if self.status == 403:
            return "The API key has no access to this operation: ask a Dixa admin for one that has."
        if self.status == 404:
            return "Nothing with that id exists in this organization: check the id."
        if self.status == 429:
            return "Dixa's rate limit was hit even after retries: wait a moment and try again."
        if 400 <= self.status < 500:
            return "Dixa rejected the request: fix what the message says and try again."
        return "Dixa had a problem: try again in a moment."


class DixaNetworkError(DixaError):
    """No usable HTTP answer: refused, reset, timed out, or TLS failed."""

    @property
    def hint(self) -> str:
        return "Check your network and the base URL (--base-url), then try again."


class DixaResponseError(DixaError):
    """Dixa answered 2xx, but the body was not what Dixa sends (not JSON, or the wrong shape)."""

    @property
    def hint(self) -> str:
        return "The answer did not look like Dixa's: check the base URL points at Dixa's API."
