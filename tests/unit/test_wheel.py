"""The wheel holds the product only: no developer tools (screenshots, README generators)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.timeout(300)
def test_the_wheel_holds_no_developer_tools(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w",
                    str(tmp_path), str(ROOT)], check=True, capture_output=True, timeout=280)
    wheel = next(tmp_path.glob("dixa_tui-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "dixa_tui/session/core.py" in names and "dixa_tui/cli/__init__.py" in names
    assert "dixa_tui/tui/app.tcss" in names and "dixa_tui/mock/data/example-definitions.json" \
        in names
    tools = [n for n in names if n.startswith("tools/") or "scenes" in n or "readme" in n
             or "fault_table" in n]
    assert tools == []
