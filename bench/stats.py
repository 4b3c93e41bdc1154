"""The statistics every benchmark reports: a nearest-rank percentile and a summary in ms."""

from __future__ import annotations

import statistics

MS = 1000.0


def pct(values: list[float], q: float) -> float:
    """The nearest-rank ``q`` quantile (0..1) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(seconds: list[float]) -> dict[str, float]:
    """Median, p95 and max of ``seconds``, in milliseconds, and how many there were."""
    return {"median": round(statistics.median(seconds) * MS, 2),
            "p95": round(pct(seconds, 0.95) * MS, 2), "max": round(max(seconds) * MS, 2),
            "n": len(seconds)}
