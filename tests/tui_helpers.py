"""Helpers for pilot tests: waiting on the app without sleeping blindly."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from textual.css.query import NoMatches

from dixa_tui.tui.app import DixaApp


def holds(predicate: Callable[[], object]) -> bool:
    """``predicate()``, where a widget not mounted yet (a screen still composing) is "not yet"."""
    try:
        return bool(predicate())
    except NoMatches:
        return False


def settled(app: Any) -> bool:
    """The current screen has composed and mounted its children and been laid out, so its
    widgets have places on the terminal and a picture of it shows them (true once the app
    stopped). Mounted is not enough: on a loaded machine the first layout comes a frame later,
    and a screenshot taken between the two is empty."""
    try:
        screen = app.screen
        return bool(screen.is_mounted) and any(w.region.area for w in screen.walk_children())
    except Exception:  # no screen left: the app has stopped
        return True


async def wait_for(pilot: Any, predicate: Callable[[], object], timeout: float = 10.0) -> None:
    """Pause until ``predicate()`` is true and the current screen has mounted its children
    (the app's workers run meanwhile). A pushed screen is current before its children mount,
    so a query that finds nothing yet counts as false, and a test that goes on to press keys
    or query the screen finds it whole."""
    loops = int(timeout / 0.02)
    for _ in range(loops):
        if holds(predicate) and settled(pilot.app):
            return
        await pilot.pause(0.02)
    try:
        where = repr(pilot.app.screen)
    except Exception:
        where = "no screen"
    raise AssertionError(f"condition not met within {timeout} s; screen: {where}")


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


# What must never reach the terminal: C0 (but tab and newline, which the SVG itself holds)
# and C1 controls, and the bidi embeddings, overrides and isolates.
RAW_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SVG_TEXT = re.compile(r'<text class="[^"]*" x="([\d.]+)" y="[\d.]+" textLength="[\d.]+" '
                       r'clip-path="url\(#[^)]*-line-(\d+)\)">(.*?)</text>', re.S)


def screen_text(app: DixaApp) -> str:
    """What the terminal shows, line by line, from the app's own rendering (its SVG export):
    every segment's text in place, so a check sees the screen, not a widget's state.

    Raises if any raw control character or bidi control is in the rendering at all."""
    svg = app.export_screenshot()
    found = RAW_CONTROLS.search(svg)
    assert found is None, f"{found.group()!r} reached the screen"
    rows: dict[int, list[tuple[float, str]]] = {}
    for x, line, content in _SVG_TEXT.findall(svg):
        text = html.unescape(content).replace("\xa0", " ")  # the export writes spaces so
        rows.setdefault(int(line), []).append((float(x), text))
    return "\n".join("".join(text for _, text in sorted(parts))
                     for _, parts in sorted(rows.items()))
