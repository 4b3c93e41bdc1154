"""``dixa-tui find conversations``: conversations by dates, status, channel, queue, tag,
text and attribute values, streamed to stdout as each is confirmed.

The query is checked before anything is searched (every problem at once, exit 2); Dixa's
search narrows by what it can filter on, each conversation it names is read at Dixa's pace
and tested here, and each match is printed (and flushed) at once, with a progress line on
stderr. ``--csv`` is the export that ``bulk plan`` reads back after editing.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

import click

from dixa_tui.cli.common import fail, handled, open_session, run
from dixa_tui.text import plural

if TYPE_CHECKING:
    from dixa_tui.cli.find_output import Format, RowWriter
    from dixa_tui.cli.progress import ProgressLine
    from dixa_tui.domain.query import QueryError, QuerySpec
    from dixa_tui.session.core import Session
    from dixa_tui.session.find import Tally
    from dixa_tui.session.progress import Progress
    from dixa_tui.session.queries import PreparedFind

INTERRUPTED = 130

WHERE_HELP = """Attribute condition (repeat: all must hold). IDENT is empty | IDENT is not
empty | IDENT is VALUE | IDENT is not VALUE | IDENT is one of A, B | IDENT is not one of A, B
| IDENT under PATH | IDENT not under PATH. A Select VALUE or PATH is option values or labels
joined by / (payment/card, "Delivery > Damaged"); a Text VALUE is compared exactly."""
WHEN = "7d, 24h, 2w, today, yesterday, 2026-11-01 or an ISO time (UTC unless a zone is given)"


@click.group()
def find() -> None:
    """Find conversations by their dates, status, channel, queue, tag, text and attribute
    values."""


@find.command("conversations")
@click.option("--created-since", metavar="WHEN", help=f"Created at or after WHEN: {WHEN}.")
@click.option("--created-until", metavar="WHEN", help="Created at or before WHEN.")
@click.option("--closed-since", metavar="WHEN", help="Closed at or after WHEN.")
@click.option("--closed-until", metavar="WHEN", help="Closed at or before WHEN.")
@click.option("--status", metavar="STATUS,...", multiple=True,
              help="open, closed, pending or awaiting-pending (comma-separated or repeated: "
                   "any of them).")
@click.option("--channel", metavar="CHANNEL,...", multiple=True,
              help="Email, WidgetChat, PstnPhone, Sms, WhatsApp, FacebookMessenger, "
                   "Messenger, Twitter, ContactForm, Callback, Voicemail (any of them).")
@click.option("--queue", metavar="QUEUE_ID,...", multiple=True,
              help="Queue UUIDs (any of them).")
@click.option("--tag", metavar="TAG_ID,...", multiple=True,
              help="Tag UUIDs (conversations carrying any of them).")
@click.option("--text", metavar="WORDS", help="Dixa's full-text search over messages.")
@click.option("--where", metavar="CONDITION", multiple=True, help=WHERE_HELP)
@click.option("--saved", metavar="NAME",
              help="Start from the query saved as NAME (see `find saved`); options given "
                   "here add to it, and a date or --text given here replaces its own.")
@click.option("--save", metavar="NAME",
              help="Save this query as NAME in the config file's [queries] (once checked; "
                   "replacing one of that name), then run it.")
@click.option("--limit", type=click.IntRange(min=1), metavar="N",
              help="Stop after N matches (no page or conversation more is read).")
@click.option("--sample", type=click.IntRange(min=1), metavar="N",
              help="Check only the first N conversations the search names (newest first).")
@click.option("--count", is_flag=True,
              help="Print how many match (by reading each conversation when an attribute is "
                   "tested; by Dixa's search alone otherwise).")
@click.option("--csv", "as_csv", is_flag=True,
              help="CSV: conversation, then per attribute its value (as bulk plan reads it) "
                   "and for a Select its labels; edit it and feed it to `bulk plan`.")
@click.option("--jsonl", "as_jsonl", is_flag=True, help="One JSON object per match and line.")
@click.option("--json", "as_json", is_flag=True, help="One JSON array of the matches.")
@click.option("--columns", metavar="IDENT,...", multiple=True,
              help="The attributes to show or export (default: the ones --where tests, else "
                   "every conversation attribute that is not archived).")
@handled
def find_conversations(created_since: str | None, created_until: str | None,
                       closed_since: str | None, closed_until: str | None,
                       status: tuple[str, ...], channel: tuple[str, ...],
                       queue: tuple[str, ...], tag: tuple[str, ...], text: str | None,
                       where: tuple[str, ...], saved: str | None, save: str | None,
                       limit: int | None, sample: int | None, count: bool, as_csv: bool,
                       as_jsonl: bool, as_json: bool, columns: tuple[str, ...]) -> None:
    """Conversations matching every condition given, newest first, printed as each is
    confirmed, with a progress line on stderr. Dates, status, channel, queue, tag and text
    go to Dixa's search; attribute conditions are checked on each conversation read (at
    Dixa's 10 requests/s).

    \b
    Examples:
      dixa-tui find conversations --created-since 7d --where "contact_reason is empty"
      dixa-tui find conversations --status closed --where "contact_reason under delivery"
      dixa-tui find conversations --created-since 2026-11-01 --csv > found.csv
      dixa-tui find conversations --where "order_number is not empty" --count
      dixa-tui find conversations --created-since 7d --where "contact_reason is empty" \
          --save empty-reason
      dixa-tui find conversations --saved empty-reason --csv > empty.csv
    """
    from dixa_tui.domain.query import QueryError, QuerySpec

    fmt = _format(as_csv, as_jsonl, as_json)
    if count and limit is not None:
        fail("Error: --count counts every match; leave out --limit (or use --sample N to "
             "count among the first N).")
    if count and (columns or fmt in ("csv", "jsonl")):
        fail("Error: --count prints a number: leave out --columns, --csv and --jsonl "
             "(--json prints the counts as JSON).")
    spec = QuerySpec(created_since, created_until, closed_since, closed_until, status,
                     channel, queue, tag, text, where)
    if saved is not None:
        from dixa_tui.session.queries import saved_query

        try:
            spec = saved_query(saved).spec().extended(spec)
        except QueryError as exc:
            fail(_query_problems(exc))
    if save is not None:
        from dixa_tui.config_edit import name_problem

        problem = name_problem(save)
        if problem is None and spec.is_empty():
            problem = "there is no query to save: give query options (or --saved NAME)"
        if problem is not None:
            fail(f"Error: --save: {problem}. Nothing was saved or searched.")
    _run(spec, fmt, list(columns), limit=limit, sample=sample, count=count, save=save)


def _format(as_csv: bool, as_jsonl: bool, as_json: bool) -> Format:
    given: tuple[tuple[Format, bool], ...] = (("csv", as_csv), ("jsonl", as_jsonl),
                                              ("json", as_json))
    chosen = [f for f, on in given if on]
    if len(chosen) > 1:
        fail("Error: choose one of --csv, --jsonl and --json.")
    return chosen[0] if chosen else "table"


@dataclass
class _Outcome:
    """What the run left for the summary: the last progress, the counts, the writer."""

    progress: Progress | None = None
    tally: Tally | None = None
    writer: RowWriter | None = None
    description: str = ""
    reads: bool = True  # whether each conversation is read (False: a count by search alone)


def _run(spec: QuerySpec, fmt: Format, columns: list[str], *, limit: int | None,
         sample: int | None, count: bool, save: str | None) -> None:
    from dixa_tui.cli.find_output import OutputClosed, silence_stdout
    from dixa_tui.cli.progress import ProgressLine

    progress = ProgressLine()
    outcome = _Outcome()
    stopped: str | None = None  # why the find ended before its answer was complete
    try:
        run(_find(open_session(), spec, fmt, columns, limit, sample, count, save, progress,
                  outcome))
    except KeyboardInterrupt:
        stopped = "interrupted"
    except OutputClosed:
        stopped = "closed"
        silence_stdout()
    except Exception:
        stopped = "failed"  # the error itself is said by `handled`, after the summary
        raise
    finally:
        progress.done()
        if outcome.writer is not None and stopped != "closed":
            outcome.writer.end()
        _summary(outcome, limit=limit, sample=sample, stopped=stopped)
    if stopped == "interrupted":
        sys.exit(INTERRUPTED)


async def _find(session: Session, spec: QuerySpec, fmt: Format, columns: list[str],
                limit: int | None, sample: int | None, count: bool, save: str | None,
                progress: ProgressLine, outcome: _Outcome) -> None:
    import shutil
    from contextlib import aclosing

    from dixa_tui.cli import render
    from dixa_tui.cli.find_output import RowWriter, fitting, is_regular_file, stdout_emitter
    from dixa_tui.domain.query import QueryError
    from dixa_tui.session import queries
    from dixa_tui.text import clean

    def listen(state: Progress) -> None:
        outcome.progress = state
        progress(state)

    async with session:
        try:
            prepared = await queries.prepare_find(session, spec, columns=columns or None)
        except QueryError as exc:
            fail(_query_problems(exc))
        if save is not None:
            _save(save, prepared)
        read = session.definitions
        if read is not None and read.skipped:
            click.echo(render.skipped_text(read.skipped), err=True)
        outcome.description = prepared.describe()
        click.echo(f"Finding conversations: {clean(outcome.description)}", err=True)
        if count:
            outcome.reads = prepared.query.needs_values
            outcome.tally = await queries.count(session, prepared, sample=sample,
                                               on_progress=listen)
            progress.done()
            counted = outcome.tally
            click.echo(render.to_json({"matches": counted.matches, "checked": counted.checked,
                                       "pages": counted.pages, "missing": counted.missing})
                       if fmt == "json" else str(counted.matches))
            return
        terminal = sys.stdout.isatty()
        shown = list(prepared.columns)
        if fmt == "table" and not columns and not prepared.query.conditions:
            shown = fitting(shown, shutil.get_terminal_size().columns)
            if len(shown) < len(prepared.columns):
                left = len(prepared.columns) - len(shown)
                click.echo(f"({plural(left, 'attribute column')} left out "
                           "to fit the terminal: --columns IDENT,... chooses them, --csv "
                           "exports them all)", err=True)
        writer = RowWriter(fmt, shown, stdout_emitter(sys.stdout.buffer),
                           terminal=terminal, bom=fmt == "csv" and is_regular_file(sys.stdout),
                           names=prepared.names)
        outcome.writer = writer
        writer.start()
        shared = terminal and progress.live  # rows and the live line share one screen
        async with aclosing(queries.find(session, prepared, limit=limit, sample=sample,
                                         on_progress=listen)) as found:
            async for match in found:
                if shared:
                    progress.clear()
                writer.row(match)
                if shared:
                    progress.redraw()


def _save(name: str, prepared: PreparedFind) -> None:
    from dixa_tui.config import config_path
    from dixa_tui.session.queries import save_query
    from dixa_tui.text import clean

    replaced = save_query(name, prepared)
    click.echo(f"Saved as {clean(name)!r} in {config_path()}: "
               f"{clean(prepared.query.to_text())}", err=True)
    if replaced is not None:
        click.echo(f"(It replaced: {clean(replaced)})", err=True)


@find.command("saved")
@click.option("--json", "as_json", is_flag=True, help="A JSON object: name -> query.")
@handled
def find_saved(as_json: bool) -> None:
    """The queries saved in the config file's [queries] table, for --saved NAME."""
    from dixa_tui.cli import render
    from dixa_tui.config import config_path
    from dixa_tui.session.queries import saved_queries

    queries = saved_queries()
    if as_json:
        click.echo(render.to_json({q.name: q.text for q in queries}))
        return
    if not queries:
        click.echo(f"No saved queries in {config_path()}: save one with "
                   "`dixa-tui find conversations [query] --save NAME`.", err=True)
        return
    from rich.cells import cell_len

    from dixa_tui.text import clean

    names = [clean(q.name) for q in queries]
    width = max(cell_len(n) for n in [*names, "NAME"])
    click.echo("NAME" + " " * (width - 4) + "  QUERY")
    for name, query in zip(names, queries, strict=True):
        click.echo(name + " " * (width - cell_len(name)) + "  " + clean(query.text))


def _query_problems(exc: QueryError) -> str:
    problems = exc.problems
    noun = "a problem" if len(problems) == 1 else f"{len(problems)} problems"
    lines = [f"Error: the query has {noun}:"] + [f"  {p}" for p in problems]
    lines.append("No conversation was searched or read.")
    return "\n".join(lines)


def _summary(outcome: _Outcome, *, limit: int | None, sample: int | None,
             stopped: str | None) -> None:
    """One line on stderr: how many matched of how many checked, and why it stopped."""
    counts = _counts(outcome)
    if counts is None:
        if stopped == "interrupted":
            click.echo("Interrupted before the search began.", err=True)
        return
    matches, checked, pages = counts
    parts = [plural(matches, "match", "matches"),
             f"{plural(checked, 'conversation')} checked" if outcome.reads
             else "counted by Dixa's search (no conversation read)",
             f"{plural(pages, 'search page')} read"]
    if stopped in ("interrupted", "failed"):
        lead = "Interrupted" if stopped == "interrupted" else "Stopped by an error"
        click.echo(f"{lead}: " + ", ".join(parts) + ". What was printed stands; run the "
                   "command again to search again.", err=True)
        return
    why = ""
    if stopped == "closed":
        why = " (stopped: the output was closed)"
    elif limit is not None and matches >= limit:
        why = f" (stopped at --limit {limit})"
    elif sample is not None:
        why = f" (among the first {sample:,} the search named)"
    click.echo(", ".join(parts) + why + ".", err=True)


def _counts(outcome: _Outcome) -> tuple[int, int, int] | None:
    """(matches, checked, pages) from the tally or the last progress."""
    if outcome.tally is not None:
        t = outcome.tally
        return t.matches, t.checked, t.pages
    state = outcome.progress
    if state is None:
        return None
    counts = dict(state.counts)
    counts["matches" if state.stage == "found" else "checked"] = state.done
    return counts.get("matches", 0), counts.get("checked", 0), counts.get("pages", 0)

