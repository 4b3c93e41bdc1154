"""`dixa-tui bulk plan|apply` against a loopback mock: a whole file checked before anything is
sent, then sent, journaled under one batch, with results and failures files."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from dixa_tui.journal import Journal

ORDER_NUMBER = "566bf9d7-c55a-45f8-91a6-e55e9b9b1325"
CONTACT_REASON = "5d96cf7f-265b-4da9-8f0c-26ef4243ed52"


@pytest.fixture(autouse=True)
def unpaced(home: Path) -> None:
    """No client-side pacing in these functional tests (the bench measures the pace)."""
    config = home / ".config" / "dixa-tui" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("[profiles.default]\nrate_limit = 0\n", encoding="utf-8")


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8-sig")
    return path


def conversations(state, count: int) -> list[int]:
    return sorted(state.conversations)[:count]


def test_plan_then_apply_sets_every_value_once(mocked, tmp_path: Path) -> None:
    ids = conversations(mocked.state, 20)
    source = write_csv(tmp_path / "orders.csv", [["conversation", "order_number",
                                                  "contact_reason"]] +
                       [[str(i), f"200-{i}", "Payment/Card" if i % 2 else ""] for i in ids])
    planned = mocked.run("bulk", "plan", str(source))
    assert planned.exit_code == 0, planned.stderr
    assert mocked.knobs.writes == 0
    plan_path = tmp_path / "orders.plan.json"
    plan = json.loads(plan_path.read_text())
    assert plan["totals"]["targets"] == 20 and plan["totals"]["errors"] == 0
    assert "Nothing was sent." in planned.stderr

    applied = mocked.run("bulk", "apply", str(plan_path), "--yes")
    assert applied.exit_code == 0, applied.stderr
    for i in ids:
        values = mocked.state.conversation_values(i)
        assert values[ORDER_NUMBER] == f"200-{i}"
        if i % 2:
            assert values[CONTACT_REASON] == ["payment", "card"]
        assert mocked.state.writes[("conversation", str(i))] == 1
    batch = json.loads(plan_path.read_text())["batch_id"]
    assert batch and f"Batch {batch}" in applied.stderr
    with Journal.open() as journal:
        entries = journal.batch_entries(batch)
    assert len(entries) == 20 and {e.outcome for e in entries} == {"applied"}
    assert {e.origin for e in entries} == {"bulk"}
    results = [json.loads(line) for line in
               (tmp_path / "orders.plan.results.jsonl").read_text().splitlines()]
    assert sorted(r["line"] for r in results) == list(range(2, 22))
    assert {r["outcome"] for r in results} == {"sent"}

    again = mocked.run("bulk", "apply", str(plan_path), "--yes")
    assert again.exit_code == 0 and "20 skipped" in again.stderr
    assert all(mocked.state.writes[("conversation", str(i))] == 1 for i in ids)


def test_every_bad_row_is_listed_with_its_line_and_nothing_is_sent(mocked, tmp_path: Path):
    good = conversations(mocked.state, 3)
    source = write_csv(tmp_path / "bad.csv", [
        ["conversation", "order_number", "contact_reason"],
        [str(good[0]), "300-1", ""],
        ["not-a-number", "300-2", ""],                 # 3: malformed id
        [str(good[1]), "", "payment/nope"],            # 4: no such option
        [str(good[2]), "#N/A", ""],                    # 5: a spreadsheet's error value
        ["999999999", "300-5", ""],                    # 6: no such conversation
        [str(good[0]), "300-6", ""],                   # 7: the same target twice
    ])
    result = mocked.run("bulk", "plan", str(source))
    assert result.exit_code == 2, result.output
    plan = json.loads((tmp_path / "bad.plan.json").read_text())
    in_error = {e["line"] for e in plan["entries"] if e["status"] == "error"}
    assert in_error == {3, 4, 5, 6, 7}
    for line in (3, 4, 5, 6, 7):
        assert f"line {line}: " in result.stderr
    assert mocked.knobs.writes == 0
    refused = mocked.run("bulk", "apply", str(tmp_path / "bad.plan.json"), "--yes")
    assert refused.exit_code == 2 and "Nothing was sent" in refused.stderr
    assert mocked.knobs.writes == 0


def test_a_target_changed_since_the_plan_is_a_conflict_unless_forced(mocked, tmp_path: Path):
    a, b = conversations(mocked.state, 2)
    source = write_csv(tmp_path / "two.csv", [["conversation", "order_number"],
                                              [str(a), "400-1"], [str(b), "400-2"]])
    assert mocked.run("bulk", "plan", str(source)).exit_code == 0
    mocked.state.conversations[b].values[ORDER_NUMBER] = "changed-by-someone"
    plan_path = tmp_path / "two.plan.json"
    first = mocked.run("bulk", "apply", str(plan_path), "--yes")
    assert first.exit_code == 1
    assert "1 sent" in first.stderr and "1 conflict" in first.stderr
    assert mocked.state.conversation_values(b)[ORDER_NUMBER] == "changed-by-someone"
    failures = (tmp_path / "two.failures.csv").read_text(encoding="utf-8-sig")
    assert str(b) in failures and str(a) not in failures and "#error" in failures
    forced = mocked.run("bulk", "apply", str(plan_path), "--yes", "--force")
    assert forced.exit_code == 0, forced.stderr
    assert mocked.state.conversation_values(b)[ORDER_NUMBER] == "400-2"
    assert mocked.state.writes[("conversation", str(a))] == 1


def test_apply_asks_first_and_refuses_without_a_terminal(mocked, tmp_path: Path) -> None:
    [a] = conversations(mocked.state, 1)
    source = write_csv(tmp_path / "one.csv", [["conversation", "order_number"],
                                              [str(a), "500-1"]])
    assert mocked.run("bulk", "plan", str(source)).exit_code == 0
    result = mocked.run("bulk", "apply", str(tmp_path / "one.plan.json"))
    assert result.exit_code == 2 and "--yes" in result.stderr
    assert mocked.knobs.writes == 0


def test_a_plan_is_applied_only_where_it_was_made(mocked, serve_mock, tmp_path: Path) -> None:
    [a] = conversations(mocked.state, 1)
    source = write_csv(tmp_path / "one.csv", [["conversation", "order_number"],
                                              [str(a), "600-1"]])
    assert mocked.run("bulk", "plan", str(source)).exit_code == 0
    other_url, _, other_knobs = serve_mock()
    from click.testing import CliRunner

    from dixa_tui.cli import main
    from dixa_tui.mock import DEMO_API_KEY

    result = CliRunner().invoke(main, ["--base-url", other_url, "bulk", "apply",
                                       str(tmp_path / "one.plan.json"), "--yes"],
                                env={"DIXA_API_KEY": DEMO_API_KEY})
    assert result.exit_code == 2 and "planned with" in result.stderr
    assert other_knobs.writes == 0


def test_jsonl_from_standard_input(mocked, tmp_path: Path, monkeypatch) -> None:
    [a] = conversations(mocked.state, 1)
    monkeypatch.chdir(tmp_path)
    line = json.dumps({"conversation": a, "set": {"contact_reason": ["payment", "card"]},
                       "clear": ["order_number"]})
    result = mocked.run("bulk", "plan", "-", stdin=line + "\n")
    assert result.exit_code == 0, result.stderr
    applied = mocked.run("bulk", "apply", "bulk.plan.json", "--yes")
    assert applied.exit_code == 0, applied.stderr
    values = mocked.state.conversation_values(a)
    assert values[CONTACT_REASON] == ["payment", "card"] and ORDER_NUMBER not in values
