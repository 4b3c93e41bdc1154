"""Helpers for pilot tests: waiting on the app without sleeping blindly."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dixa_tui.tui.app import DixaApp


async def wait_for(pilot: Any, predicate: Callable[[], object], timeout: float = 10.0) -> None:
    """Pause until ``predicate()`` is true (the app's workers run meanwhile)."""
    loops = int(timeout / 0.02)
    for _ in range(loops):
        if predicate():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"condition not met within {timeout} s")


def main_screen(app: DixaApp) -> Any:
    return app.main_screen


async def started(pilot: Any) -> Any:
    """Wait until the definitions are on screen; returns the main screen."""
    await wait_for(pilot, lambda: main_screen(pilot.app).definitions)
    await pilot.pause()
    return main_screen(pilot.app)


def rendered(widget: Any) -> str:
    """The plain text a widget shows (a Static's content, or what ``render()`` returns)."""
    import io

    from rich.console import Console

    content = getattr(widget, "content", None)
    if content is None or content == "":
        content = widget.render()
    if isinstance(content, str):
        return content
    out = io.StringIO()
    Console(file=out, width=300, color_system=None, legacy_windows=False).print(content)
    return out.getvalue()
