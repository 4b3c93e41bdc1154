"""The start of the terminal UI before Textual: the definitions list on its way while Textual
loads.

Importing Textual and drawing the first frame takes about 0.2 s; the list needs the profile,
the key, httpx and a request. :func:`begin` runs before Textual is imported:

* with a start-up cache of the profile (``session.startcache``), it reads the cache's rows
  (a few ms) and starts nothing else: the first frame paints them, and the list is read
  again afterwards, when nothing competes with the first frame;
* otherwise it starts a thread that resolves the settings (config file, key) and GETs the
  list with the client (``DixaClient.fetch_definitions``: its timeouts, proxies, CA store,
  pacing and retries, the key rule), keeping the pages as Dixa sent them. The app takes
  them over when it is up (:meth:`EarlyStart.when_done`); the session it then opens uses
  the settings resolved here (the config file and the keyring are read once).

Nothing here needs pydantic, and nothing is shown: failures are kept for the app, which
shows them as it shows any failure of a load (retrying is the app's own load).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dixa_tui.session.settings import Resolved, Settings

if TYPE_CHECKING:
    import httpx

    from dixa_tui.api.notices import RetryNotice
    from dixa_tui.config import Profile
    from dixa_tui.session.startcache import Cached


@dataclass
class EarlyStart:
    """What was started before Textual: the cache shown at once, or a fetch under way."""

    settings: Settings
    cached: Cached | None = None
    profile: Profile | None = None  # the profile the cache was looked up for (unchecked)
    resolved: Resolved | None = None
    pages: list[bytes] | None = None
    error: Exception | None = None  # resolving (a config error) or fetching failed
    notices: list[RetryNotice] = field(default_factory=list)  # retries of the fetch
    transport: httpx.AsyncBaseTransport | None = None  # the demo's, for its session too
    _done: threading.Event = field(default_factory=threading.Event)
    _resolved: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _callback: Callable[[], None] | None = None

    @property
    def fetching(self) -> bool:
        """A fetch was started (there was no cache to show)."""
        return self.cached is None

    def done(self) -> bool:
        return self._done.is_set()

    def wait_resolved(self, timeout: float | None = None) -> bool:
        """Wait until the settings are resolved (:attr:`resolved`, or :attr:`error`): the
        app's session starts from them, while the list is still on its way."""
        return self._resolved.wait(timeout)

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)

    def when_done(self, callback: Callable[[], None]) -> None:
        """``callback()`` once the fetch has ended (at once if it has; from the fetching
        thread otherwise: hand it to the event loop with ``call_from_thread``)."""
        with self._lock:
            if not self._done.is_set():
                self._callback = callback
                return
        callback()

    def _finish(self) -> None:
        self._resolved.set()
        with self._lock:
            self._done.set()
            callback, self._callback = self._callback, None
        if callback is not None:
            callback()


def begin(settings: Settings) -> EarlyStart:
    """Show the profile's cached list, or start reading the list; never raises."""
    early = EarlyStart(settings)
    if not settings.demo and not settings.no_cache:
        early.profile, early.cached = _cached(settings)
    if early.cached is not None:
        early._finish()
        return early
    threading.Thread(target=_fetch, args=(early,), name="dixa-tui early fetch",
                     daemon=True).start()
    return early


def _cached(settings: Settings) -> tuple[Profile | None, Cached | None]:
    try:
        from dixa_tui.config import peek_profile
        from dixa_tui.session.startcache import load

        profile = peek_profile(settings.profile_name, settings.base_url, settings.api_version)
        if profile is None or not profile.startup_cache:
            return profile, None
        return profile, load(profile.name, profile.base_url, profile.api_version)
    except Exception:  # a cache is a bonus: whatever fails here, the list is read anyway
        return None, None


def _fetch(early: EarlyStart) -> None:
    try:
        from dixa_tui.session.settings import resolve

        resolved = resolve(early.settings)
        if early.settings.demo:
            from dixa_tui.session.core import demo_transport

            early.transport = demo_transport()
        early.resolved = resolved
        early._resolved.set()  # the app's session may start now
        if resolved.key is not None and resolved.key_source is not None:
            import asyncio

            asyncio.run(_get(early, resolved))
    except Exception as exc:  # shown by the app, as a failure of the load
        early.error = exc
    finally:
        early._finish()


async def _get(early: EarlyStart, resolved: Resolved) -> None:
    from dixa_tui.api.notices import retries_reported
    from dixa_tui.session.core import open_client

    assert resolved.key is not None
    client = open_client(resolved.profile, resolved.key, early.transport)
    try:
        with retries_reported(early.notices.append):
            early.pages = await client.fetch_definitions()
    finally:
        await client.aclose()
