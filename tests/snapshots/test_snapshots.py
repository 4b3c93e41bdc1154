"""SVG snapshots of the screens the README shows, driven by the same scenes as the screenshots.

Update after an intended change with ``make test PYTEST_ARGS="tests/snapshots --snapshot-update"``
and look at the diff of the SVGs before committing.
"""

from __future__ import annotations

import pytest

from tools import scenes


@pytest.mark.parametrize("name", sorted(scenes.SCENES))
def test_screen(name: str, snap_compare) -> None:
    make, scene = scenes.SCENES[name]
    assert snap_compare(make(), run_before=scene, terminal_size=scenes.SIZE)
