"""After the first paint: a callback once a screen has been drawn on the terminal.

Textual's ``call_after_refresh`` is not that for a screen being pushed: until the screen is
the current one, its callbacks run at the next idle moment, before its first frame has been
composed (measured: the detail pane and the footer, mounted "after the first frame", were
mounted before it, and the frame waited for them). A screen's callbacks run after its
frame only once it is current: then they wait until nothing is left to lay out or paint.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.screen import Screen


def after_painted(screen: Screen[Any], callback: Callable[..., Any], *args: Any) -> None:
    """``callback(*args)`` once ``screen`` is current and its frame has been drawn."""

    def check() -> None:
        if not screen.is_attached:
            return  # the app quit first
        if screen.is_current:
            screen.call_after_refresh(callback, *args)
        else:  # covered (or not shown yet): look again in a while, not at every idle moment
            screen.set_timer(0.05, check)

    screen.call_after_refresh(check)
