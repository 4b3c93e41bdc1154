"""What screens need from the app, handed to them: they never import the app.

A :class:`Ui` holds the session (None until the start-up worker made it), the user's keymap
(to name keys in hints as the user has them), and :meth:`Ui.run`, the one way a screen asks
the session for something: the call runs in a worker of the asking widget, and its outcome
comes back as that request's own message, or as a :class:`RequestFailed` that goes on to the
app, which shows it. (In the manner of jiratui, whose controller is built once and passed
into its screens.)
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from dixa_tui.tui.messages import Request, RequestFailed, Retrying

if TYPE_CHECKING:
    from textual.message import Message
    from textual.screen import Screen
    from textual.widget import Widget

    from dixa_tui.session.core import Session

T = TypeVar("T")


class _Again:
    """``retry``'s default: the same request, asked again."""


AGAIN = _Again()


class Ui:
    """The session and the keymap as the screens see them, and the request runner."""

    def __init__(self) -> None:
        self.session: Session | None = None
        self.keymap: dict[str, str] = {}

    @property
    def connected(self) -> bool:
        return self.session is not None and self.session.connected

    @property
    def demo(self) -> bool:
        return self.session is not None and self.session.demo

    def binding_keys(self, binding_id: str, default: str) -> str:
        """The key(s) a binding answers to, after the user's keymap."""
        return self.keymap.get(binding_id, default)

    def key_hint(self, binding_id: str, default: str) -> str:
        """The key to name in a hint ("press t"), after the user's keymap: its first key,
        as typed (``/`` for ``slash``)."""
        from textual.keys import format_key

        return format_key(self.binding_keys(binding_id, default).split(",")[0].strip())

    def run(self, asker: Widget, request: Request, call: Callable[[Session], Awaitable[T]],
            done: Callable[[T], Message], *, context: Any = None, exclusive: bool = True,
            retry: Callable[[], object] | _Again | None = AGAIN) -> None:
        """Run ``call(session)`` in a worker of ``asker``; post ``done(result)`` to it, or a
        :class:`RequestFailed` (which bubbles on to the app). ``retry`` is what the retry
        key does after a failure: by default this same request again."""
        from textual.screen import Screen

        origin: Screen[Any] = asker if isinstance(asker, Screen) else asker.screen

        def again() -> None:
            self.run(asker, request, call, done, context=context, exclusive=exclusive,
                     retry=retry)

        retry_with = again if isinstance(retry, _Again) else retry

        async def job() -> None:
            from dixa_tui.api.client import RetryNotice, retries_reported

            session = self.session
            try:
                if session is None:  # said, not dropped: a dialog waiting on it would wait
                    from dixa_tui.api.errors import DixaNotConnected

                    raise DixaNotConnected(request.value)
                def retrying(notice: RetryNotice) -> None:
                    asker.post_message(Retrying(request, notice))

                with retries_reported(retrying):
                    result = await call(session)
            except Exception as exc:  # every failure is shown, none crashes the app
                failed(asker, request, exc, retry_with, context, origin=origin)
            else:
                asker.post_message(done(result))

        asker.run_worker(job(), group=request.value, exclusive=exclusive, exit_on_error=False)


def failed(asker: Widget, request: Request, error: Exception,
           retry: Callable[[], object] | None, context: Any = None, *,
           origin: Screen[Any] | None = None) -> None:
    """Say that ``request`` of ``asker`` (on ``origin``, by default its screen) failed:
    logged, and a :class:`RequestFailed` posted to it (which bubbles on to the app, the one
    place errors are shown), with ``retry`` offered where it can help."""
    if origin is None:
        from textual.screen import Screen

        origin = asker if isinstance(asker, Screen) else asker.screen
    log_failure(request, error)
    offered = retry if _retryable(error) else None
    asker.post_message(RequestFailed(request, error, offered, origin, context))


def _retryable(error: Exception) -> bool:
    """Retry is offered where it can help: a network failure, the rate limit, Dixa's own
    5xx; never for a request Dixa refused (a 400 sent again is refused again). Failures that
    are not Dixa's (the journal, a bug) keep it: what they name may be fixed meanwhile."""
    from dixa_tui.api.errors import DixaError

    return not isinstance(error, DixaError) or error.retryable


def log_failure(request: Request, error: Exception) -> None:
    """Expected failures (a DixaError) in one line; anything else with its traceback."""
    from dixa_tui import debuglog
    from dixa_tui.api.errors import DixaError

    if isinstance(error, DixaError):
        debuglog.log.warning("%s failed: %s", request.value, error)
    else:
        debuglog.unexpected(request.value, error)
