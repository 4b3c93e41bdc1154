"""The CLI's progress line: redrawn in place on a terminal, a line now and then in a log."""

from __future__ import annotations

import io

from dixa_tui.cli.progress import ProgressLine
from dixa_tui.session.progress import Progress


def test_a_terminal_gets_one_line_redrawn_and_ended() -> None:
    out = io.StringIO()
    line = ProgressLine(out, live=True)
    line(Progress("sending", 1, 3, 1.0))
    line(Progress("sending", 3, 3, 2.0))
    line.done()
    text = out.getvalue()
    assert text.startswith("\rsending 1 of 3") and "\rsending 3 of 3" in text
    assert text.endswith("\n") and text.count("\n") == 1


def test_a_log_gets_whole_lines_and_the_last_state_once() -> None:
    out = io.StringIO()
    line = ProgressLine(out, live=False)
    line(Progress("reading", 0, 4, 0.0))  # nothing to say yet
    line(Progress("reading", 1, 4, 0.5))
    line(Progress("reading", 2, 4, 1.0))  # within the interval: held back
    line.done()
    assert out.getvalue().splitlines() == [
        "reading 1 of 4 · 2.0/s · ETA 2 s", "reading 2 of 4 · 2.0/s · ETA 1 s"]
