"""The entry point: a plain start of the terminal UI is recognized before click and Textual
load; anything else goes to click, which parses and reports it as always."""

from __future__ import annotations

import pytest

from dixa_tui.launch import plain_start
from dixa_tui.session.settings import Settings


@pytest.mark.parametrize(("args", "expected"), [
    ([], Settings()),
    (["--demo"], Settings(demo=True)),
    (["--profile", "prod"], Settings(profile_name="prod")),
    (["--profile=prod"], Settings(profile_name="prod")),
    (["--base-url", "http://127.0.0.1:8765", "--api-version", "v1"],
     Settings(base_url="http://127.0.0.1:8765", api_version="v1")),
    (["--no-journal", "--no-cache", "--profile", "x"],
     Settings(profile_name="x", no_journal=True, no_cache=True)),
])
def test_plain_starts(args: list[str], expected: Settings) -> None:
    assert plain_start(args, {}) == expected


@pytest.mark.parametrize("args", [
    ["definitions", "list"], ["--help"], ["-h"], ["--version"], ["--debug"],
    ["--profile"], ["--profile", "--demo"], ["--profile="], ["--profile", "a", "--profile", "b"],
    ["--demo", "--demo"], ["--demo=yes"], ["--api-version", "v2"], ["--demo", "--profile", "x"],
    ["--demo", "--base-url", "http://x"], ["--colour"], ["--"], ["-d"], ["prod"],
])
def test_anything_else_goes_to_click(args: list[str]) -> None:
    assert plain_start(args, {}) is None


def test_the_debug_variable_goes_to_click() -> None:
    assert plain_start([], {"DIXA_TUI_DEBUG": "1"}) is None
    assert plain_start([], {"DIXA_TUI_DEBUG": ""}) == Settings()


def test_click_knows_every_option_a_plain_start_takes() -> None:
    """A plain start and click read the same command line the same way."""
    from click.testing import CliRunner

    from dixa_tui.cli import main

    seen: list[Settings] = []

    def run_tui(settings: Settings) -> int:
        seen.append(settings)
        return 0

    from unittest import mock

    args = ["--profile", "x", "--base-url", "http://127.0.0.1:9", "--api-version", "v1",
            "--no-journal", "--no-cache"]
    with mock.patch("dixa_tui.tui.app.run_tui", run_tui):
        result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert seen == [plain_start(args, {})]


@pytest.mark.parametrize("args", [["--base-url", "http://127.0.0.1:9"], ["--demo"]])
def test_a_plain_start_loads_nothing_heavy_before_the_first_frame(args: list[str]) -> None:
    """The list is read beside the first frame (a child process, or the cache): the
    process that draws it imports no pydantic, httpx, keyring or mock before it does."""
    import os
    import subprocess
    import sys

    code = ("import sys\n"
            "from unittest import mock\n"
            "from dixa_tui.launch import plain_start\n"
            "import dixa_tui.tui.app\n"
            f"settings = plain_start({args!r}, {{}})\n"
            "with mock.patch('dixa_tui.tui.app.run_tui', return_value=0):\n"
            "    from dixa_tui.tui.start import start_tui\n"
            "    start_tui(settings)\n"
            "heavy = ('pydantic', 'httpx', 'keyring', 'starlette', 'dixa_tui.api.client',"
            " 'dixa_tui.api.models', 'dixa_tui.mock')\n"
            "print(','.join(m for m in heavy if m in sys.modules))")
    env = {**os.environ, "DIXA_API_KEY": "sk-first-frame"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=env).stdout.strip()
    assert out == "", f"the first frame would wait for: {out}"


def test_the_debug_variable_is_the_debug_logs() -> None:
    from dixa_tui import debuglog, launch

    assert launch.DEBUG_ENV == debuglog.ENV_VAR
    assert launch.plain_start([], {debuglog.ENV_VAR: "1"}) is None  # click's path, logged


def test_httpx_does_not_load_its_command_line() -> None:
    """httpx imports its own CLI (click, rich) when it can: 45 ms of the early read's child.
    ``dixa_tui.api`` keeps it out; the client works all the same."""
    import subprocess
    import sys

    code = ("import sys\n"
            "import dixa_tui.api.client, httpx\n"
            "print(','.join(m for m in ('httpx._main', 'click', 'rich.console')"
            " if sys.modules.get(m) is not None))\n"
            "print(httpx.AsyncClient is not None)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["True"], f"loaded: {out[:-1]}"
