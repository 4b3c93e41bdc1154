"""The command line: with no command the terminal UI, else headless commands for scripts.

Each command group lives in a module of its own (definitions, get, patch, bulk, find,
history, undo, auth, serve); this module puts them under the ``dixa-tui`` group, ``main``,
the console script's entry point.
"""

from __future__ import annotations

from dixa_tui.cli.auth import auth
from dixa_tui.cli.bulk import bulk
from dixa_tui.cli.definitions import definitions
from dixa_tui.cli.find import find
from dixa_tui.cli.get import get
from dixa_tui.cli.group import main
from dixa_tui.cli.history import history
from dixa_tui.cli.patch import patch
from dixa_tui.cli.schema import definitions_diff, definitions_export, definitions_lint
from dixa_tui.cli.serve import mock
from dixa_tui.cli.undo import undo
from dixa_tui.cli.usage import definitions_usage

for _group in (definitions, get, patch, bulk, find, history, undo, auth, mock):
    main.add_command(_group)

# ``cli.schema`` and ``cli.usage`` add export, diff, lint and usage to the definitions group
# when they are imported.
SCHEMA_COMMANDS = (definitions_export, definitions_diff, definitions_lint, definitions_usage)

__all__ = ["main"]
