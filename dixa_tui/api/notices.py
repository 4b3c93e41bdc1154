"""Retries told as they happen: a slow failure is never silent.

The client tells every retry, before its wait, to the listener set for the current task with
``retries_reported`` (the CLI prints a warning line, the TUI a toast and the loading line).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryNotice:
    """A failed try that is about to be repeated: ``attempt`` of at most ``attempts`` starts
    after ``wait`` seconds; ``reason`` is the failure, with the operation (key blanked).
    ``budget`` is set for a 429, which is retried for that many seconds rather than a count
    (``attempts`` is then the most the budget can hold)."""

    operation: str
    attempt: int
    attempts: int
    wait: float
    reason: str
    budget: float | None = None

    def which(self) -> str:
        """The try that comes next, as a person reads it: ``try 2 of 5``, or for a 429
        (whose bound is time, not a count) ``try 2; a rate limit is waited out for up to
        45 s``."""
        if self.budget is not None:
            return (f"try {self.attempt}; a rate limit is waited out for up to "
                    f"{self.budget:.0f} s")
        return f"try {self.attempt} of {self.attempts}"

    def sentence(self, limit: int = 300) -> str:
        """One sentence for a person; a reason longer than ``limit`` characters is cut."""
        reason = self.reason if len(self.reason) <= limit else self.reason[:limit - 1] + "…"
        return f"{reason}; trying again in {self.wait:.1f} s ({self.which()})."


retry_listener: ContextVar[Callable[[RetryNotice], None] | None] = ContextVar(
    "dixa_retry_listener", default=None)


@contextmanager
def retries_reported(listener: Callable[[RetryNotice], None]) -> Iterator[None]:
    """Within this block (this task and the ones it starts), every retry is told to
    ``listener`` before its wait: a slow failure is never silent."""
    token = retry_listener.set(listener)
    try:
        yield
    finally:
        retry_listener.reset(token)


