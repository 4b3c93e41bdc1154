"""The floor for bench/startup.py: the bare app, plus the libraries the brief prescribes.

``python bench/floor_app.py`` imports what any app on this stack must load before it can show
one definition from the embedded demo: httpx (the client), pydantic and our API models
(parsing), and the mock (the demo's Dixa). Then it shows "floor textual app", exactly like
``bench/bare_app.py``. It does no request and draws no real screen, so no implementation of
dixa-tui can reach its definitions faster than this app reaches its first frame: the ratio
floor/bare is the lowest ratio a startup budget can ask of ours.

``python bench/floor_app.py URL`` first GETs ``URL/beta/custom-attributes`` with plain httpx
(key from ``DIXA_API_KEY``) and decodes the JSON, no validation: the floor for a large
organization's list, which no client can show before it has the bytes and their decoding.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx
import pydantic  # noqa: F401
from bare_app import BareApp

import dixa_tui.api.client
import dixa_tui.mock  # noqa: F401

MARKER = "floor textual app"


class FloorApp(BareApp):
    def compose(self):  # type: ignore[no-untyped-def]
        from textual.widgets import Static

        yield Static(MARKER)


def fetch(url: str) -> int:
    import os

    response = httpx.get(f"{url}/beta/custom-attributes", timeout=60,
                         headers={"Authorization": os.environ["DIXA_API_KEY"]})
    return len(response.json()["data"])


if __name__ == "__main__":
    if len(sys.argv) > 1:
        fetch(sys.argv[1])
    FloorApp().run()
