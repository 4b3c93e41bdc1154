"""A real gnome-keyring Secret Service on a private D-Bus session bus, started by pytest.

This is the in-process equivalent of the GUIDE's manual recipe::

    dbus-run-session -- bash -c 'echo -n pw | gnome-keyring-daemon --unlock \\
        --components=secrets >/dev/null; pytest -m keyring'

so a plain ``pytest`` runs these tests, as root, in CI, with no stdin and no desktop. The
daemons get their own HOME and XDG dirs under a temporary folder, never the developer's
keyring, and DISPLAY/WAYLAND_DISPLAY are removed so that an unlock prompt can never pop up
on a real screen: gnome-keyring's prompter fails to start and the prompt counts as dismissed.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import select
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import keyring
import pytest
import secretstorage
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import DBusConnection, open_dbus_connection
from keyring.backends import SecretService
from secretstorage.util import DBusAddressWrapper, format_secret, open_session

SECRETS_NAME = "org.freedesktop.secrets"
SECRETS_PATH = "/org/freedesktop/secrets"
GNOME_INTERNAL = "org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface"
PASSWORD = b"test-keyring-password"
START_TIMEOUT = 10.0
STOP_TIMEOUT = 5.0
STATE_DIRS = ("home", "data", "config", "cache", "state", "runtime")
SKIP_REASON = "gnome-keyring-daemon not installed: apt-get install gnome-keyring dbus"
REQUIRE_VAR = "DIXA_TUI_REQUIRE_KEYRING"  # set by .ci/run, which installs them
# Variables that would point the daemons (or the prompter they spawn) at the developer's
# own session: a real bus, a real keyring, a real screen.
INHERITED_SESSION_VARS = (
    "DBUS_SESSION_BUS_ADDRESS",
    "DISPLAY",
    "WAYLAND_DISPLAY",
    "GNOME_KEYRING_CONTROL",
    "SSH_AUTH_SOCK",
    "XAUTHORITY",
)


def _die_with_parent() -> Callable[[], None] | None:
    """A preexec_fn that makes a daemon get SIGTERM if pytest itself is killed (Linux).

    Teardown normally stops the daemons; this covers ``kill -9`` of the test run, so no
    dbus-daemon outlives it.
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None
    pr_set_pdeathsig = 1

    def preexec() -> None:
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)

    return preexec


@dataclass
class PrivateKeyring:
    """One dbus-daemon plus one gnome-keyring-daemon, and the folders they may write to."""

    root: Path
    address: str
    env: dict[str, str]
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    logs: list[IO[bytes]] = field(default_factory=list)

    @property
    def log_path(self) -> Path:
        return self.root / "daemons.log"

    def log_text(self) -> str:
        with contextlib.suppress(OSError):
            return self.log_path.read_text(errors="replace")
        return ""

    def state_dirs(self) -> list[Path]:
        """Every folder the daemons were told to use (HOME and the XDG dirs)."""
        return [self.root / name for name in STATE_DIRS]

    @contextlib.contextmanager
    def connection(self) -> Iterator[DBusConnection]:
        conn = open_dbus_connection(bus=self.address)
        try:
            yield conn
        finally:
            conn.close()

    def default_collection_path(self, conn: DBusConnection) -> str:
        service = DBusAddressWrapper(SECRETS_PATH, "org.freedesktop.Secret.Service", conn)
        (path,) = service.call("ReadAlias", "s", "default")
        return str(path)

    def is_locked(self) -> bool:
        with self.connection() as conn:
            return bool(secretstorage.get_default_collection(conn).is_locked())

    def lock(self) -> None:
        """Lock the default ("login") collection, as a screen lock or timeout would."""
        with self.connection() as conn:
            collection = secretstorage.get_default_collection(conn)
            collection.lock()
            assert collection.is_locked()

    def unlock(self) -> None:
        """Unlock without a prompt, through gnome-keyring's internal interface.

        That interface exists for exactly this (seahorse, tests); the public Unlock method
        would need a prompter, i.e. a desktop.
        """
        with self.connection() as conn:
            path = self.default_collection_path(conn)
            session = open_session(conn)
            secret = format_secret(session, PASSWORD, "text/plain")
            internal = DBusAddressWrapper(SECRETS_PATH, GNOME_INTERNAL, conn)
            internal.call("UnlockWithMasterPassword", "o(oayays)", path, secret)

    def clear(self) -> None:
        """Unlock and empty the default collection, so each test starts from nothing."""
        if self.is_locked():
            self.unlock()
        with self.connection() as conn:
            for item in secretstorage.get_default_collection(conn).get_all_items():
                item.delete()

    def stop(self) -> None:
        for proc in reversed(self.processes):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(STOP_TIMEOUT)
        for log in self.logs:
            log.close()


def _read_address(proc: subprocess.Popen[bytes], deadline: float) -> str:
    """The first line dbus-daemon prints (its address), without blocking past ``deadline``."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    data = b""
    while b"\n" not in data:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("dbus-daemon did not print its address")
        ready, _, _ = select.select([fd], [], [], remaining)
        if ready:
            chunk = os.read(fd, 4096)
            if not chunk:
                raise RuntimeError(f"dbus-daemon exited with status {proc.wait()}")
            data += chunk
    return data.split(b"\n", 1)[0].decode().strip()


def _wait_for_secret_service(keyring_: PrivateKeyring, daemon: subprocess.Popen[bytes],
                             deadline: float, unlocked: bool) -> None:
    """Poll until gnome-keyring owns the Secret Service name (and, if ``unlocked``, until its
    login keyring is open).

    NameHasOwner does not trigger D-Bus activation, so polling cannot start a second,
    locked gnome-keyring behind our back.
    """
    with keyring_.connection() as conn:
        while True:
            if daemon.poll() is not None:
                raise RuntimeError(f"gnome-keyring-daemon exited with status {daemon.returncode}")
            reply = conn.send_and_get_reply(message_bus.NameHasOwner(SECRETS_NAME), timeout=5)
            if reply.body[0]:
                if not unlocked:
                    return
                with contextlib.suppress(Exception):
                    if not secretstorage.get_default_collection(conn).is_locked():
                        return
            if time.monotonic() > deadline:
                raise TimeoutError("gnome-keyring-daemon did not open its login keyring")
            time.sleep(0.02)


def start_private_keyring(root: Path, unlock: bool = True) -> PrivateKeyring:
    """Start a private session bus and a gnome-keyring on it, under ``root``.

    With ``unlock`` (the normal case) the login keyring is created and unlocked with
    PASSWORD, as PAM does at a desktop login. Without it, gnome-keyring runs with no keyring
    at all, like a server where it was D-Bus-activated but never unlocked.
    """
    dbus_daemon = shutil.which("dbus-daemon")
    gnome_keyring = shutil.which("gnome-keyring-daemon")
    if dbus_daemon is None or gnome_keyring is None:
        if os.environ.get(REQUIRE_VAR):  # CI installed them: a skip there would hide a gap
            pytest.fail(f"{REQUIRE_VAR} is set but {SKIP_REASON}")
        pytest.skip(SKIP_REASON)

    env = {k: v for k, v in os.environ.items() if k not in INHERITED_SESSION_VARS}
    dirs = {}
    for name in STATE_DIRS:
        dirs[name] = root / name
        dirs[name].mkdir(mode=0o700, parents=True, exist_ok=True)
    env.update(
        HOME=str(dirs["home"]),
        XDG_DATA_HOME=str(dirs["data"]),
        XDG_CONFIG_HOME=str(dirs["config"]),
        XDG_CACHE_HOME=str(dirs["cache"]),
        XDG_STATE_HOME=str(dirs["state"]),
        XDG_RUNTIME_DIR=str(dirs["runtime"]),
    )
    preexec = _die_with_parent()
    log = (root / "daemons.log").open("ab")
    deadline = time.monotonic() + START_TIMEOUT
    bus = subprocess.Popen(
        # The socket goes in our runtime dir, not /tmp; --nofork keeps it our child.
        [dbus_daemon, "--session", "--nofork", "--print-address=1",
         f"--address=unix:dir={dirs['runtime']}"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log, env=env,
        preexec_fn=preexec,
    )
    started = PrivateKeyring(root=root, address="", env=env, processes=[bus], logs=[log])
    try:
        started.address = _read_address(bus, deadline)
        env["DBUS_SESSION_BUS_ADDRESS"] = started.address
        daemon = subprocess.Popen(
            # --foreground keeps it our child (so we can stop it); --unlock reads the login
            # keyring's password from stdin, creating the keyring on first use.
            [gnome_keyring, "--foreground", *(["--unlock"] if unlock else []),
             "--components=secrets"],
            stdin=subprocess.PIPE, stdout=log, stderr=log, env=env, preexec_fn=preexec,
        )
        started.processes.append(daemon)
        assert daemon.stdin is not None
        if unlock:
            daemon.stdin.write(PASSWORD)
        daemon.stdin.close()
        _wait_for_secret_service(started, daemon, deadline, unlocked=unlock)
    except Exception as exc:
        started.stop()
        pytest.fail(f"could not start a private gnome-keyring: {exc!r}\n{started.log_text()}")
    except BaseException:
        started.stop()
        raise
    return started


@pytest.fixture(scope="module")
def private_keyring(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateKeyring]:
    """One private bus + gnome-keyring for the module (starting one takes ~50 ms)."""
    started = start_private_keyring(tmp_path_factory.mktemp("keyring"))
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture
def start_keyring(tmp_path: Path) -> Iterator[Callable[..., PrivateKeyring]]:
    """For tests that need a keyring of their own (e.g. one that was never unlocked)."""
    started: list[PrivateKeyring] = []

    def start(unlock: bool = True) -> PrivateKeyring:
        started.append(start_private_keyring(tmp_path / f"keyring{len(started)}", unlock))
        return started[-1]

    try:
        yield start
    finally:
        for each in started:
            each.stop()


@pytest.fixture
def secret_service(private_keyring: PrivateKeyring,
                   monkeypatch: pytest.MonkeyPatch) -> Iterator[PrivateKeyring]:
    """Point this process at the private bus and select the Secret Service backend.

    The shared autouse in-memory keyring (tests/conftest.py) is set up first; this replaces
    it for the test and puts it back afterwards, along with DBUS_SESSION_BUS_ADDRESS.
    """
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", private_keyring.address)
    private_keyring.clear()
    previous = keyring.get_keyring()
    keyring.set_keyring(SecretService.Keyring())
    try:
        yield private_keyring
    finally:
        keyring.set_keyring(previous)
        private_keyring.clear()

