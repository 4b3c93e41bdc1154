"""`dixa-tui auth ...` against the in-memory keyring (the real one: tests/keyring)."""

from __future__ import annotations

import keyring
import pytest
from click.testing import CliRunner
from keyring.backends import fail

from dixa_tui.cli import main

KEY = "sk-auth-test-0a9f"


def run(*args: str, stdin: str | None = None, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), input=stdin, env=env)


def test_set_status_clear_round_trip(memory_keyring):
    result = run("auth", "set", stdin=KEY + "\n")
    assert result.exit_code == 0, result.stderr
    assert memory_keyring.store[("dixa-tui", "default")] == KEY
    assert KEY not in result.output

    status = run("auth", "status")
    assert status.exit_code == 0
    assert "from the OS keyring" in status.stdout and KEY not in status.output

    assert run("auth", "clear").exit_code == 0
    assert memory_keyring.store == {}
    again = run("auth", "status")
    assert again.exit_code == 2 and "key:      none" in again.stdout


def test_profiles_are_separate_accounts(memory_keyring, home):
    from dixa_tui.config import config_path

    config_path().parent.mkdir(parents=True, exist_ok=True)
    config_path().write_text("[profiles.sandbox]\nbase_url = 'http://127.0.0.1:9'\n")
    assert run("--profile", "sandbox", "auth", "set", stdin=KEY).exit_code == 0
    assert ("dixa-tui", "sandbox") in memory_keyring.store
    unknown = run("--profile", "nope", "auth", "set", stdin=KEY)
    assert unknown.exit_code == 2 and "No profile named 'nope'" in unknown.stderr


def test_env_var_is_reported_not_shown():
    status = run("auth", "status", env={"DIXA_API_KEY": KEY})
    assert status.exit_code == 0
    assert "DIXA_API_KEY environment variable" in status.stdout and KEY not in status.output


def test_no_keyring_backend_is_explained():
    keyring.set_keyring(fail.Keyring())
    stored = run("auth", "set", stdin=KEY)
    assert stored.exit_code == 2
    assert "DIXA_API_KEY" in stored.stderr and KEY not in stored.output
    assert "Traceback" not in stored.output
    status = run("auth", "status")
    assert status.exit_code == 2 and "DIXA_API_KEY" in status.stdout


@pytest.mark.parametrize("stdin", ["", "   \n"])
def test_empty_key_is_refused(stdin, memory_keyring):
    result = run("auth", "set", stdin=stdin)
    assert result.exit_code == 2 and "Error: no key given" in result.stderr
    assert memory_keyring.store == {}


def test_demo_and_auth_do_not_mix():
    result = run("--demo", "auth", "status")
    assert result.exit_code == 2 and "demo" in result.stderr
