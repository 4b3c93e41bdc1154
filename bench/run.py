"""Every benchmark, one table: ``make bench`` (``make bench ARGS=--quick`` for a short run).

Each figure is a median of repeated runs taken beside its baseline in the same run (these
machines are noisy: compare ratios, not absolute times). Writes ``bench/results.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from datetime import UTC, datetime
from importlib import import_module
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SUITES = ("first_frames", "cli_list", "startup", "large_org", "big_select", "client",
          "hostile", "journal", "bulk", "find")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (a smoke run)")
    parser.add_argument("--only", choices=SUITES, action="append")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(HERE))
    os.chdir(HERE)
    results: dict[str, Any] = {}
    for name in args.only or SUITES:
        print(f"running {name}…", file=sys.stderr, flush=True)
        try:
            results[name] = import_module(name).run(quick=args.quick)
        except Exception as exc:  # one broken suite must not lose the others' figures
            print(f"{name} failed: {type(exc).__name__}: {exc}", file=sys.stderr)
            results[name] = {"figures": {"error": f"{type(exc).__name__}: {exc}"},
                             "budgets": [{"name": f"{name}: ran", "value": "failed",
                                          "limit": "-", "unit": "", "ok": False}]}
    rows = [(suite, b) for suite, r in results.items() for b in r["budgets"]]
    width = max(len(b["name"]) for _, b in rows)
    print(f"\n{'budget':{width}}  {'measured':>10}  {'limit':>8}")
    for _, b in rows:
        mark = "ok" if b["ok"] else "MISSED"
        print(f"{b['name']:{width}}  {b['value']:>8} {b['unit']:<2}  {b['limit']:>6} "
              f"{b['unit']:<2} {mark}")
    print("\nfigures:")
    for suite, r in results.items():
        for key, value in r["figures"].items():
            print(f"  {suite}.{key} = {value}")
    path = HERE / "results.json"
    merged: dict[str, Any] = {}
    if args.only and path.exists():  # a partial run updates its suites, keeps the others
        merged = json.loads(path.read_text(encoding="utf-8")).get("results", {})
    now = datetime.now(UTC).isoformat(timespec="seconds")
    for result in results.values():
        result["date"] = now
    path.write_text(json.dumps({
        "date": now, "quick": args.quick, "python": platform.python_version(),
        "cpus": os.cpu_count(), "order": list(SUITES),
        "results": {**merged, **results}}, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {HERE / 'results.json'}")
    sys.path.insert(0, str(HERE.parent))
    from tools.bench_readme import bench_markdown
    from tools.readme import replace_block

    if replace_block(HERE.parent / "README.md", "bench", bench_markdown(path)):
        print("README.md: the performance table is rewritten from these results")
    return 0 if all(b["ok"] for _, b in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
