"""Linting definitions: an organization with one instance of each finding gets each once;
the demo's findings (none) are what the README says; the hostile organization lints."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from dixa_tui.api.models import CustomAttributeDefinition
from dixa_tui.domain.schema_lint import RULES, SEVERITIES, Finding, lint
from dixa_tui.mock import MockState
from dixa_tui.mock.hostile import build_hostile_state

README = Path(__file__).parents[2] / "README.md"


def option(value: str, label: str | None = None, *, off: bool = False, order: int = 0,
           children: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"id": f"o-{value}-{order}", "value": value, "label": label or value.title(),
            "isDeactivated": off, "orderIndex": order, "nestedOptions": children or []}


def definition(identifier: str, label: str, entity: str = "Conversation",
               options: list[dict[str, Any]] | None = None, **flags: Any) -> dict[str, Any]:
    spec = {"_type": "Select", "options": options} if options is not None else {"_type": "Text"}
    return {"id": f"id-{identifier}-{label}", "entityType": entity, "identifier": identifier,
            "label": label, "inputDefinition": spec} | flags


def org(*items: dict[str, Any]) -> list[CustomAttributeDefinition]:
    return [CustomAttributeDefinition.model_validate(item) for item in items]


def clean_org() -> list[dict[str, Any]]:
    """No finding: what an ordinary organization looks like, traps for false findings
    included (one label in both entity types, an archived look-alike, a nested value
    repeated under different parents, a deactivated option beside an active one)."""
    return [
        definition("order_number", "Order number"),
        definition("order_number_contact", "Order number", "Contact"),
        definition("old_order_number", "order number", isArchived=True),
        definition("reason", "Reason", options=[
            option("delivery", order=1, children=[option("other", order=2)]),
            option("payment", order=3, children=[option("other", order=4)]),
            option("legacy", off=True, order=5)]),
        definition("optional_off", "Optional but off", isDeactivated=True),
    ]


# Each entry adds one finding of its code (and nothing else) to the clean organization.
ONE_OF_EACH: dict[str, tuple[dict[str, Any], tuple[str, ...]]] = {
    "empty-identifier": (definition("", "Nameless"), ()),
    "duplicate-identifier": (definition("order_number", "Another order number field"), ()),
    "duplicate-label": (definition("order_ref", "ORDER   number"), ()),
    "required-deactivated": (definition("must_off", "Must but off", isRequired=True,
                                        isDeactivated=True), ()),
    "required-archived": (definition("must_gone", "Must but gone", isRequired=True,
                                     isArchived=True), ()),
    "empty-select": (definition("nothing", "Nothing to pick", options=[]), ()),
    "all-options-deactivated": (definition("all_off", "All off", options=[
        option("a", off=True, order=1), option("b", off=True, order=2,
                                               children=[option("b1", order=3)])]), ()),
    "duplicate-option-value": (definition("twice", "Twice", options=[
        option("x", "X one", order=1), option("x", "X two", order=2)]), ("x",)),
    "duplicate-option-label": (definition("look_alike", "Look alike", options=[
        option("p", "Parcel", order=1, children=[
            option("s", "Same", order=2), option("t", "SAME", order=3)])]),
                               ("p", "s")),
    "option-value-slash": (definition("slashed", "Slashed", options=[
        option("a/b", "A or B", order=1)]), ("a/b",)),
    "control-characters": (definition("escape", "Red\x1b[31m label"), ()),
    "surrounding-spaces": (definition("padded", "Padded "), ()),
}


def test_a_clean_organization_has_no_findings():
    assert lint(org(*clean_org())) == []


def test_one_instance_of_each_finding_is_reported_once():
    extra = [item for item, _ in ONE_OF_EACH.values()]
    findings = lint(org(*clean_org(), *extra))
    assert Counter(f.code for f in findings) == Counter(set(RULES))
    for f in findings:
        item, path = ONE_OF_EACH[f.code]
        assert f.severity == RULES[f.code][0]
        assert f.option_path == path, f.code
        if f.code == "duplicate-identifier":  # reported at the first of the group
            assert (f.identifier, f.definition_id) == ("order_number", "id-order_number-Order "
                                                                       "number")
            assert "2 definitions" in f.message
        elif f.code == "duplicate-label":
            assert f.identifier == "order_number" and "'order_ref'" in f.message
            assert f.message.startswith("2 Conversation attributes")  # not the archived one
        else:
            assert f.definition_id == item["id"], f.code


@pytest.mark.parametrize(("code", "item"), [
    ("control-characters", definition("line\nbreak", "Fine")),
    ("control-characters", definition("bidi", "Fine", options=[option("v", "a\u202eb")])),
    ("surrounding-spaces", definition(" spaced", "Fine")),
    ("surrounding-spaces", definition("opt", "Fine", options=[option("v", "Label\t")])),
])
def test_names_are_checked_in_identifiers_labels_and_option_labels(code: str,
                                                                   item: dict[str, Any]):
    codes = [f.code for f in lint(org(item))]
    assert code in codes


def test_errors_come_before_warnings_at_one_definition_and_findings_are_one_line():
    item = definition("", " both \x07", isRequired=True, isArchived=True)
    findings = lint(org(item))
    assert [f.code for f in findings] == ["empty-identifier", "required-archived",
                                          "control-characters", "surrounding-spaces"]
    assert [SEVERITIES.index(f.severity) for f in findings] == [0, 0, 1, 1]
    for f in findings:
        assert "\n" not in f.describe() and "\x07" not in f.describe()


def test_the_hostile_organization_lints_without_crashing():
    definitions = build_hostile_state().definitions
    findings = lint(definitions)
    codes = Counter(f.code for f in findings)
    assert codes["duplicate-identifier"] == 1  # the two 'duplicate's
    assert codes["empty-identifier"] == 2      # null and missing identifiers
    assert codes["empty-select"] == 1 and codes["required-deactivated"] == 1
    assert codes["option-value-slash"] >= 7    # the deep tree's '[lN]/down' values
    assert codes["control-characters"] > 100
    for f in findings:
        assert "\n" not in f.describe() and "\x1b" not in f.describe()
        assert len(f.message) < 400  # a 10,000-character label is quoted, not pasted
        json.dumps(f.to_json())


def test_the_demo_organization_has_the_findings_the_readme_lists():
    findings = lint(MockState.demo().definitions)
    assert findings == []  # if this changes, list them in the README's "Schema tools"
    assert "The demo organization has no lint findings" in README.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["csv-columns", "change-kinds", "lint-rules"])
def test_the_readme_blocks_are_current(name: str):
    from tools.schema_readme import BLOCKS

    text = README.read_text(encoding="utf-8")
    block = re.search(rf"<!-- {name}:start[^>]*-->\n(.*?)<!-- {name}:end -->", text, re.S)
    assert block is not None, f"the README has no {name} block"
    assert block.group(1) == BLOCKS[name](), (
        "run `make readme`")


def test_a_finding_to_json():
    f = Finding("warning", "option-value-slash", "x", "id1", "holds '/'", ("a/b",))
    assert f.to_json() == {"severity": "warning", "code": "option-value-slash",
                           "identifier": "x", "definition_id": "id1", "option_path": ["a/b"],
                           "message": "holds '/'"}
    assert f.describe() == "warning option-value-slash 'x' option 'a/b': holds '/'"


def test_the_readme_generator_rewrites_stale_blocks(tmp_path: Path, capsys):
    from tools.readme import main

    copy = tmp_path / "README.md"
    copy.write_text(re.sub(r"(<!-- lint-rules:start[^>]*-->\n).*?(<!-- lint-rules:end -->)",
                           r"\1stale\n\2", README.read_text(encoding="utf-8"), flags=re.S),
                    encoding="utf-8")
    assert main(["--only", "lint-rules", str(copy)]) == 0
    assert copy.read_text(encoding="utf-8") == README.read_text(encoding="utf-8")
    assert "README updated: lint-rules" in capsys.readouterr().out
