"""Messages from workers to the screens that asked: results in, retries and errors in.

Workers never touch widgets. They post one of these to the node that started them; that
node's handler owns the state. Failures bubble on to the app, the one place that shows errors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from dixa_tui.api.client import RetryNotice
    from dixa_tui.api.errors import DixaError


class Loaded(Message):
    """A worker finished: ``what`` names the request, ``result`` is what the client returned."""

    def __init__(self, what: str, result: Any, context: Any = None) -> None:
        super().__init__()
        self.what = what
        self.result = result
        self.context = context


class Retrying(Message):
    """A request failed and is about to be tried again. Bubbles to the app, which says so."""

    def __init__(self, what: str, notice: RetryNotice) -> None:
        super().__init__()
        self.what = what
        self.notice = notice


class ApiFailed(Message):
    """A request failed; ``retry`` runs it again. Bubbles to the app, which shows it."""

    def __init__(self, what: str, error: DixaError | Exception,
                 retry: Callable[[], object] | None, context: Any = None,
                 origin: Any = None) -> None:
        super().__init__()
        self.origin = origin  # the screen that asked, where the error is shown
        self.what = what
        self.error = error
        self.retry = retry
        self.context = context
