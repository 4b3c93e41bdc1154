"""Plans, results and failures files: what changes is sent, what already holds is not, a
plan read back is checked, and a failures file is input that reruns the failing rows."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dixa_tui.domain.bulk_input import BulkInput, parse_bulk
from dixa_tui.domain.bulk_plan import PLAN_VERSION, Plan, PlanFileError
from dixa_tui.domain.bulk_planner import build_plan, needs_values, plan_entry, settle
from dixa_tui.domain.bulk_results import (
    Outcome,
    ResultLine,
    ResultsFileError,
    failures_file,
    failures_name,
    read_results,
    results_jsonl,
)
from dixa_tui.domain.compare import same_value
from dixa_tui.domain.patch import DefinitionIndex, Target
from dixa_tui.mock import MockState

STATE = MockState.demo()
INDEX = DefinitionIndex(STATE.definitions)
ORDER = INDEX.by_identifier["order_number"][0].id
REASON = INDEX.by_identifier["contact_reason"][0].id
TIER = INDEX.by_identifier["customer_tier"][0].id
USER = "eba64c48-745b-5c86-9a75-e3cce144c401"
WHEN = datetime(2026, 5, 21, 7, 44, 10, tzinfo=UTC)


def values_of(target: Target, state: MockState = STATE) -> dict[str, Any]:
    if target.kind == "conversation":
        return dict(state.conversations[int(target.id)].values)
    return dict(state.end_users[target.id].values)


def make_plan(inp: BulkInput, users: dict[str, str] | None = None,
              state: MockState = STATE) -> Plan:
    """What the engine does, with the demo's values in place of requests: lookups come from
    ``users`` (reference -> UUID); a missing one is "not found"."""
    entries = []
    for row in inp.rows:
        if not needs_values(row):
            entries.append(plan_entry(row, INDEX))
            continue
        target = row.target
        if target is None:
            found = (users or {}).get(row.target_ref)
            if found is None:
                entries.append(plan_entry(row, INDEX, target_problem=f"no end user has "
                                          f"{row.target_ref}"))
                continue
            target = Target("enduser", found)
        entries.append(plan_entry(row, INDEX, target=target, current=values_of(target, state)))
    return build_plan(inp, entries, created_at=WHEN, profile="demo", base_url="http://mock",
                      api_version="beta")


def parse(text: str | bytes, name: str | None = None) -> BulkInput:
    return parse_bulk(text, definitions=INDEX, name=name)


# ---------------------------------------------------------------- plan entries


def test_only_what_differs_is_sent():
    """10001 holds order_number 100-2345 and contact_reason delivery/damaged/item."""
    plan = make_plan(parse("conversation,order_number,contact_reason\n"
                           "10001,100-2345,Payment > Card\n"
                           "10001x,1,\n"
                           "10002,100-2345,\n"))
    first = plan.entries[0]
    assert first.status == "change" and first.body == {REASON: ["payment", "card"]}
    assert [(c.identifier, c.before, c.after, c.changed) for c in first.changes] == [
        ("order_number", "100-2345", "100-2345", False),
        ("contact_reason", ["delivery", "damaged", "item"], ["payment", "card"], True)]
    assert first.changes[1].label == "Contact reason"
    assert plan.totals.targets == 3 and plan.totals.errors == 1
    assert plan.totals.values == 1 + len(plan.entries[2].body)


def test_an_attribute_that_already_holds_the_value_is_unchanged_not_sent():
    plan = make_plan(parse("conversation,order_number,contact_reason\n"
                           "10001,100-2345,delivery/damaged/item\n"))
    entry = plan.entries[0]
    assert entry.status == "unchanged" and entry.body == {}
    assert plan.totals.unchanged == 1 and plan.to_send == []


@pytest.mark.parametrize(("a", "b", "same"), [
    (None, "", True), ("", [], True), (None, [], True), ("x", "x", True),
    (["a"], ["a"], True), ("x", None, False), (["a"], ["a", "b"], False), (" ", "", False),
])
def test_values_compare_normalized(a, b, same):
    assert same_value(a, b) is same and same_value(b, a) is same


def test_clearing_an_empty_attribute_is_unchanged():
    state = MockState.demo()
    state.conversations[10001].values[ORDER] = ""
    inp = parse("conversation,order_number\n10001,<clear>\n")
    assert make_plan(inp, state=state).entries[0].status == "unchanged"


def test_value_rules_are_patchs_own():
    """An option that does not exist (JSON names values exactly) is an error; a deactivated
    option a warning, sendable: the same rules and words as ``patch``."""
    plan = make_plan(parse('conversation,contact_reason\n10001,"[""payment"",""cash""]"\n'
                           '10002,payment/invoice\n'))
    bad, warned = plan.entries
    assert bad.status == "error" and [e.code for e in bad.errors] == ["unknown-option"]
    assert "options there: 'card', 'bank_transfer', 'invoice'" in bad.errors[0].message
    assert warned.status == "change" and [w.code for w in warned.warnings] == \
        ["deactivated-option"]
    assert not plan.applicable and plan.totals.warnings == 1


def test_jsonl_values_of_the_wrong_shape_meet_the_value_rules():
    plan = make_plan(parse('{"conversation": 10001, "set": {"order_number": 12345}}\n'
                           '{"conversation": 10002, "set": {"contact_reason": []}}\n'))
    assert [[e.code for e in entry.errors] for entry in plan.entries] == \
        [["wrong-shape"], ["empty-path"]]
    assert "takes a string, not a number" in plan.entries[0].errors[0].message


def test_a_bad_row_shows_all_its_problems():
    """A malformed id and a bad value on one row: both, with no target needed."""
    plan = make_plan(parse('conversation,contact_reason,order_number\n'
                           'abc,"[""nope""]",x\n'))
    assert [e.code for e in plan.entries[0].errors] == ["bad-target", "unknown-option"]
    assert plan.entries[0].target is None


def test_end_users_resolved_by_the_engine():
    inp = parse("enduser,customer_tier\nemail:astrid@example.com,platinum\nemail:nobody@x.y,gold\n"
                f"{USER},silver\n")
    plan = make_plan(inp, users={"email:astrid@example.com": USER})
    found, missing, same_user = plan.entries
    assert found.target == Target("enduser", USER) and found.status == "change"
    assert missing.status == "error" and missing.errors[0].code == "target-not-found"
    # a UUID and an email that resolve to one user: the later row is a duplicate
    assert same_user.status == "error" and same_user.body == {}
    assert same_user.errors[-1].code == "duplicate-target"
    assert "also on line 2" in same_user.errors[-1].message


def test_the_engine_must_resolve_before_it_plans():
    row = parse("enduser,customer_tier\nemail:a@b.c,gold\n").rows[0]
    with pytest.raises(ValueError, match="resolve the target"):
        plan_entry(row, INDEX)
    row = parse("conversation,order_number\n10001,x\n").rows[0]
    with pytest.raises(ValueError, match="current values"):
        plan_entry(row, INDEX)


def test_five_bad_rows_make_a_plan_that_lists_them_and_cannot_be_applied():
    text = ("conversation,order_number,contact_reason\n"
            "10001,ok,payment/card\n"
            "10x02,fine,\n"
            "10003,,payment/cash\n"
            "10001,again,\n"
            '10005,,"[""payment"",""card"""\n'
            "10006,a,other,surplus\n"
            "10007,fine,delivery/late\n")
    plan = Plan.from_json(make_plan(parse(text, "orders.csv")).to_json())
    errors = [(e.line, e.errors[0].code) for e in plan.entries if e.status == "error"]
    assert errors == [(3, "bad-target"), (4, "unknown-option"), (5, "duplicate-target"),
                      (6, "bad-json"), (7, "extra-cells")]
    assert not plan.applicable and plan.totals.errors == 5 and plan.totals.changes == 2


def test_records_that_never_became_rows_are_listed():
    text = ('{"conversation": 10001, "set": {"order_number": "x"}}\n'
            '{"conversation": 10002, "set": \n'
            '{"conversation": 10003, "set": {"order_number": "x"}}\n')
    plan = make_plan(parse(text))
    assert [(e.line, e.status) for e in plan.entries] == \
        [(1, "change"), (2, "error"), (3, "change")]
    assert plan.entries[1].errors[0].code == "bad-json" and plan.entries[1].source == ""


def test_header_problems_are_the_plans_own():
    plan = make_plan(parse("conversation,ordr_number,order_number\n10001,x,y\n"))
    assert [(p.line, p.code, p.ref) for p in plan.problems] == \
        [(1, "unknown-attribute", "ordr_number")]
    assert plan.totals.errors == 0 and not plan.applicable


# ---------------------------------------------------------------- the plan file


GOOD = ("\ufeffconversation,order_number,contact_reason,#note\r\n"
        "10001,100-2345,payment/card,hi\r\n"
        '10002,"two\r\nlines",<clear>,\r\n'
        "10003,,,\r\n")


def _good_plan() -> Plan:
    return make_plan(parse(GOOD, "orders.csv"))


def test_plan_json_round_trip():
    plan = _good_plan()
    text = plan.to_json()
    again = Plan.from_json(text)
    assert again == plan and Plan.from_json(text.encode()) == plan
    data = json.loads(text)
    assert (data["kind"], data["version"], data["created_at"]) == \
        ("dixa-tui bulk plan", PLAN_VERSION, "2026-05-21T07:44:10Z")
    assert data["input"]["sha256"] == hashlib.sha256(GOOD.encode()).hexdigest()
    assert data["totals"] == {"targets": 3, "changes": 2, "unchanged": 1, "errors": 0,
                              "warnings": 2, "values": 3}
    applied = plan.with_batch_id("b-1")
    assert Plan.from_json(applied.to_json()).batch_id == "b-1"


def _tampered(change: Any) -> str:
    data = json.loads(_good_plan().to_json())
    change(data)
    return json.dumps(data)


@pytest.mark.parametrize(("change", "said"), [
    (lambda d: d.update(version=2), "version 2, and this dixa-tui reads version 1"),
    (lambda d: d.pop("version"), "version null"),
    (lambda d: d.pop("kind"), "not a dixa-tui bulk plan"),
    (lambda d: d["entries"][0].update(status="done"), "entries[0].status: Input should be"),
    (lambda d: d["entries"][0].update(line="2"), "entries[0].line: Input should be a valid int"),
    (lambda d: d["entries"][0]["target"].update(kind="user"), "entries[0].target.kind"),
    (lambda d: d["entries"][0].update(extra=1), "entries[0].extra"),
    (lambda d: d["entries"][0].pop("body"), "entries[0].body"),
    (lambda d: d["entries"][0]["body"].update({ORDER: "sneaked in"}),
     "the body is not the changed attributes' after values"),
    (lambda d: d["entries"].pop(), "the totals do not match the entries"),
    (lambda d: d["entries"][1].update(line=2), "line 2 has two entries"),
    (lambda d: d["entries"][2].update(status="error"), "status 'error' with 0 errors"),
    (lambda d: d["entries"][0].update(source="10001,x"), "its source is not a csv record"),
])
def test_a_tampered_plan_is_refused_clearly(change, said):
    with pytest.raises(PlanFileError) as caught:
        Plan.from_json(_tampered(change))
    assert said in str(caught.value)


@pytest.mark.parametrize(("text", "said"), [
    ("", "not valid JSON"), ("{\n  \"kind\": ", "at line 2, column 11"), ("[]", "not a dixa"),
    (b"\xff\xfe{", "not UTF-8"),
])
def test_not_a_plan_at_all(text, said):
    with pytest.raises(PlanFileError, match=said.replace("[", r"\[")):
        Plan.from_json(text)


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=3) |
                    st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=6)


@settings(max_examples=200)
@given(path=st.lists(st.integers(0, 30), min_size=1, max_size=5), value=JSON,
       delete=st.booleans())
def test_any_edit_to_a_plan_reads_back_or_is_refused_never_a_traceback(path, value, delete):
    data: Any = json.loads(_good_plan().to_json())
    node = data
    for step in path[:-1]:
        children = list(node) if isinstance(node, dict) else node
        if not isinstance(children, list) or not children:
            break
        key = children[step % len(children)]
        node = node[key] if isinstance(node, dict) else key
        if not isinstance(node, dict | list):
            break
    if isinstance(node, dict) and node:
        key = list(node)[path[-1] % len(node)]
        if delete:
            del node[key]
        else:
            node[key] = value
    elif isinstance(node, list) and node:
        node[path[-1] % len(node)] = value
    try:
        Plan.from_json(json.dumps(data))
    except PlanFileError as exc:
        assert str(exc)


# ---------------------------------------------------------------- apply-time checks


def test_settle_against_what_the_target_holds_now():
    entry = _good_plan().entries[1]  # 10002: order_number -> "two\r\nlines", reason cleared
    before = values_of(Target("conversation", "10002"))
    assert settle(entry, before) == ("pending", [])
    after = {**before, ORDER: "two\r\nlines", REASON: None}
    assert settle(entry, after) == ("landed", [])
    assert settle(entry, {**after, REASON: []}) == ("landed", [])
    moved = {**before, ORDER: "someone else"}
    state, drifts = settle(entry, moved)
    assert state == "conflict"
    assert [str(d) for d in drifts] == [f'order_number is now "someone else" (the plan '
                                        f"expected {json.dumps(before.get(ORDER))})"]
    half = {**before, ORDER: "two\r\nlines"}  # one landed, one not: not ours to guess
    assert settle(entry, half)[0] == "conflict"


# ---------------------------------------------------------------- results and failures


def test_result_lines_round_trip_and_a_cut_last_line_is_dropped():
    results = [ResultLine(2, "10001", Target("conversation", "10001"), "sent",
                          attributes=["contact_reason"], batch_id="b-1", at="2026-05-21T07:44:11Z"),
               ResultLine(3, "10002", Target("conversation", "10002"), "failed",
                          "Dixa said: \"no\"", 400),
               ResultLine(4, "email:x@y.z", None, "unknown")]
    text = results_jsonl(results)
    assert text.count("\n") == 3 and read_results(text) == results
    assert read_results(text + '{"line": 5, "ref"') == results
    with pytest.raises(ResultsFileError, match="results file line 2: outcome"):
        read_results(text.replace('"failed"', '"exploded"'))


def _outcomes(plan: Plan, failing: dict[int, str]) -> list[ResultLine]:
    out = []
    for e in plan.entries:
        outcome: Outcome = "failed" if e.line in failing else "sent"
        out.append(ResultLine(e.line, e.ref, e.target, outcome, failing.get(e.line, "")))
    return out


def test_csv_failures_file_reruns_the_failing_rows():
    plan = _good_plan()
    results = _outcomes(plan, {3: "=HYPERLINK(\"x\")\nline two"})
    data = failures_file(plan, results)
    assert data.startswith(b"\xef\xbb\xbfconversation,order_number,contact_reason,#note,#error\r\n")
    again = parse(data, failures_name(plan.input.name, "csv"))
    assert again.ok and again.bom
    original = {row.line: row for row in parse(GOOD).rows}
    assert [row.edits for row in again.rows] == [original[3].edits]
    cell = again.rows[0].source[-1]
    assert cell.startswith("failed: =HYPERLINK") and "\n" not in cell


def test_failures_keep_an_existing_error_column_and_the_latest_outcome_wins():
    plan = make_plan(parse("conversation,#error,order_number\n10001,old,x\n10002,,y\n"))
    first = _outcomes(plan, {2: "boom", 3: "bang"})
    resumed = [*first, ResultLine(3, "10002", Target("conversation", "10002"), "sent")]
    assert failures_file(plan, resumed) == \
        b"conversation,#error,order_number\n10001,failed: boom,x\n"
    assert failures_file(plan, [r for r in resumed if r.line == 3][-1:]) == b""


def test_jsonl_failures_file_is_the_original_lines():
    lines = ['{"conversation": 10001, "set": {"order_number": "x"}}',
             '{"conversation":10002,"clear":["contact_reason"],  "#n": "é"}',
             '{"conversation": 10003, "set": {"contact_reason": "Other"}}']
    plan = make_plan(parse("\r\n".join(lines) + "\r\n", "in.jsonl"))
    results = _outcomes(plan, {2: "boom"})
    results[2] = ResultLine(3, "10003", plan.entries[2].target, "conflict", "moved")
    data = failures_file(plan, results)
    assert data == (lines[1] + "\r\n" + lines[2] + "\r\n").encode()
    again = parse(data, failures_name("in.jsonl", "jsonl"))
    assert again.ok and [r.edits for r in again.rows] == \
        [plan_row.edits for plan_row in parse("\n".join(lines)).rows[1:]]


@pytest.mark.parametrize(("name", "fmt", "out"), [
    ("orders.csv", "csv", "orders.failures.csv"), ("/tmp/a.b.jsonl", "jsonl", "a.b.failures.jsonl"),
    (None, "csv", "bulk.failures.csv"), ("-", "jsonl", "bulk.failures.jsonl"),
    (".hidden", "csv", ".hidden.failures.csv"),
])
def test_failures_name(name, fmt, out):
    assert failures_name(name, fmt) == out


@settings(max_examples=60, deadline=None)
@given(texts=st.lists(st.text(st.characters(blacklist_categories=("Cs",),
                                             blacklist_characters="\x00"), min_size=1,
                              max_size=12).filter(lambda t: t.strip()),
                      min_size=1, max_size=6),
       failing=st.sets(st.integers(0, 5)), crlf=st.booleans())
def test_any_failures_file_reparses_to_the_failing_rows(texts, failing, crlf):
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n" if crlf else "\n", quoting=csv.QUOTE_ALL)
    writer.writerow(["conversation", "order_number"])
    for i, text in enumerate(texts):
        writer.writerow([10001 + i, text])
    inp = parse(buffer.getvalue(), "x.csv")
    plan = make_plan(inp)
    lines = {e.line for i, e in enumerate(plan.entries) if i in failing}
    data = failures_file(plan, [ResultLine(e.line, e.ref, e.target,
                                           "failed" if e.line in lines else "sent")
                                for e in plan.entries])
    again = parse(data, "x.failures.csv") if data else None
    want = [row.edits for row in inp.rows if row.line in lines]
    assert ([row.edits for row in again.rows] if again else []) == want
