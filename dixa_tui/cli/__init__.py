"""The command line: with no command the terminal UI, else headless commands for scripts.

Each command group lives in a module of its own (definitions, patch, bulk, find, auth, serve); this
module puts them under the ``dixa-tui`` group, ``main``, the console script's entry point.
"""

from __future__ import annotations

from dixa_tui.cli.auth import auth
from dixa_tui.cli.bulk import bulk
from dixa_tui.cli.definitions import definitions
from dixa_tui.cli.find import find
from dixa_tui.cli.group import main
from dixa_tui.cli.patch import patch
from dixa_tui.cli.serve import mock

for _group in (definitions, patch, bulk, find, auth, mock):
    main.add_command(_group)

__all__ = ["main"]
