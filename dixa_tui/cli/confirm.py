"""Asking before a send: on a terminal a question, in a script ``--yes``.

A write that needs a person's go-ahead (every undo; every write of a profile with
``confirm = "always"``, the default for Dixa's production host) asks on the terminal, and off
a terminal (a pipe, a cron job, CI) refuses unless the command line says ``--yes``: a script
that never meant to write to production stops there instead of writing.
"""

from __future__ import annotations

import sys

import click

from dixa_tui.cli.common import EXIT_USAGE, fail


def stdin_is_terminal() -> bool:
    """Whether a person can answer (tests replace this)."""
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):  # no stdin at all, or a closed one
        return False


def confirm_send(question: str, *, yes: bool, why: str) -> None:
    """Go on when ``yes`` (``--yes`` given) or a person answers y to ``question``; else stop
    with nothing sent (exit 2). ``why`` says why this send asks (for the message off a
    terminal)."""
    if yes:
        return
    if not stdin_is_terminal():
        fail(f"Error: {why}, and standard input is not a terminal to ask on: add --yes to "
             "send without asking. Nothing was sent.", EXIT_USAGE)
    if not click.confirm(question, default=False, err=True):
        fail("Not sent: you answered no. Nothing was sent.", EXIT_USAGE)
