"""The ``dixa-tui`` group: global options; with no command, the terminal UI.

Heavy modules are imported inside the commands so ``--help`` stays fast and the TUI's first
frame waits for nothing.
"""

from __future__ import annotations

import sys

import click

from dixa_tui import __version__
from dixa_tui.cli.common import EXIT_USAGE, handled
from dixa_tui.session.settings import Settings


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--profile", metavar="NAME", help="Profile from the config file (default: default).")
@click.option("--base-url", metavar="URL", help="Dixa API host, e.g. https://dev.dixa.io.")
@click.option("--api-version", type=click.Choice(["beta", "v1"]),
              help="API path prefix (default: beta).")
@click.option("--demo", is_flag=True, help="Use the embedded demo organization: no account needed.")
@click.option("--no-journal", is_flag=True,
              help="Send without recording writes in the local journal (no history, no undo "
                   "for them): for a journal that cannot be written, or data that must not "
                   "be kept on this machine.")
@click.option("--no-cache", is_flag=True,
              help="Terminal UI: neither show nor keep the start-up cache of the "
                   "definitions list, and remove the profile's (a start shows the last list "
                   "read at once, then reads it again). Commands keep no cache.")
@click.option("--debug", is_flag=True,
              help="Write a debug log (requests, tracebacks; never the key) to the user log "
                   "folder; its path is printed. DIXA_TUI_DEBUG=1 does the same.")
@click.version_option(__version__, prog_name="dixa-tui")
@click.pass_context
def main(ctx: click.Context, profile: str | None, base_url: str | None,
         api_version: str | None, demo: bool, no_journal: bool, no_cache: bool,
         debug: bool) -> None:
    """Browse Dixa custom attribute definitions and change attribute values.

    With no command, opens the terminal UI (press ? inside it for every key).

    \b
    Examples:
      dixa-tui --demo
      dixa-tui --demo definitions list
      dixa-tui definitions show contact_reason
      dixa-tui patch conversation 12345 --set contact_reason=delivery/damaged/item --dry-run
    """
    ctx.obj = Settings(profile, base_url, api_version, demo, no_journal, no_cache)
    from dixa_tui import debuglog  # the standard library only: the first frame can afford it

    if debug or debuglog.wanted():
        _start_debug_log(ctx)
    if ctx.invoked_subcommand is None:
        _tui(ctx.obj)


def _start_debug_log(ctx: click.Context) -> None:
    from dixa_tui import debuglog

    try:
        path = debuglog.enable()
    except OSError as exc:
        click.echo(f"Error: cannot write the debug log: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    ctx.call_on_close(debuglog.disable)
    click.echo(f"Debug log: {path}", err=True)
    debuglog.log.debug("command: %s %s", ctx.command_path,
                       ctx.invoked_subcommand or "(the terminal UI)")


@handled
def _tui(settings: Settings) -> None:
    settings.check()  # contradicting options: said as every command says them (exit 2)
    from dixa_tui.tui.start import start_tui

    # Through click (``--debug``): the cached list is shown at once, the list is read by
    # the app (a plain start asks for it before Textual loads: ``dixa_tui.launch``).
    code = start_tui(settings, fetch=False)
    if code:  # an unexpected error, already shown in one line
        sys.exit(code)
