"""What every CLI command shares: exit codes, stopping with a message, running a coroutine.

A module of its own so that command modules (``cli``, ``cli_patch``) do not import each other.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, NoReturn, TypeVar

EXIT_API = 1
EXIT_USAGE = 2
EXIT_BUG = 3  # an unexpected error: a bug in dixa-tui, the traceback in the debug log
T = TypeVar("T")


class Abort(Exception):
    """Stop with a message on stderr and an exit code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    raise Abort(message, code)


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a command's coroutine; each retry of a request is said on stderr as it happens."""
    from dixa_tui.api.client import RetryNotice, retries_reported

    def say(notice: RetryNotice) -> None:
        import click

        from dixa_tui.text import clean

        click.echo(f"Warning: {clean(notice.sentence())}", err=True)

    async def reporting() -> T:
        with retries_reported(say):
            return await coro

    return asyncio.run(reporting())
