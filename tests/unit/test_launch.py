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
