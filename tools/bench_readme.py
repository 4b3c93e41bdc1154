"""The README's performance table, from ``bench/results.json`` (what ``make bench`` wrote).

Every budget of every suite, its measure beside its limit, in the order ``bench/run.py`` runs
them: ``make bench`` rewrites the block itself after a run, ``make readme`` rewrites it from
the file, and a test fails while the README and the file disagree.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parents[1] / "bench" / "results.json"


def _value(budget: dict[str, Any]) -> str:
    value, unit = budget["value"], budget["unit"]
    if isinstance(value, int | float):
        if unit == "x":
            return f"{value:.2f}x"
        if unit == "ms":
            return f"{value:g} ms"
        return f"{value:g} {unit}".strip()
    return str(value)


def _limit(budget: dict[str, Any]) -> str:
    limit, unit = budget["limit"], budget["unit"]
    if not isinstance(limit, int | float):
        return str(limit)
    return f"{limit:g}x" if unit == "x" else f"{limit:g} {unit}".strip()


def bench_markdown(path: Path = RESULTS) -> str:
    """The table: one row per budget; a suite that never ran says so."""
    data = json.loads(path.read_text(encoding="utf-8"))
    results: dict[str, Any] = data.get("results", {})
    lines = ["| Suite | Budget | Measured | Limit | |", "|---|---|---|---|---|"]
    for suite in data.get("order", list(results)):
        found = results.get(suite)
        if found is None:
            lines.append(f"| {suite} | (not run yet: `make bench ARGS='--only {suite}'`) "
                         "| | | |")
            continue
        for budget in found["budgets"]:
            mark = "ok" if budget["ok"] else "**missed**"
            lines.append(f"| {suite} | {budget['name']} | {_value(budget)} | "
                         f"{_limit(budget)} | {mark} |")
    dates = sorted({r.get("date", "")[:10] for r in results.values() if r.get("date")})
    runs = ", ".join(dates) or "never"
    lines += ["", f"Measured {runs} on {data.get('cpus', '?')} CPUs, Python "
                  f"{data.get('python', '?')}{' (quick runs)' if data.get('quick') else ''}."]
    return "\n".join(lines) + "\n"


def main() -> None:
    import sys

    from tools.readme import command

    command("bench", bench_markdown, sys.argv[1:])


if __name__ == "__main__":
    main()
