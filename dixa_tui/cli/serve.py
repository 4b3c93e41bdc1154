"""``dixa-tui mock serve``: the embedded Dixa mock over HTTP, for integration tests."""

from __future__ import annotations

import math
from typing import Any

import click

from dixa_tui.cli.common import fail, handled


class Finite(click.FloatRange):
    """A number in a range that is a number: ``FloatRange`` lets ``nan`` through (it compares
    false with every bound) and ``inf`` where no upper bound is set."""

    name = "number"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number.", param, ctx)
        return number


@click.group()
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
@click.option("--latency", type=Finite(0, 600), default=0.0,
              help="Seconds added to every response.")
@click.option("--rate-limit", type=Finite(0, 1_000_000), default=0.0,
              help="Requests per second per key before 429 (Dixa: 10); 0 is off.")
@click.option("--burst", type=click.IntRange(1), default=4, show_default=True)
@click.option("--failure-rate", type=Finite(0, 1), default=0.0,
              help="Fraction of requests answered with 503.")
@click.option("--hold-writes", type=Finite(0, 3600), default=0.0, metavar="SECONDS",
              help="Hold every PATCH this long after it arrives, then apply it (its answer "
                   "goes nowhere if the client has gone): to stop a client between sending "
                   "and Dixa's answer.")
@handled
def mock_serve(host: str, port: int, key: str | None, org: str | None, latency: float,
               rate_limit: float, burst: int, failure_rate: float,
               hold_writes: float) -> None:
    """Serve the mock over HTTP until interrupted."""
    from dixa_tui.debuglog import register_secret
    from dixa_tui.mock import DEMO_API_KEY, Knobs, serve
    from dixa_tui.mock.orgs import load_org
    from dixa_tui.text import clean

    if key:
        register_secret(key)
    knobs = Knobs(latency=latency, rate_limit=rate_limit, burst=burst,
                  failure_rate=failure_rate, hold_writes=hold_writes)

    try:
        state = load_org(org)
    except (OSError, ValueError) as exc:
        fail(f"Error: cannot serve the mock: {clean(exc)}")
    from dixa_tui.mock.handlers import listing_body

    state.listing_body = listing_body(state)  # nothing here changes the definitions

    def ready(url: str) -> None:
        click.echo(f"Dixa mock on {url} (/v1 and /beta); key: "
                   f"{'as given' if key else DEMO_API_KEY}. Ctrl+C stops.", err=True)
        if state.unreadable:
            from dixa_tui.text import plural

            click.echo(f"{plural(len(state.definitions), 'definition')}, and "
                       f"{plural(len(state.unreadable), 'item')} dixa-tui cannot read as "
                       "definitions: served as they are.", err=True)

    try:
        serve(host, port, key or DEMO_API_KEY, state, knobs, on_ready=ready)
    except (OSError, ValueError) as exc:
        fail(f"Error: cannot serve the mock: {clean(exc)}")


