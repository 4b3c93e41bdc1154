"""The command line: with no command the TUI, else headless commands for scripts.

Exit codes are part of the interface: 0 success, 1 an API or network error, 2 a usage or
validation error (nothing was sent), 3 an unexpected error (a bug). Messages go to stderr,
without tracebacks (``--debug`` writes those to the debug log); data goes to stdout. Heavy
modules are imported inside the commands so ``--help`` stays fast.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

import click

from dixa_tui import __version__
from dixa_tui.cli_common import EXIT_API, EXIT_BUG, EXIT_USAGE, Abort, fail
from dixa_tui.connect import MissingKeyError, Settings


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
            from dixa_tui.secrets import KeyStoreError

            if isinstance(exc, DixaError):
                click.echo(f"Error: {clean(exc.summary())}", err=True)
                click.echo(exc.hint, err=True)
                sys.exit(EXIT_API)
            if isinstance(exc, ConfigError | MissingKeyError | KeyStoreError):
                click.echo(f"Error: {clean(str(exc), single_line=False)}", err=True)
                sys.exit(EXIT_USAGE)
            from dixa_tui import debuglog

            # Anything else is a bug: one line here, the traceback in the debug log.
            where = click.get_current_context(silent=True)
            line = debuglog.unexpected(where.command_path if where else "dixa-tui", exc)
            click.echo(f"Error: {clean(line)}", err=True)
            sys.exit(EXIT_BUG)

    return wrapper


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--profile", metavar="NAME", help="Profile from the config file (default: default).")
@click.option("--base-url", metavar="URL", help="Dixa API host, e.g. https://dev.dixa.io.")
@click.option("--api-version", type=click.Choice(["beta", "v1"]),
              help="API path prefix (default: beta).")
@click.option("--demo", is_flag=True, help="Use the embedded demo organization: no account needed.")
@click.option("--debug", is_flag=True,
              help="Write a debug log (requests, tracebacks; never the key) to the user log "
                   "folder; its path is printed. DIXA_TUI_DEBUG=1 does the same.")
@click.version_option(__version__, prog_name="dixa-tui")
@click.pass_context
def main(ctx: click.Context, profile: str | None, base_url: str | None,
         api_version: str | None, demo: bool, debug: bool) -> None:
    """Browse Dixa custom attribute definitions and change attribute values.

    With no command, opens the terminal UI (press ? inside it for every key).

    \b
    Examples:
      dixa-tui --demo
      dixa-tui --demo definitions list
      dixa-tui definitions show contact_reason
      dixa-tui patch conversation 12345 --set contact_reason=delivery/damaged/item --dry-run
    """
    ctx.obj = Settings(profile, base_url, api_version, demo)
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
    if settings.demo and (settings.base_url or settings.profile_name):
        fail("--demo uses the embedded demo organization: leave out --base-url and "
             "--profile, or leave out --demo.", EXIT_USAGE)
    from dixa_tui.tui.app import run_tui

    if run_tui(settings):  # it stopped on an unexpected error, already shown in one line
        sys.exit(EXIT_BUG)


def _settings() -> Settings:
    return click.get_current_context().find_object(Settings)  # type: ignore[return-value]


# -- definitions ---------------------------------------------------------------------------


@main.group()
def definitions() -> None:
    """List and inspect custom attribute definitions."""


@definitions.command("list")
@click.option("--json", "as_json", is_flag=True, help="A JSON array in Dixa's own shape.")
@click.option("--entity", type=click.Choice(["contact", "conversation"]),
              help="Only definitions for end users (contact) or conversations.")
@click.option("--include-archived", is_flag=True, help="Show archived definitions too.")
@handled
def definitions_list(as_json: bool, entity: str | None, include_archived: bool) -> None:
    """Every custom attribute definition of the organization."""
    from dixa_tui import cli_render
    from dixa_tui.cli_common import run

    read = run(_list_definitions(_settings()))
    found = read.definitions
    shown = [d for d in found if (include_archived or not d.is_archived)
             and (entity is None or d.entity_type.lower() == entity)]
    if as_json:
        click.echo(cli_render.to_json([d.to_dixa() for d in shown]))
    else:
        click.echo(cli_render.definitions_table(shown))
        hidden = sum(1 for d in found if d.is_archived) if not include_archived else 0
        note = f", {hidden} archived hidden (--include-archived shows them)" if hidden else ""
        click.echo(f"{len(shown)} definitions{note}", err=True)
    if read.skipped:
        click.echo(cli_render.skipped_text(read.skipped), err=True)


@definitions.command("show")
@click.argument("ref", metavar="ID_OR_IDENTIFIER")
@click.option("--json", "as_json", is_flag=True, help="The definition in Dixa's own shape.")
@handled
def definitions_show(ref: str, as_json: bool) -> None:
    """One definition with every field, and a Select's option tree."""
    from dixa_tui import cli_render
    from dixa_tui.cli_common import run

    definition = run(_show_definition(_settings(), ref))
    click.echo(cli_render.to_json(definition.to_dixa()) if as_json
               else cli_render.definition_detail(definition))


async def _list_definitions(settings: Settings) -> Any:
    from dixa_tui.connect import open_client

    async with open_client(settings) as client:
        return await client.list_definitions()


async def _show_definition(settings: Settings, ref: str) -> Any:
    from dixa_tui import cli_render
    from dixa_tui.connect import open_client
    from dixa_tui.domain.patch import DefinitionIndex, Problem

    async with open_client(settings) as client:
        read = await client.list_definitions()
        found = DefinitionIndex(read.definitions).resolve(ref)
        unreadable = [s for s in read.skipped if s.id == ref]
        if isinstance(found, Problem) and unreadable:  # Dixa sent it, unreadable: exit 1
            fail("Error: " + "\n".join(cli_render.skipped_lines(unreadable)), EXIT_API)
        if read.skipped:
            click.echo(cli_render.skipped_text(read.skipped), err=True)
        if isinstance(found, Problem):
            fail(f"Error: {found}")
        return await client.get_definition(found.id)


# -- patch ---------------------------------------------------------------------------------


def _patch_options(func: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--set", "sets", multiple=True, metavar="IDENT=VALUE",
                     help="Set a value; for a Select, the option values joined by /."),
        click.option("--set-json", "set_jsons", multiple=True, metavar="IDENT=JSON",
                     help='Set the exact JSON value, e.g. contact_reason=\'["payment","card"]\'.'),
        click.option("--clear", "clears", multiple=True, metavar="IDENT",
                     help="Clear a value (sends null)."),
        click.option("--dry-run", is_flag=True, help="Print the body and the diff; send nothing."),
        click.option("--force", is_flag=True, help="Send despite warnings."),
        click.option("--json", "as_json", is_flag=True, help="Print Dixa's response as JSON."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@main.group()
def patch() -> None:
    """Change custom attribute values of an end user or a conversation."""


@patch.command("enduser")
@click.argument("user_id", metavar="UUID")
@_patch_options
@handled
def patch_enduser(user_id: str, **options: Any) -> None:
    """Patch the custom attributes of the end user UUID."""
    from dixa_tui.cli_patch import run_patch

    run_patch(_settings(), "enduser", user_id, **options)


@patch.command("conversation")
@click.argument("conversation_id", metavar="ID")
@_patch_options
@handled
def patch_conversation(conversation_id: str, **options: Any) -> None:
    """Patch the custom attributes of conversation ID."""
    from dixa_tui.cli_patch import run_patch

    run_patch(_settings(), "conversation", conversation_id, **options)


# -- auth ----------------------------------------------------------------------------------


@main.group()
def auth() -> None:
    """Store, inspect or remove the API key in the OS keyring."""


def _profile_name() -> str:
    settings = _settings()
    if settings.demo:
        fail("The demo uses its own key: --demo and auth do not go together.")
    return settings.profile().name


@auth.command("set")
@handled
def auth_set() -> None:
    """Store the key for the profile: read from stdin, or asked for without echo."""
    from dixa_tui.secrets import store_key

    profile = _profile_name()
    if sys.stdin is None or sys.stdin.closed:
        fail("No key given: pipe it on stdin, e.g. `pass dixa | dixa-tui auth set`.")
    if sys.stdin.isatty():
        key = click.prompt(f"Dixa API key for profile {profile!r}", hide_input=True,
                           prompt_suffix=": ", err=True)
    else:
        key = sys.stdin.read().strip()
    if not key:
        fail("No key given: pipe it on stdin or type it at the prompt.")
    try:
        store_key(profile, key)
    except ValueError as exc:
        fail(f"Error: {exc}")
    click.echo(f"Stored the key for profile {profile!r} in the OS keyring.", err=True)


@auth.command("status")
@handled
def auth_status() -> None:
    """Where the key comes from and which keyring backend is in use (never the key)."""
    from dixa_tui.secrets import ENV_VAR, resolve_key
    from dixa_tui.text import clean

    profile = _profile_name()
    found = resolve_key(profile)
    click.echo(f"profile:  {clean(profile)}")
    click.echo(f"backend:  {clean(found.backend)}")
    if found.source == "env":
        click.echo(f"key:      from the {ENV_VAR} environment variable")
    elif found.source == "keyring":
        click.echo("key:      from the OS keyring")
    else:
        click.echo("key:      none")
    if found.problem:
        click.echo(f"problem:  {clean(found.problem)}")
    if found.key is None:
        sys.exit(EXIT_USAGE)


@auth.command("clear")
@handled
def auth_clear() -> None:
    """Delete the profile's key from the OS keyring."""
    from dixa_tui.secrets import delete_key

    profile = _profile_name()
    deleted = delete_key(profile)
    click.echo(f"Deleted the key for profile {profile!r}." if deleted
               else f"There was no stored key for profile {profile!r}.", err=True)


# -- mock ----------------------------------------------------------------------------------


@main.group()
def mock() -> None:
    """The embedded Dixa mock, for demos and integration tests."""


@mock.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535),
              help="0 picks a free port (printed on start).")
@click.option("--key", envvar="DIXA_MOCK_KEY", metavar="KEY",
              help="The key clients must send; prefer the DIXA_MOCK_KEY variable, which `ps` "
                   "does not show (default: the demo key, demo-key).")
@click.option("--org", "org", metavar="FILE|hostile",
              help="An org file in Dixa's list format, or a built-in organization: demo "
                   "(the default) or hostile (every kind of hostile text and shape; see the "
                   "README). ./NAME reads a file called NAME.")
@click.option("--latency", type=click.FloatRange(0), default=0.0,
              help="Seconds added to every response.")
@click.option("--rate-limit", type=click.FloatRange(0), default=0.0,
              help="Requests per second per key before 429 (Dixa: 10); 0 is off.")
@click.option("--burst", type=click.IntRange(1), default=4, show_default=True)
@click.option("--failure-rate", type=click.FloatRange(0, 1), default=0.0,
              help="Fraction of requests answered with 503.")
@handled
def mock_serve(host: str, port: int, key: str | None, org: str | None, latency: float,
               rate_limit: float, burst: int, failure_rate: float) -> None:
    """Serve the mock over HTTP until interrupted."""
    from dixa_tui.debuglog import register_secret
    from dixa_tui.mock import DEMO_API_KEY, Knobs, serve
    from dixa_tui.mock.orgs import load_org
    from dixa_tui.text import clean

    if key:
        register_secret(key)
    knobs = Knobs(latency=latency, rate_limit=rate_limit, burst=burst,
                  failure_rate=failure_rate)

    try:
        state = load_org(org)
    except (OSError, ValueError) as exc:
        fail(f"Error: cannot serve the mock: {clean(exc)}")

    def ready(url: str) -> None:
        click.echo(f"Dixa mock on {url} (/v1 and /beta); key: "
                   f"{'as given' if key else DEMO_API_KEY}. Ctrl+C stops.", err=True)
        if state.unreadable:
            click.echo(f"{len(state.definitions)} definitions, and {len(state.unreadable)} "
                       "items dixa-tui cannot read as definitions: served as they are.",
                       err=True)

    try:
        serve(host, port, key or DEMO_API_KEY, state, knobs, on_ready=ready)
    except (OSError, ValueError) as exc:
        fail(f"Error: cannot serve the mock: {clean(exc)}")


if __name__ == "__main__":
    main()
