"""The top bar: which organization this is. A PRODUCTION badge is never mistaken for DEMO."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from dixa_tui.tui.literal import join, lit


class StatusHeader(Static):
    """``dixa-tui · profile · base URL/version`` and a DEMO or PRODUCTION badge, and a
    READ-ONLY one for a profile that never writes."""

    DEFAULT_CSS = """
    StatusHeader { height: 1; background: $panel; color: $text; padding: 0 1; }
    """

    profile: reactive[str] = reactive("…")
    url: reactive[str] = reactive("connecting…")
    demo: reactive[bool | None] = reactive(None)
    read_only: reactive[bool] = reactive(False)

    def render(self) -> Text:
        if self.demo is None:
            badge = lit(" … ", "reverse")
        elif self.demo:
            badge = lit(" DEMO ", "bold black on yellow")
        else:
            badge = lit(" PRODUCTION ", "bold white on red")
        if self.read_only:
            badge = join(badge, " ", lit(" READ-ONLY ", "bold black on cyan"))
        return join(badge, " ", lit("dixa-tui", "bold"), " · profile ", lit(self.profile, "bold"),
                    " · ", lit(self.url))
