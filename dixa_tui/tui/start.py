"""Starting the terminal UI: what can start before Textual does, then the app.

Called by the console script's entry point (``dixa_tui.launch``) before click or Textual is
imported, and by the CLI's group for a start click parsed (``--debug``). Nothing here imports
Textual before :func:`~dixa_tui.session.early.begin` has started what it can.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dixa_tui.session.settings import Settings

EXIT_BUG = 3  # as the CLI's: an unexpected error (its line is shown, the traceback logged)
EXIT_INTERRUPTED = 130


def start_tui(settings: Settings, *, fetch: bool = True) -> int:
    """Run the terminal UI for ``settings``; the exit code. What can start before Textual
    does first (``fetch``: the list is asked for, when no cached list is shown)."""
    from dixa_tui.session.early import abandon, begin

    early = begin(settings, fetch=fetch)  # ``run_tui`` takes it over (``session.early.take``)
    from dixa_tui.tui import firstframe  # (after: the early read starts as soon as it can)

    try:
        # The list on the terminal before Textual is imported: the cached one at once, or
        # the early read's rows if they come before Textual takes the terminal over.
        if early.cached is not None:
            firstframe.draw(early)
        elif early.started:

            def rows_came() -> None:  # in the early read's thread
                if firstframe.draw(early) is not None:
                    early.rows_settled()  # painted: the pages may cross now

            early.when_rows(rows_came)
        from dixa_tui.tui.app import run_tui

        failed = run_tui(settings)
    except KeyboardInterrupt:
        firstframe.abandon()
        print("Interrupted.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # the terminal could not be set up, say: one line, as the CLI
        from dixa_tui import debuglog
        from dixa_tui.text import clean

        firstframe.abandon()
        print(f"Error: {clean(debuglog.unexpected('dixa-tui', exc))}", file=sys.stderr)
        return EXIT_BUG
    finally:
        firstframe.abandon()  # Textual never took the terminal over (it restores it when it has)
        abandon()  # when the app never took it (the app stops the one it took)
    return EXIT_BUG if failed else 0
