"""A headless Linux machine with no keyring at all, as real processes: no D-Bus session bus, so
the keyring library finds no backend on its own (nothing is faked in-process). Every command
says so plainly, names DIXA_API_KEY, exits 2 without a traceback, and DIXA_API_KEY then works.
(The TUI on such a machine, in a real terminal: tests/e2e/test_tmux.py.)"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="the Secret Service (D-Bus) is the Linux keyring")

KEY = "sk_no_backend_machine_62b0"
NO_KEYRING = "No OS keyring is available on this machine"


def machine(home: Path) -> dict[str, str]:
    """An environment like a fresh server's: no session bus, no desktop, an empty runtime dir."""
    runtime = home / "run-user"
    runtime.mkdir(mode=0o700, exist_ok=True)
    keep = ("PATH", "LANG", "LC_ALL", "SYSTEMROOT")
    env = {k: v for k, v in os.environ.items() if k in keep or k.startswith("XDG_")
           or k in ("HOME", "DIXA_TUI_CONFIG")}
    env.update(XDG_RUNTIME_DIR=str(runtime), NO_COLOR="1")
    return env


def run(env: dict[str, str], *args: str,
        stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-m", "dixa_tui", *args], input=stdin, env=env,
                          capture_output=True, text=True, timeout=60)
    assert "Traceback" not in done.stderr + done.stdout
    assert KEY not in done.stderr + done.stdout
    return done


def test_every_command_says_there_is_no_keyring(home: Path, serve_mock: Any) -> None:
    url, _, _ = serve_mock(api_key=KEY)
    env = machine(home)
    assert "DBUS_SESSION_BUS_ADDRESS" not in env and "DISPLAY" not in env

    status = run(env, "auth", "status")
    assert status.returncode == 2
    assert "backend:  none (no OS keyring available)" in status.stdout
    assert NO_KEYRING in status.stdout and "DIXA_API_KEY" in status.stdout

    stored = run(env, "auth", "set", stdin=KEY + "\n")
    assert stored.returncode == 2
    assert NO_KEYRING in stored.stderr and "DIXA_API_KEY" in stored.stderr

    listed = run(env, "--base-url", url, "definitions", "list")
    assert listed.returncode == 2
    assert "No Dixa API key for profile 'default'" in listed.stderr
    assert NO_KEYRING in listed.stderr and "DIXA_API_KEY" in listed.stderr

    with_env = run({**env, "DIXA_API_KEY": KEY}, "--base-url", url, "definitions", "list")
    assert with_env.returncode == 0, with_env.stderr
    assert "contact_reason" in with_env.stdout
    assert not any(p.is_file() and KEY.encode() in p.read_bytes() for p in home.rglob("*"))


def test_a_keyring_disabled_by_configuration(home: Path) -> None:
    env = {**machine(home), "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
    status = run(env, "auth", "status")
    assert status.returncode == 2
    assert "disabled by configuration (null backend)" in status.stdout
    assert "DIXA_API_KEY" in status.stdout
