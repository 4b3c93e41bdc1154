"""Textual's Footer, recomposed at most once per frame.

Textual's ``Footer`` schedules a full recompose (every key widget unmounted, mounted and
styled again) for each bindings-changed signal, and a screen sends several in a row: a
focus change, a pushed screen, a reactive with ``bindings=True``. At start-up that was 10
recomposes of the main screen's footer in its first 150 ms, time the definitions then had
to wait for. This one keeps a single recompose pending; the last signal before the next
frame wins, so the footer still shows the bindings as they are when it is drawn.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer as TextualFooter


class Footer(TextualFooter):
    _recompose_pending = False

    def bindings_changed(self, screen: Screen[object]) -> None:
        """Textual's own handler, except while a recompose it scheduled is still pending."""
        if self._recompose_pending:
            return
        super().bindings_changed(screen)  # marks the bindings ready; schedules a recompose
        # when the app has focus and this footer is on that screen, and only then
        self._recompose_pending = bool(screen.app.app_focus and self.is_attached
                                       and screen is self.screen)

    async def recompose(self) -> None:
        self._recompose_pending = False
        await super().recompose()
