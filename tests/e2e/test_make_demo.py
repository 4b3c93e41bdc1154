"""``make demo`` on a fresh clone, as a new user runs it (issue 10, items 4 and 6): the README's
own pipe works on the very first run, when ``.venv`` does not exist yet, and the demo installs
the app only, none of the test tools.

The clone is the repository's tracked files as they are now, copied into a temporary folder
with no ``.venv``; ``make`` there creates it with the Python on PATH and pip (PyPI, or pip's
cache). One install of the app's dependencies: bounded by a timeout, skipped without
``make`` or ``git``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEST_ONLY = {"pytest", "hypothesis", "ruff", "schemathesis", "mypy", "respx", "syrupy",
             "pytest-textual-snapshot"}

pytestmark = [
    pytest.mark.skipif(shutil.which("make") is None or shutil.which("git") is None,
                       reason="needs make and git"),
    pytest.mark.skipif(not sys.platform.startswith(("linux", "darwin")),
                       reason="the Makefile is for POSIX shells"),
    pytest.mark.timeout(600),
]


def fresh_clone(where: Path) -> Path:
    """The tracked files, with their current content, and nothing else (no .venv)."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                            check=True).stdout.decode().split("\0")
    clone = where / "dixa-tui"
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            target = clone / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return clone


def make(clone: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("MAKE", "MFLAGS", "VIRTUAL_ENV", "PYTEST", "DIXA_"))}
    # The Python that runs the tests is one the Makefile accepts (3.11+): first on PATH.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(["make", *args], cwd=clone, env=env, capture_output=True,
                          text=True, timeout=540)


def test_first_make_demo_pipes_json_and_installs_no_test_tool(tmp_path: Path) -> None:
    clone = fresh_clone(tmp_path)
    assert not (clone / ".venv").exists()

    first = make(clone, "demo", "ARGS=definitions list --json")
    assert first.returncode == 0, first.stderr[-3000:]
    definitions = json.loads(first.stdout)  # stdout is the command's data, nothing else
    from dixa_tui.mock import MockState

    shown = [d.identifier for d in MockState.demo().definitions if not d.is_archived]
    assert [d["identifier"] for d in definitions] == shown
    assert "Installing dixa-tui" in first.stderr  # the set-up spoke, on stderr

    listed = subprocess.run([str(clone / ".venv" / "bin" / "python"), "-m", "pip", "list",
                             "--format=json", "--disable-pip-version-check"],
                            capture_output=True, text=True, check=True)
    installed = {p["name"].lower() for p in json.loads(listed.stdout)}
    assert "textual" in installed and "dixa-tui" in installed
    assert not installed & TEST_ONLY, installed & TEST_ONLY

    again = make(clone, "demo", "ARGS=definitions list --json")
    assert again.returncode == 0 and json.loads(again.stdout) == definitions
    assert again.stderr.count("Installing") == 0  # installed once

    # A command's stderr stays its own: make adds nothing to stdout even for a failure.
    failed = make(clone, "demo", "ARGS=definitions show no_such_thing")
    assert failed.returncode != 0 and failed.stdout == ""
    assert "no attribute has this identifier" in failed.stderr
