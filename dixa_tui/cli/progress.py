"""Progress of long commands on stderr: a live line on a terminal, a line now and then in a
log (a pipe or a file), and always the last state, so a script sees how it ended."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from dixa_tui.session.progress import Progress

LIVE_EVERY = 0.1  # seconds between redraws of the live line
LOG_EVERY = 10.0  # seconds between lines when stderr is not a terminal


class ProgressLine:
    """Call it with each :class:`Progress`; :meth:`done` ends the line."""

    def __init__(self, stream: TextIO | None = None, *,
                 live: bool | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self._last_drawn = 0.0
        self._width = 0
        self._latest: Progress | None = None
        self._drawn: Progress | None = None

    def __call__(self, progress: Progress) -> None:
        self._latest = progress
        if not self.live and progress.done == 0:
            return  # a log gets lines once there is something to say
        now = time.monotonic()
        every = LIVE_EVERY if self.live else LOG_EVERY
        finished = progress.total is not None and progress.done >= progress.total
        if now - self._last_drawn < every and not finished:
            return
        self._last_drawn = now
        self._draw(progress)

    def _draw(self, progress: Progress) -> None:
        self._drawn = progress
        line = progress.line()
        if self.live:
            pad = max(0, self._width - len(line))
            self.stream.write("\r" + line + " " * pad)
            self._width = len(line)
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def clear(self) -> None:
        """Wipe a live line, so other output on the same terminal starts on a clean line;
        :meth:`redraw` puts it back."""
        if self.live and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0

    def redraw(self) -> None:
        """Draw the latest state again after :meth:`clear` (a live line only)."""
        if self.live and self._latest is not None and not self._width:
            self._draw(self._latest)

    def done(self) -> None:
        """The last state, and a line break after a live line."""
        if self._latest is not None and self._latest is not self._drawn:
            self._draw(self._latest)
        if self.live and self._width:
            self.stream.write("\n")
            self.stream.flush()
        self._width = 0
