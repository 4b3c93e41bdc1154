"""``dixa-tui undo BATCH`` of a bulk run: progress on stderr, a preview that shows the first
targets in full and counts the rest, a target deleted since skipped, and a send Dixa refuses
listed while the other targets are still undone (exit 1)."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result

from dixa_tui.cli.undo import SHOWN

ORDER_NUMBER = "566bf9d7-c55a-45f8-91a6-e55e9b9b1325"
BODY = re.compile(r'^\{\n  "' + ORDER_NUMBER, re.MULTILINE)


@pytest.fixture(autouse=True)
def unpaced(home: Path) -> None:
    """No client-side pacing in these functional tests (the bench measures the pace)."""
    config = home / ".config" / "dixa-tui" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("[profiles.default]\nrate_limit = 0\n", encoding="utf-8")


def bulk_run(run, state, tmp_path: Path, count: int) -> tuple[str, list[int]]:
    """A bulk run setting order_number on the first ``count`` conversations: its batch."""
    ids = sorted(state.conversations)[:count]
    source = tmp_path / "orders.csv"
    source.write_text("conversation,order_number\n" + "".join(f"{i},900-{i}\n" for i in ids),
                      encoding="utf-8")
    planned = run("bulk", "plan", str(source))
    assert planned.exit_code == 0, planned.stderr
    plan_path = tmp_path / "orders.plan.json"
    applied = run("bulk", "apply", str(plan_path), "--yes")
    assert applied.exit_code == 0, applied.stderr
    return json.loads(plan_path.read_text())["batch_id"], ids


def test_a_large_undo_shows_progress_and_summarises_its_preview(mocked, tmp_path) -> None:
    count = SHOWN + 5
    batch, ids = bulk_run(mocked.run, mocked.state, tmp_path, count)
    before = dict(mocked.state.writes)
    dry = mocked.run("undo", batch, "--dry-run")
    assert dry.exit_code == 0, dry.stderr
    assert len(BODY.findall(dry.stderr)) == SHOWN  # bodies of the first 20 only
    assert "… and 5 more targets: 5 attributes to restore on 5 targets" in dry.stderr
    assert f"reading {count} of {count}" in dry.stderr
    assert dict(mocked.state.writes) == before
    done = mocked.run("undo", batch, "--yes")
    assert done.exit_code == 0, done.stderr
    assert f"sending {count} of {count}" in done.stderr
    assert done.stderr.count("Restored 1 attribute on") == SHOWN
    assert f"Restored {count} attributes on {count} targets." in done.stderr
    assert all(mocked.state.conversation_values(i).get(ORDER_NUMBER) != f"900-{i}"
               for i in ids)


def test_a_target_deleted_since_is_skipped_and_the_rest_is_undone(mocked, tmp_path) -> None:
    batch, ids = bulk_run(mocked.run, mocked.state, tmp_path, 3)
    gone = ids[1]
    del mocked.state.conversations[gone]
    result = mocked.run("undo", batch, "--yes")
    assert result.exit_code == 0, result.stderr
    assert f"conversation {gone} no longer exists (Dixa answers 404)" in result.stderr
    for i in (ids[0], ids[2]):
        assert mocked.state.conversation_values(i).get(ORDER_NUMBER) != f"900-{i}"


def test_a_refused_send_is_listed_and_the_others_still_undone(monkeypatch, tmp_path) -> None:
    from dixa_tui.api.ratelimit import RetryPolicy
    from dixa_tui.cli import main
    from dixa_tui.mock import MockState, create_app
    from dixa_tui.mock.faults import Fault, FaultTransport
    from dixa_tui.session import core

    state = MockState.demo()
    transport = FaultTransport(httpx.ASGITransport(app=create_app(state)))
    monkeypatch.setattr("dixa_tui.api.client.RetryPolicy", functools.partial(
        RetryPolicy, base_delay=0.001, max_delay=0.01))
    real = core.open_client
    monkeypatch.setattr(core, "open_client", lambda profile, key, _=None: real(
        profile, key, transport))

    def run(*args: str) -> Result:
        return CliRunner().invoke(main, ["--demo", *args])

    batch, ids = bulk_run(run, state, tmp_path, 4)
    for bad in (ids[0], ids[2]):
        transport.add("PATCH", f"/conversations/{bad}/custom-attributes",
                      Fault.http(400, "Invalid input for patching"))
    result = run("undo", batch, "--yes")
    assert result.exit_code == 1, result.stderr
    for bad in (ids[0], ids[2]):
        assert f"patch conversation {bad}: HTTP 400" in result.stderr
        assert state.conversation_values(bad)[ORDER_NUMBER] == f"900-{bad}"
    for good in (ids[1], ids[3]):
        assert state.conversation_values(good).get(ORDER_NUMBER) != f"900-{good}"
    not_undone = re.search(r"Not undone: (.*)\. Run", result.stderr)
    assert not_undone is not None
    assert sorted(not_undone.group(1).split(", ")) == sorted(
        f"conversation {i}" for i in (ids[0], ids[2]))


def test_ctrl_c_while_sending_says_what_was_restored_and_how_to_finish(
        mocked, tmp_path, monkeypatch) -> None:
    from dixa_tui.session.core import Session

    batch, ids = bulk_run(mocked.run, mocked.state, tmp_path, 4)
    real = Session.send
    calls, finished = [], []

    async def send(self, *args, **kwargs):
        import asyncio

        calls.append(1)
        if len(calls) > 2:  # Ctrl-C once two have landed (others wait: 4 are in flight)
            while len(finished) < 2:
                await asyncio.sleep(0.001)
            raise KeyboardInterrupt
        sent = await real(self, *args, **kwargs)
        finished.append(sent)
        return sent

    monkeypatch.setattr(Session, "send", send)
    result = mocked.run("undo", batch, "--yes")
    assert result.exit_code == 130, result.stderr
    assert "Interrupted after restoring 2 of 4 targets." in result.stderr
    assert f"Run `dixa-tui undo {batch}` again to finish" in result.stderr
    restored = [i for i in ids
                if mocked.state.conversation_values(i).get(ORDER_NUMBER) != f"900-{i}"]
    assert len(restored) == 2
    monkeypatch.setattr(Session, "send", real)
    again = mocked.run("undo", batch, "--yes")
    assert again.exit_code == 0, again.stderr
    assert again.stderr.count("Restored 1 attribute on") == 2  # only the two left
    assert all(mocked.state.conversation_values(i).get(ORDER_NUMBER) != f"900-{i}"
               for i in ids)
