"""Definitions in the first frames: how soon the list shows, against the bare Textual app.

Each case is ``dixa-tui --base-url URL`` against ``dixa-tui mock serve --org FILE`` over
loopback, on a fresh pseudo-terminal (``startup.spawn_until``), timed from spawn until the
first definition's label is on screen:

* cold: a fresh HOME (no start-up cache): the small organization (the demo's 46
  definitions), 10,000 definitions of 4.7 MB (``orgs.lean_org``: one option per Select) and
  10,000 of 12 MB (``orgs.big_org``, the demo's definitions cloned), 50,000 of 58 MB;
* warm: the same HOME as a first run that left its start-up cache (small, 4.7 MB, 12 MB);
* ``--demo``, cold.

A start with a list to show (warm, ``--demo``) draws it before Textual is imported
(``tui.firstframe``); each case also records when the footer's keys show (Textual's screen is
up and working), said beside the budgets, not one of them.

Runs are interleaved (bare, then every case, round after round) so the machine's drift hits
all alike; the budgets are ratios of medians taken in the same run. Also: the resident set
when the 50,000 show, against the small organization's, per definition.

Run: ``.venv/bin/python bench/first_frames.py [--quick] [--rounds N]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import startup
from large_org import mock_server, rss_mb
from orgs import big_org, lean_org, write_org

SIZE = (120, 36)


@dataclass
class Case:
    name: str
    org: str  # key of the org file
    marker: str
    warm: bool = False
    demo: bool = False
    rss: bool = False
    samples: list[float] = field(default_factory=list)
    working: list[float] = field(default_factory=list)  # until the footer's keys show
    memory: list[float] = field(default_factory=list)
    home: Path | None = None  # a warm case's HOME, primed once


def cases(with_50k: bool) -> list[Case]:
    found = [
        Case("small, cold", "small", "Order number", rss=True),
        Case("10k 4.7 MB, cold", "lean", "Order number 0"),
        Case("10k 12 MB, cold", "big", "Order number 0"),
        Case("small, warm", "small", "Order number", warm=True),
        Case("10k 4.7 MB, warm", "lean", "Order number 0", warm=True),
        Case("10k 12 MB, warm", "big", "Order number 0", warm=True),
        Case("--demo", "", "Contact reason", demo=True),
    ]
    if with_50k:
        found.append(Case("50k 58 MB, cold", "huge", "Order number 0", rss=True))
    return found


def _command(case: Case, url: str) -> list[str]:
    if case.demo:
        return [sys.executable, "-m", "dixa_tui", "--demo"]
    return [sys.executable, "-m", "dixa_tui", "--base-url", url]


def _env(home: Path) -> dict[str, str]:
    env = startup.isolated_env(home)
    env["DIXA_API_KEY"] = "demo-key"
    return env


def _cache_of(home: Path) -> Path:
    return home / ".local" / "state" / "dixa-tui" / "start-up" / "default.cache"


def prime(case: Case, url: str, root: Path) -> None:
    """A first run that leaves the start-up cache in the case's own HOME."""
    case.home = Path(tempfile.mkdtemp(dir=root))
    cache = _cache_of(case.home)
    startup.spawn_until(_command(case, url), [case.marker], 120.0, env=_env(case.home),
                        size=SIZE)
    if not cache.exists():  # the cache is written after the models: run again, wait for it
        deadline = time.monotonic() + 60
        import subprocess

        process = subprocess.Popen(_command(case, url), env=_env(case.home),
                                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        try:
            while not cache.exists() and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            process.kill()
            process.wait()
    if not cache.exists():
        raise RuntimeError(f"{case.name}: no start-up cache was written in {case.home}")


# The footer's keys: mounted after Textual's own first frame, so this says when the app is
# up and working, whatever drew the list first (a start with a list draws it before Textual:
# ``tui.firstframe``). Not a budget; said beside each start's figure.
WORKING = "r Refresh"


def run_case(case: Case, url: str, root: Path) -> None:
    memory: dict[str, float] = {}

    def measured(marker: str, pid: int) -> None:
        if case.rss:
            memory[marker] = rss_mb(pid)

    if case.warm:
        assert case.home is not None
        env = _env(case.home)
        times = startup.spawn_until(_command(case, url), [case.marker, WORKING], 120.0,
                                    env=env, size=SIZE, on_marker=measured)
    else:
        with tempfile.TemporaryDirectory(dir=root) as home:
            times = startup.spawn_until(_command(case, url), [case.marker, WORKING], 120.0,
                                        env=_env(Path(home)), size=SIZE, on_marker=measured)
    case.samples.append(times[case.marker])
    case.working.append(times[WORKING])
    if case.rss:
        case.memory.append(memory[case.marker])


@contextmanager
def servers(root: Path, with_50k: bool) -> Iterator[dict[str, str]]:
    from dixa_tui.mock import MockState

    orgs = {"small": MockState.demo().definitions, "lean": lean_org(10_000),
            "big": big_org(10_000)}
    if with_50k:
        orgs["huge"] = big_org(50_000)
    with ExitStack() as stack:
        urls = {name: stack.enter_context(mock_server(write_org(root / f"{name}.json", defs)))
                for name, defs in orgs.items()}
        urls[""] = ""
        yield urls


def measure(rounds: int, with_50k: bool = True,
            progress: Any = lambda line: None) -> dict[str, Any]:
    chosen = cases(with_50k)
    startup.compiled()
    bare: list[float] = []
    with tempfile.TemporaryDirectory(prefix="dixa-bench-") as tmp:
        root = Path(tmp)
        with servers(root, with_50k) as urls:
            for case in chosen:
                if case.warm:
                    prime(case, urls[case.org], root)
            for index in range(rounds + 1):  # the first round warms the machine up
                with tempfile.TemporaryDirectory(dir=root) as home:
                    seconds = startup.spawn_until(startup.BARE_COMMAND, [startup.BARE_MARKER],
                                                  30.0, env=startup.isolated_env(Path(home)),
                                                  size=SIZE)[startup.BARE_MARKER]
                if index:
                    bare.append(seconds)
                for case in chosen:
                    run_case(case, urls[case.org], root)
                    if not index:
                        case.samples.clear()
                        case.working.clear()
                        case.memory.clear()
                progress(f"round {index}: bare {seconds * 1000:.0f} ms, " + ", ".join(
                    f"{c.name} {c.samples[-1] * 1000:.0f} ms" for c in chosen if c.samples))
    base = statistics.median(bare)
    result: dict[str, Any] = {"bare_first_frame_ms": round(base * 1000), "rounds": rounds}
    for case in chosen:
        median = statistics.median(case.samples)
        working = statistics.median(case.working)
        result[case.name] = {"median_ms": round(median * 1000),
                             "over_bare": round(median / base, 2),
                             "working_ms": round(working * 1000),
                             "working_over_bare": round(working / base, 2),
                             "samples_ms": [round(s * 1000) for s in case.samples]}
        if case.memory:
            result[case.name]["rss_mb"] = round(statistics.median(case.memory), 1)
    if with_50k:
        small = result["small, cold"]["rss_mb"]
        huge = result["50k 58 MB, cold"]["rss_mb"]
        result["rss_per_definition_bytes"] = round((huge - small) * 1024 * 1024 / 49_954)
    return result


BUDGETS = [  # (case, limit over the bare app's first frame)
    ("small, cold", 1.5), ("10k 4.7 MB, cold", 2.0), ("10k 12 MB, cold", 2.0),
    ("small, warm", 1.2), ("10k 4.7 MB, warm", 1.2), ("10k 12 MB, warm", 1.2),
    ("50k 58 MB, cold", 3.0),
]


def run(quick: bool = False) -> dict[str, Any]:
    """For ``bench/run.py``: every case's median over the bare first frame, with budgets."""
    rounds = 5 if quick else 9
    result = measure(rounds, with_50k=True,
                     progress=lambda line: print(line, file=sys.stderr, flush=True))
    budgets = [{"name": f"{name}: definitions visible / bare first frame",
                "value": result[name]["over_bare"], "limit": limit, "unit": "x",
                "ok": result[name]["over_bare"] <= limit}
               for name, limit in BUDGETS if name in result]
    figures = {"bare_first_frame_ms": result["bare_first_frame_ms"],
               "rounds": rounds}
    for name, value in result.items():
        if isinstance(value, dict):
            figures[f"{name} ms"] = value["median_ms"]
            figures[f"{name} / bare"] = value["over_bare"]
            figures[f"{name}: footer keys shown / bare"] = value["working_over_bare"]
            if "rss_mb" in value:
                figures[f"{name} RSS MB"] = value["rss_mb"]
    if "rss_per_definition_bytes" in result:
        figures["RSS per definition, bytes"] = result["rss_per_definition_bytes"]
    return {"figures": figures, "budgets": budgets, "runs": rounds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-50k", action="store_true")
    args = parser.parse_args()
    result = measure(args.rounds, with_50k=not args.no_50k,
                     progress=lambda line: print(line, file=sys.stderr, flush=True))
    print(f"bare first frame: {result['bare_first_frame_ms']} ms (median of {args.rounds})")
    for name, value in result.items():
        if isinstance(value, dict):
            extra = f", RSS {value['rss_mb']} MB" if "rss_mb" in value else ""
            print(f"{name:>20}: {value['median_ms']:>5} ms  {value['over_bare']:.2f}x{extra}"
                  f"  (footer keys: {value['working_ms']} ms, {value['working_over_bare']:.2f}x)")
    if "rss_per_definition_bytes" in result:
        print(f"RSS per definition: {result['rss_per_definition_bytes']} bytes")


if __name__ == "__main__":
    os.chdir(Path(__file__).resolve().parent)
    main()
