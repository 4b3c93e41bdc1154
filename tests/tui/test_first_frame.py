"""The frame drawn before Textual (``tui.firstframe``) is the main screen's first frame: the
same cells, characters and colours, at every size it draws, for the demo's list, a cached one
(whose status line gives its age) and the rows of a cold start's early read, in truecolor and
in 256 colours.

Textual's side is the real main screen, started from the same early start, with nothing after
its first frame (no session, no detail pane, no footer), rendered whole by its compositor.
Two columns are left out: the list's scrollbar, which Textual draws a frame later. The
cursor's row is compared as the first frame draws it (the list not focused yet).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len

from dixa_tui.mock import MockState
from dixa_tui.session.early import EarlyStart, begin, take
from dixa_tui.session.settings import Settings
from dixa_tui.session.startcache import Cached
from dixa_tui.tui import firstframe
from dixa_tui.tui.app import DixaApp
from dixa_tui.tui.screens.main import MainScreen

Cell = tuple[str, Any, Any, bool, bool]  # character, foreground, background, bold, reverse
TOKEN = re.compile(r"\x1b\[(\d+);(\d+)H|\x1b\[([0-9;]*)m|\x1b\[\?[0-9;]*[hl]|([^\x1b]+)")


def grid(text: str, width: int, height: int) -> list[list[Cell]]:
    """The cells a terminal shows after ``text`` (cursor moves, SGR colours, text)."""
    blank: Cell = (" ", None, None, False, False)
    cells = [[blank] * width for _ in range(height)]
    y = x = 0
    fg: Any = None
    bg: Any = None
    bold = reverse = False
    for match in TOKEN.finditer(text):
        if match.group(1):
            y, x = int(match.group(1)) - 1, int(match.group(2)) - 1
        elif match.group(3) is not None:
            codes = [int(c) for c in match.group(3).split(";") if c] or [0]
            i = 0
            while i < len(codes):
                code = codes[i]
                if code == 0:
                    fg = bg = None
                    bold = reverse = False
                elif code == 1:
                    bold = True
                elif code == 7:
                    reverse = True
                elif code in (38, 48):
                    if codes[i + 1] == 2:
                        value: Any = tuple(codes[i + 2:i + 5])
                        i += 4
                    else:
                        value = codes[i + 2]
                        i += 2
                    if code == 38:
                        fg = value
                    else:
                        bg = value
                i += 1
        elif match.group(4):
            for char in match.group(4):
                if char in "\r\n":
                    continue
                if 0 <= y < height and 0 <= x < width:  # a blank's colour is not seen
                    cells[y][x] = (char, fg if char != " " else None, bg, bold, reverse)
                x += cell_len(char)
    return cells


def cached_start(rows: Any, *, minutes: int) -> EarlyStart:
    settings = Settings(profile_name="work")
    saved = datetime.now(UTC) - timedelta(minutes=minutes)
    return EarlyStart(settings, cached=Cached(Path(os.devnull), saved, rows, 0, ()))


@pytest.fixture
def first_frame_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The main screen as its first frame shows it: nothing comes after."""

    async def nothing(self: MainScreen) -> None:
        return None

    monkeypatch.setattr(MainScreen, "_after_first_frame", nothing)
    monkeypatch.setattr(DixaApp, "_begin", lambda self: None)
    yield


def cells_of(update: Any, width: int, height: int, colours: str) -> list[list[Cell]]:
    """The cells of a compositor update, coloured as rich writes them for ``colours``
    (from the segments' styles: rich caches a style's codes for the first colour system it
    was written with, so two writes in one process would not say what each terminal gets)."""
    from rich.color import ColorSystem

    def value(colour: Any) -> Any:
        if colour is None or colour.is_default:
            return None
        if colours == "256":
            return colour.downgrade(ColorSystem.EIGHT_BIT).number
        return tuple(colour.get_truecolor())

    blank: Cell = (" ", None, None, False, False)
    cells = [[blank] * width for _ in range(height)]
    for y, line in enumerate(update.strips, update.region.y):
        x = update.region.x
        for strip in line:
            for segment in strip:
                style = segment.style
                for char in segment.text:
                    if y < height and x < width:
                        cells[y][x] = (char, value(style.color) if style and char != " "
                                       else None, value(style.bgcolor) if style else None,
                                       bool(style and style.bold),
                                       bool(style and style.reverse))
                    x += cell_len(char)
    return cells


async def textual_frame(early: EarlyStart, size: tuple[int, int], colours: str
                        ) -> tuple[list[list[Cell]], list[list[Cell]]]:
    """Textual's whole first frame for ``early``, and with the list not focused."""
    app = DixaApp(early.settings, early=early)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = app.screen
        whole = cells_of(screen._compositor.render_update(full=True), *size, colours)
        screen.set_focus(None)
        await pilot.pause()
        unfocused = cells_of(screen._compositor.render_update(full=True), *size, colours)
    return whole, unfocused


SIZES = [(120, 36), (80, 24), (100, 30), (121, 40), (77, 24), (200, 12)]


@pytest.mark.parametrize("colours", ["truecolor", "256"])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("which", ["demo", "cached", "fresh"])
async def test_the_frame_before_textual_is_textuals_first_frame(
        which: str, size: tuple[int, int], colours: str, first_frame_only: None) -> None:
    width, height = size
    if which == "demo":
        settings = Settings(demo=True)
        early = begin(settings)
        take(settings)
    elif which == "cached":
        early = cached_start(MockState.demo().definitions, minutes=75)
    else:  # a cold start: the early read's rows came before Textual took the terminal
        early = EarlyStart(Settings(profile_name="work"), started=True)
        early.rows = MockState.demo().definitions
    scene = firstframe.scene(early)
    assert scene is not None
    ours = grid(firstframe.render(scene, width, height, truecolor=colours == "truecolor"),
                width, height)
    theirs, theirs_unfocused = await textual_frame(early, size, colours)
    left = max(firstframe.LEFT_MIN, width // 2)
    scrollbar = range(left - 1 - firstframe.SCROLLBAR, left - 1)
    cursor_row = 5  # header, target, border, status, column titles
    for y in range(height):
        for x in range(width):
            if x in scrollbar and 3 < y < height - 2:
                continue
            inside = y == cursor_row and 0 < x < left - 1  # the row, not the pane's border
            expected = theirs_unfocused[y][x] if inside else theirs[y][x]
            assert ours[y][x] == expected, (
                f"{which} {width}x{height} {colours}: cell ({x}, {y}) is {ours[y][x]!r}, "
                f"Textual's {expected!r}\nours:   {''.join(c[0] for c in ours[y])}\n"
                f"theirs: {''.join(c[0] for c in theirs[y])}")
    text = "\n".join("".join(c[0] for c in row) for row in ours)
    assert "Order number" in text
    if which == "cached":
        assert "cached list, saved 1 h ago" in text or "cached 1 h" in text


def test_colours_follow_what_textual_would_pick() -> None:
    base = {"TERM": "xterm-256color"}
    assert firstframe.colours({**base, "COLORTERM": "truecolor"}) is True
    assert firstframe.colours(base) is False
    assert firstframe.colours({"TERM": "tmux-256color"}) is False
    for other in ({"TERM": "xterm"}, {"TERM": "dumb", "COLORTERM": "truecolor"}, {},
                  {**base, "NO_COLOR": "1"}, {**base, "TEXTUAL_COLOR_SYSTEM": "standard"}):
        assert firstframe.colours(other) is None, other


def test_nothing_is_drawn_off_a_terminal(capfd: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(firstframe, "_closed", False)  # as in a process just started
    settings = Settings(demo=True)
    early = begin(settings)
    take(settings)
    assert firstframe.draw(early, {"TERM": "xterm-256color", "COLORTERM": "truecolor"}) is None
    assert firstframe.drawn() is None
    assert capfd.readouterr().out == ""


def test_an_empty_list_is_left_to_textual() -> None:
    assert firstframe.scene(cached_start([], minutes=1)) is None


def test_no_frame_is_drawn_once_textual_has_the_terminal(monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    """The early read's rows may come after Textual's driver took the terminal over: then
    they are its to paint, and nothing is drawn under it."""
    monkeypatch.setattr(firstframe, "_closed", False)
    monkeypatch.setattr(firstframe, "_drawn", None)
    monkeypatch.setattr(firstframe.os, "isatty", lambda fd: True)
    monkeypatch.setattr(firstframe.shutil, "get_terminal_size", lambda: os.terminal_size((100, 30)))
    written: list[bytes] = []
    monkeypatch.setattr(firstframe.os, "write", lambda fd, data: written.append(data) or len(data))
    import termios

    monkeypatch.setattr(termios, "tcgetattr", lambda fd: [0, 0, 0, 0, 0, 0, []])
    monkeypatch.setattr(termios, "tcsetattr", lambda fd, when, attrs: None)
    early = cached_start(MockState.demo().definitions, minutes=1)
    environ = {"TERM": "xterm-256color", "COLORTERM": "truecolor"}
    assert firstframe.taken() is None  # Textual's driver starts: nothing was drawn
    assert firstframe.draw(early, environ) is None and written == []
    monkeypatch.setattr(firstframe, "_closed", False)
    assert firstframe.draw(early, environ) is not None and written
    assert firstframe.taken() == [0, 0, 0, 0, 0, 0, []]  # the terminal's own, to restore
