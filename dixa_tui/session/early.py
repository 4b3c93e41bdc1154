"""The start of the terminal UI before Textual: the definitions list on its way while Textual
loads.

Importing Textual and drawing the first frame takes about 0.2 s; the list needs the profile,
the key, httpx and a request, about as much again. :func:`begin` runs before Textual is
imported:

* with a start-up cache of the profile (``session.startcache``) read with the key this start
  uses (``DIXA_API_KEY``, else the keyring, looked up for that: no key, no cache), it reads
  the cache's rows (a few ms) and starts nothing else: the first frame paints them, and the
  list is read again afterwards, when nothing competes with the first frame;
* otherwise it starts reading the list: it resolves the settings (config file, key) and GETs
  the list with the client (``DixaClient.fetch_definitions``: its timeouts, proxies, CA
  store, pacing and retries, the key rule), keeping the pages as Dixa sent them. Where the
  system can ``fork`` (not Windows; not macOS, whose frameworks are not fork-safe), that
  happens in a child process: a thread would take turns with Textual's import for the one
  interpreter lock, a child runs beside it. The child hands back, through a pipe, the
  settings it resolved (the key included: the app's session starts from them, so the
  config file and the keyring are read once), each retry as it happens, the list's rows
  (``api.rows``, each id once: what the list paints, :attr:`EarlyStart.rows`, a tenth of
  the pages' size, sent before them in parts, the app decoding one while the next is
  encoded), and the pages, once the rows are painted (:meth:`EarlyStart.rows_settled`:
  58 MB crossing the pipe would take both cores from that paint); then it exits. A child
  still running when the app quits (or when the start is abandoned) is killed and reaped
  (:meth:`EarlyStart.stop`); on Linux it is also signalled by the kernel
  when the app's process ends (``PR_SET_PDEATHSIG``). Elsewhere, a thread does the same.

Nothing of this needs pydantic, nothing is shown, and nothing fails loudly here: a config
error or no key is left to the app, which reads the settings itself and says what is wrong as
it always does. A read Dixa (or the network) failed, after the client's own retries, is handed
over as the client's error (:attr:`EarlyStart.error`, the key blanked out of it): the app
shows it as it shows a failed read of its own, without sending the request again.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, BinaryIO

from dixa_tui.session.settings import Resolved, Settings

if TYPE_CHECKING:
    import httpx

    from dixa_tui.api.errors import DixaError
    from dixa_tui.api.notices import RetryNotice
    from dixa_tui.api.rows import DefinitionFields, DefinitionRow
    from dixa_tui.config import Profile
    from dixa_tui.session.startcache import Cached, CachedRow

# The child's frames: one byte of kind, eight of length, the payload.
RESOLVED, NOTICE, ROWS, PAGE, END, FAILED = b"R", b"N", b"L", b"P", b"E", b"F"
ROWS_PART = b"l"  # rows, more to come (``ROWS`` is the last part)
# The demo organization's list as its mock serves it (``tools/demo_listing.py`` writes it; a
# test keeps it so): ``--demo`` paints it as a cached list, then reads it from the mock.
DEMO_LISTING = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                            "mock", "data", "demo-listing.json")


@dataclass
class EarlyStart:
    """What was started before Textual: the cache shown at once, or a read under way."""

    settings: Settings
    cached: Cached | None = None
    profile: Profile | None = None  # the profile the cache was looked up for (unchecked)
    started: bool = False  # the list is being read (there was no cache to show)
    resolved: Resolved | None = None
    # The list's rows, each id once, before its pages (from a child; a thread hands over
    # only the pages): what decoding the pages gives (``api.rows.decode_rows``, then
    # ``api.salvage.first_of_each_id``). None: not (yet) come, or not readable as rows.
    rows: Sequence[DefinitionFields] | None = None
    pages: list[bytes] | None = None  # None once ended: the app reads the list itself...
    error: DixaError | None = None  # ...or shows why Dixa's answer was none (not read again)
    transport: httpx.AsyncBaseTransport | None = None  # the demo's, for its session too
    _done: threading.Event = field(default_factory=threading.Event)
    _resolved: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _callback: Callable[[], None] | None = None
    _rows_callbacks: list[Callable[[], None]] = field(default_factory=list)
    # Set once the rows are painted (or will not be): until then the pages (10 times their
    # size) wait in the child, not crossing the pipe while the list is being painted.
    _rows_settled: threading.Event = field(default_factory=threading.Event)
    _notices: list[RetryNotice] = field(default_factory=list)
    _listener: Callable[[RetryNotice], None] | None = None
    child: int | None = None  # the forked child's pid, until it is reaped
    _child_lock: threading.Lock = field(default_factory=threading.Lock)

    def stop(self) -> None:
        """End the read where it is: a child still running is asked to end (SIGTERM), then
        made to (SIGKILL), and reaped, once (the app has quit, the start was abandoned, or
        the child has handed everything over; it must not go on holding the key or sending
        the request). A thread cannot be stopped: it ends on its own, unheard."""
        self._rows_settled.set()
        with self._child_lock:  # one reaper: the pid cannot be reused before it is reaped
            pid, self.child = self.child, None
        if pid is None or _reaped(pid, 0):
            return
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)
        if _reaped(pid, CHILD_GRACE):
            return
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.waitpid(pid, 0)

    def done(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)

    def wait_resolved(self, timeout: float | None = None) -> bool:
        """Wait until the settings are resolved (:attr:`resolved`; None when they could
        not be: the app resolves them itself), while the list is still on its way."""
        return self._resolved.wait(timeout)

    def when_done(self, callback: Callable[[], None]) -> None:
        """``callback()`` once the read has ended (at once if it has; from another thread
        otherwise: hand it to the event loop, e.g. with ``post_message``)."""
        with self._lock:
            if not self._done.is_set():
                self._callback = callback
                return
        callback()

    def when_rows(self, callback: Callable[[], None]) -> None:
        """``callback()`` once the rows have come (:attr:`rows`): at once if they have;
        from another thread otherwise (each callback once, in the order given). Never when
        they do not come (the read has ended without them, or failed): :meth:`when_done`
        says that."""
        with self._lock:
            if self.rows is None:
                self._rows_callbacks.append(callback)
                return
        callback()

    def rows_settled(self) -> None:
        """The rows are painted, or will not be (the list had others, or the app is
        going): the pages may come now."""
        self._rows_settled.set()

    def _rows_came(self, rows: Sequence[DefinitionFields]) -> None:
        with self._lock:
            if self._done.is_set():
                self._rows_settled.set()
                return  # too late: the pages (or nothing) are what the app has
            self.rows = rows
            callbacks, self._rows_callbacks = self._rows_callbacks, []
        for callback in callbacks:
            callback()

    def on_retry(self, listener: Callable[[RetryNotice], None]) -> None:
        """``listener(notice)`` for each retry of the read: those told so far at once, the
        next ones from another thread as they happen."""
        with self._lock:
            told, self._listener = list(self._notices), listener
        for notice in told:
            listener(notice)

    def _retried(self, notice: RetryNotice) -> None:
        with self._lock:
            self._notices.append(notice)
            listener = self._listener
        if listener is not None:
            listener(notice)

    def _finish(self) -> None:
        self._resolved.set()
        with self._lock:
            self._done.set()
            callback, self._callback = self._callback, None
        if callback is not None:
            callback()


_pending: EarlyStart | None = None  # begun, not yet taken by the app (``take``)


def take(settings: Settings) -> EarlyStart | None:
    """The start :func:`begin` made for ``settings``, once (the terminal UI takes it; it
    stops it when it quits). A start made for other settings is abandoned: stopped."""
    global _pending
    early, _pending = _pending, None
    if early is not None and early.settings != settings:
        early.stop()
        return None
    return early


def abandon() -> None:
    """Stop the start :func:`begin` made, when nothing took it (the app did not run)."""
    global _pending
    early, _pending = _pending, None
    if early is not None:
        early.stop()


def begin(settings: Settings, *, fetch: bool = True) -> EarlyStart:
    """Show the profile's cached list, or start reading the list (unless not ``fetch``: then
    the app reads it, as without an early start); never raises. The app takes it over with
    :func:`take`."""
    abandon()  # a start before this one that nothing took
    global _pending
    early = _pending = EarlyStart(settings)
    if settings.demo:
        early.profile, early.cached = _demo(settings)
    elif not settings.no_cache:
        early.profile, early.cached = _cached(settings)
    if early.cached is not None or not fetch:
        early._finish()
        return early
    early.started = True
    # Not on macOS: its system frameworks (the Keychain, proxy settings) are not safe to use
    # in a forked child; a thread there, as where there is no fork.
    if hasattr(os, "fork") and sys.platform != "darwin" and threading.active_count() == 1:
        try:
            _fork(early)
            return early
        except OSError:
            pass  # no process to spare: a thread then
    threading.Thread(target=_in_thread, args=(early,), name="dixa-tui early read",
                     daemon=True).start()
    return early


def _demo(settings: Settings) -> tuple[Profile | None, Cached | None]:
    """The demo's own list, packaged: shown as a cached list of no age."""
    try:
        from dixa_tui.session.settings import load_profile
        from dixa_tui.session.startcache import packaged

        return load_profile(settings)[0], packaged(DEMO_LISTING)
    except Exception:  # the mock serves it anyway
        return None, None


def _cached(settings: Settings) -> tuple[Profile | None, Cached | None]:
    """The profile's start-up cache, when it was read with the key this start uses (the key
    is looked up for that: ``DIXA_API_KEY``, else the keyring); no key, no cache."""
    try:
        from dixa_tui.config import peek_profile

        profile = peek_profile(settings.profile_name, settings.base_url, settings.api_version)
        if profile is None or not profile.startup_cache:
            return profile, None
        from dixa_tui.paths import startup_cache_path

        if not startup_cache_path(profile.name).is_file():
            return profile, None
        from dixa_tui.secrets import find_key

        key = find_key(profile.name, use_env=settings.env_key).key
        if key is None:
            return profile, None
        from dixa_tui.api.secret import fingerprint
        from dixa_tui.session.startcache import load

        return profile, load(profile.name, profile.base_url, profile.api_version,
                             fingerprint(key))
    except Exception:  # a cache is a bonus: whatever fails here, the list is read anyway
        return None, None


# -- in this process --------------------------------------------------------------------


def _in_thread(early: EarlyStart) -> None:
    try:
        resolved = _resolve(early.settings)
        if resolved is None:
            return
        if early.settings.demo:
            from dixa_tui.session.core import demo_transport

            early.transport = demo_transport()
        early.resolved = resolved
        early._resolved.set()  # the app's session may start now
        read = _read(early.settings, resolved, early.transport, early._retried)
        if isinstance(read, list):
            early.pages = read
        else:
            early.error = read
    finally:
        early._finish()


def _resolve(settings: Settings) -> Resolved | None:
    """The settings resolved, when they can be and there is a key to read the list with."""
    from dixa_tui.session.settings import resolve

    try:
        return resolve(settings)
    except Exception:  # the app resolves them again and says what is wrong
        return None


def _read(settings: Settings, resolved: Resolved,
          transport: httpx.AsyncBaseTransport | None,
          retried: Callable[[RetryNotice], None],
          rows: dict[int, list[DefinitionRow]] | None = None
          ) -> list[bytes] | DixaError | None:
    """The list's pages; or why it could not be read, as the client said it after its own
    retries (the key blanked out of it: the app shows it as it shows a failed read of its
    own); or None (no key, or something unexpected: the app reads the list itself).
    ``rows``: each page's rows, by the page's ``id``, read as the page is checked (one
    reading of 58 MB, not two), for the pages that are rows."""
    if resolved.key is None or resolved.key_source is None:
        return None
    import asyncio

    from dixa_tui.api.notices import retries_reported
    from dixa_tui.session.core import demo_transport, open_client

    key = resolved.key
    # The pages are handed out through a box, not as the main task's result: on Python
    # 3.11, ``asyncio.run`` formats that task's ``repr`` (its result's included) twice while
    # restoring the SIGINT handler, and the repr of 58 MB of pages takes 0.3 s (as in
    # ``cli.common.run``).
    box: list[list[bytes]] = []

    reader = None
    if rows is not None:
        from dixa_tui.api.answers import Answer, body_of
        from dixa_tui.api.client import list_page
        from dixa_tui.api.rows import rows_and_next_key

        def reader(op: str, answer: Answer) -> tuple[bytes, str | None]:
            body = body_of(op, answer)
            found = rows_and_next_key(body)
            if found is None:
                return list_page(op, answer)  # checked as ever: it says what is wrong
            rows[id(body)] = found[0]
            return body, found[1]

    async def get() -> None:
        used = transport if transport is not None or not settings.demo else demo_transport()
        client = open_client(resolved.profile, key, used)
        try:
            with retries_reported(retried):
                box.append(await client.fetch_definitions(reader))
        finally:
            await client.aclose()

    from dixa_tui.api.errors import DixaError

    try:
        asyncio.run(get())
        return box[0]
    except DixaError as exc:
        return exc.redacted(key.get_secret_value())
    except Exception:
        return None


# -- in a child process -----------------------------------------------------------------


PIPE_SIZE = 1024 * 1024  # a larger pipe: fewer turns between the two processes (Linux)
ROWS_PAINT_WAIT = 1.0  # seconds the pages wait for the rows to be painted, at most
CHILD_GRACE = 0.5  # seconds a child asked to end (SIGTERM) has before it is killed
PR_SET_PDEATHSIG = 1  # Linux's prctl option: a signal for the child when its parent ends


def _reaped(pid: int, within: float) -> bool:
    """Whether the child ``pid`` has exited (and is reaped now), looking for ``within``
    seconds; a pid that is not this process's child counts as reaped."""
    deadline = time.monotonic() + within
    while True:
        try:
            if os.waitpid(pid, os.WNOHANG)[0] != 0:
                return True
        except ChildProcessError:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.01)


def _fork(early: EarlyStart) -> None:
    reading, writing = os.pipe()
    with contextlib.suppress(OSError, AttributeError):
        import fcntl

        fcntl.fcntl(writing, fcntl.F_SETPIPE_SZ, PIPE_SIZE)
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # the child: read, hand over, exit (never back into the caller)
        code = 0
        try:
            _die_with_parent(parent)
            os.close(reading)
            _quiet()
            with os.fdopen(writing, "wb") as out:
                _child(early.settings, out)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    early.child = pid
    os.close(writing)
    threading.Thread(target=_from_child, args=(early, reading),
                     name="dixa-tui early read", daemon=True).start()


def _die_with_parent(parent: int) -> None:
    """On Linux, the child is sent SIGTERM when the app's process ends, however it ends
    (the app kills it when it quits; this covers a crash or a kill of the app)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the app ended before that was asked
        os._exit(1)


def _quiet() -> None:
    """The child never writes to the terminal, nor reads from it."""
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)


READ_SIZE = 1024 * 1024  # bytes the child asks of a plain-HTTP socket at a time


def _whole_reads() -> None:
    """Over plain HTTP, httpcore asks for a response 64 KB at a time, and anyio hands each
    such piece out of the (256 KB) chunk asyncio received, copying the chunk's rest back each
    time: at 58 MB, about 30 ms of the read. This process reads one list, then exits: its
    connections ask for whole chunks (``READ_NUM_BYTES``, the size httpcore asks for). Over
    TLS, as Dixa serves, a read returns one TLS record (16 KB) whatever is asked: nothing
    changes there. What gains is the mock over loopback (``--demo``, ``bench/``) and any
    plain-HTTP base URL."""
    with contextlib.suppress(ImportError, AttributeError):
        import httpcore

        httpcore.AsyncHTTP11Connection.READ_NUM_BYTES = READ_SIZE


def _child(settings: Settings, out: BinaryIO) -> None:
    from dixa_tui.session.handover import error_bytes, notice_bytes, resolved_bytes

    def send(kind: bytes, payload: bytes) -> None:
        out.write(kind + len(payload).to_bytes(8, "big"))
        out.write(payload)  # not joined to the head: a page can be 50 MB
        out.flush()

    resolved = _resolve(settings)
    if resolved is None:
        return
    _whole_reads()
    send(RESOLVED, resolved_bytes(resolved))
    decoded: dict[int, list[DefinitionRow]] = {}
    read = _read(settings, resolved, None, lambda notice: send(NOTICE, notice_bytes(notice)),
                 decoded)
    if isinstance(read, list):
        for payload, last in _row_parts(read, decoded):
            send(ROWS if last else ROWS_PART, payload)
        for page in read:
            send(PAGE, page)
        send(END, b"")
    elif read is not None:
        send(FAILED, error_bytes(read))


ROWS_STEP = 8192  # rows encoded (and sent, then decoded by the app) at a time


def _row_parts(pages: list[bytes], decoded: dict[int, list[DefinitionRow]] | None = None
               ) -> Iterator[tuple[bytes, bool]]:
    """The rows the app paints from ``pages`` (decoded and rid of repeated ids, as the app
    would), encoded ``ROWS_STEP`` at a time, each with whether it is the last part: the app
    decodes a part while the next is encoded. Nothing when they are not readable as rows
    (the app reads the pages); a part left unfinished (an error) is never the last, so the
    app drops those it has. ``decoded``: rows already read, by page ``id``."""
    try:
        rows = _decoded_rows(pages, decoded)
        if rows is None:
            return
        from dixa_tui.session.handover import decoded_rows_bytes

        seen: set[str] = set()
        repeats = False  # an id came twice: from then on, rows are kept one by one
        for start in range(0, max(len(rows), 1), ROWS_STEP):
            part = rows[start:start + ROWS_STEP]
            if not repeats:
                before = len(seen)
                seen.update([row.id for row in part])  # (the usual case: no id twice)
                if len(seen) - before != len(part):
                    repeats = True
                    seen = {row.id for row in rows[:start]}
            if repeats:  # the first row of each id is kept, as the app keeps it
                fresh = []
                for row in part:
                    if row.id not in seen:
                        seen.add(row.id)
                        fresh.append(row)
                part = fresh
            yield decoded_rows_bytes(part), start + ROWS_STEP >= len(rows)
    except Exception:  # the pages are handed over anyway
        return


def _decoded_rows(pages: list[bytes], decoded: dict[int, list[DefinitionRow]] | None
                  ) -> list[DefinitionRow] | None:
    """Every page's rows, in order (repeated ids included); None when they are not rows (a
    page not read as rows as it was checked is not rows: no second reading)."""
    if decoded is None:
        from dixa_tui.api.rows import decode_rows

        return decode_rows(pages)
    found = [decoded.get(id(page)) for page in pages]
    if any(page_rows is None for page_rows in found):
        return None
    return [row for page_rows in found if page_rows is not None for row in page_rows]


def _from_child(early: EarlyStart, fd: int) -> None:
    from dixa_tui.session.handover import error_of, notice_of, resolved_of, rows_of

    pages: list[bytes] = []
    parts: list[CachedRow] | None = []  # the rows' parts so far (None: unreadable)
    try:
        with os.fdopen(fd, "rb") as child:
            while head := child.read(9):
                size = int.from_bytes(head[1:9], "big")
                payload = child.read(size)
                if len(head) < 9 or len(payload) < size:
                    break  # the child died mid-frame: the app reads the list itself
                kind = head[:1]
                if kind == RESOLVED:
                    early.resolved = resolved_of(payload)
                    early._resolved.set()
                elif kind == NOTICE:
                    early._retried(notice_of(payload))
                elif kind in (ROWS_PART, ROWS):
                    if parts is not None:
                        try:
                            parts.extend(rows_of(payload))
                        except ValueError:
                            parts = None  # unreadable: the pages will do
                    if kind == ROWS and parts is not None:
                        early._rows_came(parts)
                        parts = None  # (the rows are the app's now)
                        # The pages come once the rows are painted: reading 58 MB from the
                        # pipe, as the child writes them, takes both cores from the paint.
                        early._rows_settled.wait(ROWS_PAINT_WAIT)
                elif kind == PAGE:
                    pages.append(payload)
                elif kind == END:
                    early.pages = pages
                elif kind == FAILED:
                    early.error = error_of(payload)
                else:
                    raise ValueError("not a frame of the early read")
    except Exception:  # a malformed frame: the app reads the list itself
        early.pages, early.error = None, None
    finally:
        early._finish()  # the app goes on at once, never waiting for the child...
        early.stop()  # ...which has handed everything over, or is of no more use
