"""Values that are not text, and JSON that Python cannot read, at the CLI.

- ``--set-json`` with a 5,000-digit number or ``[`` x 30,000: exit 2 with a sentence (was a
  ``ValueError`` / ``RecursionError``, exit 3).
- A lone surrogate (``--set-json 'x="\\ud800"'``) or a raw ``\\xff`` byte in an argument: the
  domain warns before anything is sent, on ``--dry-run`` too; ``--force`` sends the exact
  value, which the journal keeps (was a ``UnicodeEncodeError`` after the diff, exit 3, and a
  journal entry left open).
- A bulk plan holding such a value is written as valid UTF-8 (the warning said with its line)
  and applied as planned.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dixa_tui.cli import main
from dixa_tui.domain.patch import DefinitionIndex, StagedEdit, Target, build_patch
from dixa_tui.journal import Journal
from dixa_tui.mock import MockState

ORDER_NUMBER = "566bf9d7-c55a-45f8-91a6-e55e9b9b1325"


def demo(*args: str) -> tuple[int, str]:
    code, out, _ = demo_streams(*args)
    return code, out


def demo_streams(*args: str) -> tuple[int, str, str]:
    """Exit code, everything printed, and stdout alone."""
    result = CliRunner().invoke(main, ["--demo", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    assert "Traceback" not in result.output and "a bug in dixa-tui" not in result.output
    return result.exit_code, result.output, result.stdout


def test_a_5000_digit_number_is_a_usage_error() -> None:
    code, out = demo("patch", "conversation", "10001", "--set-json",
                     "order_number=" + "1" * 5000)
    assert code == 2
    assert ("Error: --set-json order_number: not valid JSON (a number with too many digits "
            "to read)") in out
    assert "Nothing was sent." in out


def test_json_nested_30000_deep_is_a_usage_error() -> None:
    code, out = demo("patch", "conversation", "10001", "--set-json",
                     "order_number=" + "[" * 30_000)
    assert code == 2
    assert "Error: --set-json order_number: not valid JSON (nested too deeply to read)" in out


@pytest.mark.parametrize("text", ["NaN", "-Infinity", '["a", NaN]'])
def test_nan_and_infinity_are_not_json_here_either(text: str) -> None:
    """``jsontext.loads`` reads every JSON from outside: what it refuses in a file, a
    ``--set-json`` refuses too (before, Python's NaN reached the value rules)."""
    code, out = demo("patch", "conversation", "10001", "--set-json", f"order_number={text}")
    assert code == 2
    assert "Error: --set-json order_number: not valid JSON (" in out and "is not JSON)" in out


def test_the_domain_warns_of_a_lone_surrogate_and_of_a_byte_that_is_not_utf8() -> None:
    index = DefinitionIndex(MockState.demo().definitions)
    target = Target("conversation", "10001")
    for value, says in [("\ud800", "U+D800, half of a UTF-16 pair"),
                        ("caf\udce9", "the byte 0xE9, which is not UTF-8")]:
        plan = build_patch(index, target, [StagedEdit("order_number", value)])
        assert [p.code for p in plan.warnings] == ["invalid-unicode"], plan.problems
        assert says in plan.warnings[0].message and not plan.errors
    path = build_patch(index, target, [StagedEdit("contact_reason", ["payment\ud800"])])
    assert "unknown-option" in [p.code for p in path.errors]  # no such option either
    fine = build_patch(index, target, [StagedEdit("order_number", "caf\u00e9 \U0001f600")])
    assert fine.problems == []


def test_a_lone_surrogate_warns_on_a_dry_run_and_is_sent_exactly_when_forced(
        state: MockState) -> None:
    code, out = demo("patch", "conversation", "10001", "--set-json", 'order_number="\\ud800"',
                     "--dry-run")
    assert code == 2
    assert "Warning: order_number: the value holds U+D800" in out
    assert "Nothing was sent: re-run with --force" in out
    code, out, stdout = demo_streams("patch", "conversation", "10001", "--set-json",
                                     'order_number="\\ud800"', "--force", "--json")
    assert code == 0, out
    answer = json.loads(stdout)
    assert answer["data"][0]["value"] == "\ud800"  # Dixa's answer, exact
    with Journal.open() as journal:
        [entry] = journal.history(limit=1)
    assert entry.outcome == "applied"
    assert entry.body == {ORDER_NUMBER: "\ud800"}


def test_a_byte_that_is_not_utf8_in_a_real_argument(home: Path) -> None:
    """The shell passes bytes: Python keeps 0xFF as U+DCFF, which must never crash."""
    run = [sys.executable, "-m", "dixa_tui", "--demo", "patch", "conversation", "10001",
           "--set", b"order_number=caf\xff"]
    dry = subprocess.run([*run, "--dry-run"], capture_output=True, timeout=60,
                         env=os.environ, stdin=subprocess.DEVNULL)
    err = dry.stderr.decode("utf-8")  # valid UTF-8 on stderr: the byte is shown as U+FFFD
    assert dry.returncode == 2, err
    assert "the byte 0xFF, which is not UTF-8" in err and "caf\ufffd" in err
    assert dry.stdout == b""
    forced = subprocess.run([*run, "--force"], capture_output=True, timeout=60,
                            env=os.environ, stdin=subprocess.DEVNULL)
    assert forced.returncode == 0, forced.stderr.decode()
    assert b"Traceback" not in forced.stderr


def test_a_bulk_plan_with_a_lone_surrogate_is_valid_utf8_and_applies(
        tmp_path: Path) -> None:
    rows = tmp_path / "rows.jsonl"
    rows.write_text('{"conversation": 10001, "set": {"order_number": "a\\ud800"}}\n')
    plan = tmp_path / "rows.plan.json"
    code, out = demo("bulk", "plan", str(rows), "-o", str(plan))
    assert code == 0 and "the value holds U+D800" in out
    assert "a\\ud800" in plan.read_bytes().decode("utf-8")  # escaped: valid UTF-8, exact
    code, out = demo("bulk", "apply", str(plan), "--yes")  # pydantic's parser refused it
    assert code == 0 and "1 sent" in out, out
