"""The fault matrix: every way a request to Dixa fails, and how each must surface.

One table, used by the client, CLI and TUI tests. Several of Dixa's messages are hostile on
purpose (Rich markup, unbalanced markup, ANSI and OSC escape sequences, the API key echoed
back): ``shown`` is what the user must see instead, character for character.
"""

from __future__ import annotations

from dataclasses import dataclass

from dixa_tui.mock import DEMO_API_KEY
from dixa_tui.mock.faults import Fault

LOAD_PATH = "/custom-attributes"
PATCH_PATH = "/conversations/*/custom-attributes"
LOAD_OP = "list definitions"
PATCH_OP = "patch conversation 10001"
ATTEMPTS = 4  # the tests' RetryPolicy.max_attempts (conftest.py)

# What a failed PATCH must say about the change, by how it failed.
REJECTED = "Nothing was changed"  # an error status: Dixa refused it
NOT_SENT = "Nothing reached Dixa"  # never left the machine
UNKNOWN = "sending it again is safe"  # may have been applied: absolute values, so repeatable
UNREAD = "probably applied"  # a 2xx, but the answer was unreadable


@dataclass(frozen=True)
class Case:
    id: str
    fault: Fault
    says: str  # what failed, beyond the operation: the status or the kind of failure
    advice: str  # what to do (a fragment of the hint)
    retried: bool  # whether the client tries again (for GET and PATCH alike)
    write_note: str  # what a failed PATCH says about the change
    dixa: str | None = None  # Dixa's own message as sent, when there is one
    shown: str | None = None  # ... and as it must be shown

    @property
    def applied(self) -> bool:
        """Whether a PATCH that failed this way was applied by the server all the same."""
        return self.fault.reaches_server

    def attempts(self) -> int:
        return ATTEMPTS if self.retried else 1


def status(code: int, message: str, shown: str, advice: str, note: str,
           retried: bool = False) -> Case:
    return Case(str(code), Fault.http(code, message), f"HTTP {code}", advice, retried, note,
                message, shown)


CASES = [
    status(400, "[bold red]x[/] is not a valid option",
           "[bold red]x[/] is not a valid option", "Dixa rejected the request", REJECTED),
    status(401, f"User is unauthorized: bad key {DEMO_API_KEY}",
           "User is unauthorized: bad key [redacted]", "key", REJECTED),
    status(403, "\x1b]0;pwned\x07Forbidden\x1b]52;c;ZXZpbA==\x07 for this key",
           "Forbidden for this key", "no access", REJECTED),
    status(404, "The requested resource could not be found",
           "The requested resource could not be found", "", REJECTED),
    status(409, "\x1b[31mConflict\x1b[0m: [link=https://evil.example]edited[/link] meanwhile",
           "Conflict: [link=https://evil.example]edited[/link] meanwhile", "conflict",
           REJECTED),
    status(422, "[/] unbalanced [bold markup\x1b[2J", "[/] unbalanced [bold markup",
           "Dixa rejected the request", REJECTED),
    status(429, "Too many requests", "Too many requests", "rate limit", REJECTED,
           retried=True),
    status(500, "There was an internal server error", "There was an internal server error",
           "Dixa had a problem", UNKNOWN),
    status(502, "Bad gateway", "Bad gateway", "Dixa had a problem", UNKNOWN, retried=True),
    status(503, "Service unavailable", "Service unavailable", "Dixa had a problem", UNKNOWN,
           retried=True),
    status(504, "Gateway timeout", "Gateway timeout", "Dixa had a problem", UNKNOWN,
           retried=True),
    Case("read-timeout", Fault.read_timeout(), "did not answer in time", "Try again", True,
         UNKNOWN),
    Case("refused", Fault.refused(), "could not connect", "network", True, NOT_SENT),
    Case("reset-mid-body", Fault.reset(), "connection was reset", "Try again", True,
         UNKNOWN),
    Case("not-json", Fault.not_json(), "not JSON", "base URL", False, UNREAD),
    Case("wrong-shape", Fault.wrong_shape(), "unexpected response shape", "base URL", False,
         UNREAD),
    Case("empty-body", Fault.empty(), "empty body", "base URL", False, UNREAD),
]
CASE_IDS = [case.id for case in CASES]
# Where the TUI offers its retry key: where sending the same request again can succeed (the
# network, the rate limit, Dixa's 5xx); a refusal or an unreadable 2xx would answer the same.
RETRYABLE = {"429", "500", "502", "503", "504", "read-timeout", "refused", "reset-mid-body"}
# A 404 names no id when the definitions are listed: the path itself is wrong.
ADVICE_404 = {"load": "base URL", "send": "check the id"}


def advice(case: Case, step: str) -> str:
    return ADVICE_404[step] if case.id == "404" else case.advice
