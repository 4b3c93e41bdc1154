"""Guards of bulk runs and undo: a write that may still be on its way is not settled or sent
again, another run's answer recorded meanwhile does not stop this one, one run of a batch at
a time, and a plan or a journal entry is sent only by the profile that made it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dixa_tui.journal import Change, Intent, Journal
from dixa_tui.session import bulk_files

ORDER_NUMBER = "566bf9d7-c55a-45f8-91a6-e55e9b9b1325"


@pytest.fixture(autouse=True)
def profiles(home: Path, mocked) -> None:
    """Two profiles on the same mock (one host, as dev.dixa.io is for every organization)."""
    config = home / ".config" / "dixa-tui" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'[profiles.default]\nbase_url = "{mocked.url}"\nrate_limit = 0\n'
                      f'[profiles.other]\nbase_url = "{mocked.url}"\nrate_limit = 0\n',
                      encoding="utf-8")


def run(mocked, *args: str):
    from click.testing import CliRunner

    from dixa_tui.cli import main
    from dixa_tui.mock import DEMO_API_KEY

    return CliRunner().invoke(main, list(args), env={"DIXA_API_KEY": DEMO_API_KEY})


def planned(mocked, tmp_path: Path, rows: list[int]) -> tuple[Path, str]:
    """A plan for ``rows`` (order numbers 800-N), with its batch id recorded."""
    source = tmp_path / "o.csv"
    source.write_text("conversation,order_number\n" + "".join(f"{i},800-{i}\n" for i in rows))
    assert run(mocked, "bulk", "plan", str(source)).exit_code == 0
    path = tmp_path / "o.plan.json"
    plan = json.loads(path.read_text())
    with Journal.open() as journal:
        plan["batch_id"] = journal.new_batch_id()
    path.write_text(json.dumps(plan))
    return path, plan["batch_id"]


def begun(batch: str, conversation: int, url: str, *, ago: float) -> int:
    """An entry of ``batch`` whose answer was never recorded, begun ``ago`` seconds ago."""
    moment = datetime.now(UTC) - timedelta(seconds=ago)
    with Journal.open(clock=lambda: moment) as journal:
        return journal.begin(Intent("default", url, "beta", "conversation", str(conversation),
                                    {ORDER_NUMBER: f"800-{conversation}"},
                                    (Change(ORDER_NUMBER, "order_number", "Order number",
                                            "100-0", f"800-{conversation}"),),
                                    batch=batch, origin="bulk"))


def test_a_write_that_may_still_be_on_its_way_is_neither_settled_nor_sent(mocked, tmp_path):
    a, b = sorted(mocked.state.conversations)[:2]
    path, batch = planned(mocked, tmp_path, [a, b])
    entry = begun(batch, a, mocked.url, ago=5)
    result = run(mocked, "bulk", "apply", str(path), "--yes")
    assert result.exit_code == 1 and "1 sent" in result.stderr and "1 unknown" in result.stderr
    assert mocked.state.writes[("conversation", str(a))] == 0
    with Journal.open() as journal:
        assert journal.get(entry).outcome == "unknown"  # not settled from a read
    results = (tmp_path / "o.plan.results.jsonl").read_text()
    assert "may still be on its way" in results


def test_an_old_unknown_write_is_settled_by_reading_and_sent(mocked, tmp_path):
    [a] = sorted(mocked.state.conversations)[:1]
    path, batch = planned(mocked, tmp_path, [a])
    entry = begun(batch, a, mocked.url, ago=3600)
    result = run(mocked, "bulk", "apply", str(path), "--yes")
    assert result.exit_code == 0, result.stderr
    assert mocked.state.writes[("conversation", str(a))] == 1
    with Journal.open() as journal:
        assert journal.get(entry).outcome == "failed"  # the target held its old value


def test_an_answer_recorded_by_another_run_meanwhile_does_not_stop_this_one(
        mocked, tmp_path, monkeypatch):
    a, b = sorted(mocked.state.conversations)[:2]
    path, batch = planned(mocked, tmp_path, [a, b])
    entry = begun(batch, a, mocked.url, ago=3600)
    from dixa_tui.session import bulk

    snapshot = bulk._journaled

    def stale(journal, batch_id):  # read before the other run recorded its answer
        found = snapshot(journal, batch_id)
        journal.complete(entry, "failed", status=400, error="refused")
        return found

    monkeypatch.setattr(bulk, "_journaled", stale)
    result = run(mocked, "bulk", "apply", str(path), "--yes")
    assert result.exit_code == 0, result.output
    assert mocked.state.conversation_values(b)[ORDER_NUMBER] == f"800-{b}"


def test_one_run_of_a_batch_at_a_time(mocked, tmp_path):
    [a] = sorted(mocked.state.conversations)[:1]
    path, batch = planned(mocked, tmp_path, [a])
    with bulk_files.batch_lock(batch):
        result = run(mocked, "bulk", "apply", str(path), "--yes")
    assert result.exit_code == 2 and "Another run is sending" in result.stderr
    assert mocked.knobs.writes == 0


def test_a_plan_is_sent_only_by_the_profile_that_made_it(mocked, tmp_path):
    [a] = sorted(mocked.state.conversations)[:1]
    source = tmp_path / "o.csv"
    source.write_text(f"conversation,order_number\n{a},800-1\n")
    assert run(mocked, "bulk", "plan", str(source)).exit_code == 0
    result = run(mocked, "--profile", "other", "bulk", "apply", str(tmp_path / "o.plan.json"),
                 "--yes")
    assert result.exit_code == 2 and "--profile default" in result.stderr
    assert mocked.knobs.writes == 0


def test_an_entry_is_undone_only_by_the_profile_that_wrote_it(mocked):
    [a] = sorted(mocked.state.conversations)[:1]
    assert run(mocked, "patch", "conversation", str(a), "--set",
               "order_number=800-2").exit_code == 0
    result = run(mocked, "--profile", "other", "undo", "1", "--yes")
    assert result.exit_code == 2 and "--profile default" in result.stderr
    assert mocked.knobs.writes == 1


@pytest.mark.parametrize("args", [
    ["find", "conversations", "--created-since", "0001-01-01T00:00+01:00"],
    ["find", "conversations", "--created-until", "9999-12-31T23:59-01:00"],
    ["history", "--since", "0001-01-01T00:00+01:00"],
    ["history", "--batch", "b-\udcff"],
])
def test_edge_dates_and_a_broken_batch_id_are_usage_errors(mocked, args):
    result = run(mocked, *args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Error: ")


def test_a_results_file_that_cannot_be_written_sends_nothing(mocked, tmp_path):
    [a] = sorted(mocked.state.conversations)[:1]
    source = tmp_path / "o.csv"
    source.write_text(f"conversation,order_number\n{a},800-3\n")
    assert run(mocked, "bulk", "plan", str(source)).exit_code == 0
    (tmp_path / "o.plan.results.jsonl").mkdir()  # in the way of the results file
    result = run(mocked, "bulk", "apply", str(tmp_path / "o.plan.json"), "--yes")
    assert result.exit_code == 2 and "cannot write the results file" in result.stderr
    assert mocked.knobs.writes == 0


def test_the_tui_refuses_a_pipe_as_a_plan_file(tmp_path):
    import os

    from dixa_tui.tui.screens.bulk_dialogs import read_bulk_file

    fifo = tmp_path / "plan.fifo"
    os.mkfifo(fifo)
    found = read_bulk_file(fifo)  # returns at once: a pipe is refused, not read
    assert found.problem is not None and "pipe" in found.problem
