"""Typed errors for everything that can go wrong talking to Dixa.

Every error carries the operation it happened in, and for HTTP errors the status and Dixa's own
``message``. None of them ever holds the API key: they are built from the operation name, the
status and the response body only, never from the request or its headers.
"""

from __future__ import annotations

from functools import lru_cache

from dixa_tui.redaction import Needles  # the standard library only
from dixa_tui.text import excerpt

# A message longer than this is cut, saying how much more it had: Dixa's own messages are a
# sentence or a list of them, and a server that sends 50 MB must not push "what to do" off
# the screen. A body that is not Dixa's message (a proxy's page, a cut body) is shown shorter.
MESSAGE_LIMIT = 1000
EXCERPT_LIMIT = 200


@lru_cache(maxsize=4)
def _needles(secret: str) -> Needles:
    return Needles([secret])


def blank(text: str, secret: str) -> str:
    """``text`` with ``secret`` made ``[redacted]`` where it stands as the key, in any of its
    forms (as is, base64, URL- or JSON-escaped), and any run of 12 of its characters
    anywhere; nothing else (``dixa_tui.redaction``)."""
    if not secret:
        return text
    return _needles(secret).blank(text)


# What a failed write (PATCH) did to the data, by how it failed.
REJECTED = "Nothing was changed."
NOT_SENT = "Nothing reached Dixa, so nothing was changed."
MAYBE_APPLIED = ("Dixa may have applied the change before it failed; sending it again is safe: "
                 "it sets the same values.")
APPLIED_UNREAD = ("Dixa accepted the change, but its answer could not be read: it was "
                  "probably applied, and sending it again is safe.")


class DixaError(Exception):
    """Base of every error the client raises; ``str()`` is a sentence a person can act on.

    ``hint`` says what to do: the ``advice`` for this kind of failure and, when the failed
    operation was a write (``write``, set by the client), the ``outcome`` for the data.
    """

    write = False

    def __init__(self, operation: str, message: str) -> None:
        self.operation = operation
        self.message = excerpt(message, MESSAGE_LIMIT)
        super().__init__(operation, self.message)

    def __str__(self) -> str:
        return self.summary()

    def summary(self) -> str:
        return f"{self.operation}: {self.message}"

    def redacted(self, secret: str) -> DixaError:
        """The same error with ``secret`` blanked out of every text it carries, in any of the
        forms a server may echo it in (as is, base64, URL- or JSON-escaped)."""
        if not secret or blank(self.summary(), secret) == self.summary():
            return self
        clone = type(self).__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone.operation = blank(self.operation, secret)
        clone.message = blank(self.message, secret)
        clone.args = (clone.operation, clone.message)
        return clone

    @property
    def hint(self) -> str:
        """What the user can do about it, and for a write whether anything changed."""
        return f"{self.advice} {self.outcome}" if self.write else self.advice

    @property
    def advice(self) -> str:
        return "Try again; if it keeps failing, check the base URL and your network."

    @property
    def outcome(self) -> str:
        """What a write that failed this way did to the data in Dixa."""
        return MAYBE_APPLIED

    @property
    def retryable(self) -> bool:
        """Whether sending the same request again can succeed: offer a retry only then (a
        refused body, sent again, is refused again)."""
        return True


class DixaApiError(DixaError):
    """Dixa answered with an error status; ``message`` is Dixa's own ``{"message": ...}``.

    ``names_id``: the request's path named something by id, so a 404 means that id (and not
    the path itself) is unknown.
    """

    def __init__(self, operation: str, status: int, message: str, *,
                 names_id: bool = True) -> None:
        self.status = status
        self.names_id = names_id
        super().__init__(operation, message)

    def summary(self) -> str:
        return f"{self.operation}: HTTP {self.status}: {self.message}"

    @property
    def advice(self) -> str:
        if self.status < 400:
            return "Dixa does not redirect: check the base URL (--base-url or the profile)."
        if self.status == 401:
            return "The API key was refused: store a valid key with `dixa-tui auth set`."
        if self.status == 403:
            return "The API key has no access to this operation: ask a Dixa admin for one that has."
        if self.status == 404 and self.names_id:
            return "Nothing with that id exists in this organization: check the id."
        if self.status == 404:
            return ("Dixa has no such path: check the base URL and the API version "
                    "(--base-url, --api-version or the profile).")
        if self.status == 409:
            return ("Dixa reports a conflict with what it holds now: reload, check the values "
                    "and try again.")
        if self.status == 429:
            return "Dixa's rate limit was hit even after retries: wait a moment and try again."
        if 400 <= self.status < 500:
            return "Dixa rejected the request: fix what the message says and try again."
        return "Dixa had a problem: try again in a moment."

    @property
    def outcome(self) -> str:
        # A 5xx may come from a gateway after Dixa did the work; below 500 Dixa refused it.
        return MAYBE_APPLIED if self.status >= 500 else REJECTED

    @property
    def retryable(self) -> bool:
        """The rate limit and Dixa's own failures pass; any other status answers the same
        request the same way."""
        return self.status == 429 or self.status >= 500


class DixaNetworkError(DixaError):
    """No usable HTTP answer: refused, unresolved, reset, timed out, too slow, or TLS failed.

    ``reached``: the request may have reached Dixa (it was sent, then the answer was lost);
    False when it never left the machine (refused, no route, a bad URL). ``kind`` says which
    (``api.failures.Kind``), for the advice.
    """

    def __init__(self, operation: str, message: str, *, reached: bool = True,
                 kind: str = "other", retryable: bool | None = None) -> None:
        self.reached = reached
        self.kind = kind
        self._retryable = retryable
        super().__init__(operation, message)

    @property
    def retryable(self) -> bool:
        """An untrusted certificate and a name that does not exist answer the same however
        often they are asked (so does a base URL that is not one): only a fix of the URL,
        the network or the trust store helps, so no retry is offered. ``retryable`` given
        at construction wins (a resolver's temporary failure is a ``dns`` that passes)."""
        if self._retryable is not None:
            return self._retryable
        return self.kind not in ("tls", "dns")

    @property
    def advice(self) -> str:
        if self.kind == "tls":
            return ("The server's certificate is not trusted: check the host in the base URL "
                    "(--base-url or the profile); behind a proxy that inspects TLS, point "
                    "SSL_CERT_FILE at its CA certificate.")
        if self.kind == "dns":
            return ("Check the host name in the base URL (--base-url or the profile) and "
                    "your network's name service (DNS), then try again.")
        if not self.reached:
            return ("Check your network and the base URL (--base-url or the profile), then "
                    "try again.")
        return "Try again in a moment; if it keeps failing, check your network."

    @property
    def outcome(self) -> str:
        return MAYBE_APPLIED if self.reached else NOT_SENT


class DixaResponseError(DixaError):
    """Dixa answered 2xx, but the body was not what Dixa sends (not JSON, or the wrong shape)."""

    @property
    def advice(self) -> str:
        return "The answer did not look like Dixa's: check the base URL points at Dixa's API."

    @property
    def outcome(self) -> str:
        return APPLIED_UNREAD

    @property
    def retryable(self) -> bool:
        return False  # the same base URL answers the same way: fix the URL instead


class DixaNotConnected(DixaError):
    """There is no client to send with: no usable API key yet. Nothing was sent."""

    def __init__(self, operation: str) -> None:
        super().__init__(operation, "not connected to Dixa: there is no usable API key yet")

    @property
    def advice(self) -> str:
        return "Enter a valid API key on the key screen first, then try again."

    @property
    def outcome(self) -> str:
        return NOT_SENT
