"""One pace for one key on one machine: the token bucket lives in a small locked file, so the
TUI, a bulk run and parallel CLI calls together stay under Dixa's 10/s. Where no file can be
used, each process paces itself and the debug log says so."""

from __future__ import annotations

import asyncio
import json
import logging
import math
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dixa_tui.api import sharedpace
from dixa_tui.api.ratelimit import TokenBucket
from dixa_tui.api.sharedpace import SharedBucket, bucket_file, pace_dir, pacer, take

KEY = "sk_SHARED-pace-key-0123456789"
URL = "https://dev.dixa.io"
ROOT = Path(__file__).resolve().parents[2]


# -- the arithmetic --------------------------------------------------------------------


def test_take_spends_the_burst_then_reserves_slots() -> None:
    state = None
    waits = []
    for _ in range(6):
        state, wait = take(state, 100.0, rate=10, burst=3)
        waits.append(round(wait, 6))
    assert waits == [0, 0, 0, 0.1, 0.2, 0.3]
    state, wait = take(state, 100.25, rate=10, burst=3)  # 2.5 tokens came back, 3 were owed
    assert wait == pytest.approx(0.15)


def test_take_refills_up_to_the_burst_only() -> None:
    state, _ = take(None, 0.0, rate=10, burst=3)
    state, wait = take(state, 3600.0, rate=10, burst=3)
    assert wait == 0 and state[0] == 2  # three came back at most, one taken


@pytest.mark.parametrize("stored", [(math.nan, 1.0), (math.inf, 1.0), (1.0, math.nan),
                                    (1.0, 1e12), (-1e9, 99.0), (50.0, 99.0)])
def test_a_stale_or_corrupt_state_cannot_stall_or_flood(stored: tuple[float, float]) -> None:
    _, wait = take(stored, 100.0, rate=10, burst=3)
    assert 0 <= wait <= sharedpace.MAX_DEBT_SECONDS


# -- the file --------------------------------------------------------------------------


def test_the_file_is_private_and_named_by_a_hash_never_the_key(home: Path) -> None:
    path = bucket_file(KEY, URL)
    assert path is not None and path.parent == pace_dir()
    assert KEY not in str(path) and len(path.name.split(".")[0]) == 64
    assert path.name != bucket_file(KEY, "http://127.0.0.1:8765").name  # per host
    assert path.name != bucket_file(KEY + "x", URL).name  # per key
    assert bucket_file(KEY, "https://DEV.dixa.io/").name == path.name
    asyncio.run(pacer(KEY, URL, 10, 3).acquire())
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert KEY.encode() not in path.read_bytes()


def test_the_runtime_directory_is_used(home: Path) -> None:
    assert pace_dir() == Path(os.environ["XDG_RUNTIME_DIR"]) / "dixa-tui"


def test_without_a_runtime_directory_the_state_directory_is_used(
        home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(home / "no-such-dir"))
    assert pace_dir() == Path(os.environ["XDG_STATE_HOME"]) / "dixa-tui" / "pace"


async def test_two_buckets_of_one_key_share_one_pace(home: Path) -> None:
    first, second = pacer(KEY, URL, 10, 3), pacer(KEY, URL, 10, 3)
    assert isinstance(first, SharedBucket)
    started = time.monotonic()
    for n in range(7):
        await (first if n % 2 else second).acquire()
    assert time.monotonic() - started >= (7 - 3) / 10 - 0.02


async def test_other_keys_and_hosts_have_their_own_pace(home: Path) -> None:
    started = time.monotonic()
    for bucket in (pacer(KEY, URL, 10, 3), pacer(KEY + "2", URL, 10, 3),
                   pacer(KEY, "http://127.0.0.1:1", 10, 3)):
        for _ in range(3):
            await bucket.acquire()
    # Nine tokens at once: shared, they would take (9 - 3) / 10 = 0.6 s.
    assert time.monotonic() - started < 0.5


async def test_a_penalty_empties_the_shared_bucket(home: Path) -> None:
    first, second = pacer(KEY, URL, 10, 3), pacer(KEY, URL, 10, 3)
    first.penalize()  # a 429 seen by one process
    started = time.monotonic()
    await second.acquire()  # another process must wait for the next token
    assert time.monotonic() - started >= 0.08


async def test_one_processs_tasks_are_served_in_arrival_order(home: Path) -> None:
    bucket = pacer(KEY, URL, 10, 2)
    order: list[int] = []

    async def task(n: int) -> None:
        await bucket.acquire()
        order.append(n)

    await asyncio.gather(*(task(n) for n in range(8)))
    assert order == list(range(8))


async def test_a_lock_held_elsewhere_does_not_hang_a_request(
        home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fcntl = pytest.importorskip("fcntl")
    monkeypatch.setattr(sharedpace, "LOCK_PATIENCE", 0.2)
    bucket = pacer(KEY, URL, 10, 3)
    path = bucket_file(KEY, URL)
    assert path is not None
    path.touch()
    with open(path, "rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # another open file: it conflicts like a process
        started = time.monotonic()
        await asyncio.wait_for(bucket.acquire(), 5)
    assert time.monotonic() - started < 3.0  # gave up on the lock (a hang runs to 5 s)


# -- falling back, said in the debug log -------------------------------------------------


def logged(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(r.getMessage() for r in caplog.records)


def test_an_unusable_directory_falls_back_to_per_process_pacing(
        home: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    blocker = home / "not-a-dir"
    blocker.write_text("")
    monkeypatch.setattr(sharedpace, "pace_dirs", lambda: [(blocker / "dixa-tui", False),
                                                          (blocker / "pace", True)])
    with caplog.at_level(logging.DEBUG, logger="dixa_tui"):
        bucket = pacer(KEY, URL, 10, 3)
    assert isinstance(bucket, TokenBucket)
    assert "per process" in logged(caplog) and KEY not in logged(caplog)


def test_someone_elses_or_a_linked_folder_is_not_used(home: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    target = home / "elsewhere"
    target.mkdir(mode=0o700)
    (home / "run" / "dixa-tui").symlink_to(target)
    assert pace_dir() == Path(os.environ["XDG_STATE_HOME"]) / "dixa-tui" / "pace"


def test_a_wide_open_folder_of_ours_is_made_private(home: Path) -> None:
    folder = home / "run" / "dixa-tui"
    folder.mkdir(mode=0o777)
    folder.chmod(0o777)
    assert pace_dir() == folder and stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_a_misconfigured_runtime_variable_warns_nobody_on_stderr(
        home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import warnings

    monkeypatch.setenv("XDG_RUNTIME_DIR", str(home / "missing"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert pace_dir() is not None
    assert capsys.readouterr().err == ""


def test_no_file_locks_falls_back_and_says_so(
        home: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(sharedpace, "fcntl", None)
    with caplog.at_level(logging.DEBUG, logger="dixa_tui"):
        bucket = pacer(KEY, URL, 10, 3)
    assert isinstance(bucket, TokenBucket)
    assert "file locks" in logged(caplog) and "per process" in logged(caplog)


async def test_a_file_that_breaks_midway_falls_back_for_good(
        home: Path, caplog: pytest.LogCaptureFixture) -> None:
    bucket = pacer(KEY, URL, 10, 3)
    path = bucket_file(KEY, URL)
    assert isinstance(bucket, SharedBucket) and path is not None
    path.parent.chmod(0o500)  # the file cannot be created any more
    try:
        with caplog.at_level(logging.DEBUG, logger="dixa_tui"):
            for _ in range(4):
                await asyncio.wait_for(bucket.acquire(), 5)
    finally:
        path.parent.chmod(0o700)
    if os.geteuid() != 0:  # root ignores the mode
        assert "per process" in logged(caplog)


def test_pacing_off_is_off(home: Path) -> None:
    bucket = pacer(KEY, URL, 0, 3)
    assert not bucket.enabled
    assert not list((Path(os.environ["XDG_RUNTIME_DIR"])).glob("dixa-tui/*"))


# -- real processes --------------------------------------------------------------------


def test_processes_of_one_key_together_keep_the_pace(home: Path) -> None:
    """Six processes take five tokens each at once: together they stay at 10/s."""
    code = (f"import asyncio, json, sys, time\nsys.path.insert(0, {str(ROOT)!r})\n"
            "from dixa_tui.api.sharedpace import pacer\n"
            "async def main():\n"
            f"    bucket = pacer({KEY!r}, {URL!r}, 10, 3)\n"
            "    stamps = []\n"
            "    for _ in range(5):\n"
            "        await bucket.acquire()\n"
            "        stamps.append(time.monotonic())\n"
            "    print(json.dumps(stamps))\n"
            "asyncio.run(main())\n")
    children = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                                 text=True) for _ in range(6)]
    stamps = sorted(t for child in children for t in json.loads(child.communicate(timeout=60)[0]))
    assert len(stamps) == 30
    # The burst (3) at once, then one every 0.1 s: n tokens need (n - 3) / 10 s at least.
    for i in range(len(stamps)):
        for j in range(i + 4, len(stamps)):
            assert stamps[j] - stamps[i] >= (j - i + 1 - 3) / 10 - 0.03, (i, j)
