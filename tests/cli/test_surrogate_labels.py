"""An organization where one label holds a lone surrogate (``"\\ud800"`` in Dixa's JSON: half
of a UTF-16 pair, not a character, and not writable as UTF-8) stays listable: text output
shows U+FFFD in its place, JSON output keeps it exact as the ``\\ud800`` escape, exit 0.
Real processes, so stdout is a real UTF-8 pipe."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest

from dixa_tui.mock import DEMO_API_KEY, Knobs, MockState

pytestmark = pytest.mark.loopback
ID = "11111111-2222-4333-8444-555555555555"
LABEL = "VIP \ud800 tier"
DESCRIPTION = "who pays \udfff most"
OPTION_LABEL = "Gold \udc00"


def organization() -> dict[str, Any]:
    return {"data": [
        {"id": ID, "entityType": "Contact", "identifier": "vip", "label": LABEL,
         "description": DESCRIPTION,
         "inputDefinition": {"_type": "Select", "options": [
             {"id": "o-1", "value": "gold", "label": OPTION_LABEL, "isDeactivated": False,
              "orderIndex": 0, "nestedOptions": []}]},
         "createdAt": "2024-01-01T00:00:00Z[GMT]", "isRequired": False, "isArchived": False,
         "isDeactivated": False},
        {"id": "22222222-2222-4333-8444-555555555555", "entityType": "Conversation",
         "identifier": "plain", "label": "Plain", "inputDefinition": {"_type": "Text"},
         "createdAt": "2024-01-01T00:00:00Z[GMT]", "isRequired": False, "isArchived": False,
         "isDeactivated": False}]}


@pytest.fixture
def url(serve_mock: Callable[..., tuple[str, MockState, Knobs]]) -> str:
    served, _, _ = serve_mock(state=MockState.from_org_payload(organization()))
    return served


def run(url: str, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "dixa_tui", "--base-url", url, *args],
                          capture_output=True, timeout=60, stdin=subprocess.DEVNULL,
                          env={**os.environ, "DIXA_API_KEY": DEMO_API_KEY})


@pytest.mark.parametrize("args", [
    ("definitions", "list"), ("definitions", "show", "vip"), ("definitions", "show", ID),
    ("definitions", "export", "--format", "csv"),
    ("definitions", "export", "--format", "markdown"), ("definitions", "lint"),
], ids=" ".join)
def test_text_output_shows_a_replacement_character(url: str, args: tuple[str, ...]) -> None:
    result = run(url, *args)
    out, err = result.stdout.decode("utf-8"), result.stderr.decode("utf-8")  # valid UTF-8
    assert result.returncode == 0, err
    assert "Traceback" not in err and "Error" not in err
    if args[1] != "lint":
        assert "VIP \ufffd tier" in out


@pytest.mark.parametrize("args", [
    ("definitions", "list", "--json"), ("definitions", "show", "vip", "--json"),
    ("definitions", "show", ID, "--json"), ("definitions", "export"),
], ids=" ".join)
def test_json_output_is_valid_and_exact(url: str, args: tuple[str, ...]) -> None:
    result = run(url, *args)
    assert result.returncode == 0, result.stderr.decode()
    assert b"\\ud800" in result.stdout  # the escape, never raw (not UTF-8) nor replaced
    data = json.loads(result.stdout.decode("utf-8"))
    items = data["data"] if isinstance(data, dict) and "data" in data else data
    vip = items[0] if isinstance(items, list) else items
    assert vip["label"] == LABEL and vip["description"] == DESCRIPTION
    assert vip["inputDefinition"]["options"][0]["label"] == OPTION_LABEL


def test_the_mock_serves_the_label_as_dixa_would(url: str) -> None:
    """The mock's single-definition read used to answer 500 (its JSON encoder failed)."""
    import httpx

    answer = httpx.get(f"{url}/v1/custom-attributes/{ID}",
                       headers={"Authorization": DEMO_API_KEY})
    assert answer.status_code == 200 and b'"VIP \\ud800 tier"' in answer.content
    assert answer.json()["data"]["label"] == LABEL
