"""The CLI on the hostile organization, over real HTTP: literal, no escape bytes, no traceback."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pytest
from click.testing import CliRunner, Result
from rich.cells import cell_len

from dixa_tui.cli import main
from dixa_tui.mock import DEMO_API_KEY
from dixa_tui.mock import hostile as h
from dixa_tui.text import clean

# What must never reach the terminal: C0 controls but the newline, C1, bidi controls.
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


@dataclass
class Hostile:
    url: str

    def run(self, *args: str) -> Result:
        result = CliRunner().invoke(main, ["--base-url", self.url, *args],
                                    env={"DIXA_API_KEY": DEMO_API_KEY})
        assert "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), \
            repr(result.exception)
        return result


@pytest.fixture
def hostile(serve_mock) -> Hostile:
    """The hostile organization served over loopback HTTP."""
    url, _, _ = serve_mock(state=h.build_hostile_state())
    return Hostile(url)


def safe(result) -> None:
    """Nothing raw on stdout or stderr, and the key nowhere."""
    for stream in (result.stdout, result.stderr):
        found = RAW.search(stream)
        assert found is None, f"{found.group()!r} reached the terminal"
        assert DEMO_API_KEY not in stream


def cast_id(name: str) -> str:
    return h.HOSTILE_ID if name == "hostile_id" else str(h.cast()[name]["id"])


def test_list_is_literal_aligned_and_reports_what_it_left_out(hostile):
    result = hostile.run("definitions", "list", "--include-archived")
    assert result.exit_code == 0
    safe(result)
    lines = result.stdout.splitlines()
    assert len(lines) == 1 + 3000 - len(h.UNREADABLE_AT)
    assert "[bold red]Refund[/] [link=https://evil.example]" in result.stdout
    assert "ANSI REDred" in result.stdout and "line one⏎line two⏎⏎line three" in result.stdout
    # columns line up in terminal cells, whatever the labels hold
    type_column = cell_len(lines[0][: lines[0].index("TYPE")])
    for line in lines[1:40]:
        cut = next(i for i in range(len(line) + 1) if cell_len(line[:i]) >= type_column)
        assert line[cut - 2: cut] == "  ", line
    assert "(no label)" in result.stdout
    assert "Warning: 9 definitions sent by Dixa could not be read" in result.stderr
    assert "item 2: id: Input should be a valid string" in result.stderr
    assert "and 4 more" in result.stderr


def test_list_json_gives_the_data_back_exactly(hostile):
    result = hostile.run("definitions", "list", "--json", "--include-archived")
    assert result.exit_code == 0
    safe(result)
    listed = json.loads(result.stdout)
    assert listed[0]["label"] == h.MARKUP
    ansi = next(d for d in listed if d["id"] == cast_id("ansi"))
    assert ansi["label"] == h.cast()["ansi"]["label"]  # escapes kept as JSON escapes
    assert "\\u001b" in result.stdout and "\\u202e" in result.stdout


@pytest.mark.parametrize("name", [*h.cast(), "hostile_id"])
def test_show_every_hostile_definition(hostile, name):
    result = hostile.run("definitions", "show", cast_id(name))
    assert result.exit_code == 0, result.stderr
    safe(result)
    label = h.cast()[name].get("label") if name != "hostile_id" else "Id is not a UUID"
    assert (clean(label)[:60] if label else "Label ") in result.stdout
    assert "Traceback" not in result.stderr


def test_show_the_deep_tree_and_the_ambiguous_identifier(hostile):
    deep = hostile.run("definitions", "show", "deep_[8]")
    assert deep.exit_code == 0
    safe(deep)
    assert "                L8 leaf 📦🚚  [l8\u200bleaf]" in deep.stdout  # 8 levels in
    assert "L3 leaf 📦🚚  [l3\u200bleaf]  (deactivated)" in deep.stdout
    twins = hostile.run("definitions", "show", h.DUPLICATE_IDENTIFIER)
    assert twins.exit_code == 2 and "more than one attribute has this identifier" in \
        twins.stderr
    safe(twins)
    unreadable = hostile.run("definitions", "show", h.unreadable()["bad_flag"]["id"])
    assert unreadable.exit_code == 1 and "isRequired" in unreadable.stderr
    assert unreadable.stderr.startswith("Error: ")
    safe(unreadable)


def test_patch_dry_run_body_and_diff(hostile):
    conversation = str(h.HOSTILE_CONVERSATION_ID)
    result = hostile.run("patch", "conversation", conversation, "--dry-run", "--force",
                         "--set-json", f"deep_[8]={json.dumps(h.deep_path()[:-1])}",
                         "--set", "[i]markup[/i]=[b]new[/b]",
                         "--clear", "cjk_理由")
    assert result.exit_code == 0, result.stderr
    safe(result)
    body = json.loads(result.stdout)
    assert body == {cast_id("deep"): h.deep_path()[:-1], cast_id("markup"): "[b]new[/b]",
                    cast_id("cjk"): None}
    assert "[red]value[/red] [link=https://evil.example]x[/…  ->  [b]new[/b]" in result.stderr
    assert "Dry run: nothing was sent." in result.stderr
    assert "Warning: " in result.stderr and "stops at '[l7]/down'" in result.stderr


def test_patch_refusals_and_dixas_hostile_message(hostile):
    conversation = str(h.HOSTILE_CONVERSATION_ID)
    controls = hostile.run("patch", "conversation", conversation,
                           "--set-json", 'ansi\u001b[1m_bold="\\u001b]52;c;aGk=\\u0007x"')
    assert controls.exit_code == 2 and "control characters" in controls.stderr
    safe(controls)
    refused = [*h.deep_path()[:2], "l3\u200bleaf"]
    sent = hostile.run("patch", "conversation", conversation, "--force",
                       "--set-json", f"deep_[8]={json.dumps(refused)}")
    assert sent.exit_code == 1
    safe(sent)
    assert "HTTP 400" in sent.stderr and "'l3\u200bleaf' is deactivated" in sent.stderr
    assert "[bold red]Dixa says[/] no" in sent.stderr  # Dixa's note, literally
    assert "Traceback" not in sent.stderr
    slash = hostile.run("patch", "conversation", conversation, "--dry-run",
                        "--set", "deep_[8]=[l1]/down")
    # a value holding "/" is found whole (the longest step first), then stops above a leaf
    assert slash.exit_code == 2 and "stops at '[l1]/down'" in slash.stderr
    safe(slash)
