"""Textual's driver on a terminal where ``tui.firstframe`` has drawn the first frame.

The same driver as Textual's own on Linux and macOS, with two differences while it takes the
terminal over from that frame: it does not switch to the alternate screen again (the frame is
on it already, and many terminals blank it when asked twice), and what it restores at exit
are the terminal's settings from before the frame (the frame's own turned echo off).
"""

from __future__ import annotations

from typing import Any

from textual.drivers.linux_driver import LinuxDriver

from dixa_tui.tui import firstframe


class FramedDriver(LinuxDriver):
    """Textual's own driver where no frame was drawn before it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._before_frame: list[Any] | None = None
        self._on_alt_screen = False
        self._first_start = True

    def write(self, data: str) -> None:
        if self._on_alt_screen and data == firstframe.ALT_SCREEN_ON:
            self._on_alt_screen = False  # once: after a suspend, the switch is needed
            return
        super().write(data)

    def start_application_mode(self) -> None:
        if self._first_start:  # (again after a suspend: then as Textual's own)
            self._first_start = False
            self._before_frame = firstframe.taken()  # no frame is drawn after this
            self._on_alt_screen = self._before_frame is not None
        start: Any = super().start_application_mode  # (Textual's is not annotated)
        start()
        if self._before_frame is not None:
            self.attrs_before = self._before_frame
            self._before_frame = None
