"""A one-line status that says as much as fits: the first of its wordings that fits the
width, else the shortest one cut with an ellipsis. At 80 columns a line cut mid-phrase
with no mark reads as complete; a shorter wording, or a visible ``…``, does not."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class FitLine(Static):
    """``say(long, shorter, ...)``: the longest wording that fits is shown."""

    DEFAULT_CSS = """
    FitLine { height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._wordings: tuple[Text, ...] = ()

    def say(self, *wordings: Text) -> None:
        self._wordings = wordings
        self._fit()

    @property
    def wordings(self) -> tuple[Text, ...]:
        return self._wordings

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        if not self._wordings:
            self.update("")
            return
        width = self.content_region.width
        if width <= 0:  # not laid out yet: the first wording until a resize says more
            self.update(self._wordings[0])
            return
        fits = (w for w in self._wordings if w.cell_len <= width)
        self.update(next(fits, self._wordings[-1]))
