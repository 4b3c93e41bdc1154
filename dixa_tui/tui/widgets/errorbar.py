"""The error bar: the one place a failed request is shown, on every screen, the same way.

It says what failed (the operation, the HTTP status, Dixa's own message, literally), what to
do about it, and which key retries. It stays until the user dismisses it or a retry succeeds.
Dixa's message has no length limit, so what failed is cut (with an ellipsis; the full text is
the bar's tooltip) before what to do could be pushed out of the bar.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.widgets import Static

from dixa_tui.tui.literal import join, lit

MAX_LINES = 6


def describe(error: BaseException, key_key: str = "K") -> tuple[str, str]:
    """(what failed, what to do) for any error a worker can meet; ``key_key`` is the key
    that opens the key screen, after the user's keymap."""
    from dixa_tui.api.errors import DixaApiError, DixaError

    if isinstance(error, DixaApiError) and error.status == 401:
        advice = (f"Dixa refused the API key: press {key_key} on the main screen to enter "
                  "another (or check DIXA_API_KEY).")
        return error.summary(), f"{advice} {error.outcome}" if error.write else advice
    if isinstance(error, DixaError):
        return error.summary(), error.hint
    from dixa_tui.journal import JournalError
    from dixa_tui.session.bulk_files import BatchBusy

    if isinstance(error, BatchBusy):
        return "bulk run: another run is sending this batch", str(error)

    if isinstance(error, JournalError):
        return (f"journal: {error}", "Nothing was sent. Fix what the message says and retry, "
                "or start dixa-tui with --no-journal to send without a record.")
    from dixa_tui import debuglog

    where = debuglog.current_path()
    log_hint = (f"The traceback is in {where}." if where else
                f"Start with --debug (or {debuglog.ENV_VAR}=1) to log the traceback.")
    # Its text is not ours: it may quote anything, so keys are blanked before it is shown.
    return (debuglog.redact(f"unexpected {type(error).__name__}: {error}"),
            f"This is a bug in dixa-tui; the app keeps running. {log_hint} Try again, "
            "or report it.")


class ErrorBar(Static):
    """Hidden until :meth:`show`; ``ctrl+r`` (the app's retry binding) runs the retry it
    holds (:meth:`take_retry`)."""

    DEFAULT_CSS = f"""
    ErrorBar {{
        display: none; height: auto; max-height: {MAX_LINES}; padding: 0 1;
        background: $error 20%; border-left: thick $error;
    }}
    ErrorBar.-shown {{ display: block; }}
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._parts: tuple[Text, Text] | None = None
        self._retry: Callable[[], object] | None = None

    def show(self, error: BaseException, retry_key: str | None, key_key: str = "K",
             retry: Callable[[], object] | None = None) -> None:
        """Show ``error``; ``retry`` (offered with ``retry_key``) is kept until taken."""
        self._retry = retry
        what, todo = describe(error, key_key)
        hint = f"{todo}" + (f" Press {retry_key} to retry, or escape to dismiss." if
                            retry_key else " Press escape to dismiss.")
        self._parts = (join(lit("✖ ", "bold"), lit(what, "bold")), lit(hint))
        self.tooltip = join(*self._parts, sep="\n")
        self.add_class("-shown")
        self._fit()

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        """What failed, cut to the lines the hint leaves free at the current width."""
        if self._parts is None:
            return
        head, hint = self._parts
        width = self.content_region.width or max(10, self.app.size.width - 3)
        console = self.app.console
        room = max(1, MAX_LINES - len(hint.wrap(console, width)))
        lines = list(head.wrap(console, width))
        if len(lines) > room:
            kept = lines[:room]
            last = kept[-1]
            last.truncate(width - 1)
            last.rstrip()
            last.append("…")
            head = Text("\n").join(kept)
        self.update(join(head, "\n", hint))

    def take_retry(self) -> Callable[[], object] | None:
        """The retry on offer (clearing the bar), or None."""
        retry = self._retry
        if retry is not None:
            self.clear()
        return retry

    def clear(self) -> None:
        self._retry = None
        self._parts = None
        self.tooltip = None
        self.update("")
        self.remove_class("-shown")

    @property
    def shown(self) -> bool:
        return self.has_class("-shown")
