"""The console script's entry point: the terminal UI's way in, and click for the rest.

``dixa-tui`` with no command opens the terminal UI. Its first frame (importing Textual takes
most of 0.2 s) and its definitions list (the config file, the key, httpx, a request) would
otherwise take turns; a plain start is recognized here, before click or Textual is imported,
so the list is on its way (or the profile's cached list is read) while Textual loads
(``session.early``). A plain start is only global options this module knows, each at most
once, with no ``--debug``: anything else (a command, ``--help``, ``--debug``, a typo) goes to
click unchanged, which parses and reports as it always does.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dixa_tui.session.settings import Settings

WITH_VALUE = ("--profile", "--base-url", "--api-version")
FLAGS = ("--demo", "--no-journal", "--no-cache")
# ``debuglog.ENV_VAR`` (a test keeps them equal): not imported, for the 10 ms it costs (logging)
# before the early read can start.
DEBUG_ENV = "DIXA_TUI_DEBUG"


def main() -> None:
    settings = plain_start(sys.argv[1:], os.environ)
    if settings is None:
        from dixa_tui.cli import main as cli

        cli()
        return
    from dixa_tui.tui.start import start_tui

    sys.exit(start_tui(settings))


def plain_start(args: Sequence[str], environ: Mapping[str, str]) -> Settings | None:
    """The settings of a plain start of the terminal UI, or None for anything click must
    parse (or report)."""
    if environ.get(DEBUG_ENV):
        return None
    given: dict[str, str | bool] = {}
    rest = list(args)
    while rest:
        arg = rest.pop(0)
        name, equals, value = arg.partition("=")
        if name in WITH_VALUE and not equals:
            if not rest or rest[0].startswith("-"):
                return None
            value = rest.pop(0)
        elif name not in WITH_VALUE and (equals or name not in FLAGS):
            return None
        if name in given or (name in WITH_VALUE and not value):
            return None
        given[name] = value if name in WITH_VALUE else True
    if given.get("--api-version", "beta") not in ("beta", "v1"):
        return None
    if given.get("--demo") and ("--profile" in given or "--base-url" in given):
        return None  # click's usage error says what to do
    from dixa_tui.session.settings import Settings

    def text(name: str) -> str | None:
        value = given.get(name)
        return value if isinstance(value, str) else None

    return Settings(text("--profile"), text("--base-url"), text("--api-version"),
                    bool(given.get("--demo")), bool(given.get("--no-journal")),
                    bool(given.get("--no-cache")))


if __name__ == "__main__":
    main()
