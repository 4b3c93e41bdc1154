from __future__ import annotations

import json
from pathlib import Path

import pytest

from dixa_tui.api.models import CustomAttributeDefinition, parse_definitions

EXAMPLE = Path(__file__).parents[2] / "dixa_tui" / "mock" / "data" / "example-definitions.json"


def load_example() -> list[CustomAttributeDefinition]:
    payload = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    return parse_definitions(payload["data"] if isinstance(payload, dict) else payload)


@pytest.fixture
def defs() -> list[CustomAttributeDefinition]:
    """The six definitions of Dixa's example list (shared/dixa-api/examples)."""
    return load_example()
