"""The frame drawn before Textual, on a real pseudo-terminal: ``python -m dixa_tui --demo``
draws its list before Textual is imported, Textual takes the terminal over without switching
screens again, keys typed over that frame are kept and handled in order, and the terminal is
given back as it was (echo, line editing) when the app quits.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="a POSIX terminal")

WAIT = 30.0
ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[ -~]")


class Terminal:
    def __init__(self, *args: str, stderr: int | None = None) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
        self.before = termios.tcgetattr(slave)
        env = {**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor"}
        for name in [k for k in env if k.startswith(("TEXTUAL", "DIXA_TUI_DEBUG"))]:
            del env[name]
        env.pop("NO_COLOR", None)
        self.process = subprocess.Popen([sys.executable, "-m", "dixa_tui", *args],
                                        stdin=slave, stdout=slave,
                                        stderr=slave if stderr is None else stderr, env=env,
                                        start_new_session=True)
        self.slave = slave
        self.output = b""

    def text(self) -> str:
        return self.output.decode("utf-8", "replace")

    def read_until(self, found: str | re.Pattern[str], what: str) -> float:
        """Read until ``found`` is in the visible text; the seconds it took."""
        start = time.monotonic()
        while True:
            visible = ESCAPES.sub("", self.text())
            if (found.search(visible) if isinstance(found, re.Pattern) else found in visible):
                return time.monotonic() - start
            left = WAIT - (time.monotonic() - start)
            assert left > 0, f"{what} did not show; the screen said:\n{visible[-3000:]}"
            ready, _, _ = select.select([self.master], [], [], min(left, 0.5))
            if ready:
                with contextlib.suppress(OSError):
                    self.output += os.read(self.master, 65536)

    def type(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def finish(self) -> int:
        deadline = time.monotonic() + WAIT
        while self.process.poll() is None and time.monotonic() < deadline:
            ready, _, _ = select.select([self.master], [], [], 0.2)
            if ready:
                try:
                    self.output += os.read(self.master, 65536)
                except OSError:
                    break
        if self.process.poll() is None:
            self.process.kill()
        return self.process.wait(5)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(5)
        os.close(self.master)
        os.close(self.slave)


def test_the_list_shows_before_textual_and_keys_typed_over_it_are_kept() -> None:
    terminal = Terminal("--demo")
    try:
        terminal.read_until("Contact reason", "the demo's list")
        drawn_by_us = terminal.text()
        assert "Textual" not in drawn_by_us
        # Typed over the first frame, at once: a filter, then moving down and back up.
        terminal.type(b"/Loyal")
        terminal.read_until(re.compile(r"1 of 4\d"), "the filter's count")
        screen = ESCAPES.sub("", terminal.text())
        assert "Loyal" in screen.split("1 of 4")[-1] or "Loyal" in screen
        terminal.type(b"\x11")  # ctrl+q
        code = terminal.finish()
        assert code == 0, terminal.text()[-2000:]
        output = terminal.text()
        # One switch to the alternate screen (the frame's), one back (Textual's, at exit).
        assert output.count("\x1b[?1049h") == 1
        assert output.rstrip().count("\x1b[?1049l") >= 1
        # The terminal is as it was: echo and line editing back.
        after = termios.tcgetattr(terminal.slave)
        assert after[3] & termios.ECHO and after[3] & termios.ICANON
        assert after[3] == terminal.before[3] and after[0] == terminal.before[0]
    finally:
        terminal.close()


def test_a_quit_typed_over_the_first_frame_quits_cleanly() -> None:
    terminal = Terminal("--demo")
    try:
        terminal.read_until("Contact reason", "the demo's list")
        terminal.type(b"\x11")  # ctrl+q before Textual has started
        code = terminal.finish()
        assert code == 0, ESCAPES.sub("", terminal.text())[-2000:]
        after = termios.tcgetattr(terminal.slave)
        assert after[3] == terminal.before[3] and after[0] == terminal.before[0]
    finally:
        terminal.close()


def test_with_stderr_elsewhere_nothing_is_drawn_before_textual(tmp_path) -> None:
    """Textual draws on stderr: when that is not the terminal, neither is the frame (the
    terminal is left as it was, and the app runs, drawing where stderr goes)."""
    with open(tmp_path / "stderr", "wb") as err:
        terminal = Terminal("--demo", stderr=err.fileno())
        try:
            time.sleep(1.5)
            terminal.type(b"\x11")  # ctrl+q
            assert terminal.finish() == 0
            assert "\x1b[?1049h" not in terminal.text()
            after = termios.tcgetattr(terminal.slave)
            assert after[3] == terminal.before[3] and after[0] == terminal.before[0]
        finally:
            terminal.close()
    assert "Contact reason" in (tmp_path / "stderr").read_text("utf-8", "replace")
