"""`dixa-tui patch ...` over loopback: each value rule through the CLI (exit 2, nothing sent),
warnings and --force, dry runs, real sends, and API/network failures (exit 1)."""

from __future__ import annotations

import copy
import json

import pytest

from dixa_tui.mock.demo import DEMO_CONVERSATION_ID, DEMO_END_USER_ID

USER = DEMO_END_USER_ID
CONV = str(DEMO_CONVERSATION_ID)
CONTACT_REASON = "5d96cf7f-265b-4da9-8f0c-26ef4243ed52"
ORDER_NUMBER = "566bf9d7-c55a-45f8-91a6-e55e9b9b1325"
CUSTOMER_TIER = "5e6a0a2e-dd70-434d-81d7-7cffb7decc0c"
ESCALATION = "683447c1-0cc8-4f11-9d4e-abbd1fcfb980"


def snapshot(state):
    return copy.deepcopy(({k: r.values for k, r in state.end_users.items()},
                          {k: r.values for k, r in state.conversations.items()}))


def test_dry_run_prints_body_and_diff_and_sends_nothing(mocked):
    before = snapshot(mocked.state)
    result = mocked.run("patch", "conversation", CONV, "--set",
                        "contact_reason=payment/card", "--set", "order_number=100-9",
                        "--clear", "escalation_level", "--dry-run", "--force")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {CONTACT_REASON: ["payment", "card"],
                                         ORDER_NUMBER: "100-9", ESCALATION: None}
    assert "Delivery > Damaged > Item  ->  Payment > Card" in result.stderr
    assert "100-2345" in result.stderr and "Dry run: nothing was sent." in result.stderr
    assert mocked.knobs.writes == 0 and snapshot(mocked.state) == before


def test_send_changes_the_mock(mocked):
    result = mocked.run("patch", "conversation", CONV, "--set", "contact_reason=delivery/late",
                        "--set-json", 'order_number="A-1"')
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0].split() == ["ATTRIBUTE", "VALUE", "NOW"]
    assert "Delivery > Late" in result.stdout
    values = mocked.state.conversation_values(DEMO_CONVERSATION_ID)
    assert values[CONTACT_REASON] == ["delivery", "late"] and values[ORDER_NUMBER] == "A-1"


def test_json_output_is_the_response_only(mocked):
    result = mocked.run("patch", "enduser", USER, "--set", "customer_tier=silver", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"data": [{
        "id": CUSTOMER_TIER, "name": "Customer tier", "identifier": "customer_tier",
        "value": ["silver"]}]}


def test_ids_match_whatever_their_case(mocked):
    result = mocked.run("patch", "conversation", CONV, "--set", f"{ORDER_NUMBER.upper()}=X")
    assert result.exit_code == 0, result.stderr
    assert mocked.state.conversation_values(DEMO_CONVERSATION_ID)[ORDER_NUMBER] == "X"


def test_clear(mocked):
    result = mocked.run("patch", "enduser", USER, "--clear", "customer_tier")
    assert result.exit_code == 0, result.stderr
    assert CUSTOMER_TIER not in mocked.state.end_user_values(USER)


@pytest.mark.parametrize(("target", "args", "says"), [
    (("conversation", CONV), ("--set", "no_such=1"), "no attribute has this identifier"),
    (("conversation", CONV), ("--set", "customer_tier=gold"), "belongs to end users"),
    (("enduser", USER), ("--set", "order_number=1"), "belongs to conversations"),
    (("enduser", USER), ("--set", "legacy_crm_id=CRM-1"), "archived"),
    (("conversation", CONV), ("--set-json", 'order_number=["1"]'), "takes a string"),
    (("conversation", CONV), ("--set-json", 'contact_reason="payment"'), "takes a list"),
    (("conversation", CONV), ("--set", "contact_reason=delivery/lost"),
     "'lost' is not an option under 'delivery'"),
    (("conversation", CONV), ("--set", "contact_reason="), "needs at least one option"),
    (("enduser", "eba64c48-745b-zzzz"), ("--set", "loyalty_id=1"), "is not an end user id"),
    (("enduser", "astrid"), ("--set", "loyalty_id=1"), "not by name"),
    (("conversation", "12x"), ("--set", "order_number=1"), "is not a conversation id"),
    (("conversation", CONV), ("--set", "oops"), "takes IDENT=VALUE"),
    (("conversation", CONV), ("--set-json", "order_number=[1"), "not valid JSON"),
    (("conversation", CONV), (), "nothing to change"),
    (("conversation", CONV), ("--clear", " "), "--clear takes an identifier"),
    (("conversation", CONV), ("--set", "contact_reason=delivery//late"), "empty step"),
    (("conversation", CONV), ("--set", "contact_reason=delivery/"), "empty step"),
])
def test_errors_exit_2_and_send_nothing(mocked, target, args, says):
    before = snapshot(mocked.state)
    result = mocked.run("patch", *target, *args)
    assert result.exit_code == 2
    assert says in result.stderr
    assert mocked.knobs.writes == 0 and snapshot(mocked.state) == before


def test_read_only_type_through_the_cli(serve_mock):
    from click.testing import CliRunner

    from dixa_tui.api.models import CustomAttributeDefinition
    from dixa_tui.cli import main
    from dixa_tui.mock import MockState

    state = MockState.demo()
    odd = CustomAttributeDefinition.model_validate(
        state.definitions[0].to_dixa() | {"id": "0b0b0b0b-0000-4000-8000-000000000000",
                                          "identifier": "due_date",
                                          "inputDefinition": {"_type": "Date"}})
    state = MockState.from_definitions([*state.definitions, odd],
                                       conversations=list(state.conversations.values()))
    url, state, knobs = serve_mock(state=state)
    result = CliRunner().invoke(main, ["--base-url", url, "patch", "conversation", CONV,
                                       "--set", "due_date=2024-01-01"],
                                env={"DIXA_API_KEY": "demo-key"})
    assert result.exit_code == 2 and "input type 'Date'" in result.stderr
    assert knobs.writes == 0


@pytest.mark.parametrize(("args", "says", "forced_exit"), [
    (("--set", "escalation_level=l2"), "is deactivated in Dixa", 0),
    (("--set", "contact_reason=delivery"), "has sub-options", 0),
    (("--set", "contact_reason=payment/invoice"), "is deactivated", 1),
    (("--set", "order_number=a\x1bb"), "control characters", 0),
])
def test_warnings_need_force(mocked, args, says, forced_exit):
    before = snapshot(mocked.state)
    result = mocked.run("patch", "conversation", CONV, *args)
    assert result.exit_code == 2 and says in result.stderr and "--force" in result.stderr
    assert result.stdout == ""  # stdout is data: nothing was sent, so there is none
    assert mocked.knobs.writes == 0 and snapshot(mocked.state) == before
    forced = mocked.run("patch", "conversation", CONV, *args, "--force")
    assert forced.exit_code == forced_exit
    assert mocked.knobs.writes == 1
    if forced_exit == 1:  # Dixa refuses deactivated options: its message is shown
        assert "HTTP 400" in forced.stderr and "deactivated" in forced.stderr


def test_wrong_key_is_an_api_error(mocked):
    result = mocked.run("definitions", "list", key="not-the-key")
    assert result.exit_code == 1
    assert "HTTP 401" in result.stderr and "auth set" in result.stderr


def test_unknown_target_is_an_api_error(mocked):
    result = mocked.run("patch", "conversation", "999999", "--set", "order_number=1")
    assert result.exit_code == 1 and "HTTP 404" in result.stderr
    assert mocked.knobs.writes == 0


def test_refused_connection_is_an_api_error():
    from click.testing import CliRunner

    from dixa_tui.cli import main

    result = CliRunner().invoke(main, ["--base-url", "http://127.0.0.1:9", "definitions",
                                       "list"], env={"DIXA_API_KEY": "k"})
    assert result.exit_code == 1 and "could not connect" in result.stderr


def test_missing_key_is_a_usage_error():
    from click.testing import CliRunner

    from dixa_tui.cli import main

    result = CliRunner().invoke(main, ["definitions", "list"])
    assert result.exit_code == 2
    assert "auth set" in result.stderr and "DIXA_API_KEY" in result.stderr
    assert "--demo" in result.stderr
