"""`dixa-tui find conversations` against the mock: the exact set, what is requested (every
request recorded at the mock), every output format, query errors, --limit, and the
find -> spreadsheet -> bulk plan -> bulk apply round trip."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from dixa_tui.cli import main
from dixa_tui.mock import DEMO_API_KEY, Knobs, MockState, create_app
from dixa_tui.mock.demo import DEMO_NOW
from dixa_tui.mock.records import ConversationRecord

NOW = DEMO_NOW + timedelta(days=5, hours=3, minutes=7)


class Recorder:
    """An ASGI wrapper that notes every request's method and path before the mock sees it."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.seen: list[tuple[str, str]] = []
        self.refuse: dict[int, int] = {}  # conversation id -> status its read answers

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.seen.append((scope["method"], scope["path"]))
            last = scope["path"].rsplit("/", 1)[1]
            if scope["method"] == "GET" and last.isdigit() and int(last) in self.refuse:
                body = b'{"message": "refused by the test"}'
                await send({"type": "http.response.start", "status": self.refuse[int(last)],
                            "headers": [(b"content-type", b"application/json")]})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)

    @property
    def searches(self) -> int:
        return sum(1 for _, path in self.seen if path.endswith("/search/conversations"))

    @property
    def reads(self) -> list[int]:
        return [int(path.rsplit("/", 1)[1]) for method, path in self.seen
                if method == "GET" and "/conversations/" in path]


@dataclass
class Org:
    url: str
    state: MockState
    knobs: Knobs
    recorder: Recorder
    runs: list[Result] = field(default_factory=list)

    def run(self, *args: str) -> Result:
        result = CliRunner().invoke(main, ["--base-url", self.url, *args],
                                    env={"DIXA_API_KEY": DEMO_API_KEY})
        assert "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), \
            repr(result.exception)
        return result

    def find(self, *args: str) -> Result:
        return self.run("find", "conversations", *args)

    def ident(self, identifier: str) -> str:
        return next(d.id for d in self.state.definitions if d.identifier == identifier)


@pytest.fixture(autouse=True)
def pinned(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's clock is the mock's (relative dates mean the same to both); no client-side
    pacing in these functional tests (bench/find.py measures the pace)."""
    monkeypatch.setattr("dixa_tui.session.queries.utc_now", lambda: NOW)
    config = home / ".config" / "dixa-tui" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("[profiles.default]\nrate_limit = 0\n", encoding="utf-8")


@pytest.fixture
def serve(serve_asgi: Callable[[object], str]) -> Iterator[Callable[[MockState], Org]]:
    def start(state: MockState) -> Org:
        knobs = Knobs()
        recorder = Recorder(create_app(state, knobs=knobs))
        return Org(serve_asgi(recorder), state, knobs, recorder)

    yield start


@pytest.fixture
def org(serve: Callable[[MockState], Org]) -> Org:
    return serve(MockState.demo(NOW))


def newest_first(records: list[ConversationRecord]) -> list[int]:
    return [r.id for r in sorted(records, key=lambda r: (r.conversation.created_at, r.id),
                                 reverse=True)]


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


# -- the exact answer, in one pass ----------------------------------------------------------


def test_created_since_30d_with_contact_reason_empty_as_csv_is_exactly_the_mocks_set(
        org: Org) -> None:
    reason = org.ident("contact_reason")
    window = [r for r in org.state.conversations.values()
              if r.conversation.created_at >= NOW - timedelta(days=30)]
    expected = newest_first([r for r in window if r.values.get(reason) in (None, [], "")])
    assert 0 < len(expected) < len(window)

    result = org.find("--created-since", "30d", "--where", "contact_reason is empty", "--csv")

    assert result.exit_code == 0, result.stderr
    rows = csv_rows(result.stdout_bytes)
    assert rows[0] == ["conversation", "contact_reason", "contact_reason (label)"]
    assert [int(r[0]) for r in rows[1:]] == expected
    assert all(r[1:] == ["", ""] for r in rows[1:])
    assert result.stdout_bytes.count(b"\r\n") == len(expected) + 1
    assert not result.stdout_bytes.startswith(b"\xef\xbb\xbf")  # no BOM down a pipe
    # One pass: the definitions, each search page once, each conversation of the window once.
    assert sorted(org.recorder.reads) == sorted(r.id for r in window)
    assert org.recorder.searches == (len(window) - 1) // 50 + 1
    assert org.knobs.requests == 1 + org.recorder.searches + len(window)
    # The progress line and the summary went to stderr, the data alone to stdout.
    assert f"checked {len(window)}" in result.stderr and "pages" in result.stderr
    assert f"{len(expected)} matches, {len(window)} conversations checked" in result.stderr
    assert "Finding conversations: created since 30d" in result.stderr
    assert "checked" not in result.stdout


def _forms() -> list[tuple[str, Callable[[Any, str, str], bool]]]:
    """Each --where form on the Text (order_number: ``{A}`` and ``{B}`` are two values the
    demo holds) and the nested Select (contact_reason), with the predicate the test itself
    applies to the stored value."""
    def path(value: Any) -> tuple[str, ...]:
        return tuple(value) if isinstance(value, list) else ()

    def empty(value: Any) -> bool:
        return value in (None, "", [])

    return [
        ("order_number is empty", lambda v, a, b: empty(v)),
        ("order_number is not empty", lambda v, a, b: not empty(v)),
        ("order_number is {A}", lambda v, a, b: v == a),
        ("order_number is not {A}", lambda v, a, b: v != a),
        ("order_number is one of {A}, {B}", lambda v, a, b: v in (a, b)),
        ("order_number is not one of {A}, {B}", lambda v, a, b: v not in (a, b)),
        ("contact_reason is delivery/damaged/item",
         lambda v, a, b: path(v) == ("delivery", "damaged", "item")),
        ("contact_reason is not Delivery > Late",
         lambda v, a, b: path(v) != ("delivery", "late")),
        ("contact_reason is one of payment/card, delivery/late",
         lambda v, a, b: path(v) in (("payment", "card"), ("delivery", "late"))),
        ("contact_reason is not one of payment/card, delivery/late",
         lambda v, a, b: path(v) not in (("payment", "card"), ("delivery", "late"))),
        ("contact_reason under delivery", lambda v, a, b: path(v)[:1] == ("delivery",)),
        ("contact_reason under Delivery > Damaged",
         lambda v, a, b: path(v)[:2] == ("delivery", "damaged")),
        ("contact_reason not under delivery", lambda v, a, b: path(v)[:1] != ("delivery",)),
    ]


@pytest.mark.parametrize(("form", "holds"), _forms(), ids=[f for f, _ in _forms()])
def test_every_where_form_finds_what_the_mock_holds(
        org: Org, form: str, holds: Callable[[Any, str, str], bool]) -> None:
    name = form.split()[0]
    attribute = org.ident(name)
    first = newest_first(list(org.state.conversations.values()))[:120]
    stored = {c: org.state.conversations[c].values.get(attribute) for c in first}
    numbers = [v for v in stored.values() if isinstance(v, str) and v] or [""]
    a, b = numbers[0], numbers[-1]
    expected = [c for c in first if holds(stored[c], a, b)]
    assert 0 < len(expected) < len(first), "the demo must hold both hits and misses"
    result = org.find("--where", form.replace("{A}", a).replace("{B}", b), "--sample", "120",
                      "--jsonl")
    assert result.exit_code == 0, result.stderr
    found = [json.loads(line) for line in result.stdout.splitlines()]
    assert [f["conversation"] for f in found] == expected
    for f in found:
        value = stored[f["conversation"]]
        assert f["values"][name] == (value if value not in ("", []) else None)


def test_dixas_filters_and_attribute_conditions_together(org: Org) -> None:
    reason = org.ident("contact_reason")
    expected = newest_first([
        r for r in org.state.conversations.values()
        if r.conversation.state in ("Closed", "Pending") and r.conversation.channel == "Email"
        and list(r.values.get(reason) or [])[:1] == ["delivery"]])
    assert expected
    result = org.find("--status", "closed,pending", "--channel", "email", "--where",
                      "contact_reason under delivery", "--jsonl")
    assert result.exit_code == 0, result.stderr
    assert [json.loads(x)["conversation"] for x in result.stdout.splitlines()] == expected


# -- query errors: exit 2, nothing searched --------------------------------------------------


def test_a_bad_date_or_status_exits_2_with_nothing_requested(org: Org) -> None:
    result = org.find("--created-since", "7x", "--status", "opn", "--csv")
    assert result.exit_code == 2
    assert org.knobs.requests == 0 and org.recorder.seen == []
    assert "'7x' is not a moment" in result.stderr
    assert "did you mean open?" in result.stderr
    assert "No conversation was searched or read." in result.stderr
    assert result.stdout == ""


def test_attribute_errors_are_all_said_at_once_after_reading_only_the_definitions(
        org: Org) -> None:
    result = org.find("--created-until", "2026-13-01", "--where", "contact_reson is empty",
                      "--where", "contact_reason is payment/nope", "--columns", "nope")
    assert result.exit_code == 2
    assert "4 problems" in result.stderr
    assert "did you mean 'contact_reason'" in result.stderr
    assert "'nope' is not an option under 'payment'" in result.stderr
    assert "'card' (Card)" in result.stderr  # the options that exist
    assert "not a valid date" in result.stderr and "--columns" in result.stderr
    # The definitions are needed to know the attributes: that read, and nothing else.
    assert org.recorder.seen == [("GET", "/beta/custom-attributes")]
    assert org.knobs.requests == 1 and result.stdout == ""


def test_conflicting_output_options_are_usage_errors(org: Org) -> None:
    for args, says in ((("--csv", "--json"), "choose one"),
                       (("--count", "--limit", "3"), "--count counts every match"),
                       (("--count", "--csv"), "--count prints a number"),
                       (("--limit", "0"), "0")):
        result = org.find(*args)
        assert result.exit_code == 2 and says in result.stderr, (args, result.stderr)
    assert org.knobs.requests == 0


def test_dixa_failing_half_way_keeps_the_rows_before_closes_the_array_and_exits_1(
        org: Org) -> None:
    order = newest_first(list(org.state.conversations.values()))
    org.recorder.refuse[order[4]] = 403
    result = org.find("--json")
    assert result.exit_code == 1
    assert [item["conversation"] for item in json.loads(result.stdout)] == order[:4]
    assert "Error:" in result.stderr and "403" in result.stderr
    assert "Stopped by an error: 4 matches, 4 conversations checked" in result.stderr
    assert "Traceback" not in result.stderr


# -- --limit on a large organization ---------------------------------------------------------


def test_limit_10_on_5000_conversations_stops_after_the_pages_it_needs(
        serve: Callable[[MockState], Org]) -> None:
    large = serve(MockState.generated(MockState.demo().definitions, conversations=5000,
                                      now=NOW))
    reason = large.ident("contact_reason")
    order = newest_first(list(large.state.conversations.values()))
    hits = [n for n, c in enumerate(order)
            if large.state.conversations[c].values.get(reason) in (None, [], "")]
    tenth = hits[9]
    assert tenth >= 50  # the answer needs more than the first page

    result = large.find("--where", "contact_reason is empty", "--limit", "10", "--csv")

    assert result.exit_code == 0, result.stderr
    assert [int(r[0]) for r in csv_rows(result.stdout_bytes)[1:]] == [order[n] for n in
                                                                       hits[:10]]
    reads = large.recorder.reads
    # Reads run 4 at once, and none starts that could not change the answer.
    assert tenth + 1 <= len(reads) <= tenth + 4
    assert large.recorder.searches == (len(reads) - 1) // 50 + 1  # of the 100 pages
    assert large.knobs.requests == 1 + large.recorder.searches + len(reads)
    assert "(stopped at --limit 10)" in result.stderr


# -- every output format --------------------------------------------------------------------


def test_the_table_shows_labels_and_the_attributes_asked_for(org: Org) -> None:
    result = org.find("--where", "contact_reason under delivery/damaged", "--columns",
                      "contact_reason,order_number", "--limit", "3")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["CONVERSATION", "CREATED", "STATUS", "CHANNEL",
                                "contact_reason", "order_number"]
    assert len(lines) == 4
    for line in lines[1:]:
        conversation = int(line.split()[0])
        assert "Delivery > Dama" in line  # cut to its column with an ellipsis, or whole
        number = org.state.conversations[conversation].values.get(org.ident("order_number"))
        assert line.rstrip().endswith(number or "-")


def test_json_is_one_array_and_jsonl_one_object_a_line(org: Org) -> None:
    as_json = org.find("--where", "contact_reason is payment/card", "--json")
    as_jsonl = org.find("--where", "contact_reason is payment/card", "--jsonl")
    assert as_json.exit_code == as_jsonl.exit_code == 0
    array = json.loads(as_json.stdout)
    assert array == [json.loads(line) for line in as_jsonl.stdout.splitlines()]
    assert array and all(item["values"]["contact_reason"] == ["payment", "card"] and
                         item["labels"]["contact_reason"] == "Payment > Card"
                         for item in array)
    first = org.state.conversations[array[0]["conversation"]].conversation
    assert array[0]["state"] == first.state and array[0]["channel"] == first.channel
    none = org.find("--where", "contact_reason is payment/card", "--created-since", "1m",
                    "--json")
    assert none.exit_code == 0 and json.loads(none.stdout) == []


def test_count_reads_when_attributes_are_tested_and_asks_the_search_alone_otherwise(
        org: Org) -> None:
    reason = org.ident("contact_reason")
    closed = [r for r in org.state.conversations.values() if r.conversation.state == "Closed"]
    empty = [r for r in closed if r.values.get(reason) in (None, [], "")]
    counted = org.find("--status", "closed", "--where", "contact_reason is empty", "--count")
    assert counted.exit_code == 0 and counted.stdout == f"{len(empty)}\n"
    assert len(org.recorder.reads) == len(closed)
    before = len(org.recorder.reads)
    by_search = org.find("--status", "closed", "--count", "--json")
    assert json.loads(by_search.stdout)["matches"] == len(closed)
    assert len(org.recorder.reads) == before  # not one conversation read
    assert "counted by Dixa's search" in by_search.stderr


def test_sample_checks_only_the_first_n(org: Org) -> None:
    result = org.find("--where", "contact_reason is not empty", "--sample", "30", "--jsonl")
    order = newest_first(list(org.state.conversations.values()))
    assert sorted(org.recorder.reads) == sorted(order[:30])
    assert "among the first 30" in result.stderr


# -- find -> spreadsheet -> bulk plan -> bulk apply ------------------------------------------


def test_a_find_csv_edited_in_a_spreadsheet_feeds_bulk_plan_and_apply(org: Org,
                                                                    tmp_path: Path) -> None:
    reason, number = org.ident("contact_reason"), org.ident("order_number")
    found = org.find("--created-since", "30d", "--where", "contact_reason is empty",
                     "--columns", "contact_reason,order_number", "--csv")
    assert found.exit_code == 0, found.stderr
    rows = csv_rows(found.stdout_bytes)
    assert rows[0] == ["conversation", "contact_reason", "contact_reason (label)",
                       "order_number"]
    targets = [int(r[0]) for r in rows[1:]]
    assert len(targets) >= 3
    numbers_before = {c: org.state.conversations[c].values.get(number) for c in targets}
    # The person fills the empty reasons: by values, by labels, and leaves one empty.
    rows[1][1] = "payment/card"
    rows[2][1] = "Delivery > Late"
    rows[2][2] = "a label cell edited by mistake is ignored"
    sheet = tmp_path / "empty-reason.csv"
    with sheet.open("w", encoding="utf-8-sig", newline="") as out:
        csv.writer(out, lineterminator="\r\n").writerows(rows)

    planned = org.run("bulk", "plan", str(sheet))
    assert planned.exit_code == 0, planned.stderr
    plan = json.loads((tmp_path / "empty-reason.plan.json").read_text())
    assert plan["totals"]["errors"] == 0 and plan["totals"]["changes"] == 2
    writes_before = org.knobs.writes
    assert writes_before == 0

    applied = org.run("bulk", "apply", str(tmp_path / "empty-reason.plan.json"), "--yes")
    assert applied.exit_code == 0, applied.stderr
    assert org.state.conversation_values(targets[0])[reason] == ["payment", "card"]
    assert org.state.conversation_values(targets[1])[reason] == ["delivery", "late"]
    assert org.state.conversations[targets[2]].values.get(reason) in (None, [], "")
    assert org.knobs.writes == 2  # the unchanged rows and the Text column sent nothing
    assert {c: org.state.conversations[c].values.get(number) for c in targets} == \
        numbers_before
    again = org.find("--created-since", "30d", "--where", "contact_reason is empty", "--csv")
    assert [int(r[0]) for r in csv_rows(again.stdout_bytes)[1:]] == targets[2:]


# -- saved queries ---------------------------------------------------------------------------


def test_a_query_saved_by_name_reopens_with_the_same_answer_and_takes_more_options(
        org: Org, home: Path) -> None:
    config = home / ".config" / "dixa-tui" / "config.toml"
    first = org.find("--created-since", "30d", "--status", "OPEN,closed", "--where",
                     "Contact_Reason IS EMPTY".replace("Contact_Reason", "contact_reason"),
                     "--save", "empty-reason", "--jsonl")
    assert first.exit_code == 0, first.stderr
    assert "Saved as 'empty-reason'" in first.stderr
    text = config.read_text()
    assert text.startswith("[profiles.default]\nrate_limit = 0\n")  # the user's lines kept
    assert ("\"empty-reason\" = \"--created-since 30d --status open,closed --where "
            "'contact_reason is empty'\"") in text

    again = org.find("--saved", "empty-reason", "--jsonl")
    assert again.exit_code == 0 and again.stdout == first.stdout and first.stdout

    narrower = org.find("--saved", "empty-reason", "--channel", "email", "--jsonl")
    expected = [json.loads(x)["conversation"] for x in first.stdout.splitlines()
                if json.loads(x)["channel"] == "Email"]
    assert [json.loads(x)["conversation"] for x in narrower.stdout.splitlines()] == expected

    listed = org.run("find", "saved")
    assert listed.exit_code == 0 and "empty-reason" in listed.stdout
    assert json.loads(org.run("find", "saved", "--json").stdout) == {
        "empty-reason": "--created-since 30d --status open,closed --where "
                        "'contact_reason is empty'"}


def test_a_saved_name_that_does_not_exist_or_no_longer_reads_exits_2(org: Org,
                                                                     home: Path) -> None:
    config = home / ".config" / "dixa-tui" / "config.toml"
    config.write_text(config.read_text() + "\n[queries]\n"
                      "\"old\" = \"--where 'retired_reason is empty'\"\n"
                      "\"broken\" = \"--where 'unclosed\"\n")
    unknown = org.find("--saved", "olde")
    assert unknown.exit_code == 2 and "did you mean 'old'?" in unknown.stderr
    broken = org.find("--saved", "broken")
    assert broken.exit_code == 2 and "saved query 'broken'" in broken.stderr
    assert org.knobs.requests == 0
    stale = org.find("--saved", "old")
    assert stale.exit_code == 2 and "retired_reason" in stale.stderr
    assert org.recorder.seen == [("GET", "/beta/custom-attributes")]  # never searched


def test_a_query_with_a_problem_is_not_saved(org: Org, home: Path) -> None:
    config = home / ".config" / "dixa-tui" / "config.toml"
    before = config.read_text()
    result = org.find("--where", "contact_reson is empty", "--save", "typo")
    assert result.exit_code == 2 and "did you mean 'contact_reason'" in result.stderr
    empty = org.find("--save", "nothing")
    assert empty.exit_code == 2 and "no query to save" in empty.stderr
    assert config.read_text() == before


# -- the hostile organization ------------------------------------------------------------------


def test_on_the_hostile_organization_the_table_is_clean_and_jsonl_exact(
        serve: Callable[[MockState], Org]) -> None:
    import re

    from dixa_tui.mock import hostile

    raw = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
    bad = serve(hostile.build_hostile_state())
    record = bad.state.conversations[66601]
    table = bad.find("--columns", ",".join(
        d.id for d in bad.state.definitions
        if d.id in record.values and d.entity_type == "Conversation"))
    assert table.exit_code == 0, table.stderr
    for stream in (table.stdout, table.stderr):
        assert raw.search(stream) is None
    assert "66601" in table.stdout
    exact = bad.find("--jsonl")
    assert exact.exit_code == 0
    [line] = [json.loads(x) for x in exact.stdout.splitlines() if '"conversation":66601' in x]
    shared = [d.identifier for d in bad.state.definitions]
    checked = 0
    for d in bad.state.definitions:
        if d.entity_type != "Conversation" or d.is_archived:
            continue
        # A shared identifier would be ambiguous when fed back: such a column is the id.
        name = d.identifier if d.identifier and shared.count(d.identifier) == 1 else d.id
        value = record.values.get(d.id)
        assert line["values"][name] == (value if value not in (None, "", []) else None)
        checked += value is not None
    assert checked >= 5
    assert raw.search(exact.stdout) is None  # escaped as \uXXXX, the same JSON value
