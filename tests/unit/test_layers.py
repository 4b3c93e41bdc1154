"""The layers: api, domain and mock never import Textual (a fresh interpreter proves it)."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize("module", ["dixa_tui.api.client", "dixa_tui.api.models",
                                    "dixa_tui.api.salvage", "dixa_tui.mock.hostile",
                                    "dixa_tui.domain.patch", "dixa_tui.domain.options",
                                    "dixa_tui.domain.search", "dixa_tui.domain.query",
                                    "dixa_tui.session.find",
                                    "dixa_tui.domain.schema_diff",
                                    "dixa_tui.domain.schema_export",
                                    "dixa_tui.domain.schema_lint",
                                    "dixa_tui.domain.schema_markdown",
                                    "dixa_tui.domain.schema_snapshot",
                                    "dixa_tui.domain.bulk_input",
                                    "dixa_tui.domain.bulk_planner",
                                    "dixa_tui.domain.bulk_results",
                                    "dixa_tui.domain.undo",
                                    "dixa_tui.journal", "dixa_tui.paths",
                                    "dixa_tui.mock", "dixa_tui.mock.faults",
                                    "dixa_tui.cli", "dixa_tui.session",
                                    "dixa_tui.secrets", "dixa_tui.config"])
def test_no_textual(module):
    code = (f"import sys, {module}\n"
            # build what loads lazily too: the demo organization, the app, a client
            "from dixa_tui.mock import MockState, create_app\n"
            "from dixa_tui.api.client import DixaClient\n"
            "import dixa_tui.cli.patch, dixa_tui.cli.render\n"
            "create_app(MockState.demo()); DixaClient('k')\n"
            "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
            "print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "", f"{module} pulled in Textual modules: {out}"


@pytest.mark.parametrize("options", [["--demo"], ["--demo", "--debug"]])
def test_first_frame_needs_no_heavy_imports(options):
    """What the TUI imports before its first frame: no pydantic, httpx, keyring or mock,
    with or without the debug log.

    Those load in the start-up worker, after the window is on screen.
    """
    code = ("import sys, dixa_tui.cli, dixa_tui.tui.app, dixa_tui.tui.screens.main\n"
            "from unittest import mock\n"
            # the real start: click parses the options, handled() wraps the TUI's launch
            "with mock.patch('dixa_tui.tui.app.run_tui', return_value=0):\n"
            f"    dixa_tui.cli.main({options!r}, standalone_mode=False)\n"
            "heavy = ('pydantic', 'httpx', 'keyring', 'starlette', 'dixa_tui.api.client',"
            " 'dixa_tui.mock')\n"
            "print(','.join(m for m in heavy if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "", f"the first frame would wait for: {out}"
