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


def distinct_options_org(count: int) -> list[Any]:
    """:func:`big_org`, each option label ending in its definition's number: no two
    definitions share an option list (``big_org``'s share the demo's 46)."""
    from dixa_tui.api.models import CustomAttributeDefinition

    def numbered(options: list[dict[str, Any]], number: int) -> None:
        for option in options:
            option["label"] = f"{option.get('label')} {number}"
            numbered(option.get("nestedOptions") or [], number)

    out = []
    for i, d in enumerate(big_org(count)):
        item = d.to_dixa()
        numbered(item["inputDefinition"].get("options") or [], i)
        out.append(CustomAttributeDefinition.model_validate(item))
    return out


def lean_org(count: int) -> list[Any]:
    """:func:`big_org`, each Select keeping only its first option (no nesting): 10,000
    definitions in about 4.7 MB, where ``big_org``'s take 12 MB."""
    out = []
    for d in big_org(count):
        if d.input_type == "Select":
            options = [o.model_copy(update={"nested_options": []}) for o in d.options[:1]]
            d = d.model_copy(update={"input_definition": d.input_definition.model_copy(
                update={"options": options})})
        out.append(d)
    return out


def write_org(path: Path, definitions: list[Any]) -> Path:
    """The definitions in Dixa's list format, for ``dixa-tui mock serve --org``."""
    path.write_text(json.dumps({"data": [d.to_dixa() for d in definitions]}), encoding="utf-8")
    return path
