"""Write ``dixa_tui/mock/data/demo-listing.json``: the demo organization's definitions list
exactly as the embedded mock serves it, which ``--demo`` paints at once (``session.early``)
before the mock has even loaded. ``tests/unit/test_startcache.py`` fails when it is stale.

Run: ``.venv/bin/python -m tools.demo_listing``.
"""

from __future__ import annotations

from pathlib import Path

from dixa_tui.mock import MockState
from dixa_tui.mock.handlers import listing_body
from dixa_tui.session.early import DEMO_LISTING


def main() -> None:
    Path(DEMO_LISTING).write_bytes(listing_body(MockState.demo()))
    print(f"wrote {DEMO_LISTING}")


if __name__ == "__main__":
    main()
