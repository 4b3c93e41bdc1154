"""``dixa-tui history``: the journal's writes, newest first, for people and for scripts.

Reading the journal needs no key and no network. ``--json`` prints one array of
``Entry.to_json()`` objects (the names documented there are a promise to scripts); the table
has one row per attribute written, so a write of three attributes reads as three rows under
one id.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import click

from dixa_tui.cli.common import EXIT_USAGE, fail, handled

if TYPE_CHECKING:
    from dixa_tui.journal import Entry
    from dixa_tui.session.history import History, HistoryQuery

DEFAULT_LIMIT = 50


@click.command("history")
@click.option("--target", "target_ref", metavar="TARGET",
              help="Only writes to this target: conversation:NUMBER (or #NUMBER, or just the "
                   "number) or enduser:UUID (or just the UUID).")
@click.option("--batch", metavar="BATCH", help="Only the writes of this batch (b-...).")
@click.option("--since", metavar="WHEN",
              help="Only writes from then on: a UTC date (2026-01-31) or date and time "
                   "(2026-01-31T09:15), or an age (30m, 12h, 7d, 2w).")
@click.option("--limit", type=click.IntRange(0), default=DEFAULT_LIMIT, show_default=True,
              help="At most this many entries (newest first); 0 shows them all.")
@click.option("--json", "as_json", is_flag=True,
              help="One JSON array of entries, newest first (id, batch, time, profile, "
                   "target, changes, outcome, ...).")
@handled
def history(target_ref: str | None, batch: str | None, since: str | None, limit: int,
            as_json: bool) -> None:
    """Every write dixa-tui made from this machine, newest first: id, time (UTC), profile,
    target, attribute, before -> after, outcome (applied, failed or unknown) and batch.

    `dixa-tui undo ID`, `undo BATCH` or `undo last` reverses them.
    """
    from dixa_tui.journal import JournalError
    from dixa_tui.session.history import read_history

    query = build_query(target_ref, batch, since, limit)
    try:
        found = read_history(query)
    except JournalError as exc:
        from dixa_tui.text import clean

        fail(f"Error: {clean(str(exc), single_line=False)}", EXIT_USAGE)
    if as_json:
        from dixa_tui.cli.render import to_json

        click.echo(to_json([entry.to_json() for entry in found.entries]))
    elif found.entries:
        click.echo(history_table(found.entries))
    click.echo(footer(found, query), err=True)


def build_query(target_ref: str | None, batch: str | None, since: str | None,
                limit: int) -> HistoryQuery:
    """The options as a query; a form that cannot be read is a usage error (exit 2)."""
    from dixa_tui.domain.history_filters import parse_since, parse_target
    from dixa_tui.session.history import HistoryQuery

    target = None
    if target_ref is not None:
        try:
            target = parse_target(target_ref)
        except ValueError as exc:
            fail(f"Error: --target {exc}")
    moment = None
    if since is not None:
        try:
            moment = parse_since(since, datetime.now(UTC))
        except ValueError as exc:
            fail(f"Error: {exc}")
    if batch is not None:
        from dixa_tui.journal import batch_id_problem

        problem = batch_id_problem(batch.strip())
        if problem is not None:
            fail(f"Error: --batch: {problem}; give a batch id (b-...) as `dixa-tui history` "
                 "shows it.")
    return HistoryQuery(target=target, batch=batch.strip() if batch else None, since=moment,
                        limit=limit or None)


def outcome_text(entry: Entry) -> str:
    words: str = entry.outcome
    if entry.outcome == "unknown" and not entry.completed:
        words = "unknown (no answer recorded)"
    elif entry.settled:
        words += " (settled by reading)"
    if entry.origin == "undo" and entry.undoes:
        what = f"entry {entry.undoes}" if entry.undoes.isdigit() else entry.undoes
        words += f", undoes {what}"
    return words


def target_text(entry: Entry) -> str:
    return f"conversation:{entry.target_id}" if entry.target_kind == "conversation" else \
        f"enduser:{entry.target_id}"


def history_table(entries: list[Entry]) -> str:
    from dixa_tui.cli.render import table
    from dixa_tui.domain.values import body_value_text

    rows = []
    for entry in entries:
        first = True
        for change in entry.changes:
            head = (str(entry.id), f"{entry.time:%Y-%m-%d %H:%M:%S}", entry.profile,
                    target_text(entry)) if first else ("", "", "", "")
            tail = (outcome_text(entry), entry.batch or "-") if first else ("", "")
            rows.append((*head, change.identifier or change.definition_id,
                         body_value_text(change.before), "->",
                         body_value_text(change.after), *tail))
            first = False
    return table(("ID", "TIME (UTC)", "PROFILE", "TARGET", "ATTRIBUTE", "BEFORE", "",
                  "AFTER", "OUTCOME", "BATCH"), rows)


def footer(found: History, query: HistoryQuery) -> str:
    if not found.exists:
        return f"No writes recorded yet: the journal {found.path} does not exist."
    count = len(found.entries)
    if not count:
        return f"No entry matches. Journal: {found.path}"
    more = (f" (the newest {count}: --limit 0 shows all)"
            if query.limit is not None and count == query.limit else "")
    return (f"{count} entr{'y' if count == 1 else 'ies'}{more}, newest first. "
            f"Journal: {found.path}. Undo with `dixa-tui undo ID|BATCH|last`.")
