"""Every test runs with its own config/state/cache dirs and an in-memory keyring.

Nothing a test does may touch the real user's files or keyring. Tests that need the real
Secret Service (tests/keyring) replace the in-memory backend with their own fixture.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

if TYPE_CHECKING:
    from dixa_tui.mock import Knobs, MockState


class MemoryKeyring(KeyringBackend):
    """A keyring that lives in a dict, for tests that are not about the OS keyring."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.store:
            raise PasswordDeleteError("not found")
        del self.store[(service, username)]


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path_factory: pytest.TempPathFactory,
                  monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Fresh HOME and XDG dirs, no DIXA_* variables from the developer's shell."""
    home = tmp_path_factory.mktemp("home")
    for var, sub in (("XDG_CONFIG_HOME", ".config"), ("XDG_DATA_HOME", ".local/share"),
                     ("XDG_STATE_HOME", ".local/state"), ("XDG_CACHE_HOME", ".cache")):
        (home / sub).mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(var, str(home / sub))
    run = home / "run"  # the runtime dir: where clients share their pace (api.sharedpace)
    run.mkdir(mode=0o700, exist_ok=True)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(run))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("DIXA_TUI_CONFIG", str(home / ".config" / "dixa-tui" / "config.toml"))
    for var in ("DIXA_API_KEY", "DIXA_MOCK_KEY", "DIXA_TUI_DEBUG", "NO_COLOR"):
        monkeypatch.delenv(var, raising=False)
    yield home
    from dixa_tui import debuglog

    debuglog.disable()  # a test that turned the debug log on (and failed) leaves it off


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def home(isolated_dirs: Path) -> Path:
    return isolated_dirs


def served(app: object) -> AbstractContextManager[str]:
    """``app`` over real HTTP with uvicorn on a free port of 127.0.0.1, in a thread."""
    from dixa_tui.mock.server import serving

    return serving(app)


@pytest.fixture
def serve_asgi() -> Iterator[Callable[[object], str]]:
    """``serve_asgi(app)`` serves any ASGI app over loopback until the test ends; -> URL."""
    from contextlib import ExitStack

    with ExitStack() as stack:
        yield lambda app: stack.enter_context(served(app))


@pytest.fixture
def serve_mock(
    serve_asgi: Callable[[object], str],
) -> Callable[..., tuple[str, object, object]]:
    """Start mocks over loopback: ``serve_mock(api_key=..., state=..., knobs=...)`` returns
    ``(base_url, state, knobs)``; every server stops when the test ends."""
    from dixa_tui.mock import DEMO_API_KEY, Knobs, MockState, create_app

    def start(api_key: str = DEMO_API_KEY, state: MockState | None = None,
              knobs: Knobs | None = None) -> tuple[str, MockState, Knobs]:
        state = state or MockState.demo()
        knobs = knobs or Knobs()
        return serve_asgi(create_app(state, api_key=api_key, knobs=knobs)), state, knobs

    return start


@pytest.fixture
def loopback_mock(serve_mock: Callable[..., tuple[str, object, object]]) -> tuple[str, object,
                                                                                  object]:
    """The demo mock over real HTTP on 127.0.0.1, key ``DEMO_API_KEY``: (url, state, knobs)."""
    return serve_mock()


# -- the mock every in-process test talks to (tests override ``state`` for another org) ---------


@pytest.fixture
def state() -> MockState:
    """A fresh demo organization per test."""
    from dixa_tui.mock import MockState

    return MockState.demo()


@pytest.fixture
def knobs() -> Knobs:
    """The mock's fault knobs, all off."""
    from dixa_tui.mock import Knobs

    return Knobs()
