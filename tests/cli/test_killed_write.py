"""A real ``dixa-tui patch`` process killed (SIGKILL) between the journal's intent and Dixa's
answer: ``history`` shows the write as outcome unknown, ``undo`` will not guess while it may
still be on its way, and afterwards settles it by reading the target and puts the value back.

The mock holds the PATCH (``hold_writes``) once it has arrived; ``knobs.held`` says when it is
there, the test's moment to kill. The held write then lands, as on a server that received it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from dixa_tui.cli import main
from dixa_tui.mock import DEMO_API_KEY, Knobs
from dixa_tui.mock.demo import DEMO_CONVERSATION_ID
from dixa_tui.session import undo as session_undo

pytestmark = [pytest.mark.loopback, pytest.mark.timeout(120)]

CONV = str(DEMO_CONVERSATION_ID)
ORDER_NUMBER = "566bf9d7-c55a-45f8-91a6-e55e9b9b1325"


def until(condition, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.02)


def test_a_killed_patch_reads_unknown_and_undo_settles_it(serve_mock, monkeypatch) -> None:
    url, state, knobs = serve_mock(knobs=Knobs(hold_writes=2.0))
    original = state.conversation_values(DEMO_CONVERSATION_ID)[ORDER_NUMBER]
    # The fixtures' HOME and XDG dirs are in os.environ: the process journals where we read.
    child = subprocess.Popen(
        [sys.executable, "-m", "dixa_tui", "--base-url", url, "patch", "conversation", CONV,
         "--set", "order_number=100-KILLED"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "DIXA_API_KEY": DEMO_API_KEY})
    try:
        until(lambda: knobs.held == 1 or child.poll() is not None)
        assert child.poll() is None, child.communicate()
        os.kill(child.pid, signal.SIGKILL)  # the intent is on disk, the answer not yet
    finally:
        child.wait(timeout=30)
        assert child.stdout is not None and child.stderr is not None
        child.stdout.close()
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL
    knobs.hold_writes = 0.0
    cli = CliRunner()

    def run(*args: str) -> object:
        return cli.invoke(main, ["--base-url", url, *args], env={"DIXA_API_KEY": DEMO_API_KEY})

    listed = run("history", "--json")
    assert listed.exit_code == 0, listed.stderr
    [entry] = json.loads(listed.stdout)
    assert entry["outcome"] == "unknown" and entry["completed_at"] is None
    assert entry["status"] is None and entry["changes"][0]["after"] == "100-KILLED"
    table = run("history")
    assert "unknown (no answer recorded)" in table.stdout

    # Right away, the write may still be on its way: undo will not read and guess.
    early = run("undo", "last", "--yes")
    assert early.exit_code == 2, early.stderr
    assert "may still be on its way" in early.stderr and "Run the undo again after" in \
        early.stderr
    assert knobs.writes == 1

    # The held write lands (its answer goes nowhere), and time passes.
    until(lambda: state.writes[("conversation", CONV)] == 1)
    assert state.conversation_values(DEMO_CONVERSATION_ID)[ORDER_NUMBER] == "100-KILLED"
    monkeypatch.setattr(session_undo, "IN_FLIGHT", 0.0)
    undone = run("undo", "last", "--yes")
    assert undone.exit_code == 0, undone.stderr
    assert "settled as applied" in undone.stderr and "read from the target" in undone.stderr
    assert state.conversation_values(DEMO_CONVERSATION_ID)[ORDER_NUMBER] == original

    undo_entry, killed = json.loads(run("history", "--json").stdout)
    assert killed["outcome"] == "applied" and killed["settled"].startswith("read from")
    assert killed["completed_at"] is None and killed["settled_at"] is not None
    assert undo_entry["origin"] == "undo" and undo_entry["undoes"] == killed["id"]
    assert undo_entry["changes"][0]["before"] == "100-KILLED"


def test_the_in_flight_window_covers_the_clients_longest_request() -> None:
    """An entry younger than this may still be sent by a live process: the window must be at
    least the client's retry budget plus one more try's timeouts."""
    from dixa_tui.api.client import DEFAULT_TIMEOUT
    from dixa_tui.api.ratelimit import RetryPolicy

    longest = RetryPolicy().budget + (DEFAULT_TIMEOUT.connect or 0) + (DEFAULT_TIMEOUT.read or 0)
    assert longest <= session_undo.IN_FLIGHT


def test_the_readme_gives_the_in_flight_window_the_code_uses() -> None:
    """Undo and bulk apply wait this long for a write that may still be on its way; the README
    says how long, in both places it explains the wait."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    words = " ".join(readme.split())
    said = f"less than {session_undo.IN_FLIGHT:.0f} seconds"
    assert f"{said} ago" in words and f"{said} before" in words, said
