"""Options that contradict each other are said once, in one sentence, whether they start the
terminal UI or a command: ``Settings.check`` is the one place that knows them."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from dixa_tui.cli import main


@pytest.mark.parametrize("options", [["--demo", "--profile", "prod"],
                                     ["--demo", "--base-url", "https://dev.dixa.io"]])
def test_the_tui_and_a_command_refuse_the_same_options_in_the_same_words(
        options: list[str]) -> None:
    tui = CliRunner().invoke(main, options)
    command = CliRunner().invoke(main, [*options, "definitions", "list"])
    assert tui.exit_code == command.exit_code == 2
    assert tui.stderr == command.stderr
    assert tui.stderr.startswith("Error: --demo uses the embedded demo organization")
