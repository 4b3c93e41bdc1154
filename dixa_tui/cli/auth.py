"""``dixa-tui auth set|status|clear``: the profile's API key in the OS keyring."""

from __future__ import annotations

import sys

import click

from dixa_tui.cli.common import EXIT_USAGE, fail, handled, settings

MAX_PIPED = 64 * 1024  # an API key is a line; a pipe of megabytes is a mistake


@click.group()
def auth() -> None:
    """Store, inspect or remove the API key in the OS keyring."""


def _profile_name() -> str:
    from dixa_tui.session.settings import load_profile

    chosen = settings()
    if chosen.demo:
        fail("The demo uses its own key: --demo and auth do not go together.")
    return load_profile(chosen)[0].name


@auth.command("set")
@handled
def auth_set() -> None:
    """Store the key for the profile: read from stdin, or asked for without echo."""
    from dixa_tui.secrets import store_key

    profile = _profile_name()
    if sys.stdin is None or sys.stdin.closed:
        fail("Error: no key given: pipe it on stdin, e.g. `pass dixa | dixa-tui auth set`.")
    if sys.stdin.isatty():
        key = click.prompt(f"Dixa API key for profile {profile!r}", hide_input=True,
                           prompt_suffix=": ", err=True)
    else:
        key = _piped_key()
    if not key:
        fail("Error: no key given: pipe it on stdin or type it at the prompt.")
    try:
        store_key(profile, key)
    except ValueError as exc:
        fail(f"Error: {exc}")
    click.echo(f"Stored the key for profile {profile!r} in the OS keyring.", err=True)


def _piped_key() -> str:
    """The key piped on stdin, read as bytes (at most ``MAX_PIPED`` of them): bytes that are
    not UTF-8 are a key that cannot be one, said as such (never echoed)."""
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # a text-only stdin (some embeddings): already decoded
        return sys.stdin.read(MAX_PIPED).strip()
    data: bytes = stream.read(MAX_PIPED + 1)
    if len(data) > MAX_PIPED:
        fail(f"Error: more than {MAX_PIPED:,} bytes on stdin: that is not an API key. Nothing "
             "was stored.")
    try:
        return data.decode("utf-8").strip()
    except UnicodeDecodeError:
        fail("Error: the key on stdin is not UTF-8 text (binary data?): pipe the key itself. "
             "Nothing was stored.")


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
