"""Two options of one level sharing a value (bad data Dixa lets through): a path through that
value cannot say which option it means, and reads back as the first. Choosing it is a
warning, whichever option's label was typed, and the diff's label is explained; a path that
avoids the shared value is not warned about."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from click.testing import CliRunner

from dixa_tui.api.models import CustomAttributeDefinition
from dixa_tui.cli import main
from dixa_tui.domain.patch import DefinitionIndex, StagedEdit, Target, build_patch
from dixa_tui.mock import DEMO_API_KEY, Knobs, MockState

REASON = "99999999-2222-4333-8444-555555555555"


def option(value: str, label: str, order: int, *kids: dict[str, Any]) -> dict[str, Any]:
    return {"id": f"o-{label}", "value": value, "label": label, "orderIndex": order,
            "isDeactivated": False, "nestedOptions": list(kids)}


def reason() -> dict[str, Any]:
    return {
        "id": REASON, "entityType": "Conversation", "identifier": "reason", "label": "Reason",
        "inputDefinition": {"_type": "Select", "options": [
            option("payment", "Payment", 0, option("card", "Card", 0),
                   option("card", "Credit card", 1), option("bank", "Bank", 2)),
            option("other", "Other", 1), option("other", "Misc", 2)]},
        "createdAt": "2024-01-01T00:00:00Z[GMT]", "isRequired": False, "isArchived": False,
        "isDeactivated": False}


def index() -> DefinitionIndex:
    return DefinitionIndex([CustomAttributeDefinition.model_validate(reason())])


@pytest.mark.parametrize(("path", "says"), [
    (["payment", "card"], "'card' is the value of 2 options at one level ('Card', 'Credit "
                          "card')"),
    (["other"], "'other' is the value of 2 options at one level ('Other', 'Misc')"),
])
def test_a_shared_value_on_the_path_is_a_warning(path: list[str], says: str) -> None:
    plan = build_patch(index(), Target("conversation", "1"), [StagedEdit("reason", path)])
    assert [p.code for p in plan.warnings] == ["duplicate-option-value"]
    assert says in plan.warnings[0].message
    assert "reads back as the first" in plan.warnings[0].message
    assert not plan.errors and plan.body == {REASON: path}


def test_a_path_clear_of_shared_values_is_not_warned_about() -> None:
    plan = build_patch(index(), Target("conversation", "1"),
                       [StagedEdit("reason", ["payment", "bank"])])
    assert plan.problems == []


@pytest.fixture
def url(serve_mock: Callable[..., tuple[str, MockState, Knobs]]) -> str:
    state = MockState.from_org_payload({"data": [reason()]})
    state.conversations  # noqa: B018 (people are generated on first use)
    served, _, _ = serve_mock(state=state)
    return served


@pytest.mark.loopback
@pytest.mark.parametrize("typed", ["payment/card", "Payment > Credit card"])
def test_patch_warns_whichever_label_was_typed(url: str, typed: str) -> None:
    conversation = str(min(MockState.from_org_payload({"data": [reason()]}).conversations))
    result = CliRunner().invoke(main, ["--base-url", url, "patch", "conversation",
                                       conversation, "--set", f"reason={typed}", "--dry-run"],
                                env={"DIXA_API_KEY": DEMO_API_KEY})
    assert result.exit_code == 2, result.output
    assert "Warning: reason: 'card' is the value of 2 options at one level" in result.output
    assert "Nothing was sent: re-run with --force" in result.output
