"""Every CLI write goes through the journal: recorded before it is sent, completed with
Dixa's answer; a journal that cannot be written sends nothing; --no-journal sends unrecorded."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result

from dixa_tui.api.ratelimit import RetryPolicy
from dixa_tui.cli import main
from dixa_tui.journal import Journal
from dixa_tui.mock import MockState, create_app
from dixa_tui.mock.demo import DEMO_CONVERSATION_ID
from dixa_tui.mock.faults import Fault, FaultTransport
from dixa_tui.session import core

CONV = str(DEMO_CONVERSATION_ID)


def entries() -> list:
    with Journal.open() as journal:
        return journal.history()


def test_a_patch_is_journaled_with_before_and_after(mocked):
    result = mocked.run("patch", "conversation", CONV, "--set", "order_number=100-9000",
                        "--set", "contact_reason=payment/card")
    assert result.exit_code == 0, result.stderr
    [entry] = entries()
    assert entry.outcome == "applied" and entry.status == 200 and entry.origin == "cli"
    assert (entry.target_kind, entry.target_id) == ("conversation", CONV)
    assert {c.identifier: (c.before, c.after) for c in entry.changes} == {
        "order_number": ("100-2345", "100-9000"),
        "contact_reason": (["delivery", "damaged", "item"], ["payment", "card"])}
    assert entry.base_url == mocked.url and entry.profile == "default"


@pytest.fixture
def faulty(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """``faulty(fault, *args)``: ``dixa-tui --demo *args`` with every PATCH answered by
    ``fault`` (the reads pass), retried at once."""
    state = MockState.demo()
    transport = FaultTransport(httpx.ASGITransport(app=create_app(state)))
    monkeypatch.setattr("dixa_tui.api.client.RetryPolicy", functools.partial(
        RetryPolicy, base_delay=0.001, max_delay=0.01))
    real = core.open_client
    monkeypatch.setattr(core, "open_client", lambda profile, key, _=None: real(
        profile, key, transport))

    def run(fault: Fault, *args: str) -> Result:
        transport.add("PATCH", "/conversations/*/custom-attributes", fault)
        return CliRunner().invoke(main, ["--demo", *args])

    return run


def test_a_refused_write_is_recorded_failed(faulty):
    result = faulty(Fault.http(400, "Bad things"), "patch", "conversation", CONV, "--set",
                    "order_number=100-9001")
    assert result.exit_code == 1
    [entry] = entries()
    assert entry.outcome == "failed" and entry.status == 400 and "HTTP 400" in (entry.error or "")


@pytest.mark.parametrize("fault", [Fault.http(500, "oops"), Fault.http(503, "busy"), Fault.reset()],
                         ids=["500", "503", "reset"])
def test_a_write_that_may_have_landed_is_recorded_unknown(faulty, fault):
    result = faulty(fault, "patch", "conversation", CONV, "--set", "order_number=100-9002")
    assert result.exit_code == 1
    [entry] = entries()
    assert entry.outcome == "unknown" and entry.completed_at is not None


def test_a_journal_that_cannot_be_written_sends_nothing(mocked, tmp_path: Path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("DIXA_TUI_STATE", str(blocker / "state"))
    result = mocked.run("patch", "conversation", CONV, "--set", "order_number=100-9003")
    assert result.exit_code == 2, result.output
    assert "journal" in result.stderr.lower() and "Nothing was sent." in result.stderr
    assert "--no-journal" in result.stderr
    assert mocked.knobs.writes == 0
    assert mocked.state.conversation_values(DEMO_CONVERSATION_ID)[
        "566bf9d7-c55a-45f8-91a6-e55e9b9b1325"] == "100-2345"


def test_no_journal_sends_unrecorded(mocked, tmp_path: Path, monkeypatch):
    state = tmp_path / "state"
    monkeypatch.setenv("DIXA_TUI_STATE", str(state))
    result = mocked.run("--no-journal", "patch", "conversation", CONV, "--set",
                        "order_number=100-9004")
    assert result.exit_code == 0, result.stderr
    assert mocked.knobs.writes == 1 and not state.exists()
