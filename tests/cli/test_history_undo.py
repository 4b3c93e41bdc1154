"""history, undo and get against the mock over loopback: the round trip restores the original
values exactly, a change made since is skipped and reported (``--force`` overrides it), an
undo can be undone, and nothing is sent without a go-ahead or a journal."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import httpx
import pytest
from click.testing import Result

from dixa_tui.cli import confirm
from dixa_tui.journal import default_path
from dixa_tui.mock import DEMO_API_KEY
from dixa_tui.mock.demo import DEMO_CONVERSATION_ID, DEMO_END_USER_EMAIL, DEMO_END_USER_ID

pytestmark = pytest.mark.loopback

CONV = str(DEMO_CONVERSATION_ID)
ORDER_NUMBER = "566bf9d7-c55a-45f8-91a6-e55e9b9b1325"
THREE = ("--set", "order_number=100-9000", "--set", "contact_reason=payment/card",
         "--set", "tracking_number=TRK-1")  # the last one held no value before


def raw_conversation(url: str) -> bytes:
    """The conversation exactly as the mock serves it."""
    return httpx.get(f"{url}/v1/conversations/{CONV}",
                     headers={"Authorization": DEMO_API_KEY}).content


def attributes(url: str) -> list[dict[str, Any]]:
    body = json.loads(raw_conversation(url))
    found: list[dict[str, Any]] = body["data"]["customAttributes"]
    return found


def history_json(mocked: Any, *args: str) -> list[dict[str, Any]]:
    result = mocked.run("history", "--json", *args)
    assert result.exit_code == 0, result.stderr
    entries: list[dict[str, Any]] = json.loads(result.stdout)
    return entries


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.stderr
    return result


def test_undo_restores_the_original_values_byte_for_byte(mocked) -> None:
    original = raw_conversation(mocked.url)
    ok(mocked.run("patch", "conversation", CONV, *THREE))
    assert raw_conversation(mocked.url) != original
    result = ok(mocked.run("undo", "last", "--yes"))
    assert raw_conversation(mocked.url) == original
    assert "Restored 3 attributes on conversation 10001" in result.stderr
    # the preview is patch's: the exact body, then before -> after by label
    assert '"566bf9d7-c55a-45f8-91a6-e55e9b9b1325": "100-2345"' in result.stderr
    assert "Payment > Card  ->  Delivery > Damaged > Item" in result.stderr
    undo, write = history_json(mocked)
    assert (undo["origin"], undo["undoes"], undo["outcome"]) == ("undo", write["id"], "applied")
    assert undo["batch"] and undo["batch"].startswith("b-")
    assert {c["identifier"]: c["after"] for c in undo["changes"]} == {
        "order_number": "100-2345", "contact_reason": ["delivery", "damaged", "item"],
        "tracking_number": None}
    assert mocked.state.writes[("conversation", CONV)] == 2


def test_a_change_made_since_is_skipped_and_reported_and_force_overrides_it(mocked) -> None:
    original = raw_conversation(mocked.url)
    ok(mocked.run("patch", "conversation", CONV, *THREE))
    # someone else changes one of the three in Dixa meanwhile (not through dixa-tui)
    meanwhile = httpx.patch(f"{mocked.url}/v1/conversations/{CONV}/custom-attributes",
                            json={ORDER_NUMBER: "100-THEIRS"},
                            headers={"Authorization": DEMO_API_KEY})
    assert meanwhile.status_code == 200
    result = ok(mocked.run("undo", "1", "--yes"))
    assert "Conflict: order_number: changed since the write: it holds 100-THEIRS, not " \
           "100-9000" in result.stderr
    assert "--force" in result.stderr
    now = {a["identifier"]: a.get("value") for a in attributes(mocked.url)}
    assert now["order_number"] == "100-THEIRS"  # left alone
    assert now["contact_reason"] == ["delivery", "damaged", "item"]
    assert "tracking_number" not in now
    assert raw_conversation(mocked.url) != original

    forced = ok(mocked.run("undo", "1", "--yes", "--force"))
    assert "restored anyway (--force)" in forced.stderr
    assert raw_conversation(mocked.url) == original


def test_an_undo_whose_every_attribute_changed_since_sends_nothing(mocked) -> None:
    ok(mocked.run("patch", "conversation", CONV, "--set", "order_number=100-9000"))
    httpx.patch(f"{mocked.url}/v1/conversations/{CONV}/custom-attributes",
                json={ORDER_NUMBER: "100-THEIRS"}, headers={"Authorization": DEMO_API_KEY})
    writes = mocked.knobs.writes
    result = mocked.run("undo", "last", "--yes")
    assert result.exit_code == 2
    assert "Nothing was sent" in result.stderr and "--force" in result.stderr
    assert mocked.knobs.writes == writes


def test_an_undo_can_itself_be_undone(mocked) -> None:
    ok(mocked.run("patch", "conversation", CONV, *THREE))
    patched = raw_conversation(mocked.url)
    ok(mocked.run("undo", "last", "--yes"))
    assert raw_conversation(mocked.url) != patched
    again = ok(mocked.run("undo", "last", "--yes"))  # `last`: the undo's own batch
    assert raw_conversation(mocked.url) == patched
    newest = history_json(mocked)[0]
    assert newest["origin"] == "undo" and isinstance(newest["undoes"], str)
    assert newest["undoes"].startswith("b-") and "batch b-" in again.stderr


def test_undo_asks_first_and_needs_yes_off_a_terminal(mocked, monkeypatch) -> None:
    ok(mocked.run("patch", "conversation", CONV, "--set", "order_number=100-9000"))
    writes = mocked.knobs.writes
    refused = mocked.run("undo", "last")
    assert refused.exit_code == 2 and "--yes" in refused.stderr
    assert "Nothing was sent" in refused.stderr
    monkeypatch.setattr(confirm, "stdin_is_terminal", lambda: True)
    declined = mocked.run("undo", "last", stdin="n\n")
    assert declined.exit_code == 2 and "you answered no" in declined.stderr
    assert "Send the undo of entry 1: 1 change to 1 target" in declined.stderr
    assert mocked.knobs.writes == writes
    ok(mocked.run("undo", "last", stdin="y\n"))
    assert mocked.knobs.writes == writes + 1


def test_dry_run_shows_the_undo_and_sends_nothing(mocked) -> None:
    ok(mocked.run("patch", "conversation", CONV, *THREE))
    writes = mocked.knobs.writes
    result = ok(mocked.run("undo", "last", "--dry-run"))
    assert "Dry run: nothing was sent." in result.stderr
    assert "100-9000        ->  100-2345" in result.stderr
    assert mocked.knobs.writes == writes and len(history_json(mocked)) == 1


@pytest.mark.parametrize(("ref", "says"), [
    ("42", "No journal entry 42"), ("b-nosuchb", "No batch 'b-nosuchb'"),
    ("a b", "names no entry or batch"),
])
def test_undo_of_nothing_known_is_a_usage_error(mocked, ref: str, says: str) -> None:
    ok(mocked.run("patch", "conversation", CONV, "--set", "order_number=100-9000"))
    result = mocked.run("undo", ref, "--yes")
    assert result.exit_code == 2 and says in result.stderr, result.stderr


def test_undo_last_with_an_empty_journal(mocked) -> None:
    result = mocked.run("undo", "last", "--yes")
    assert result.exit_code == 2 and "Nothing to undo" in result.stderr


def test_undo_without_the_journal_is_refused(mocked) -> None:
    result = mocked.run("--no-journal", "undo", "last", "--yes")
    assert result.exit_code == 2 and "leave out --no-journal" in result.stderr


def test_undo_never_sends_to_another_organization(mocked, serve_mock) -> None:
    ok(mocked.run("patch", "conversation", CONV, "--set", "order_number=100-9000"))
    other_url, _, other_knobs = serve_mock()
    result = mocked.run("--base-url", other_url, "undo", "1", "--yes")
    assert result.exit_code == 2
    assert f"was written to {mocked.url}" in result.stderr and "--profile" in result.stderr
    assert other_knobs.writes == 0


def test_undo_with_a_journal_that_cannot_be_written_sends_nothing(mocked) -> None:
    """The journal is readable (the undo is found and planned) but locked by another process
    past the busy timeout when the undo's own intent is to be recorded: nothing is sent."""
    ok(mocked.run("patch", "conversation", CONV, "--set", "order_number=100-9000"))
    writes = mocked.knobs.writes
    other = sqlite3.connect(default_path(), isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        result = mocked.run("undo", "last", "--yes")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert result.exit_code == 2, result.stderr
    assert "locked" in result.stderr and "Nothing was sent." in result.stderr
    assert mocked.knobs.writes == writes
    assert mocked.state.writes[("conversation", CONV)] == 1
    assert len(history_json(mocked)) == 1


# -- history ----------------------------------------------------------------------------------


def test_history_before_any_write_creates_nothing(mocked) -> None:
    result = ok(mocked.run("history", "--json"))
    assert json.loads(result.stdout) == [] and "does not exist" in result.stderr
    assert not default_path().exists()


def test_history_filters_and_the_documented_names(mocked) -> None:
    ok(mocked.run("patch", "conversation", CONV, "--set", "order_number=100-9000"))
    ok(mocked.run("patch", "enduser", DEMO_END_USER_ID, "--set", "loyalty_id=LOY-1"))
    ok(mocked.run("patch", "conversation", "10002", "--set", "order_number=100-9001"))
    ok(mocked.run("undo", "1", "--yes"))
    every = history_json(mocked)
    assert [e["id"] for e in every] == [4, 3, 2, 1]  # newest first
    for entry in every:
        assert {"id", "batch", "time", "profile", "target", "changes", "outcome"} <= set(entry)
        assert entry["time"].endswith("Z") and entry["outcome"] == "applied"
        assert entry["profile"] == "default"
    assert every[2]["target"] == {"kind": "enduser", "id": DEMO_END_USER_ID}
    assert every[1]["target"] == {"kind": "conversation", "id": 10002}
    assert every[3]["changes"] == [{"identifier": "order_number", "label": "Order number",
                                    "definition_id": ORDER_NUMBER, "before": "100-2345",
                                    "after": "100-9000"}]
    for form in (f"conversation:{CONV}", f"#{CONV}", CONV, f"conversation:0{CONV}"):
        assert [e["id"] for e in history_json(mocked, "--target", form)] == [4, 1], form
    for form in (f"enduser:{DEMO_END_USER_ID.upper()}", DEMO_END_USER_ID):
        assert [e["id"] for e in history_json(mocked, "--target", form)] == [2], form
    assert [e["id"] for e in history_json(mocked, "--batch", every[0]["batch"])] == [4]
    assert [e["id"] for e in history_json(mocked, "--limit", "2")] == [4, 3]
    assert len(history_json(mocked, "--since", "1h")) == 4
    assert len(history_json(mocked, "--since", "300s")) == 4
    assert len(history_json(mocked, "--since", "today")) == 4  # as find reads it
    assert history_json(mocked, "--since", "2999-01-01") == []


def test_history_table_reads_one_row_per_attribute(mocked) -> None:
    ok(mocked.run("patch", "conversation", CONV, *THREE))
    result = ok(mocked.run("history"))
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["ID", "TIME", "(UTC)", "PROFILE", "TARGET", "ATTRIBUTE",
                                "BEFORE", "AFTER", "OUTCOME", "BATCH"]
    assert len(lines) == 4
    assert lines[1].split()[0] == "1" and "conversation:10001" in lines[1]
    assert "delivery/damaged/item  ->  payment/card" in result.stdout
    assert "(empty)" in lines[3] and "TRK-1" in lines[3]
    assert "1 entry, newest first" in result.stderr


@pytest.mark.parametrize(("args", "says"), [
    (("--target", "enduser:email:a@b.c"), "without asking Dixa"),
    (("--target", "robot:7"), "is not a target"),
    (("--since", "someday"), "--since 'someday' is not a moment this tool reads: write 7d"),
    (("--batch", " "), "--batch: a batch id has"),
])
def test_history_options_that_cannot_be_read_are_usage_errors(mocked, args, says) -> None:
    result = mocked.run("history", *args)
    assert result.exit_code == 2 and says in result.stderr, result.stderr


# -- get --------------------------------------------------------------------------------------


def test_get_lists_every_attribute_set_or_empty(mocked) -> None:
    result = ok(mocked.run("get", "conversation", CONV, "--json"))
    got = json.loads(result.stdout)
    conversation_definitions = [d for d in mocked.state.definitions
                                if d.entity_type == "Conversation"]
    assert got["target"] == {"kind": "conversation", "id": DEMO_CONVERSATION_ID}
    assert [a["id"] for a in got["attributes"]] == [d.id for d in conversation_definitions]
    by_name = {a["identifier"]: a for a in got["attributes"]}
    reason = by_name["contact_reason"]
    assert reason["value"] == reason["path"] == ["delivery", "damaged", "item"]
    assert reason["labels"] == ["Delivery", "Damaged", "Item"] and reason["set"] is True
    assert by_name["tracking_number"] == {**by_name["tracking_number"], "set": False,
                                          "value": None, "text": None}
    held = mocked.state.conversation_values(DEMO_CONVERSATION_ID)
    assert {a["id"]: a["value"] for a in got["attributes"] if a["set"]} == held

    table = ok(mocked.run("get", "conversation", CONV))
    assert "contact_reason" in table.stdout and "delivery/damaged/item" in table.stdout
    assert "Delivery > Damaged > Item" in table.stdout
    assert f"of {len(conversation_definitions)} Conversation attributes set" in table.stderr


def test_get_end_user_by_email(mocked) -> None:
    result = ok(mocked.run("get", "enduser", f"email:{DEMO_END_USER_EMAIL}", "--json"))
    got = json.loads(result.stdout)
    assert got["target"] == {"kind": "enduser", "id": DEMO_END_USER_ID}
    assert all(a["input_type"] in ("Text", "Select") for a in got["attributes"])
    missing = mocked.run("get", "enduser", "email:nobody@example.invalid")
    assert missing.exit_code == 2 and "No end user has email" in missing.stderr


def test_an_undo_dixa_refuses_exits_1_and_says_what_was_not_undone(monkeypatch) -> None:
    """Dixa answers the undo's PATCH with a 400: exit 1, the target named as not undone,
    the undo journaled as failed, and the value left as the write made it."""
    import functools

    from click.testing import CliRunner

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

    ok(run("patch", "conversation", CONV, "--set", "order_number=100-9000"))
    transport.add("PATCH", "/conversations/*/custom-attributes",
                  Fault.http(400, "Invalid input for patching"))
    result = run("undo", "last", "--yes")
    assert result.exit_code == 1, result.stderr
    assert "HTTP 400" in result.stderr and "Not undone: conversation 10001" in result.stderr
    assert state.conversation_values(DEMO_CONVERSATION_ID)[ORDER_NUMBER] == "100-9000"
    listed = json.loads(run("history", "--json").stdout)
    assert [(e["origin"], e["outcome"]) for e in listed] == [("undo", "failed"),
                                                             ("cli", "applied")]
