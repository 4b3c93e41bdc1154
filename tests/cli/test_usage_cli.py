"""``definitions usage`` against the mock: fill rates and distributions equal to what this
test computes from the mock's own records; the ETA said before any read; --sample bounds
the reads; Ctrl-C keeps what was read."""

from __future__ import annotations

import json
import os
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from dixa_tui.cli import main
from dixa_tui.domain.compare import is_empty
from dixa_tui.domain.options import walk
from dixa_tui.mock import DEMO_API_KEY, Knobs, MockState
from dixa_tui.mock.records import ConversationRecord


def cli(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args), env={"DIXA_API_KEY": DEMO_API_KEY})
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    return result


@pytest.fixture
def census_mock(serve_mock, home) -> tuple[MockState, Knobs]:
    """The demo organization over loopback, as the default profile (no pacing: the test
    reads ~80 conversations), with one deactivated option and one stale path in use."""
    state = MockState.demo()
    reason = next(d for d in state.definitions if d.identifier == "contact_reason")
    recent = newest(state, state.now - timedelta(days=30))
    recent[0].values[reason.id] = ["payment", "invoice"]  # deactivated in the demo
    recent[1].values[reason.id] = ["delivery", "lost"]  # no such option
    url, _, knobs = serve_mock(state=state)
    path = Path(os.environ["DIXA_TUI_CONFIG"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'[profiles.default]\nbase_url = "{url}"\nrate_limit = 0\n')
    return state, knobs


def newest(state: MockState, since: Any) -> list[ConversationRecord]:
    return sorted((r for r in state.conversations.values()
                   if r.conversation.created_at >= since),
                  key=lambda r: (r.conversation.created_at, r.id), reverse=True)


def expected(state: MockState, records: list[ConversationRecord]) -> dict[str, Any]:
    """The census computed here from the mock's records, independently of dixa-tui's."""
    out: dict[str, Any] = {}
    for d in state.definitions:
        if d.entity_type != "Conversation" or d.is_archived:
            continue
        values = [r.values.get(d.id) for r in records]
        filled = [v for v in values if not is_empty(v)]
        paths = Counter(tuple(v) for v in filled if isinstance(v, list))
        under = {tuple(o.value for o in p): sum(n for path, n in paths.items()
                                               if path[:len(p)] == tuple(o.value for o in p))
                 for p in walk(d.options)}
        out[d.identifier] = {"filled": len(filled), "under": under,
                             "empty_closed": sum(1 for r, v in zip(records, values, strict=True)
                                                 if is_empty(v)
                                                 and r.conversation.state == "Closed")}
    return out


def test_the_census_equals_what_the_mocks_records_hold(census_mock):
    state, _ = census_mock
    since = state.now - timedelta(days=30)
    result = cli("definitions", "usage", "--created-since", since.isoformat(), "--json")
    assert result.exit_code == 0, result.stderr
    records = newest(state, since)
    assert 40 < len(records) < len(state.conversations)
    payload = json.loads(result.stdout)
    assert payload["complete"] is True and payload["conversations"] == len(records)
    assert payload["closed"] == sum(r.conversation.state == "Closed" for r in records)
    want = expected(state, records)
    got = {a["identifier"]: a for a in payload["attributes"]}
    assert set(got) == set(want)
    for identifier, attribute in got.items():
        assert attribute["filled"] == want[identifier]["filled"], identifier
        assert attribute["fill_rate"] == pytest.approx(want[identifier]["filled"] / len(records))
        assert attribute["empty_closed"] == want[identifier]["empty_closed"], identifier
        counts = {tuple(o["path"]): o["count"] for o in attribute["options"]}
        assert counts == want[identifier]["under"], identifier
    reason = got["contact_reason"]
    assert reason["deactivated_in_use"] == [["payment", "invoice"]]
    assert reason["unknown_values"] == [{"path": ["delivery", "lost"], "count": 1}]
    required_empty = sorted(i for i, a in got.items() if a["required"] and a["empty"])
    assert sorted(payload["required_left_empty"]) == required_empty
    assert payload["deactivated_in_use"] == {"contact_reason": [["payment", "invoice"]]}
    # the ETA came before the reads: the first line on stderr
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"Reading {len(records)} conversations (created since")
    requests = len(records) + -(-len(records) // 50)  # a GET each, and the search's pages
    assert f"about {round(requests / 10)} s at 10 requests/s" in first


def test_the_default_is_the_last_7_days_and_text_has_bars(census_mock):
    state, _ = census_mock
    result = cli("definitions", "usage")
    assert result.exit_code == 0, result.stderr
    week = newest(state, state.now - timedelta(days=7))
    assert f"Reading {len(week)} conversations (created since 7d" in result.stderr
    assert result.stdout.startswith(f"{len(week)} conversations (")
    assert "Contact reason (contact_reason) · Select · required · " in result.stdout
    assert "█" in result.stdout
    assert "Deactivated but in use: contact_reason 'payment/invoice'" in result.stderr


def test_sample_bounds_the_reads_and_where_filters(census_mock):
    state, knobs = census_mock
    since = (state.now - timedelta(days=60)).isoformat()
    result = cli("definitions", "usage", "--created-since", since, "--sample", "10", "--json")
    payload = json.loads(result.stdout)
    assert payload["found"] == payload["read"] == 10 and payload["conversations"] == 10
    # definitions, the count's one page, the reader's one page, 10 conversations: no more
    assert knobs.requests == 1 + 1 + 1 + 10
    records = newest(state, state.now - timedelta(days=60))[:10]
    filled = expected(state, records)["contact_reason"]["filled"]
    assert next(a for a in payload["attributes"]
                if a["identifier"] == "contact_reason")["filled"] == filled
    empty = cli("definitions", "usage", "--created-since", since, "--where",
                "contact_reason is empty", "--json")
    report = json.loads(empty.stdout)
    reason = next(a for a in report["attributes"] if a["identifier"] == "contact_reason")
    assert reason["filled"] == 0 and report["conversations"] == sum(
        1 for r in newest(state, state.now - timedelta(days=60))
        if is_empty(r.values.get(reason["definition_id"])))


def test_ctrl_c_keeps_what_was_read(census_mock, monkeypatch):
    from dixa_tui.domain.usage import UsageTally

    real = UsageTally.add

    def add(self: UsageTally, *args: Any, **kwargs: Any) -> None:
        real(self, *args, **kwargs)
        if self.conversations == 5:
            raise KeyboardInterrupt

    monkeypatch.setattr(UsageTally, "add", add)
    result = cli("definitions", "usage", "--json")
    assert result.exit_code == 130
    payload = json.loads(result.stdout)
    assert payload["complete"] is False and payload["conversations"] == 5
    assert "Stopped: the census covers the 5 conversations read" in result.stderr


def test_a_bad_query_is_a_usage_error_before_any_read(census_mock):
    _, knobs = census_mock
    result = cli("definitions", "usage", "--status", "nope", "--where", "nothing is empty")
    assert result.exit_code == 2
    assert knobs.requests == 1  # the definitions, to check the query: nothing else
    assert "--status: 'nope' is not a status" in result.stderr
    assert "--where" in result.stderr and "Reading" not in result.stderr


def test_the_commands_query_options_are_finds():
    from dixa_tui.cli.usage import QUERY_OPTIONS
    from dixa_tui.domain.query import OPTIONS

    assert QUERY_OPTIONS == OPTIONS
