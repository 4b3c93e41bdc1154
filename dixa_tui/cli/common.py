"""What every command shares: exit codes, stopping with a message, the session, running a
coroutine.

Exit codes are part of the interface: 0 success, 1 an API or network error, 2 a usage or
validation error (nothing was sent), 3 an unexpected error (a bug), 4 a check that found
something (``definitions diff``: the schemas differ; ``definitions lint``: errors). Messages
go to stderr, without tracebacks (``--debug`` writes those to the debug log); data goes to
stdout.
"""

from __future__ import annotations

import asyncio
import functools
import sys
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from dixa_tui.session.settings import MissingKeyError, Settings

if TYPE_CHECKING:
    from dixa_tui.session.core import Session

EXIT_API = 1
EXIT_USAGE = 2
EXIT_BUG = 3  # an unexpected error: a bug in dixa-tui, the traceback in the debug log
EXIT_FOUND = 4  # a check found something: schemas differ, lint errors
T = TypeVar("T")


class Abort(Exception):
    """Stop with a message on stderr and an exit code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    raise Abort(message, code)


def handled(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn every expected failure into a message and an exit code, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from dixa_tui.text import clean

        try:
            return func(*args, **kwargs)
        except Abort as exc:
            click.echo(clean(str(exc), single_line=False), err=True)
            sys.exit(exc.code)
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            sys.exit(130)
        except Exception as exc:
            # Imported only now: the TUI's first frame must not wait for httpx and pydantic.
            from dixa_tui.api.errors import DixaError
            from dixa_tui.config import ConfigError
            from dixa_tui.journal import JournalError
            from dixa_tui.secrets import KeyStoreError
            from dixa_tui.session.bulk_files import BatchBusy
            from dixa_tui.session.core import TargetNotFound
            from dixa_tui.session.writes import ReadOnlyProfile

            if isinstance(exc, BatchBusy):
                click.echo(f"Error: {clean(str(exc), single_line=False)}", err=True)
                sys.exit(EXIT_USAGE)
            if isinstance(exc, JournalError):
                click.echo(f"Error: {clean(str(exc), single_line=False)}", err=True)
                click.echo("Nothing was sent.", err=True)
                sys.exit(EXIT_USAGE)
            if isinstance(exc, DixaError):
                click.echo(f"Error: {clean(exc.summary())}", err=True)
                click.echo(exc.hint, err=True)
                sys.exit(EXIT_API)
            if isinstance(exc, ConfigError | MissingKeyError | KeyStoreError | TargetNotFound
                          | ReadOnlyProfile):
                click.echo(f"Error: {clean(str(exc), single_line=False)}", err=True)
                sys.exit(EXIT_USAGE)
            from dixa_tui import debuglog

            # Anything else is a bug: one line here, the traceback in the debug log.
            where = click.get_current_context(silent=True)
            line = debuglog.unexpected(where.command_path if where else "dixa-tui", exc)
            click.echo(f"Error: {clean(line)}", err=True)
            sys.exit(EXIT_BUG)

    return wrapper


def settings() -> Settings:
    """The global options of this run."""
    found = click.get_current_context().find_object(Settings)
    if found is None:  # a command invoked without the group: the defaults
        return Settings()
    return found


def open_session() -> Session:
    """The session for this run, connected: a missing or unusable key is a usage error that
    says how to give one (exit 2)."""
    from dixa_tui.session.core import Session
    from dixa_tui.session.settings import missing_key_message

    session = Session.open(settings())
    if not session.connected:
        raise MissingKeyError(missing_key_message(session.profile, session.key_problem,
                                                  session.keyring_failure))
    return session


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a command's coroutine; each retry of a request is said on stderr as it happens.

    The result is handed out through a box, not as the main task's result: on Python 3.11,
    ``asyncio.run`` formats that task's ``repr`` while restoring the SIGINT handler, and a
    result's repr can be expensive (10,000 definitions: 46,706 model reprs, 0.1-0.3 s after
    the work was done)."""
    from dixa_tui.api.notices import RetryNotice, retries_reported

    def say(notice: RetryNotice) -> None:
        from dixa_tui.text import clean

        click.echo(f"Warning: {clean(notice.sentence())}", err=True)

    box: list[T] = []

    async def reporting() -> None:
        with retries_reported(say):
            box.append(await coro)

    asyncio.run(reporting())
    return box[0]
