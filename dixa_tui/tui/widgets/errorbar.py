"""The error bar: the one place a failed request is shown, on every screen, the same way.

It says what failed (the operation, the HTTP status, Dixa's own message, literally), what to
do about it, and which key retries. It stays until the user dismisses it or a retry succeeds.
"""

from __future__ import annotations

from textual.widgets import Static

from dixa_tui.tui.literal import join, lit


def describe(error: BaseException) -> tuple[str, str]:
    """(what failed, what to do) for any error a worker can meet."""
    from dixa_tui.api.errors import DixaApiError, DixaError

    if isinstance(error, DixaApiError) and error.status == 401:
        return error.summary(), ("Dixa refused the API key: press K on the main screen to "
                                 "enter another (or check DIXA_API_KEY).")
    if isinstance(error, DixaError):
        return error.summary(), error.hint
    return (f"unexpected {type(error).__name__}: {error}",
            "This is a bug in dixa-tui; the app keeps running. Try again, or report it.")


class ErrorBar(Static):
    """Hidden until :meth:`show`; ``ctrl+r`` (the app's retry binding) runs the retry."""

    DEFAULT_CSS = """
    ErrorBar {
        display: none; height: auto; max-height: 6; padding: 0 1;
        background: $error 20%; border-left: thick $error;
    }
    ErrorBar.-shown { display: block; }
    """

    def show(self, error: BaseException, retry_key: str | None) -> None:
        what, todo = describe(error)
        hint = f" {todo}" + (f" Press {retry_key} to retry, or escape to dismiss." if
                             retry_key else " Press escape to dismiss.")
        self.update(join(lit("✖ ", "bold"), lit(what, "bold"), "\n", lit(hint.strip())))
        self.add_class("-shown")

    def clear(self) -> None:
        self.update("")
        self.remove_class("-shown")

    @property
    def shown(self) -> bool:
        return self.has_class("-shown")
