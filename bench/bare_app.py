"""The baseline for bench/startup.py: the smallest Textual app that draws one line of text.

``python bench/bare_app.py`` shows "bare textual app"; ctrl+q quits.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

MARKER = "bare textual app"


class BareApp(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Static(MARKER)


if __name__ == "__main__":
    BareApp().run()
