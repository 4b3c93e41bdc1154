"""``dixa-tui definitions usage``: how the Conversation attributes are actually filled in.

The query options are ``find``'s (``--created-since 7d --status closed --where ...``;
without any: created in the last 7 days). The count and the ETA are said on stderr before
any conversation is read; a progress line follows; Ctrl-C stops and prints what was read
(exit 130, ``"complete": false`` in the JSON).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import click

from dixa_tui.cli.common import EXIT_USAGE, fail, handled, open_session, run
from dixa_tui.cli.definitions import definitions
from dixa_tui.cli.schema import emit, json_bytes, say

if TYPE_CHECKING:
    from dixa_tui.domain.query import QuerySpec
    from dixa_tui.domain.usage import AttributeUsage, UsageReport, UsageTally
    from dixa_tui.session.core import Session
    from dixa_tui.session.progress import ProgressListener
    from dixa_tui.session.usage import UsagePlan

# ``domain.query.OPTIONS`` (option, QuerySpec field, repeatable), written out: importing the
# query module loads pydantic, which the terminal UI's first frame must not wait for (a
# test holds the two equal).
QUERY_OPTIONS: tuple[tuple[str, str, bool], ...] = (
    ("--created-since", "created_since", False), ("--created-until", "created_until", False),
    ("--closed-since", "closed_since", False), ("--closed-until", "closed_until", False),
    ("--status", "status", True), ("--channel", "channel", True), ("--queue", "queue", True),
    ("--tag", "tag", True), ("--text", "text", False), ("--where", "where", True),
)
BAR = 24  # characters of the longest bar
NEVER_SHOWN = 8  # never-used options named per attribute (the JSON has them all)
_HELP = {
    "created_since": "Conversations created since (7d, 24h, today, 2026-11-01...). "
                     "Default without any query option: 7d.",
    "created_until": "Created until.", "closed_since": "Closed since.",
    "closed_until": "Closed until.",
    "status": "open, closed, pending or awaiting-pending (repeatable, or a,b).",
    "channel": "Dixa's channel names (repeatable).", "queue": "A queue's UUID (repeatable).",
    "tag": "A tag's UUID (repeatable).", "text": "Words the conversation holds.",
    "where": "An attribute condition, e.g. \"contact_reason is empty\" (repeatable).",
}


def query_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The find query's options (``domain.query.OPTIONS``) on a command."""
    for option, name, many in reversed(QUERY_OPTIONS):
        command = click.option(option, name, multiple=many, metavar="TEXT" if not many
                               else "VALUE", help=_HELP.get(name))(command)
    return command


@definitions.command("usage")
@query_options
@click.option("--sample", type=click.IntRange(1), metavar="N",
              help="Read only the first N conversations the search names (bounds the cost: "
                   "one request per conversation at Dixa's 10/s).")
@click.option("--json", "as_json", is_flag=True, help="The whole census as JSON.")
@handled
def definitions_usage(sample: int | None, as_json: bool, **query: Any) -> None:
    """How each Conversation attribute is filled in, over the conversations a query selects.

    Per attribute the fill rate; per Select how often each option is used; required
    attributes left empty; deactivated options still in use; options never used. Costs
    one request per conversation: the count and the time it will take are said first, and
    Ctrl-C stops, printing what was read.
    """
    from dixa_tui.cli.progress import ProgressLine
    from dixa_tui.domain.query import QueryError, QuerySpec

    words: list[str] = []
    for option, name, many in QUERY_OPTIONS:
        given: Any = query.get(name)
        items: tuple[str, ...] = tuple(given or ()) if many else (
            () if given is None else (given,))
        for item in items:
            words += [option, item]
    spec = QuerySpec.from_args(words)
    census = Census()
    progress = ProgressLine()
    try:
        run(census.run(open_session(), spec, sample, progress))
    except QueryError as exc:
        fail("Error: " + "\n".join(exc.problems), EXIT_USAGE)
    except KeyboardInterrupt:
        if census.tally is None or census.plan is None:
            raise
        census.complete = False
    finally:
        progress.done()
    plan, tally = census.plan, census.tally
    assert plan is not None and tally is not None
    report = tally.report()
    if as_json:
        payload = {"query": plan.query.describe(), "found": plan.found, "read": plan.reads,
                   "complete": census.complete} | report.to_json()
        emit(json_bytes(payload), kind="json")
    else:
        click.echo(usage_text(report))
    if not census.complete:
        say(f"Stopped: the census covers the {report.conversations:,} conversations read "
            f"before Ctrl-C, of {plan.reads:,}.")
        sys.exit(130)
    _say_findings(report)


class Census:
    """One run: the plan and the tally stay here when Ctrl-C ends the run."""

    def __init__(self) -> None:
        self.plan: UsagePlan | None = None
        self.tally: UsageTally | None = None
        self.complete = True

    async def run(self, session: Session, spec: QuerySpec, sample: int | None,
                  progress: ProgressListener) -> None:
        from dixa_tui.session.usage import new_tally, plan_usage, read_usage

        async with session:
            self.plan = await plan_usage(session, spec, sample=sample, now=datetime.now(UTC))
            say(self.plan.sentence() + (" Ctrl-C stops and keeps what was read."
                                        if self.plan.reads else ""))
            self.tally = new_tally(session)
            await read_usage(session, self.plan, self.tally, on_progress=progress)


def percent(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "-"


def usage_text(report: UsageReport) -> str:
    """The census for people: per attribute its fill rate, a Select's options as bars."""
    from dixa_tui.text import clean

    lines = [f"{report.conversations:,} conversations ({report.closed:,} closed)"]
    for a in report.attributes:
        lines.append("")
        lines.append(clean(_heading(a)))
        lines += [clean(line) for line in _options(a)]
    return "\n".join(lines)


def _heading(a: AttributeUsage) -> str:
    flags = [flag for flag, on in (("required", a.required), ("archived", a.archived),
                                   ("deactivated", a.deactivated)) if on]
    shown = f" · {', '.join(flags)}" if flags else ""
    return (f"{a.label or '(no label)'} ({a.identifier}) · {a.input_type}{shown} · "
            f"{a.filled:,} of {a.total:,} filled ({percent(a.filled, a.total)})")


def _options(a: AttributeUsage) -> list[str]:
    used = [o for o in a.options if o.count]
    lines = []
    if used:
        most = max(o.count for o in used)
        width = min(40, max(len("  " * (o.depth - 1) + (o.label.rsplit(" > ", 1)[-1]))
                            for o in used))
        for o in used:
            name = "  " * (o.depth - 1) + o.label.rsplit(" > ", 1)[-1]
            name = name if len(name) <= width else name[: width - 1] + "…"
            bar = "█" * max(1, round(BAR * o.count / most))
            off = "  (deactivated)" if o.deactivated else ""
            lines.append(f"  {name.ljust(width)}  {o.count:>6,} {percent(o.count, a.filled):>4}"
                         f"  {bar}{off}")
    for path, count in a.unknown:
        lines.append(f"  matches no option: {'/'.join(path)!r} on {count:,}")
    never = a.never_used
    if never and a.filled:
        names = ", ".join(o.label for o in never[:NEVER_SHOWN])
        more = f" and {len(never) - NEVER_SHOWN} more" if len(never) > NEVER_SHOWN else ""
        lines.append(f"  never used ({len(never)}): {names}{more}")
    return lines


def _say_findings(report: UsageReport) -> None:
    for a in report.required_left_empty:
        closed = f", {a.empty_closed:,} of them closed" if a.empty_closed else ""
        say(f"Required but empty: {a.identifier} on {a.empty:,} of {a.total:,} "
            f"conversations{closed}.")
    for a in report.attributes:
        for o in a.deactivated_in_use:
            say(f"Deactivated but in use: {a.identifier} {'/'.join(o.path)!r} on "
                f"{o.count:,} conversations.")
