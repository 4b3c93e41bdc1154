"""``dixa-tui definitions list`` at 10,000 definitions against a raw httpx script doing the same.

Both GET the list from ``dixa-tui mock serve --org`` over loopback (the 12 MB organization of
``orgs.big_org``) and print the same table to stdout (``bench/raw_list.py``: plain httpx and
``json``, no validation, no pacing). Each run is a fresh process, timed from spawn to exit;
runs alternate (raw, ours, raw, ...) and the budget is the ratio of the medians.

Run: ``.venv/bin/python bench/cli_list.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import startup
from large_org import mock_server
from orgs import big_org, write_org

HERE = Path(__file__).resolve().parent
SIZE = 10_000


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=True, timeout=120)
    return time.perf_counter() - start


def measure(runs: int) -> dict[str, Any]:
    raw: list[float] = []
    ours: list[float] = []
    startup.compiled()
    with tempfile.TemporaryDirectory(prefix="dixa-bench-") as tmp:
        root = Path(tmp)
        org = write_org(root / "big.json", big_org(SIZE))
        env = startup.isolated_env(root)
        env["DIXA_API_KEY"] = "demo-key"
        with mock_server(org) as url:
            commands = {
                "raw": [sys.executable, str(HERE / "raw_list.py"), url],
                "ours": [sys.executable, "-m", "dixa_tui", "--base-url", url,
                         "definitions", "list"],
            }
            for index in range(runs + 1):  # the first round warms the machine up
                first, second = timed(commands["raw"], env), timed(commands["ours"], env)
                if index:
                    raw.append(first)
                    ours.append(second)
    ratio = statistics.median(ours) / statistics.median(raw)
    return {"raw_ms": round(statistics.median(raw) * 1000),
            "ours_ms": round(statistics.median(ours) * 1000),
            "ours_over_raw": round(ratio, 2), "runs": runs}


def run(quick: bool = False) -> dict[str, Any]:
    """For ``bench/run.py``."""
    runs = 5 if quick else 9
    found = measure(runs)
    budgets = [{"name": "CLI definitions list, 10k: ours / raw httpx", "unit": "x",
                "value": found["ours_over_raw"], "limit": 1.5,
                "ok": found["ours_over_raw"] <= 1.5}]
    return {"figures": found, "budgets": budgets, "runs": runs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    found = measure(parser.parse_args().runs)
    print(f"raw httpx {found['raw_ms']} ms, ours {found['ours_ms']} ms: "
          f"{found['ours_over_raw']:.2f}x (medians of {found['runs']})")


if __name__ == "__main__":
    os.chdir(HERE)
    main()
