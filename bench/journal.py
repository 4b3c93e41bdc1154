"""The change journal stays quick however long it gets: 10,000 entries against an empty one.

* history: ``history(limit=50)`` at 10,000 entries, beside the same call on an empty journal
  and on one of 50 entries (the same 50 rows to read back, so that ratio is the cost of the
  other 9,950: with the indexes, about none);
* the history command's work: the command's own functions (``read_history``: open the
  journal, ``history(limit=50)``, close; then both outputs, the ``--json`` array and the
  table): what ``dixa-tui history --limit 50`` does besides starting Python (the issue's
  budget: under 50 ms), and its ratio to the same on an empty journal;
* filtered: by target, batch, profile and time, and ``unsettled()``, at 10,000 entries.

Runs are interleaved (10,000 / empty / 50, round after round) and each figure is a median,
so machine noise hits all alike. The journals are written through the public API (``begin``
and ``complete``, every commit synced), like real use.

Run: ``.venv/bin/python bench/journal.py [--quick]``; ``make bench`` runs it too.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from stats import summary

SIZE = 10_000
SMALL = 50
LIMIT = 50
BUDGET_COMMAND_MS = 50.0  # issue 12: `history --limit 50` under 50 ms of work
BUDGET_SIZE_RATIO = 2.0  # 10,000 entries against 50, history(limit=50), medians
START = datetime(2026, 1, 1, tzinfo=UTC)


def fill(path: Path, count: int, seed: int = 12) -> dict[str, Any]:
    """``count`` realistic entries (batches, Select paths, a few failed and unknown ones)
    written through the API; returns handles for the filtered queries."""
    from dixa_tui.journal import Change, Intent, Journal

    rng = random.Random(seed)
    moment = [START]

    def clock() -> datetime:
        moment[0] += timedelta(seconds=rng.randint(1, 90))
        return moment[0]

    users = [f"{n:08x}-745b-5c86-9a75-e3cce144c401" for n in range(500)]
    handles: dict[str, Any] = {}
    with Journal.open(path, clock=clock) as journal:
        batch: str | None = None
        left = 0
        for n in range(count):
            if left == 0:
                batch = journal.new_batch_id() if rng.random() < 0.3 else None
                left = rng.randint(10, 100) if batch else 1
            left -= 1
            kind = "enduser" if rng.random() < 0.3 else "conversation"
            target = rng.choice(users) if kind == "enduser" else str(10_000 + rng.randrange(2000))
            changes = tuple(
                Change(f"def-{k}-5d96cf7f-265b-4da9-8f0c", f"attribute_{k}", f"Attribute {k}",
                       rng.choice([None, "100-1234", ["payment", "card"]]),
                       rng.choice(["100-9999", ["delivery", "damaged", "item"], None]))
                for k in rng.sample(range(40), rng.randint(1, 3)))
            entry = journal.begin(Intent(
                profile=rng.choice(["prod", "prod", "prod", "sandbox", "staging"]),
                base_url="https://dev.dixa.io", api_version="beta",
                target_kind=kind, target_id=target,  # type: ignore[arg-type]
                body={c.definition_id: c.after for c in changes}, changes=changes,
                batch=batch, origin=rng.choice(["cli", "tui", "bulk"])))
            roll = rng.random()
            if roll < 0.9:
                journal.complete(entry, "applied", status=200,
                                 returned={c.definition_id: c.after for c in changes})
            elif roll < 0.97:
                journal.complete(entry, "failed", status=400,
                                 error="patch conversation: HTTP 400: Invalid input")
            # else: never completed (reads as unknown)
            if n == count // 2:
                handles = {"target": (kind, target), "batch": batch,
                           "since": moment[0]}
    return handles


def timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def measure(quick: bool) -> dict[str, Any]:
    from dixa_tui.journal import Journal

    rounds = 60 if quick else 400
    with tempfile.TemporaryDirectory(prefix="dixa-bench-journal-") as tmp:
        root = Path(tmp)
        paths = {"big": root / "big" / "journal.sqlite3", "empty": root / "empty" /
                 "journal.sqlite3", "small": root / "small" / "journal.sqlite3"}
        started = time.perf_counter()
        handles = fill(paths["big"], SIZE)
        fill_seconds = time.perf_counter() - started
        fill(paths["small"], SMALL)
        Journal.open(paths["empty"]).close()

        journals = {name: Journal.open(path) for name, path in paths.items()}
        history: dict[str, list[float]] = {name: [] for name in paths}
        command: dict[str, list[float]] = {"big": [], "empty": []}

        from dixa_tui.cli.history import history_table
        from dixa_tui.cli.render import to_json
        from dixa_tui.session.history import HistoryQuery, read_history

        def run_command(path: Path) -> None:
            """What `dixa-tui history --limit 50` does besides starting Python, with both of
            its outputs (the table and --json) rendered."""
            found = read_history(HistoryQuery(limit=LIMIT), path)
            to_json([e.to_json() for e in found.entries])
            history_table(found.entries)

        big = journals["big"]
        filtered: dict[str, Callable[[], object]] = {
            "by_target": lambda: big.history(target=handles["target"], limit=LIMIT),
            "by_batch": lambda: big.history(batch=handles["batch"], limit=LIMIT),
            "by_profile": lambda: big.history(profile="sandbox", limit=LIMIT),
            "since": lambda: big.history(since=handles["since"], limit=LIMIT),
            "unsettled": lambda: big.unsettled(),
        }
        filtered_times: dict[str, list[float]] = {name: [] for name in filtered}
        for name in paths:  # warm the page cache and the statement cache alike
            journals[name].history(limit=LIMIT)
        for _ in range(rounds):
            for name, journal in journals.items():
                history[name].append(timed(lambda j=journal: j.history(limit=LIMIT)))
            for name in command:
                command[name].append(timed(lambda p=paths[name]: run_command(p)))
            for name, call in filtered.items():
                filtered_times[name].append(timed(call))
        rows = len(big.history(limit=LIMIT))
        unsettled = len(big.unsettled())
        total = len(big.history())
        for journal in journals.values():
            journal.close()
        size_mb = paths["big"].stat().st_size / 1e6

    def median_ms(values: list[float]) -> float:
        return statistics.median(values) * 1000

    figures: dict[str, Any] = {
        "entries": total, "rows_returned": rows, "unsettled_entries": unsettled,
        "file_mb": round(size_mb, 2), "fill_seconds": round(fill_seconds, 1),
        "fill_ms_per_entry": round(fill_seconds / total * 1000, 3),
        "history_big_ms": summary(history["big"]),
        "history_empty_ms": summary(history["empty"]),
        "history_small_ms": summary(history["small"]),
        "history_big_over_empty": round(median_ms(history["big"])
                                        / median_ms(history["empty"]), 2),
        "history_big_over_small": round(median_ms(history["big"])
                                        / median_ms(history["small"]), 2),
        "command_big_ms": summary(command["big"]),
        "command_empty_ms": summary(command["empty"]),
        "command_big_over_empty": round(median_ms(command["big"])
                                        / median_ms(command["empty"]), 2),
        **{f"{name}_ms": summary(values) for name, values in filtered_times.items()},
    }
    budgets = [
        budget(f"journal: history --limit 50 work at {total:,} entries (p95)",
               figures["command_big_ms"]["p95"], BUDGET_COMMAND_MS),
        budget(f"journal: history(limit=50), {total:,} / {SMALL} entries",
               figures["history_big_over_small"], BUDGET_SIZE_RATIO, unit="x"),
        budget(f"journal: filtered history at {total:,} entries (worst p95)",
               max(figures[f"{name}_ms"]["p95"] for name in filtered), BUDGET_COMMAND_MS),
    ]
    return {"figures": figures, "budgets": budgets}


def budget(name: str, value: float, limit: float, unit: str = "ms") -> dict[str, Any]:
    return {"name": name, "value": value, "limit": limit, "unit": unit, "ok": value <= limit}


def run(quick: bool = False) -> dict[str, Any]:
    return measure(quick)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").strip().splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args(argv)
    result = run(args.quick)
    for key, value in result["figures"].items():
        print(f"{key:>24}: {value}")
    for item in result["budgets"]:
        mark = "ok  " if item["ok"] else "MISS"
        print(f"{mark} {item['name']:<58} {item['value']:8.2f} {item['unit']} "
              f"(limit {item['limit']:g})")


if __name__ == "__main__":
    main()
