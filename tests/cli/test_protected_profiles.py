"""Read-only and protected profiles on the command line: a read-only profile refuses every
write before anything is read (exit 2) but reads, previews and lists; a profile that asks
before every send (``confirm = "always"``, the default on Dixa's production host) needs
``--yes`` off a terminal and asks on one."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result

from dixa_tui.cli import confirm, main
from dixa_tui.config import Profile, load_config
from dixa_tui.mock import DEMO_API_KEY, Knobs, MockState, create_app
from dixa_tui.mock.demo import DEMO_CONVERSATION_ID
from dixa_tui.session import core
from dixa_tui.session.settings import Settings

CONV = str(DEMO_CONVERSATION_ID)
ORDER_NUMBER = "566bf9d7-c55a-45f8-91a6-e55e9b9b1325"


def write_config(home: Path, text: str) -> None:
    path = home / ".config" / "dixa-tui" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def org(monkeypatch: pytest.MonkeyPatch, state: MockState, knobs: Knobs) -> tuple[MockState,
                                                                                  Knobs]:
    """Every client of this test talks to the in-process mock, whatever its profile's URL
    (so a profile can name Dixa's production host without reaching it)."""
    real = core.open_client
    monkeypatch.setattr(core, "open_client", lambda profile, key, _=None: real(
        profile, key, httpx.ASGITransport(app=create_app(state, knobs=knobs))))
    return state, knobs


def cli(*args: str, stdin: str | None = None) -> Result:
    result = CliRunner().invoke(main, list(args), input=stdin,
                                env={"DIXA_API_KEY": DEMO_API_KEY})
    assert "Traceback" not in result.output
    return result


def test_a_read_only_profile_refuses_every_write_and_still_reads(home, org) -> None:
    state, knobs = org
    write_config(home, '[profiles.ro]\nbase_url = "http://127.0.0.1:9"\nread_only = true\n')
    refused = cli("--profile", "ro", "patch", "conversation", CONV, "--set",
                  "order_number=100-1", "--yes")
    assert refused.exit_code == 2, refused.output
    assert "Profile 'ro' is read-only" in refused.stderr and "Nothing was sent" in \
        refused.stderr
    assert knobs.requests == 0  # refused before anything was read
    undo = cli("--profile", "ro", "undo", "last", "--yes")
    assert undo.exit_code == 2 and "read-only" in undo.stderr
    assert knobs.requests == 0
    preview = cli("--profile", "ro", "patch", "conversation", CONV, "--set",
                  "order_number=100-1", "--dry-run")
    assert preview.exit_code == 0 and "Dry run" in preview.stderr
    assert cli("--profile", "ro", "get", "conversation", CONV).exit_code == 0
    assert cli("--profile", "ro", "history").exit_code == 0
    assert knobs.writes == 0 and state.conversation_values(DEMO_CONVERSATION_ID)[
        ORDER_NUMBER] == "100-2345"


async def test_the_session_itself_refuses_to_send_for_a_read_only_profile(home, org) -> None:
    """Whatever a front end forgets to hide: the one send of the engine refuses."""
    from dixa_tui.domain.patch import Target
    from dixa_tui.session.writes import ReadOnlyProfile

    _, knobs = org
    write_config(home, '[profiles.ro]\nbase_url = "http://127.0.0.1:9"\nread_only = true\n')
    session = core.Session.open(Settings(profile_name="ro"))
    with pytest.raises(ReadOnlyProfile, match="read-only"):
        await session.send(Target("conversation", CONV), {ORDER_NUMBER: "100-1"},
                           before={})
    await session.aclose()
    assert knobs.writes == 0


def test_confirm_always_needs_yes_off_a_terminal_and_asks_on_one(home, org,
                                                                 monkeypatch) -> None:
    _, knobs = org
    write_config(home, '[profiles.careful]\nbase_url = "http://127.0.0.1:9"\n'
                       'confirm = "always"\n')
    args = ("--profile", "careful", "patch", "conversation", CONV, "--set", "order_number=100-1")
    refused = cli(*args)
    assert refused.exit_code == 2 and "--yes" in refused.stderr
    assert "asks before every send" in refused.stderr and knobs.writes == 0
    monkeypatch.setattr(confirm, "stdin_is_terminal", lambda: True)
    declined = cli(*args, stdin="n\n")
    assert declined.exit_code == 2 and knobs.writes == 0
    assert "Send 1 change to conversation 10001 on profile careful" in declined.stderr
    assert cli(*args, stdin="y\n").exit_code == 0 and knobs.writes == 1
    monkeypatch.setattr(confirm, "stdin_is_terminal", lambda: False)
    assert cli(*args, "--yes").exit_code == 0 and knobs.writes == 2


def test_dixas_production_host_asks_by_default(home, org) -> None:
    _, knobs = org
    write_config(home, '[profiles.prod]\nbase_url = "https://dev.dixa.io"\n'
                       '[profiles.prod_quiet]\nbase_url = "https://dev.dixa.io"\n'
                       'confirm = "never"\n')
    args = ("patch", "conversation", CONV, "--set", "order_number=100-1")
    refused = cli("--profile", "prod", *args)
    assert refused.exit_code == 2 and "--yes" in refused.stderr and knobs.writes == 0
    assert cli("--profile", "prod", *args, "--yes").exit_code == 0 and knobs.writes == 1
    assert cli("--profile", "prod_quiet", *args).exit_code == 0 and knobs.writes == 2


def test_confirm_follows_the_host_this_run_talks_to() -> None:
    production = Profile(name="prod", base_url="https://dev.dixa.io")
    assert production.confirms_sends
    assert not production.with_overrides(base_url="http://127.0.0.1:8765").confirms_sends
    assert Profile(base_url="http://127.0.0.1:8765", confirm="always").confirms_sends
    assert not Profile(base_url="https://dev.dixa.io", confirm="never").confirms_sends


@pytest.mark.parametrize(("line", "says"), [
    ("read_only = \"yes\"", "profiles.p.read_only: Input should be a valid boolean"),
    ("confirm = \"sometimes\"", "profiles.p.confirm: Input should be 'always' or 'never'"),
    ("confirm = true", "profiles.p.confirm: Input should be 'always' or 'never'"),
])
def test_wrong_values_are_config_errors(home, line: str, says: str) -> None:
    write_config(home, f"[profiles.p]\n{line}\n")
    from dixa_tui.config import ConfigError

    with pytest.raises(ConfigError, match=says):
        load_config()
    result = cli("--profile", "p", "history")
    assert result.exit_code == 0  # history reads the journal only: no profile needed
    patched = cli("--profile", "p", "patch", "conversation", CONV, "--set", "x=1")
    assert patched.exit_code == 2 and says in patched.stderr
