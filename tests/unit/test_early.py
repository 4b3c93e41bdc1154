"""The early start (``session.early``): the list read before Textual loads, in a child
process or a thread, through the product's client; the cache shown instead when there is one;
whatever fails left to the app."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from dixa_tui.api.notices import RetryNotice
from dixa_tui.api.secret import Secret
from dixa_tui.config import Profile
from dixa_tui.mock import DEMO_API_KEY
from dixa_tui.mock.handlers import listing_body
from dixa_tui.session import early, startcache
from dixa_tui.session.handover import notice_bytes, notice_of, resolved_bytes, resolved_of
from dixa_tui.session.settings import Resolved, Settings

ROOT = Path(__file__).resolve().parents[2]


def test_with_a_cache_nothing_is_started(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dixa_tui.mock import MockState

    definitions = MockState.demo().definitions
    body = listing_body(MockState.demo())
    startcache.save("default", "http://127.0.0.1:9", "beta", [body], definitions)
    monkeypatch.setattr(early, "_fork", lambda e: pytest.fail("a read was started"))
    started = early.begin(Settings(base_url="http://127.0.0.1:9"))
    assert started.cached is not None and not started.fetching and started.done()
    assert len(started.cached.rows) == len(definitions)
    assert early.take(Settings(base_url="http://127.0.0.1:9")) is started
    assert early.take(Settings(base_url="http://127.0.0.1:9")) is None  # taken once
    # --no-cache: the cache is neither shown nor...
    quiet = early.begin(Settings(base_url="http://127.0.0.1:9", no_cache=True), fetch=False)
    assert quiet.cached is None


def test_a_start_with_another_setting_takes_nothing(home: Path) -> None:
    early.begin(Settings(demo=True), fetch=False)
    assert early.take(Settings()) is None


def test_the_demo_shows_its_packaged_list(home: Path) -> None:
    started = early.begin(Settings(demo=True), fetch=False)
    assert started.cached is not None and started.cached.saved_at is None
    assert started.profile is not None and started.profile.name == "demo"


def test_in_a_thread_the_list_is_read_with_the_resolved_settings(
        home: Path, loopback_mock: tuple[str, Any, Any],
        monkeypatch: pytest.MonkeyPatch) -> None:
    url, state, _ = loopback_mock
    monkeypatch.setenv("DIXA_API_KEY", DEMO_API_KEY)
    monkeypatch.delattr(os, "fork", raising=False)  # where there is no fork
    started = early.begin(Settings(base_url=url))
    assert started.fetching and started.wait(30)
    assert started.resolved is not None and started.resolved.key_source == "env"
    assert started.pages == [listing_body(state)]


def test_no_key_reads_nothing_and_the_app_asks(home: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(os, "fork", raising=False)
    started = early.begin(Settings(base_url="http://127.0.0.1:9"))
    assert started.wait(30)
    assert started.resolved is not None and started.resolved.key is None
    assert started.pages is None


def test_a_broken_config_is_left_to_the_app(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = home / "config.toml"
    config.write_text("[profiles.x]\ncolour = 1\n", encoding="utf-8")
    monkeypatch.setenv("DIXA_TUI_CONFIG", str(config))
    monkeypatch.delattr(os, "fork", raising=False)
    started = early.begin(Settings(profile_name="x"))
    assert started.wait(30) and started.wait_resolved(0)
    assert started.resolved is None and started.pages is None


def test_a_failed_read_is_left_to_the_app(home: Path, loopback_mock: tuple[str, Any, Any],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    url, _, knobs = loopback_mock
    knobs.failure_rate, knobs.failure_status = 1.0, 400
    monkeypatch.setenv("DIXA_API_KEY", DEMO_API_KEY)
    monkeypatch.delattr(os, "fork", raising=False)
    started = early.begin(Settings(base_url=url))
    assert started.wait(30)
    assert started.resolved is not None and started.pages is None


def test_in_a_child_process_the_list_and_settings_come_back(
        home: Path, loopback_mock: tuple[str, Any, Any]) -> None:
    """A fresh interpreter has one thread: the read happens in a forked child."""
    if not hasattr(os, "fork"):
        pytest.skip("no fork on this system")
    url, state, _ = loopback_mock
    code = (
        "import json, os, sys\n"
        "from dixa_tui.session import early\n"
        "from dixa_tui.session.settings import Settings\n"
        f"started = early.begin(Settings(base_url={url!r}))\n"
        "assert started.wait(60)\n"
        "import hashlib\n"
        "r = started.resolved\n"
        "print(json.dumps({'pages': [hashlib.sha256(p).hexdigest() for p in started.pages or []],"
        " 'profile': r.profile.base_url if r else None,"
        " 'source': r.key_source if r else None,"
        " 'key_ok': bool(r and r.key and r.key.get_secret_value() == os.environ['DIXA_API_KEY'])"
        "}))\n")
    env = {**os.environ, "DIXA_API_KEY": DEMO_API_KEY, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, timeout=120, check=True).stdout
    found = json.loads(out)
    import hashlib

    assert found["pages"] == [hashlib.sha256(listing_body(state)).hexdigest()]
    assert found["profile"] == url and found["source"] == "env" and found["key_ok"]


def test_the_child_hands_over_settings_and_retries_as_they_were() -> None:
    resolved = Resolved(Profile(name="prod", base_url="https://dev.dixa.io", rate_limit=5.0,
                                startup_cache=False, badge="PROD"),
                        {"main.filter": "f6"}, Secret("sk-123"), "keyring", "SecretService",
                        None, None)
    back = resolved_of(resolved_bytes(resolved))
    assert back.profile == resolved.profile and dict(back.keymap) == {"main.filter": "f6"}
    assert back.key is not None and back.key.get_secret_value() == "sk-123"
    assert (back.key_source, back.backend) == ("keyring", "SecretService")
    assert "sk-123" not in repr(back)
    notice = RetryNotice("list definitions", 2, 3, 0.5, "HTTP 503", None)
    assert notice_of(notice_bytes(notice)) == notice
