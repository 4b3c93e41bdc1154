"""The help screen: every key of every part of the app, after the user's keymap."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from dixa_tui.tui.keys import key_table
from dixa_tui.tui.literal import lit


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close", id="help.close",
                tooltip="Close the list of keys"),
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 90%; max-width: 110; height: 90%; border: round $accent; padding: 0 1;
        background: $surface;
    }
    """

    def __init__(self, keymap: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self.keymap = dict(keymap or {})

    def compose(self) -> ComposeResult:
        keymap = self.keymap
        with VerticalScroll() as scroll:
            scroll.border_title = "Keys · escape closes"
            yield Static(lit("Every action is also in the command palette (ctrl+p). Keys can "
                             "be remapped in the [keymap] table of the config file by binding "
                             "id.", "italic"))
            for title, rows in key_table(keymap):
                table = Table(title=title, title_justify="left", title_style="bold",
                              show_edge=False, expand=True)
                table.add_column("Key", no_wrap=True, style="bold")
                table.add_column("Action")
                table.add_column("Binding id", style="dim", no_wrap=True)
                for keys, description, binding_id in rows:
                    table.add_row(lit(keys), lit(description), lit(binding_id))
                yield Static(table)

    def action_close(self) -> None:
        self.dismiss()
