"""Time to first frame of ``dixa-tui --demo`` against a bare Textual app, on a real pty.

    python bench/startup.py [--runs N] [--warmup N] [--timeout S] [--output PATH]

Each run spawns a process on a fresh 100x30 pseudo-terminal and records the wall time from
spawn to the first output chunk whose text (escape sequences removed) shows a marker:

* bare first frame: ``bench/bare_app.py`` shows "bare textual app";
* floor first frame: ``bench/floor_app.py``, the bare app after importing httpx, pydantic,
  our API models and the mock: the least any app on this stack pays before its definitions;
* ours first paint: the header "dixa-tui ·", drawn in the first ("connecting…") frame;
* ours connected: the demo's URL in the header, shown once connected to the demo;
* ours definitions visible: "Contact reason", a label of the demo definitions.

Then it sends ctrl+q and waits for the process to exit (killed after 5 s). Runs alternate
(ours, bare, floor, ours, ...) so that drift of the machine hits both alike; every run gets
its own empty HOME and XDG dirs. The table goes to stdout, every sample to
``bench/results-startup.json``.

``spawn_until`` is the reusable part: other benchmarks in ``bench/`` can time any
command's output on a pty with it.
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import fcntl
import json
import os
import platform
import pty
import re
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

HERE = Path(__file__).resolve().parent
COLUMNS, ROWS = 100, 30
CTRL_Q = b"\x11"
QUIT_TIMEOUT = 5.0
READ_SIZE = 65536

OURS_COMMAND = [sys.executable, "-m", "dixa_tui", "--demo"]
BARE_COMMAND = [sys.executable, str(HERE / "bare_app.py")]
BARE_MARKER = "bare textual app"  # the text of bench/bare_app.py
FLOOR_COMMAND = [sys.executable, str(HERE / "floor_app.py")]
FLOOR_MARKER = "floor textual app"  # bench/floor_app.py: bare + httpx, pydantic, models, mock
OURS_PAINT_MARKER = "dixa-tui ·"  # the header, already in the "connecting…" frame
# The header names the demo's URL once connected (the badge alone is in the first frame,
# which ``tui.firstframe`` draws before Textual is imported).
OURS_MARKER = "demo.dixa.invalid"
DEFINITIONS_MARKER = "Contact reason"  # a demo definition label: the list has loaded

# What a terminal does not print: CSI (cursor moves, colours, modes), OSC (title,
# clipboard) and DCS/SOS/PM/APC strings, charset designations, other two-byte escapes.
ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"
    r"|\x1b[PX^_][^\x1b]*\x1b\\"
    r"|\x1b[()*+][ -~]"
    r"|\x1b[ -~]"
)


def strip_escapes(text: str) -> str:
    """``text`` without terminal escape sequences: what a search for visible text needs.

    Textual writes each run of equally styled characters contiguously, so a marker that
    is drawn in one style on one line survives as one substring.
    """
    return ESCAPE_SEQUENCE.sub("", text)


class SpawnError(RuntimeError):
    """The process exited, or the time ran out, before every marker showed."""

    def __init__(self, command: Sequence[str], missing: Sequence[str], reason: str,
                 text: str) -> None:
        tail = text[-600:]
        super().__init__(f"{' '.join(command)}: {reason} before {list(missing)} showed; "
                         f"last output (escapes removed): {tail!r}")
        self.missing = list(missing)
        self.text = text


def compiled() -> None:
    """Byte code for every module of dixa-tui, as an installed package has it (``make app``
    writes it too): otherwise, with PYTHONDONTWRITEBYTECODE set, every start would compile
    them, and that is what would be measured."""
    import compileall

    compileall.compile_dir(str(HERE.parent / "dixa_tui"), quiet=1)


def isolated_env(root: Path, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """An environment whose HOME and XDG dirs are fresh dirs under ``root``.

    Variables that would change what is measured (DIXA_*, TEXTUAL*, NO_COLOR, TMUX) are
    removed; PATH and the rest are kept. The terminal is xterm-256color with truecolor.
    """
    env = {key: value for key, value in (os.environ if base is None else base).items()
           if not key.startswith(("DIXA_", "TEXTUAL", "TMUX"))
           and key not in {"NO_COLOR", "FORCE_COLOR", "COLUMNS", "LINES"}}
    dirs = {"HOME": root, "XDG_CONFIG_HOME": root / ".config",
            "XDG_DATA_HOME": root / ".local" / "share",
            "XDG_STATE_HOME": root / ".local" / "state", "XDG_CACHE_HOME": root / ".cache"}
    for name, path in dirs.items():
        path.mkdir(parents=True, exist_ok=True)
        env[name] = str(path)
    env["DIXA_TUI_CONFIG"] = str(root / ".config" / "dixa-tui" / "config.toml")
    env["TERM"] = "xterm-256color"
    env["COLORTERM"] = "truecolor"
    return env


def set_window_size(fd: int, columns: int, rows: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))


def read_chunk(fd: int, timeout: float) -> bytes | None:
    """Up to READ_SIZE bytes; None when nothing came within ``timeout``, b"" at the end."""
    ready, _, _ = select.select([fd], [], [], max(timeout, 0.0))
    if not ready:
        return None
    try:
        return os.read(fd, READ_SIZE)
    except OSError:  # EIO: every process holding the slave side has closed it
        return b""


def stop(process: subprocess.Popen[bytes], fd: int, keys: bytes, timeout: float) -> bool:
    """Send ``keys`` (the app's quit key), keep draining the pty until the process exits;
    kill it after ``timeout`` seconds. True when it exited by itself."""
    if process.poll() is not None:
        return True
    with contextlib.suppress(OSError):  # it may be exiting already
        os.write(fd, keys)
    deadline = time.monotonic() + timeout
    while process.poll() is None and time.monotonic() < deadline:
        if read_chunk(fd, 0.05) == b"":
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.0))
            except subprocess.TimeoutExpired:
                break
    if process.poll() is None:
        process.kill()
        process.wait()
        return False
    return True


def spawn_until(command: Sequence[str], markers: Sequence[str], timeout: float = 30.0, *,
                env: Mapping[str, str] | None = None, size: tuple[int, int] = (COLUMNS, ROWS),
                quit_keys: bytes = CTRL_Q,
                quit_timeout: float = QUIT_TIMEOUT,
                on_marker: Callable[[str, int], None] | None = None) -> dict[str, float]:
    """Run ``command`` on a fresh pty of ``size`` (columns, rows) until every marker has
    shown, then quit it with ``quit_keys``.

    Returns, for each marker, the seconds from spawn to the first output chunk after
    which the visible text (escape sequences removed) contains it. Raises SpawnError when
    the process exits or ``timeout`` passes first. ``on_marker(marker, pid)`` runs as each
    marker shows (e.g. to read the process's memory at that moment).
    """
    master, slave = pty.openpty()
    set_window_size(slave, *size)
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    output: list[str] = []
    found: dict[str, float] = {}
    start = time.perf_counter()
    try:
        process = subprocess.Popen(list(command), stdin=slave, stdout=slave, stderr=slave,
                                   env=dict(env) if env is not None else None,
                                   start_new_session=True, close_fds=True)
    except BaseException:
        os.close(master)
        raise
    finally:
        os.close(slave)
    try:
        deadline = start + timeout
        while len(found) < len(markers):
            chunk = read_chunk(master, deadline - time.perf_counter())
            elapsed = time.perf_counter() - start
            missing = [m for m in markers if m not in found]
            if not chunk:
                reason = (f"no marker within {timeout:g} s" if chunk is None
                          else f"the process exited ({process.wait()})")
                raise SpawnError(command, missing, reason, strip_escapes("".join(output)))
            output.append(decoder.decode(chunk))
            # the whole output each time: a sequence may be split between two chunks
            text = strip_escapes("".join(output))
            for marker in missing:
                if marker in text:
                    found[marker] = elapsed
                    if on_marker is not None:
                        on_marker(marker, process.pid)
        return found
    finally:
        if not stop(process, master, quit_keys, quit_timeout):
            print(f"warning: {' '.join(command)} did not exit {quit_timeout:g} s after "
                  f"{quit_keys!r}; killed", file=sys.stderr)
        elif process.returncode:
            print(f"warning: {' '.join(command)} exited with {process.returncode}",
                  file=sys.stderr)
        os.close(master)


@dataclass(frozen=True)
class Case:
    """One thing to measure: a command and the samples its markers feed."""

    name: str
    command: list[str]
    samples: dict[str, str]  # marker -> sample name


CASES = [
    Case("ours", OURS_COMMAND, {OURS_PAINT_MARKER: "ours_first_paint",
                                OURS_MARKER: "ours_first_frame",
                                DEFINITIONS_MARKER: "ours_definitions_visible"}),
    Case("bare", BARE_COMMAND, {BARE_MARKER: "bare_first_frame"}),
    Case("floor", FLOOR_COMMAND, {FLOOR_MARKER: "floor_first_frame"}),
]
LABELS = {
    "bare_first_frame": "bare: first frame",
    "floor_first_frame": "floor: bare + httpx, pydantic, models, mock",
    "ours_first_paint": "ours: first paint (header)",
    "ours_first_frame": "ours: connected (the header names the demo's URL)",
    "ours_definitions_visible": "ours: definitions visible",
}
RATIOS = {  # name -> (label, numerator, denominator)
    "floor_first_frame/bare_first_frame": ("ratio floor/bare (lowest possible)",
                                           "floor_first_frame", "bare_first_frame"),
    "ours_first_paint/bare_first_frame": ("ratio first paint ours/bare", "ours_first_paint",
                                          "bare_first_frame"),
    "ours_first_frame/bare_first_frame": ("ratio first frame ours/bare", "ours_first_frame",
                                          "bare_first_frame"),
    "ours_definitions_visible/bare_first_frame": ("ratio definitions ours/bare first frame",
                                                  "ours_definitions_visible",
                                                  "bare_first_frame"),
}


def run_case(case: Case, timeout: float) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="dixa-bench-") as root:
        times = spawn_until(case.command, list(case.samples), timeout,
                            env=isolated_env(Path(root)))
    return {case.samples[marker]: seconds for marker, seconds in times.items()}


def measure(runs: int, warmup: int, timeout: float,
            progress: Callable[[str], None] = lambda _: None) -> dict[str, list[float]]:
    """Interleaved runs of every case; the ``warmup`` first rounds are not kept."""
    samples: dict[str, list[float]] = {name: [] for case in CASES for name in
                                       case.samples.values()}
    compiled()
    for index in range(warmup + runs):
        kept = index >= warmup
        for case in CASES:
            result = run_case(case, timeout)
            if kept:
                for name, seconds in result.items():
                    samples[name].append(seconds)
            progress(f"{'run' if kept else 'warmup'} {index - warmup + 1 if kept else index + 1}"
                     f" {case.name}: " + ", ".join(f"{n} {s * 1000:.0f} ms"
                                                   for n, s in result.items()))
    return samples


def summarize(values: Sequence[float]) -> dict[str, float]:
    ordered = sorted(values)
    p90 = (statistics.quantiles(ordered, n=10, method="inclusive")[-1] if len(ordered) > 1
           else ordered[0])
    return {"median": statistics.median(ordered), "p90": p90, "min": ordered[0],
            "max": ordered[-1]}


def ratios(summary: Mapping[str, Mapping[str, float]]) -> dict[str, dict[str, float]]:
    """Each ratio of RATIOS, statistic by statistic (median over median, ...)."""
    return {name: {stat: summary[top][stat] / summary[bottom][stat] for stat in summary[top]}
            for name, (_, top, bottom) in RATIOS.items()}


def table(summary: Mapping[str, Mapping[str, float]],
          ratio: Mapping[str, Mapping[str, float]]) -> str:
    stats = ["median", "p90", "min", "max"]
    width = max(len(label) for label in [*LABELS.values(), *(r[0] for r in RATIOS.values())])
    lines = [" " * width + "".join(f"{s:>9}" for s in stats)]
    for name, label in LABELS.items():
        lines.append(f"{label:{width}}" + "".join(f"{summary[name][s] * 1000:>6.0f} ms"
                                                  for s in stats))
    for name, (label, _, _) in RATIOS.items():
        lines.append(f"{label:{width}}" + "".join(f"{ratio[name][s]:>8.2f}x" for s in stats))
    return "\n".join(lines)


def package_version(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="measured runs per app")
    parser.add_argument("--warmup", type=int, default=1,
                        help="runs per app before measuring (not kept)")
    parser.add_argument("--timeout", type=float, default=30.0,
                        help="seconds to wait for the markers of one run")
    parser.add_argument("--output", type=Path, default=HERE / "results-startup.json")
    parser.add_argument("-q", "--quiet", action="store_true", help="no per-run lines")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    def progress(line: str) -> None:
        if not args.quiet:
            print(line, file=sys.stderr, flush=True)

    samples = measure(args.runs, args.warmup, args.timeout, progress)
    summary = {name: summarize(values) for name, values in samples.items()}
    ratio = ratios(summary)
    print(f"startup to marker on a {COLUMNS}x{ROWS} pty, {args.runs} interleaved runs "
          f"(+{args.warmup} warmup), Python {platform.python_version()}, "
          f"Textual {package_version('textual')}, {os.cpu_count()} CPUs")
    print(table(summary, ratio))
    result = {
        "benchmark": "startup",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "runs": args.runs,
        "warmup": args.warmup,
        "terminal": {"columns": COLUMNS, "rows": ROWS, "TERM": "xterm-256color"},
        "python": platform.python_version(),
        "textual": package_version("textual"),
        "dixa_tui": package_version("dixa-tui"),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "commands": {case.name: case.command for case in CASES},
        "markers": {case.name: case.samples for case in CASES},
        "unit": "seconds",
        "samples": samples,
        "summary": summary,
        "ratios": ratio,
    }
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())


def run(quick: bool = False) -> dict[str, object]:
    """For ``bench/run.py``: figures (ms) and the startup budget (definitions visible within
    1.5x the bare app's first frame)."""
    runs = 3 if quick else 10
    samples = measure(runs, 1, 30.0)
    summary = {name: summarize(values) for name, values in samples.items()}
    ratio = summary["ours_definitions_visible"]["median"] / summary["bare_first_frame"]["median"]
    figures = {f"{name}_median_ms": round(s["median"] * 1000) for name, s in summary.items()}
    figures["first_frame_over_bare"] = round(
        summary["ours_first_frame"]["median"] / summary["bare_first_frame"]["median"], 2)
    figures["definitions_visible_over_bare"] = round(ratio, 2)
    # The lowest ratio any app on this stack can reach (bench/floor_app.py), and how far
    # above that floor ours is: the part of the gap that is ours to close.
    figures["floor_over_bare"] = round(
        summary["floor_first_frame"]["median"] / summary["bare_first_frame"]["median"], 2)
    figures["definitions_visible_over_floor"] = round(
        summary["ours_definitions_visible"]["median"] / summary["floor_first_frame"]["median"],
        2)
    budgets = [{"name": "startup: definitions visible / bare first frame",
                "value": round(ratio, 2), "limit": 1.5, "unit": "x", "ok": ratio <= 1.5}]
    return {"figures": figures, "budgets": budgets, "runs": runs}
