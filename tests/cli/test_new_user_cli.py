"""Issue 10's CLI items, as a script writer meets them: the no-key message (item 17), typed
input (item 18), stdout when warnings stop a patch (item 19), a CRLF value (item 20), counts
(item 22) and the demo mock's refusals (item 21)."""

from __future__ import annotations

import json

import keyring
import pytest
from click.testing import CliRunner
from keyring.backends import fail

from dixa_tui.cli import main
from dixa_tui.domain.options import TRAILING_CR_HINT
from dixa_tui.mock import MockState
from dixa_tui.mock.demo import (
    DEMO_CONVERSATION_ID,
    DEMO_END_USER_EMAIL,
    DEMO_END_USER_EXTERNAL_ID,
    DEMO_END_USER_ID,
    DEMO_END_USER_PHONE,
)

CONV = str(DEMO_CONVERSATION_ID)
CONTACT_REASON = "5d96cf7f-265b-4da9-8f0c-26ef4243ed52"
CUSTOMER_TIER = "5e6a0a2e-dd70-434d-81d7-7cffb7decc0c"


# -- item 17: the no-key message ---------------------------------------------------------------


@pytest.fixture
def no_keyring():
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def test_no_key_on_a_machine_without_keyring_points_only_to_what_works(no_keyring):
    result = CliRunner().invoke(main, ["definitions", "list"])
    assert result.exit_code == 2
    said = result.stderr
    assert said.startswith("Error: No Dixa API key for profile 'default'.")
    assert "No OS keyring is available" in said and "DIXA_API_KEY" in said
    assert "auth set" not in said  # there is no keyring to store it in
    assert "session-only" not in said and "session only" not in said  # the CLI has none
    assert "--demo" in said


def test_no_key_with_a_keyring_still_suggests_auth_set():
    result = CliRunner().invoke(main, ["definitions", "list"])
    assert result.exit_code == 2
    assert "auth set" in result.stderr and "DIXA_API_KEY" in result.stderr


def test_auth_set_without_keyring_offers_no_session_only_key(no_keyring):
    result = CliRunner().invoke(main, ["auth", "set"], input="sk_example_key\n")
    assert result.exit_code == 2
    assert "DIXA_API_KEY" in result.stderr and "session-only" not in result.stderr


def test_one_prefix_style(mocked):
    problems = mocked.run("patch", "conversation", CONV, "--set", "contact_reason=nope")
    assert problems.exit_code == 2
    assert problems.stderr.startswith("Error: contact_reason: ")
    warned = mocked.run("patch", "conversation", CONV, "--set", "contact_reason=payment")
    assert warned.exit_code == 2 and warned.stderr.count("Warning: contact_reason: ") == 1
    for result in (problems, warned):
        lines = result.stderr.splitlines()
        assert not [line for line in lines if line.startswith(("error:", "warning:"))]


# -- item 18: typed input ----------------------------------------------------------------------


def test_an_identifier_typo_gets_did_you_mean(mocked):
    result = mocked.run("patch", "conversation", CONV, "--set", "contact_reasn=payment/card")
    assert result.exit_code == 2 and "did you mean 'contact_reason'" in result.stderr
    shown = mocked.run("definitions", "show", "contact_reasn")
    assert shown.exit_code == 2 and "did you mean 'contact_reason'" in shown.stderr


@pytest.mark.parametrize("path", ["Payment/Card", "payment/Card", "Payment > Card",
                                  "payment/card"])
def test_option_labels_work_as_well_as_values(mocked, path):
    result = mocked.run("patch", "conversation", CONV, "--set", f"contact_reason={path}")
    assert result.exit_code == 0, result.stderr
    assert mocked.state.conversation_values(DEMO_CONVERSATION_ID)[CONTACT_REASON] == \
        ["payment", "card"]


def test_an_unknown_label_lists_the_options_with_labels(mocked):
    result = mocked.run("patch", "conversation", CONV, "--set", "contact_reason=Payment/Cash")
    assert result.exit_code == 2
    assert "'Cash' is not an option under 'payment'" in result.stderr
    assert "'card' (Card)" in result.stderr
    assert mocked.knobs.writes == 0


def test_entity_enduser_is_contact(demo):
    enduser = demo("definitions", "list", "--entity", "enduser", "--json")
    contact = demo("definitions", "list", "--entity", "contact", "--json")
    assert enduser.exit_code == 0, enduser.stderr
    rows = json.loads(enduser.stdout)
    assert rows and rows == json.loads(contact.stdout)
    assert {row["entityType"] for row in rows} == {"Contact"}


@pytest.mark.parametrize("ref", [f"email:{DEMO_END_USER_EMAIL}", DEMO_END_USER_EMAIL,
                                 f"phone:{DEMO_END_USER_PHONE}",
                                 f"ext:{DEMO_END_USER_EXTERNAL_ID}"])
def test_patch_enduser_takes_lookups(mocked, ref):
    result = mocked.run("patch", "enduser", ref, "--set", "customer_tier=silver")
    assert result.exit_code == 0, result.stderr
    assert mocked.state.end_user_values(DEMO_END_USER_ID)[CUSTOMER_TIER] == ["silver"]
    assert "astrid" in result.stderr.casefold() or DEMO_END_USER_ID in result.stderr


def test_a_lookup_with_no_match_is_a_usage_error(mocked):
    result = mocked.run("patch", "enduser", "email:nobody@example.com",
                        "--set", "customer_tier=silver")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: No end user has email 'nobody@example.com'")
    assert mocked.knobs.writes == 0


def test_a_lookup_with_several_matches_lists_them(serve_mock):
    from dixa_tui.cli import main as cli

    state = MockState.demo()
    users = list(state.end_users.values())
    for user in users[:3]:
        user.profile = user.profile.model_copy(update={"external_id": "SHARED-1"})
    url, state, knobs = serve_mock(state=state)
    result = CliRunner().invoke(cli, ["--base-url", url, "patch", "enduser", "ext:SHARED-1",
                                      "--set", "customer_tier=silver"],
                                env={"DIXA_API_KEY": "demo-key"})
    assert result.exit_code == 2
    assert "3 end users have external id 'SHARED-1'" in result.stderr
    for user in users[:3]:
        assert user.id in result.stderr
    assert knobs.writes == 0


# -- item 19: warnings that stop a patch leave stdout empty ------------------------------------


def test_a_dry_run_stopped_by_warnings_prints_no_body(mocked):
    result = mocked.run("patch", "conversation", CONV, "--set", "contact_reason=payment",
                        "--dry-run")
    assert result.exit_code == 2 and "--force" in result.stderr
    assert result.stdout == ""
    assert '"payment"' in result.stderr  # the body is still shown, on stderr
    forced = mocked.run("patch", "conversation", CONV, "--set", "contact_reason=payment",
                        "--dry-run", "--force")
    assert forced.exit_code == 0
    assert json.loads(forced.stdout) == {CONTACT_REASON: ["payment"]}


# -- item 20: a value from a CRLF file ---------------------------------------------------------


def test_a_text_value_with_a_carriage_return_names_it(mocked):
    result = mocked.run("patch", "conversation", CONV, "--set", "order_number=100-2\r")
    assert result.exit_code == 2 and TRAILING_CR_HINT in result.stderr
    assert mocked.knobs.writes == 0


def test_a_json_select_value_with_a_carriage_return_names_it(mocked):
    result = mocked.run("patch", "conversation", CONV, "--set-json",
                        'contact_reason=["payment","card\\r"]')
    assert result.exit_code == 2 and TRAILING_CR_HINT in result.stderr


# -- item 8 through the CLI, and item 22 -------------------------------------------------------


def test_clearing_a_required_attribute_needs_force(mocked):
    result = mocked.run("patch", "conversation", CONV, "--clear", "contact_reason")
    assert result.exit_code == 2 and "required" in result.stderr and "--force" in result.stderr
    assert mocked.knobs.writes == 0
    forced = mocked.run("patch", "conversation", CONV, "--clear", "contact_reason", "--force")
    assert forced.exit_code == 0


def test_counts_meet_nouns(mocked):
    one = mocked.run("patch", "conversation", CONV, "--set", "order_number=100-3")
    assert "Updated 1 attribute on conversation 10001." in one.stderr
    two = mocked.run("patch", "conversation", CONV, "--set", "order_number=100-4",
                     "--set", "contact_reason=payment/card")
    assert "Updated 2 attributes on" in two.stderr
    assert "(s)" not in one.stderr + two.stderr
