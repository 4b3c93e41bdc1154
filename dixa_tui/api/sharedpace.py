"""One pace per key and host on this machine: a token bucket kept in a small locked file.

Dixa limits a key to 10 requests/s, whoever sends them. A client pacing only itself lets
the TUI, a bulk run and a shell's ``xargs -P8`` over the CLI together send several times
that, and the 429s they get back cost everyone retries. So every client of one key and host
takes its tokens from one file in the user's runtime directory (platformdirs'
``user_runtime_path``, else a private folder under the state directory, else under the
temp directory), locked with ``fcntl.flock`` while it is read and written (microseconds).

- The file is named by a sha256 of key and host and holds two floats (tokens, when); the
  key itself is never written, nor used in a name.
- A request *reserves* the next slot and sleeps until it (tokens may go below zero, as a
  debt later requests queue behind), so processes are served in the order they asked and
  nobody polls. Within a process an ``asyncio.Lock`` keeps tasks in arrival order.
- ``penalize`` (after a 429) empties the shared bucket: every process slows down.
- Where no directory is usable, or the platform has no ``fcntl`` (Windows), or the file
  breaks midway, the client paces itself alone (``TokenBucket``), and the debug log says
  so. A lock held too long (a stopped process) costs one request's pacing, never a hang.

``time.monotonic`` is shared by every process of a machine (CLOCK_MONOTONIC on Linux,
mach_absolute_time on macOS), so stamps written by one are read correctly by another; a stamp
from before a reboot (a file under the state directory survives it) is recognised and reset.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import math
import os
import stat
import struct
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from dixa_tui.api.baseurl import host_and_port
from dixa_tui.api.ratelimit import TokenBucket

fcntl: ModuleType | None
try:
    import fcntl
except ImportError:  # Windows: no advisory file locks
    fcntl = None

log = logging.getLogger(__name__)

APP = "dixa-tui"
STATE = struct.Struct("<dd")  # tokens, the monotonic time they were counted at
LOCK_PATIENCE = 2.0  # seconds to wait for the file's lock before pacing one request alone
MAX_DEBT_SECONDS = 60.0  # a stale or corrupt file never makes a request wait longer
TEMP_DIR = Path(tempfile.gettempdir())


def _refilled(state: tuple[float, float] | None, now: float, rate: float,
              burst: int) -> float:
    """The tokens in ``state`` at ``now``. Anything not finite or from the future (a
    previous boot) counts as a full bucket, so a corrupt file cannot stall a request."""
    if state is None or not all(math.isfinite(v) for v in state) or state[1] > now + 1:
        return float(burst)
    tokens, stamp = state
    return min(float(burst), tokens + max(0.0, now - stamp) * rate)


def take(state: tuple[float, float] | None, now: float, *, rate: float,
         burst: int) -> tuple[tuple[float, float], float]:
    """Reserve one token at ``now``: the new state, and how long to wait for the slot.

    Tokens may go below zero: that debt is the queue of slots already promised. It is
    clamped at ``MAX_DEBT_SECONDS`` of pace, so a stale file never makes anyone wait longer.
    """
    tokens = max(_refilled(state, now, rate, burst) - 1, -rate * MAX_DEBT_SECONDS)
    wait = 0.0 if tokens >= 0 else -tokens / rate
    return (tokens, now), wait


def emptied(state: tuple[float, float] | None, now: float, *, rate: float,
            burst: int) -> tuple[float, float]:
    """The state after a 429: no token left (a debt already owed stays owed)."""
    return min(_refilled(state, now, rate, burst), 0.0), now


def _say(reason: str) -> None:
    log.info("pacing requests per process, not shared with other dixa-tui processes "
             "using the same key: %s", reason)


def _private_dir(path: Path, *, parents: bool) -> Path | None:
    """``path`` as a folder only this user can enter, created if needed; None if it cannot
    be one (a file is there, a link, someone else's folder, no permission)."""
    try:
        if parents:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        elif not path.parent.is_dir():
            return None  # the runtime dir itself is the system's to create, not ours
        with contextlib.suppress(FileExistsError):
            path.mkdir(mode=0o700)
        info = path.lstat()
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
            return None
        if stat.S_IMODE(info.st_mode) & 0o077:
            path.chmod(0o700)
        return path if os.access(path, os.W_OK | os.X_OK) else None
    except OSError:
        return None


def _runtime_dir() -> Path | None:
    """platformdirs' runtime folder for the app, or None. Newer platformdirs check
    ``$XDG_RUNTIME_DIR`` themselves and warn (on stderr, which the CLI keeps for messages)
    when they fall back: the folder is checked here again, so their warning is not shown."""
    from platformdirs import user_runtime_path

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return user_runtime_path(APP, appauthor=False)
    except (OSError, RuntimeError):
        return None


def pace_dirs() -> list[tuple[Path, bool]]:
    """The folders tried, in order, each with whether its parents may be created: the
    runtime dir (its parent is the system's), a private one under the state dir, and one
    under the temp dir."""
    from platformdirs import user_state_path

    runtime = _runtime_dir()
    return [*([(runtime, False)] if runtime is not None else []),
            (user_state_path(APP, appauthor=False) / "pace", True),
            (TEMP_DIR / f"{APP}-{os.getuid()}", False)]


def pace_dir() -> Path | None:
    """Where the bucket files live: the first of ``pace_dirs`` that is, or can be made, a
    folder only this user can enter; None when none is usable (or there are no file locks
    to share it with)."""
    if fcntl is None:
        return None
    for path, parents in pace_dirs():
        usable = _private_dir(path, parents=parents)
        if usable is not None:
            return usable
    return None


def bucket_file(key: str, base_url: str) -> Path | None:
    """The file of ``key`` at ``base_url``'s host; None when there is no usable folder."""
    folder = pace_dir()
    if folder is None:
        return None
    host = host_and_port(base_url).lower()
    digest = hashlib.sha256(f"{key}\0{host}".encode("utf-8", "surrogatepass")).hexdigest()
    return folder / f"{digest}.pace"


class SharedBucket:
    """``TokenBucket``'s ``acquire``/``penalize`` over a file every process shares."""

    def __init__(self, path: Path, rate: float, burst: int,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.path = path
        self.rate = rate
        self.burst = max(1, burst)
        self._clock = clock
        self._lock: asyncio.Lock | None = None
        self._alone = TokenBucket(rate, self.burst, clock)  # when the file lets us down
        self._broken = False

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    async def acquire(self) -> None:
        """Wait for this process's turn, then for the slot reserved in the shared file."""
        if not self.enabled:
            return
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            wait = await self._reserve()
        if wait is None:
            await self._alone.acquire()
        elif wait > 0:
            await asyncio.sleep(wait)

    def penalize(self) -> None:
        """After a 429 Dixa's bucket is empty: empty the shared one, so every process of the
        key slows down, not just this one."""
        if not self.enabled:
            return
        self._alone.penalize()
        if self._broken:
            return
        for _ in range(50):  # the lock is held for microseconds: this never waits long
            try:
                self._update(lambda state, now: (emptied(state, now, rate=self.rate,
                                                         burst=self.burst), 0.0))
                return
            except BlockingIOError:
                time.sleep(0.001)
            except OSError as exc:
                self._give_up(exc)
                return

    async def _reserve(self) -> float | None:
        """Seconds until the reserved slot; None to pace this request alone."""
        if self._broken:
            return None
        deadline = self._clock() + LOCK_PATIENCE
        while True:
            try:
                return self._update(lambda state, now: take(state, now, rate=self.rate,
                                                            burst=self.burst))
            except BlockingIOError:
                if self._clock() > deadline:
                    log.info("the shared pace file stayed locked for %.1f s: this request "
                             "is paced by this process alone", LOCK_PATIENCE)
                    return None
                await asyncio.sleep(0.002)
            except OSError as exc:
                self._give_up(exc)
                return None

    def _update(self, change: Callable[[tuple[float, float] | None, float],
                                       tuple[tuple[float, float], float]]) -> float:
        """Read, change and write the state under the file's lock; the change's wait."""
        assert fcntl is not None  # only built where it exists (see ``pacer``)
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(
            os, "O_CLOEXEC", 0)
        fd = os.open(self.path, flags, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            raw = os.pread(fd, STATE.size, 0)
            state = STATE.unpack(raw) if len(raw) == STATE.size else None
            new, wait = change(state, self._clock())
            os.pwrite(fd, STATE.pack(*new), 0)
            return wait
        finally:
            os.close(fd)  # closing releases the lock

    def _give_up(self, error: OSError) -> None:
        self._broken = True
        _say(f"the pace file could not be used ({type(error).__name__}: {error.strerror})")


def pacer(key: str, base_url: str, rate: float, burst: int) -> TokenBucket | SharedBucket:
    """The bucket a client of ``key`` at ``base_url`` takes its tokens from: shared with the
    machine's other processes where it can be, else its own (the debug log says why)."""
    if rate <= 0:
        return TokenBucket(rate, burst)
    if fcntl is None:
        _say("this platform has no file locks (fcntl)")
        return TokenBucket(rate, burst)
    path = bucket_file(key, base_url)
    if path is None:
        _say("no private runtime, state or temp folder is usable")
        return TokenBucket(rate, burst)
    log.debug("pacing shared with this key's other dixa-tui processes through %s", path.parent)
    return SharedBucket(path, rate, burst)
