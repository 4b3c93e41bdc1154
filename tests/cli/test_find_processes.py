"""`find conversations` as a real process: a CSV redirected to a file (byte-order mark, fed to
`bulk plan`), Ctrl-C (exit 130, what was printed kept), a reader that goes away (`| head`),
and a terminal (rows and the live progress line share it; untrusted values cleaned)."""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from dixa_tui.mock import DEMO_API_KEY, Knobs, MockState

HOSTILE = "\x1b]0;pwned\x07\x1b[31mred\x1b[0m"


@pytest.fixture(autouse=True)
def unpaced(home: Path) -> None:
    config = home / ".config" / "dixa-tui" / "config.toml"  # DIXA_TUI_CONFIG points here
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("[profiles.default]\nrate_limit = 0\n", encoding="utf-8")


def command(url: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "dixa_tui", "--base-url", url, *args]


def environment() -> dict[str, str]:
    return {**os.environ, "DIXA_API_KEY": DEMO_API_KEY}


def test_a_csv_redirected_to_a_file_starts_with_a_bom_and_plans_as_it_is(
        serve_mock: Callable[..., tuple[str, MockState, Knobs]], tmp_path: Path) -> None:
    url, _state, knobs = serve_mock()
    out = tmp_path / "found.csv"
    with out.open("wb") as file:
        done = subprocess.run(command(url, "find", "conversations", "--status", "open",
                                      "--where", "contact_reason is empty", "--csv"),
                              stdout=file, stderr=subprocess.PIPE, env=environment(),
                              timeout=120, text=True)
    assert done.returncode == 0, done.stderr
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfconversation,contact_reason,contact_reason (label)")
    rows = data.decode("utf-8-sig").splitlines()[1:]
    assert rows and all(line.endswith(",,") for line in rows)
    planned = subprocess.run(command(url, "bulk", "plan", str(out)), capture_output=True,
                             text=True, env=environment(), timeout=120)
    assert planned.returncode == 0, planned.stderr
    plan = json.loads((tmp_path / "found.plan.json").read_text())
    assert plan["totals"]["targets"] == len(rows) and plan["totals"]["changes"] == 0
    assert knobs.writes == 0


def _lines_until(stream, count: int, deadline: float) -> list[str]:
    lines: list[str] = []
    while len(lines) < count and time.monotonic() < deadline:
        line = stream.readline()
        if not line:
            break
        lines.append(line)
    return lines


def test_ctrl_c_keeps_what_was_printed_closes_the_json_array_and_exits_130(
        serve_mock: Callable[..., tuple[str, MockState, Knobs]]) -> None:
    url, state, _knobs = serve_mock(knobs=Knobs(latency=0.05))
    process = subprocess.Popen(command(url, "find", "conversations", "--json"),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=environment())
    try:
        first = _lines_until(process.stdout, 3, time.monotonic() + 60)  # "[", two rows
        assert len(first) == 3, first
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
        rest, err = process.stdout.read(), process.stderr.read()  # after what readline kept
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, err
    found = json.loads("".join(first) + rest)
    assert len(found) >= 2 and len(found) < len(state.conversations)
    assert "Interrupted:" in err and "What was printed stands" in err
    assert "Traceback" not in err


def test_a_reader_that_goes_away_stops_the_find_quietly(
        serve_mock: Callable[..., tuple[str, MockState, Knobs]]) -> None:
    url, state, knobs = serve_mock(knobs=Knobs(latency=0.02))
    process = subprocess.Popen(command(url, "find", "conversations", "--jsonl"),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=environment())
    try:
        assert _lines_until(process.stdout, 1, time.monotonic() + 60)
        process.stdout.close()  # what `| head -1` does
        err = process.stderr.read()
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "the output was closed" in err and "Traceback" not in err
    assert "Exception ignored" not in err
    assert knobs.requests < 1 + len(state.conversations)  # it stopped reading


def _screen(raw: bytes) -> list[str]:
    """What a terminal shows: per line, the text after the last carriage return."""
    text = raw.decode("utf-8", errors="replace")
    return [line.rstrip("\r").rsplit("\r", 1)[-1] for line in text.split("\n")]


def _run_on_a_terminal(args: list[str]) -> tuple[int, bytes]:
    leader, follower = pty.openpty()
    process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=follower,
                               stderr=follower, env={**environment(), "COLUMNS": "200"})
    os.close(follower)
    out = bytearray()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the process closed the terminal
                break
            if not chunk:
                break
            out += chunk
        elif process.poll() is not None:
            break
    os.close(leader)
    return process.wait(timeout=30), bytes(out)


def test_on_a_terminal_rows_never_share_a_line_with_the_progress_and_values_are_cleaned(
        serve_mock: Callable[..., tuple[str, MockState, Knobs]]) -> None:
    state = MockState.demo()
    number = next(d.id for d in state.definitions if d.identifier == "order_number")
    newest = max(state.conversations.values(),
                 key=lambda r: (r.conversation.created_at, r.id))
    newest.values[number] = HOSTILE
    url, _, _ = serve_mock(state=state, knobs=Knobs(latency=0.01))
    for fmt in ((), ("--csv",)):
        code, raw = _run_on_a_terminal(command(url, "find", "conversations", "--columns",
                                               "order_number", "--sample", "60", *fmt))
        assert code == 0, raw
        assert b"\x1b]0;" not in raw and b"\x1b[31m" not in raw  # the value's escapes
        shown = _screen(raw)
        rows = [line for line in shown if line[:5].isdigit()]
        assert len(rows) == 60, shown
        assert not any("checked" in row for row in rows)  # no progress glued to a row
        assert any("red" in row and str(newest.id) in row for row in rows)
        assert any(line.startswith("checked 60") for line in shown)
