"""A bulk run killed (SIGKILL) at a random point, then run again: every target ends with its
new value, written exactly once, and the journal keeps no entry of unknown outcome."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dixa_tui.journal import Journal
from dixa_tui.journal.model import stored_time
from dixa_tui.journal.store import default_path
from dixa_tui.mock import DEMO_API_KEY, Knobs

ORDER_NUMBER = "566bf9d7-c55a-45f8-91a6-e55e9b9b1325"
ROWS = 40

pytestmark = [pytest.mark.loopback, pytest.mark.timeout(180)]


def dixa(url: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "dixa_tui", "--base-url", url, *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            stdin=subprocess.DEVNULL,
                            env={**os.environ, "DIXA_API_KEY": DEMO_API_KEY})


def age_unanswered_entries() -> None:
    """Time passes for the journal: entries with no answer recorded began an hour ago."""
    earlier = stored_time(datetime.now(UTC) - timedelta(hours=1))
    with closing(sqlite3.connect(default_path())) as db, db:
        db.execute("UPDATE entries SET time = ? WHERE completed_at IS NULL", (earlier,))


def test_a_killed_apply_finishes_on_the_next_run(serve_mock, tmp_path: Path) -> None:
    url, state, _ = serve_mock(knobs=Knobs(rate_limit=10, burst=4, latency=0.01))
    ids = sorted(state.conversations)[:ROWS]
    source = tmp_path / "orders.csv"
    source.write_text("conversation,order_number\n" +
                      "".join(f"{i},700-{i}\n" for i in ids), encoding="utf-8")
    planned = dixa(url, "bulk", "plan", str(source))
    _, err = planned.communicate(timeout=60)
    assert planned.returncode == 0, err
    plan_path = tmp_path / "orders.plan.json"

    seed = random.randrange(10**6)
    kill_at = random.Random(seed).randint(3, ROWS - 8)
    run = dixa(url, "bulk", "apply", str(plan_path), "--yes")
    deadline = time.monotonic() + 60
    while sum(state.writes.values()) < kill_at and run.poll() is None:
        assert time.monotonic() < deadline, f"seed {seed}: the run did not get going"
        time.sleep(0.005)
    run.send_signal(signal.SIGKILL)
    run.communicate(timeout=10)
    time.sleep(0.3)  # a PATCH whose body had arrived still lands after its client died
    landed = sum(state.writes.values())
    assert 0 < landed < ROWS, f"seed {seed}: killed at {landed} of {ROWS}"

    again = dixa(url, "bulk", "apply", str(plan_path), "--yes")
    _, err = again.communicate(timeout=90)
    if again.returncode != 0:
        # A write the killed run had begun, whose answer was never recorded and which has not
        # landed, may still be on its way (a slow server): the rerun says so and sends nothing
        # for it. Once the in-flight window has passed, the next run settles it.
        assert again.returncode == 1 and " unknown" in err and " failed" not in err, \
            f"seed {seed}: {err}"
        age_unanswered_entries()
        again = dixa(url, "bulk", "apply", str(plan_path), "--yes")
        _, err = again.communicate(timeout=90)
    assert again.returncode == 0, f"seed {seed}: {err}"
    for i in ids:
        assert state.conversation_values(i)[ORDER_NUMBER] == f"700-{i}", f"seed {seed}"
        assert state.writes[("conversation", str(i))] == 1, f"seed {seed}: {i} written twice"
    batch = json.loads(plan_path.read_text())["batch_id"]
    with Journal.open() as journal:
        entries = journal.batch_entries(batch)
    assert {e.outcome for e in entries} <= {"applied", "failed"}, f"seed {seed}"
    assert sorted({e.target_id for e in entries if e.outcome == "applied"}) == sorted(
        str(i) for i in ids)
    # (a 429 here would be retried and is not this test's concern: bench/bulk.py measures
    # the pace, with Dixa's limit, at 0 x 429)
