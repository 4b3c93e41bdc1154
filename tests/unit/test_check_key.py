"""One rule says whether a key is usable, and every source applies it: the environment, the
keyring, ``store_key`` and the client. A stored key that breaks the rule is a problem the CLI
reports with exit 2, not a crash later in the client."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from dixa_tui import secrets
from dixa_tui.secrets import ENV_VAR, SERVICE, resolve_key, store_key

GOOD = "sk_live.eyJhbGciOiJIUzI1NiJ9-abc_DEF+ghi/jkl=="
BAD = [
    ("", "empty"),
    ("SECRETPART\nmore", "line break"),
    ("SECRETPART\rmore", "line break"),
    ("SECRETPART\x00more", "control characters"),
    ("SECRETPART\x7fmore", "control characters"),
    ("SECRETPARTclé", "ASCII"),
    ("SECRETPART\udcffmore", "ASCII"),
    ("SECRETPART" + "k" * 10_000, "long"),
]


def test_check_key_is_public_and_accepts_a_good_key() -> None:
    assert secrets.check_key(GOOD) is None
    assert secrets.check_key(SecretStr(GOOD)) is None
    assert secrets.check_key("x") is None  # test and mock keys are short: still usable


def ids(cases: list[tuple[str, str]]) -> list[str]:
    return [f"{n}-{says}" for n, (_, says) in enumerate(cases)]


@pytest.mark.parametrize(("key", "says"), BAD, ids=ids(BAD))
def test_check_key_says_why_without_repeating_the_key(key: str, says: str) -> None:
    problem = secrets.check_key(key)
    assert problem is not None and says in problem
    assert "SECRETPART" not in problem
    assert secrets.check_key(SecretStr(key)) == problem


@pytest.mark.parametrize(("key", "says"), BAD[5:], ids=ids(BAD[5:]))
def test_the_environment_variable_is_checked_with_the_rule(key: str, says: str) -> None:
    found = resolve_key("default", {ENV_VAR: key})
    assert found.key is None and found.problem is not None
    assert ENV_VAR in found.problem and says in found.problem
    assert "SECRETPART" not in found.problem


@pytest.mark.parametrize(("key", "says"), BAD[1:], ids=ids(BAD[1:]))
def test_a_stored_key_that_breaks_the_rule_is_reported_not_used(memory_keyring, key: str,
                                                                 says: str) -> None:
    memory_keyring.store[(SERVICE, "default")] = key
    found = resolve_key("default", {})
    assert found.key is None
    assert found.problem is not None and found.problem.startswith("Stored key unusable:")
    assert says in found.problem and "auth set" in found.problem
    assert "SECRETPART" not in found.problem


@pytest.mark.parametrize(("key", "says"), BAD[1:], ids=ids(BAD[1:]))
def test_store_key_refuses_with_the_rule(memory_keyring, key: str, says: str) -> None:
    with pytest.raises(ValueError, match=says) as info:
        store_key("default", key)
    assert "SECRETPART" not in str(info.value)
    assert not memory_keyring.store


@pytest.mark.parametrize(("key", "says"), BAD[1:], ids=ids(BAD[1:]))
def test_the_client_refuses_with_the_rule(key: str, says: str) -> None:
    from dixa_tui.api.client import DixaClient

    with pytest.raises(ValueError, match=says) as info:
        DixaClient(key)
    assert "SECRETPART" not in str(info.value)
