"""Unexpected errors in the TUI: one line on screen, the traceback (redacted) in the debug log.

Two kinds: an exception in a request's worker (the app keeps running, the error bar names it)
and one that nothing catches (the app exits, printing one line instead of Textual's
traceback with local variables).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import httpx
import pytest
from tui_helpers import rendered, started, wait_for

from dixa_tui import debuglog
from dixa_tui.mock import MockState, create_app
from dixa_tui.session.settings import Settings
from dixa_tui.tui.app import DixaApp
from dixa_tui.tui.widgets.errorbar import ErrorBar

KEY = "sk_tui_debug_SENTINEL_9c2d"


class Exploding(httpx.AsyncBaseTransport):
    """Answers like the mock until ``armed``; then raises a bug-like error quoting the key."""

    def __init__(self) -> None:
        self.inner = httpx.ASGITransport(app=create_app(MockState.demo(), api_key=KEY))
        self.armed = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.armed:
            raise KeyError(f"no codec for {request.headers['authorization']}")
        return await self.inner.handle_async_request(request)


def make_app(transport: httpx.AsyncBaseTransport) -> DixaApp:
    app = DixaApp(Settings(base_url="http://mock"), transport_factory=lambda: transport)
    return app


@pytest.mark.parametrize("debug", [True, False])
async def test_a_worker_error_is_one_line_and_logged(monkeypatch: pytest.MonkeyPatch,
                                                     debug: bool) -> None:
    monkeypatch.setenv("DIXA_API_KEY", KEY)
    path = debuglog.enable() if debug else None
    transport = Exploding()
    app = make_app(transport)
    async with app.run_test(size=(100, 30)) as pilot:
        main = await started(pilot)
        transport.armed = True
        await pilot.press("r")
        bar = main.query_one(ErrorBar)
        await wait_for(pilot, lambda: bar.shown)
        shown = rendered(bar)
        assert "unexpected KeyError" in shown and "[redacted]" in shown
        assert KEY not in shown and KEY not in app.export_screenshot()
        assert "Traceback" not in shown
        if path is not None:
            assert "The traceback is in" in shown
            assert any(part in shown for part in (str(path), path.name))
        else:
            assert "--debug" in shown
        transport.armed = False
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: not bar.shown)
    if path is not None:
        debuglog.disable()
        text = path.read_text()
        assert "unexpected error in" in text and "Traceback (most recent call last)" in text
        assert "in handle_async_request" in text
        assert "[redacted]" in text and KEY not in text


async def test_an_uncaught_error_exits_with_one_line(monkeypatch: pytest.MonkeyPatch,
                                                     capfd: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DIXA_API_KEY", KEY)
    path: Path = debuglog.enable()
    app = make_app(Exploding())

    def broken(self: Any, definition: Any) -> None:
        raise RuntimeError(f"detail pane bug for {KEY}")

    monkeypatch.setattr("dixa_tui.tui.screens.main.MainScreen._show_detail", broken)
    with pytest.raises(RuntimeError):
        async with app.run_test(size=(100, 30)) as pilot:
            # The detail pane is drawn as the definitions arrive: the bug stops the app.
            await wait_for(pilot, lambda: app.return_code is not None)
    assert app.return_code == 1
    printed = capfd.readouterr()
    everything = printed.out + printed.err
    assert KEY not in everything
    assert "Traceback" not in everything and "locals" not in everything
    debuglog.disable()
    text = path.read_text()
    assert "unexpected error in the terminal UI" in text and "in broken" in text
    assert KEY not in text and "[redacted]" in text


async def test_the_exit_line_replaces_textuals_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the user sees after an uncaught error: our line, not a rich traceback."""
    monkeypatch.setenv("DIXA_API_KEY", KEY)
    app = make_app(Exploding())
    lines: list[str] = []

    def printed(self: DixaApp) -> None:  # what the terminal would show, one entry each,
        from rich.console import Console  # as plain text (unwrapped)

        for renderable in self._exit_renderables:
            console = Console(color_system=None, record=True, file=io.StringIO())
            console.print(renderable)
            lines.append("".join(console.export_text().splitlines()))

    monkeypatch.setattr(DixaApp, "_print_error_renderables", printed)

    def broken(self: Any, definition: Any) -> None:
        raise RuntimeError(f"detail pane bug for {KEY}")

    monkeypatch.setattr("dixa_tui.tui.screens.main.MainScreen._show_detail", broken)
    with pytest.raises(RuntimeError):
        async with app.run_test(size=(100, 30)) as pilot:
            # The detail pane is drawn as the definitions arrive: the bug stops the app.
            await wait_for(pilot, lambda: app.return_code is not None)
    assert lines, "nothing was printed on exit"
    assert all(line.startswith("dixa-tui stopped: unexpected RuntimeError: detail pane bug "
                               "for [redacted]") for line in lines)
    assert "--debug" in lines[0]


async def test_a_widget_gone_after_the_quit_is_not_a_failure(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The list's models, read in a worker, may arrive as the app closes, when the detail
    pane is already taken down: the quit goes on, exit code 0; before a quit it is a bug."""
    from textual.css.query import NoMatches

    monkeypatch.setenv("DIXA_API_KEY", KEY)
    app = make_app(Exploding())
    quits = make_app(Exploding())

    def gone(self: Any, definition: Any) -> None:
        self.app.exit()  # the quit came first...
        raise NoMatches("No nodes match '#detail-fields'")  # ...then this handler

    monkeypatch.setattr("dixa_tui.tui.screens.main.MainScreen._show_detail", gone)
    async with quits.run_test(size=(100, 30)) as pilot:
        for _ in range(500):  # (not wait_for: a screen being taken down never settles)
            if quits.return_code is not None:
                break
            await pilot.pause(0.02)
    assert quits.return_code == 0

    def missing(self: Any, definition: Any) -> None:
        raise NoMatches("No nodes match '#detail-fields'")

    monkeypatch.setattr("dixa_tui.tui.screens.main.MainScreen._show_detail", missing)
    with pytest.raises(NoMatches):
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: app.return_code is not None)
    assert app.return_code == 1
