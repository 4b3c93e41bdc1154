"""Organizations for the benchmarks: the demo's definitions cloned up to any size."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any


def big_org(count: int) -> list[Any]:
    """``count`` definitions cloned from the demo's, each with its own id, label, identifier."""
    from dixa_tui.mock import MockState

    base = MockState.demo().definitions
    out = []
    for i in range(count):
        d = base[i % len(base)]
        out.append(d.model_copy(update={
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"bench/{i}")),
            "identifier": f"{d.identifier}_{i}", "label": f"{d.label} {i}"}))
    return out


def write_org(path: Path, definitions: list[Any]) -> Path:
    """The definitions in Dixa's list format, for ``dixa-tui mock serve --org``."""
    path.write_text(json.dumps({"data": [d.to_dixa() for d in definitions]}), encoding="utf-8")
    return path
