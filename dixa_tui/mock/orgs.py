"""Which organization the mock serves: a built-in one by name, or an org file.

``demo`` is Trailhead Outfitters (``mock.demo``); ``hostile`` is the hostile organization
(``mock.hostile``). Any other value is the path of a file in Dixa's list format; a value
with a path separator is always a file, so ``./hostile`` reads a file named ``hostile``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from dixa_tui.mock.records import clock
from dixa_tui.mock.state import MockState


def _hostile(now: datetime | None = None) -> MockState:
    from dixa_tui.mock.hostile import build_hostile_state

    state = build_hostile_state()
    state.now = clock(now)
    return state


BUILT_IN: dict[str, Callable[[datetime | None], MockState]] = {"demo": MockState.demo,
                                                                "hostile": _hostile}


def load_org(org: str | Path | None, now: datetime | None = None) -> MockState:
    """The organization ``org`` names (None: the demo), its clock at ``now`` (default: the
    real now; screenshots and snapshots pass ``mock.demo.DEMO_NOW`` so the dates they show
    stay put). Raises ``OSError`` for a file that cannot be read and ``ValueError`` for one
    that is not Dixa's list format."""
    if org is None:
        return MockState.demo(now)
    text = str(org)
    if isinstance(org, str) and text in BUILT_IN and os.sep not in text:
        return BUILT_IN[text](now)
    return MockState.from_org_file(org, now)
