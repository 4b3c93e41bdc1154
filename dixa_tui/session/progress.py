"""Progress of long work (bulk runs, finds, the usage census): count, rate and ETA.

One meter per run; each step returns a :class:`Progress` the front end shows as it likes
(a live line on a terminal's stderr, a bar in the TUI). Pure: the clock is injected.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

ProgressListener = Callable[["Progress"], None]


@dataclass(frozen=True)
class Progress:
    """``done`` of ``total`` items (``total`` None: not known yet) after ``elapsed`` s;
    ``counts`` holds what else the work tallies (matches, pages, failures…), in order."""

    stage: str
    done: int
    total: int | None
    elapsed: float
    counts: Mapping[str, int] = field(default_factory=dict)

    @property
    def rate(self) -> float | None:
        """Items per second so far, once there is something to measure."""
        return self.done / self.elapsed if self.done and self.elapsed > 0 else None

    @property
    def eta(self) -> float | None:
        """Seconds still needed at the rate so far; None while that is unknown."""
        if self.total is None:
            return None
        if self.done >= self.total:
            return 0.0
        rate = self.rate
        return (self.total - self.done) / rate if rate else None

    def line(self) -> str:
        """``sending 120 of 500 · 9.8/s · ETA 39 s · 3 failed``: one line for a person."""
        count = f"{self.done:,} of {self.total:,}" if self.total is not None \
            else f"{self.done:,}"
        parts = [f"{self.stage} {count}"]
        rate = self.rate
        parts.append(f"{rate:.1f}/s" if rate is not None else "…/s")
        if self.total is not None:
            eta = self.eta
            parts.append(f"ETA {duration(eta)}" if eta is not None else "ETA …")
        parts += [f"{value:,} {name}" for name, value in self.counts.items()]
        return " · ".join(parts)


def duration(seconds: float) -> str:
    """``42 s``, ``3 min 20 s``, ``1 h 05 min``."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        minutes, rest = divmod(seconds, 60)
        return f"{minutes} min {rest:02d} s"
    hours, rest = divmod(seconds, 3600)
    return f"{hours} h {rest // 60:02d} min"


class ProgressMeter:
    """Counts a run's steps; ``listener`` (if any) hears every :class:`Progress`."""

    def __init__(self, stage: str, total: int | None = None, *,
                 listener: ProgressListener | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stage = stage
        self.total = total
        self.done = 0
        self.counts: dict[str, int] = {}
        self._listener = listener
        self._clock = clock
        self._started = clock()

    def count(self, name: str, by: int = 1) -> None:
        """Tally ``name`` (shown after the rate) without advancing."""
        self.counts[name] = self.counts.get(name, 0) + by

    def advance(self, by: int = 1, **counts: int) -> Progress:
        self.done += by
        for name, value in counts.items():
            self.count(name, value)
        return self.report()

    def report(self) -> Progress:
        progress = Progress(self.stage, self.done, self.total, self._clock() - self._started,
                            dict(self.counts))
        if self._listener is not None:
            self._listener(progress)
        return progress
