"""The baseline of ``bench/cli_list.py``: a raw httpx script that does what ``dixa-tui
definitions list`` does, and no more.

``python bench/raw_list.py URL`` GETs ``URL/beta/custom-attributes`` with plain httpx (key
from ``DIXA_API_KEY``), decodes the JSON and prints the same table (identifier, label, type,
entity, flags, id; archived definitions hidden; cells cut at 48 characters), then the count
on stderr. No validation, no salvage, no pacing: the least a client can do.
"""

from __future__ import annotations

import os
import sys

import httpx

CUT = 48


def cell(value: object) -> str:
    text = str(value)
    return text if len(text) <= CUT else text[: CUT - 1] + "…"


def main(url: str) -> None:
    response = httpx.get(f"{url}/beta/custom-attributes", timeout=60,
                         headers={"Authorization": os.environ["DIXA_API_KEY"]})
    response.raise_for_status()
    data = response.json()["data"]
    rows = [["IDENTIFIER", "LABEL", "TYPE", "ENTITY", "FLAGS", "ID"]]
    for d in data:
        if d.get("isArchived"):
            continue
        flags = ",".join(name for name, key in (("required", "isRequired"),
                                                ("archived", "isArchived"),
                                                ("deactivated", "isDeactivated"))
                         if d.get(key)) or "-"
        rows.append([cell(d.get("identifier") or "(none)"), cell(d.get("label") or "(no label)"),
                     cell(d.get("inputDefinition", {}).get("_type") or "(none)"),
                     cell(d.get("entityType") or "(none)"), flags, cell(d["id"])])
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    out = ["  ".join([*(c.ljust(w) for c, w in zip(r, widths, strict=False)), r[5]]).rstrip()
           for r in rows]
    sys.stdout.write("\n".join(out) + "\n")
    print(f"{len(rows) - 1} definitions", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1])
