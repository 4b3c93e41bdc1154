"""Untrusted text as Rich ``Text``: literal characters, never markup, never escape sequences.

Labels, identifiers, values and server messages come from someone else's organization. Every
widget that shows them goes through :func:`lit`, so ``[bold red]X[/]`` shows those characters
and an ANSI or OSC sequence never reaches the terminal.
"""

from __future__ import annotations

from rich.text import Text

from dixa_tui.text import clean


def lit(value: object, style: str = "", *, single_line: bool = True) -> Text:
    """``value`` cleaned of escape sequences, as plain text in ``style``."""
    return Text(clean("" if value is None else value, single_line=single_line), style=style)


def join(*parts: Text | str, sep: str = "") -> Text:
    """Concatenate pieces; plain ``str`` parts are our own words and still never parsed."""
    return Text(sep).join(p if isinstance(p, Text) else Text(p) for p in parts)


def gap(cells: int = 1) -> Text:
    """Blank cells as a segment of their own. A picture of the screen (the SVG export made
    PNG for the README) draws a segment's leading spaces with no width, so text that follows
    spaces of its own style would shift left there: start such text after a ``gap``."""
    return Text(" " * cells, style="none")
