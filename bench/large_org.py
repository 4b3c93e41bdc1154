"""A large organization: 10,000 definitions served by the mock over loopback.

* list shows: process start until the first definition's label is on screen, on a real pty,
  interleaved with the bare Textual app's first frame (the ratio is the budget) and with the
  floor (``bench/floor_app.py URL``: the stack's imports plus the GET and decoding of the same
  list, then one line);
* memory: the app's resident set when the list shows, 10,000 definitions against the demo's
  46 served the same way;
* filter: time per keystroke in the running app (see ``bench/filter.py``), at 10,000 and
  50,000; at 50,000 also with no option list shared between definitions (not a budget:
  the organizations of ``orgs.big_org`` share the demo's).

Run: ``.venv/bin/python bench/large_org.py [--quick]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import startup
from filter import measure as measure_filter
from orgs import big_org, write_org

SIZE = 10_000
HUGE = 50_000


@contextmanager
def mock_server(org: Path) -> Iterator[str]:
    """``dixa-tui mock serve --org`` on a free port; yields its base URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "dixa_tui", "mock", "serve", "--port", "0", "--org", str(org)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        found = re.search(r"(http://127\.0\.0\.1:\d+)", line)
        if not found:
            raise RuntimeError(f"the mock did not start: {line!r}")
        yield found.group(1)
    finally:
        process.terminate()
        process.wait(10)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def time_to_list(url: str, marker: str, root: Path) -> tuple[float, float]:
    """(seconds until ``marker`` shows, RSS in MB at that moment) for the app on ``url``."""
    env = startup.isolated_env(root)
    env["DIXA_API_KEY"] = "demo-key"
    memory: dict[str, float] = {}
    times = startup.spawn_until(
        [sys.executable, "-m", "dixa_tui", "--base-url", url], [marker], 60.0, env=env,
        size=(120, 36), on_marker=lambda m, pid: memory.setdefault(m, rss_mb(pid)))
    return times[marker], memory[marker]


def run(quick: bool = False) -> dict[str, Any]:
    runs = 3 if quick else 10
    from dixa_tui.mock import MockState

    with tempfile.TemporaryDirectory(prefix="dixa-bench-") as tmp:
        root = Path(tmp)
        big = write_org(root / "big.json", big_org(SIZE))
        demo = write_org(root / "demo.json", MockState.demo().definitions)
        bare: list[float] = []
        floor: list[float] = []
        big_times: list[float] = []
        big_rss: list[float] = []
        demo_rss: list[float] = []
        with mock_server(big) as big_url, mock_server(demo) as demo_url:
            for _ in range(runs):
                with tempfile.TemporaryDirectory(dir=root) as run_root:
                    bare.append(startup.spawn_until(
                        startup.BARE_COMMAND, [startup.BARE_MARKER], 30.0,
                        env=startup.isolated_env(Path(run_root)))[startup.BARE_MARKER])
                with tempfile.TemporaryDirectory(dir=root) as run_root:
                    env = startup.isolated_env(Path(run_root))
                    env["DIXA_API_KEY"] = "demo-key"
                    floor.append(startup.spawn_until(
                        [*startup.FLOOR_COMMAND, big_url], [startup.FLOOR_MARKER], 60.0,
                        env=env)[startup.FLOOR_MARKER])
                with tempfile.TemporaryDirectory(dir=root) as run_root:
                    seconds, rss = time_to_list(big_url, "Order number 0", Path(run_root))
                    big_times.append(seconds)
                    big_rss.append(rss)
                with tempfile.TemporaryDirectory(dir=root) as run_root:
                    demo_rss.append(time_to_list(demo_url, "Order number", Path(run_root))[1])
    keystrokes = asyncio.run(measure_filter(SIZE, 1 if quick else 3))
    huge = asyncio.run(measure_filter(HUGE, 1 if quick else 3))
    # Beside the budget: the same with no option list shared (the filter tests a shared
    # list once for all its definitions; here every definition's is its own).
    distinct = asyncio.run(measure_filter(HUGE, 1 if quick else 3, distinct_options=True))
    ratio = statistics.median(big_times) / statistics.median(bare)
    growth = statistics.median(big_rss) - statistics.median(demo_rss)
    figures = {
        "bare_first_frame_ms": round(statistics.median(bare) * 1000),
        "list_shows_ms": round(statistics.median(big_times) * 1000),
        "list_shows_over_bare": round(ratio, 2),
        # bench/floor_app.py with the URL: the stack's imports, the GET and json.loads of the
        # same 12 MB, then one line: the least any client of this stack can take.
        "floor_list_ms": round(statistics.median(floor) * 1000),
        "floor_over_bare": round(statistics.median(floor) / statistics.median(bare), 2),
        "list_shows_over_floor": round(statistics.median(big_times) / statistics.median(floor),
                                       2),
        "rss_10k_mb": round(statistics.median(big_rss), 1),
        "rss_demo_mb": round(statistics.median(demo_rss), 1),
        "filter_keystroke_median_ms": keystrokes["work_ms"]["median"],
        "filter_keystroke_p95_ms": keystrokes["work_ms"]["p95"],
        "filter_keystrokes": keystrokes["keystrokes"],
        "filter_50k_keystroke_median_ms": huge["work_ms"]["median"],
        "filter_50k_keystroke_p95_ms": huge["work_ms"]["p95"],
        "filter_50k_models_read_s": huge["load_seconds"],
        "filter_50k_index_built_s": huge["indexed_seconds"],
        "filter_50k_distinct_options_keystroke_median_ms": distinct["work_ms"]["median"],
        "filter_50k_distinct_options_keystroke_p95_ms": distinct["work_ms"]["p95"],
    }
    budgets = [  # the list's first frames are first_frames' (cold, warm, 50,000)
        {"name": "10k: filter p95 per keystroke", "value": figures["filter_keystroke_p95_ms"],
         "limit": 16, "unit": "ms", "ok": figures["filter_keystroke_p95_ms"] <= 16},
        {"name": "50k: filter p95 per keystroke",
         "value": figures["filter_50k_keystroke_p95_ms"], "limit": 16, "unit": "ms",
         "ok": figures["filter_50k_keystroke_p95_ms"] <= 16},
        {"name": "10k: memory over the demo org", "value": round(growth, 1),
         "limit": 150, "unit": "MB", "ok": growth < 150},
    ]
    return {"figures": figures, "budgets": budgets, "runs": runs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    result = run(parser.parse_args().quick)
    for key, value in result["figures"].items():
        print(f"{key:>28}: {value}")
    for budget in result["budgets"]:
        print(f"{'ok ' if budget['ok'] else 'MISS'} {budget['name']}: {budget['value']} "
              f"{budget['unit']} (limit {budget['limit']})")


if __name__ == "__main__":
    os.chdir(Path(__file__).resolve().parent)
    main()
