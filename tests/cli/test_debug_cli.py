"""`--debug` / DIXA_TUI_DEBUG=1: the log's path is printed, requests and tracebacks land in it,
and an unexpected error is one line on screen (exit 3), never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dixa_tui import debuglog
from dixa_tui.cli import main

KEY = "sk_debug_cli_SENTINEL_5e1f"


def log_file() -> Path:
    return Path(os.environ["XDG_STATE_HOME"]) / "dixa-tui" / "log" / "debug.log"


def test_debug_flag_logs_requests(serve_mock) -> None:
    url, _, _ = serve_mock(api_key=KEY)
    result = CliRunner().invoke(main, ["--debug", "--base-url", url, "definitions", "list"],
                                env={"DIXA_API_KEY": KEY})
    assert result.exit_code == 0, result.stderr
    assert f"Debug log: {log_file()}" in result.stderr
    text = log_file().read_text()
    assert "command: main definitions" in text
    assert "list definitions: GET" in text and "HTTP 200" in text
    assert "HTTP Request: GET" in text  # httpx's own log line
    assert KEY not in text and KEY not in result.output
    assert not debuglog.enabled()  # closed with the command


def test_env_var_turns_it_on_and_nothing_is_written_without_it(serve_mock) -> None:
    url, _, _ = serve_mock(api_key=KEY)
    quiet = CliRunner().invoke(main, ["--base-url", url, "definitions", "list"],
                               env={"DIXA_API_KEY": KEY})
    assert quiet.exit_code == 0 and "Debug log" not in quiet.stderr
    assert not log_file().exists()
    loud = CliRunner().invoke(main, ["--base-url", url, "definitions", "list"],
                              env={"DIXA_API_KEY": KEY, "DIXA_TUI_DEBUG": "1"})
    assert loud.exit_code == 0 and "Debug log" in loud.stderr
    assert "HTTP 200" in log_file().read_text()


@pytest.mark.parametrize("debug", [True, False])
def test_an_unexpected_error_is_one_line_and_its_traceback_is_logged(
        serve_mock, monkeypatch: pytest.MonkeyPatch, debug: bool) -> None:
    url, _, _ = serve_mock(api_key=KEY)

    def broken_table(definitions: object) -> str:
        raise RuntimeError(f"renderer exploded near {KEY}")

    monkeypatch.setattr("dixa_tui.cli.render.definitions_table", broken_table)
    args = ["--debug"] if debug else []
    result = CliRunner().invoke(main, [*args, "--base-url", url, "definitions", "list"],
                                env={"DIXA_API_KEY": KEY})
    assert result.exit_code == 3
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert errors == [errors[0]] and "unexpected RuntimeError: renderer exploded near "\
        "[redacted]" in errors[0]
    assert KEY not in result.output
    if debug:
        assert str(log_file()) in errors[0]
        text = log_file().read_text()
        assert "Traceback (most recent call last)" in text and "in broken_table" in text
        assert "[redacted]" in text and KEY not in text
    else:
        assert "--debug" in errors[0]
        assert not log_file().exists()


def test_a_real_process_prints_no_traceback(home: Path) -> None:
    """Outside CliRunner too: an unexpected error in a command is one line and exit 3."""
    code = ("import sys\n"
            "import dixa_tui.cli.render as r\n"
            "r.definitions_table = lambda d: 1 / 0\n"
            "from dixa_tui.cli import main\n"
            "sys.argv = ['dixa-tui', '--demo', '--debug', 'definitions', 'list']\n"
            "main()\n")
    env = {**os.environ, "NO_COLOR": "1"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, timeout=60)
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr and "ZeroDivisionError" in done.stderr
    assert "Traceback (most recent call last)" in log_file().read_text()
