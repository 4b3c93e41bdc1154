"""The config file and the base URL are checked before anything is sent: a wrong config is a
usage error with a sentence (exit 2), never a silent fall-back to Dixa's production host, a
hang, an overflow or a crash."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dixa_tui import config as config_module
from dixa_tui.config import ConfigError, Profile, config_path, load_config


def write(text: str) -> Path:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def refused(text: str) -> str:
    path = write(text)
    with pytest.raises(ConfigError) as info:
        load_config()
    message = str(info.value)
    assert str(path) in message
    return message


def test_a_default_profile_naming_no_profile_is_an_error_not_production(home: Path) -> None:
    message = refused('default_profile = "sandbox"\n[profiles.sandbx]\n'
                      'base_url = "http://127.0.0.1:9"\n')
    assert "No profile named 'sandbox'" in message and "profiles: sandbx" in message


def test_a_default_profile_with_no_profiles_at_all_is_an_error(home: Path) -> None:
    assert "profiles: none" in refused('default_profile = "prod"\n')


def test_an_absent_default_profile_keeps_the_built_in_one(home: Path) -> None:
    write('[profiles.sandbox]\nbase_url = "http://127.0.0.1:9"\n')
    assert load_config().profile() == Profile()


def test_unknown_top_level_keys_are_reported_with_the_known_ones(home: Path) -> None:
    message = refused('default_profle = "x"\n')
    assert "default_profle" in message
    assert "default_profile" in message and "profiles" in message and "keymap" in message


def test_unknown_profile_keys_are_reported_with_the_known_ones(home: Path) -> None:
    message = refused("[profiles.x]\ncolour = 1\n")
    assert "profiles.x" in message and "colour" in message
    assert "base_url, api_version, rate_limit, burst" in message


@pytest.mark.parametrize(("setting", "says"), [
    ("burst = inf", "burst"), ("burst = nan", "burst"),
    ("rate_limit = nan", "rate_limit"), ("rate_limit = inf", "rate_limit"),
    ("rate_limit = -inf", "rate_limit"), ("rate_limit = -1", "rate_limit"),
    ("burst = -1", "burst"), ("burst = 0", "burst"),
    ("burst = 9223372036854775807", "burst"), ("rate_limit = 1e308", "rate_limit"),
    ("rate_limit = true", "rate_limit"), ("burst = 2.5", "burst"),
    ("api_version = 'v2'", "api_version"), ("base_url = 3", "base_url"),
])
def test_numbers_out_of_bounds_are_a_sentence(home: Path, setting: str, says: str) -> None:
    message = refused(f"[profiles.x]\n{setting}\n")
    assert f"profiles.x.{says}" in message
    assert "Traceback" not in message and len(message) < 600


def test_sensible_numbers_are_kept(home: Path) -> None:
    write("[profiles.x]\nrate_limit = 0\nburst = 1\n[profiles.y]\nrate_limit = 2.5\n"
          "burst = 40\n")
    config = load_config()
    assert (config.profile("x").rate_limit, config.profile("x").burst) == (0.0, 1)
    assert (config.profile("y").rate_limit, config.profile("y").burst) == (2.5, 40)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_dev_zero_as_the_config_is_refused_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIXA_TUI_CONFIG", "/dev/zero")
    code = ("from dixa_tui.config import load_config, ConfigError\n"
            "try:\n    load_config()\nexcept ConfigError as e:\n    print(e)\n")
    started = time.monotonic()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=30, env=os.environ.copy()).stdout
    assert time.monotonic() - started < 20
    assert "/dev/zero" in out and "not a regular file" in out


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_as_the_config_does_not_block(home: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    fifo = home / "config.fifo"
    os.mkfifo(fifo)
    monkeypatch.setenv("DIXA_TUI_CONFIG", str(fifo))
    with pytest.raises(ConfigError, match="not a regular file"):
        load_config()


def test_a_huge_config_file_is_refused(home: Path) -> None:
    path = write("# padding\n" * (config_module.MAX_CONFIG_BYTES // 10 + 1))
    with pytest.raises(ConfigError, match="larger than") as info:
        load_config()
    assert str(path) in str(info.value)


def test_a_config_directory_is_refused(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIXA_TUI_CONFIG", str(home))
    with pytest.raises(ConfigError, match="not a regular file"):
        load_config()


@pytest.mark.parametrize(("url", "says"), [
    ("http://127.0.0.1:99999", "port"), ("http://127.0.0.1:0", "port"),
    ("http://127.0.0.1:-1", "port"), ("http://127.0.0.1:x", "port"),
])
def test_a_port_out_of_range_is_a_usage_error(url: str, says: str) -> None:
    with pytest.raises(ConfigError, match=says):
        Profile().with_overrides(base_url=url)


@pytest.mark.parametrize("url", ["http://user:s3cret@127.0.0.1:8765",
                                 "https://s3cret@dev.dixa.io", "https://:s3cret@dev.dixa.io"])
def test_credentials_in_the_base_url_are_refused_without_repeating_them(url: str) -> None:
    with pytest.raises(ConfigError, match="user name or password") as info:
        Profile().with_overrides(base_url=url)
    assert "s3cret" not in str(info.value)


def test_credentials_in_a_profile_are_refused_without_repeating_them(home: Path) -> None:
    message = refused('[profiles.x]\nbase_url = "http://user:s3cret@127.0.0.1:9"\n')
    assert "s3cret" not in message and "profiles.x.base_url" in message


def test_importing_the_config_loads_neither_httpx_nor_the_client() -> None:
    code = ("import sys, dixa_tui.config\n"
            "print(','.join(m for m in ('httpx', 'dixa_tui.api.client') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == ""
