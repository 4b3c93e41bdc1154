"""Wrong configuration at the command line, as real processes: each is a usage error (exit 2)
with a sentence that names the setting and the fix, before any request (the mock the
profiles point at sees none), and a password in a URL is never repeated anywhere.

(``tests/unit/test_config_checks.py`` checks the same rules on the config module itself.)
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from dixa_tui.mock import DEMO_API_KEY, Knobs, MockState

pytestmark = pytest.mark.loopback
SECRET = "s3cret-pw-7781"


def config(home: Path, text: str) -> None:
    path = Path(os.environ["DIXA_TUI_CONFIG"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "dixa_tui", "--debug", *args],
                          capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL,
                          env={**os.environ, "DIXA_API_KEY": DEMO_API_KEY, **env})


@pytest.fixture
def mock_url(serve_mock: Callable[..., tuple[str, MockState, Knobs]]
             ) -> tuple[str, Knobs]:
    url, _, knobs = serve_mock()
    return url, knobs


CASES: dict[str, tuple[str, list[str], dict[str, str], list[str]]] = {
    # name: (config text, arguments, environment, what stderr must say)
    "default_profile names no profile": (
        'default_profile = "sandbox"\n[profiles.sandbx]\nbase_url = "{url}"\n', [], {},
        ["No profile named 'sandbox'; profiles: sandbx",
         "default_profile must name a [profiles.NAME] table"]),
    "an unknown top-level key": (
        'defualt_profile = "x"\n[profiles.default]\nbase_url = "{url}"\n', [], {},
        ["defualt_profile", "default_profile"]),
    "burst = inf": (
        '[profiles.default]\nbase_url = "{url}"\nburst = inf\n', [], {},
        ["profiles.default.burst", "not inf"]),
    "rate_limit = nan": (
        '[profiles.default]\nbase_url = "{url}"\nrate_limit = nan\n', [], {},
        ["profiles.default.rate_limit", "finite number"]),
    "the config is /dev/zero": (
        "", [], {"DIXA_TUI_CONFIG": "/dev/zero"},
        ["/dev/zero is not a regular file", "DIXA_TUI_CONFIG"]),
    "--base-url with port 99999": (
        "", ["--base-url", "http://127.0.0.1:99999"], {},
        ["--base-url", "no valid port", "1 to 65535"]),
    "a password in --base-url": (
        "", ["--base-url", f"http://user:{SECRET}@{{host}}"], {},
        ["--base-url: must not hold a user name or password", "remove the part before '@'"]),
    "a password in a profile's base_url": (
        f'[profiles.default]\nbase_url = "http://user:{SECRET}@{{host}}"\n', [], {},
        ["user name or password"]),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_a_config_mistake_is_a_usage_error_before_any_request(
        case: tuple[str, list[str], dict[str, str], list[str]], home: Path,
        mock_url: tuple[str, Knobs]) -> None:
    text, args, env, says = case
    url, knobs = mock_url
    host = url.removeprefix("http://")
    if text:
        config(home, text.replace("{url}", url).replace("{host}", host))
    result = run(*(a.replace("{host}", host) for a in args), "definitions", "list", **env)
    assert result.returncode == 2, result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr
    assert result.stderr.startswith("Debug log:") or result.stderr.startswith("Error:")
    for words in says:
        assert words in result.stderr, result.stderr
    assert knobs.requests == 0  # nothing was sent, to the mock or anywhere
    logs = list(home.rglob("debug.log*"))
    for text_out in [result.stderr, *(p.read_text(errors="replace") for p in logs)]:
        assert SECRET not in text_out
