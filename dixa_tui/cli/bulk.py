"""``dixa-tui bulk plan|apply``: many targets from a CSV or JSONL file, checked as a whole
before anything is sent, then sent at Dixa's pace, journaled under one batch, resumable.

``plan`` writes a plan file and sends nothing; every bad row is listed with its line.
``apply`` sends a plan (asking once, unless ``--yes``), writes a results file (JSONL, one
line per target, written as each is known) and a failures file in the input's own format,
ready to rerun. Running ``apply`` again on the same plan finishes what a stopped run left.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from dixa_tui.cli.common import EXIT_API, EXIT_USAGE, fail, handled, open_session, run
from dixa_tui.inputfile import BULK_FILE_LIMIT, read_input, read_stream
from dixa_tui.session import bulk_files
from dixa_tui.text import plural

if TYPE_CHECKING:
    from dixa_tui.domain.bulk_plan import Plan
    from dixa_tui.domain.bulk_results import ResultLine
    from dixa_tui.session.bulk import ApplySummary
    from dixa_tui.session.core import Session

MAX_SHOWN = 50  # problems listed on stderr; the plan file holds them all
MAX_FILE_BYTES = BULK_FILE_LIMIT


@click.group()
def bulk() -> None:
    """Edit many targets from a CSV or JSONL file: plan, review, apply, resume."""


@bulk.command("plan")
@click.argument("source", metavar="INPUT")
@click.option("-o", "--output", metavar="PLAN",
              help="Where to write the plan (default: INPUT with .plan.json; for - it is "
                   "bulk.plan.json).")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]),
              help="The input's format (default: from its extension, else sniffed).")
@handled
def bulk_plan(source: str, output: str | None, fmt: str | None) -> None:
    """Check every row of INPUT (a file, or - for standard input) and write a plan: per
    target the body, before -> after, errors and warnings. Nothing is sent."""
    from dixa_tui.cli.progress import ProgressLine

    data, name = _read_input(source)
    out = Path(output) if output else _default_plan_path(source)
    progress = ProgressLine()
    try:
        plan = run(_plan(open_session(), data, name, fmt, progress))
    finally:
        progress.done()
    _write_atomically(out, plan.to_json().encode("utf-8"))
    _say_plan(plan, out)
    if not plan.applicable:
        sys.exit(EXIT_USAGE)


async def _plan(session: Session, data: bytes, name: str | None, fmt: str | None,
                progress: ProgressListenerLike) -> Plan:
    from dixa_tui.session.bulk import plan_bulk

    async with session:
        _, plan = await plan_bulk(session, data, name=name, format=fmt, on_progress=progress)
        return plan


@bulk.command("apply")
@click.argument("plan_path", metavar="PLAN")
@click.option("--yes", is_flag=True, help="Do not ask: send the plan as it is.")
@click.option("--force", is_flag=True,
              help="Send to targets that changed since the plan too (conflicts).")
@handled
def bulk_apply(plan_path: str, yes: bool, force: bool) -> None:
    """Send PLAN at Dixa's rate; journaled under one batch (`dixa-tui undo BATCH` reverses
    it). Rerun it to finish a run that was stopped: what landed is skipped."""
    from dixa_tui.cli.progress import ProgressLine
    from dixa_tui.domain.bulk_plan import Plan, PlanFileError

    path = Path(plan_path)
    try:
        plan = Plan.from_json(read_input(path, MAX_FILE_BYTES))
    except OSError as exc:
        fail(f"Error: cannot read the plan {plan_path}: {exc.strerror or exc}")
    except PlanFileError as exc:
        fail(f"Error: {plan_path} is not a plan dixa-tui can apply: {exc}")
    if not plan.applicable:
        fail(f"Error: the plan has {plural(plan.totals.errors, 'target')} in error and "
             f"{plural(len(plan.problems), 'file problem')}: fix the input and run `bulk plan` "
             "again. "
             "Nothing was sent.")
    session = open_session()
    session.check_writable()  # a read-only profile: refused before anything is sent
    profile = session.profile
    from dixa_tui.session.bulk import planned_elsewhere

    elsewhere = planned_elsewhere(plan, profile)
    if elsewhere is not None:
        fail(f"Error: {elsewhere}")
    if not plan.to_send:
        click.echo("Nothing to send: every target already holds the plan's values.", err=True)
        return
    _confirm(plan, yes)
    results = bulk_files.results_path(path)
    try:  # opened before anything is sent: a results file that cannot be written stops here
        out = results.open("a", encoding="utf-8")
    except OSError as exc:
        fail(f"Error: cannot write the results file {results}: {exc.strerror or exc}. "
             "Nothing was sent.")
    plan = _with_batch(session, plan, path)
    progress = ProgressLine()
    unwritten: list[str] = []
    with out:

        def record(result: ResultLine) -> None:
            try:
                out.write(result.to_json() + "\n")
                out.flush()
            except OSError as exc:  # the journal still holds every write: say so, go on
                if not unwritten:
                    click.echo(f"Warning: the results file {results} could not be written "
                               f"({exc.strerror or exc}); the journal still records every "
                               f"write (dixa-tui history --batch {plan.batch_id}).", err=True)
                unwritten.append(str(exc))

        try:
            summary = run(_apply(session, plan, force, progress, record))
        except KeyboardInterrupt:
            progress.done()
            _write_failures(plan, path)
            click.echo(f"Interrupted. What was sent is journaled under batch {plan.batch_id}; "
                       f"run `dixa-tui bulk apply {plan_path}` again to finish (what landed "
                       "is skipped).", err=True)
            sys.exit(130)
        finally:
            progress.done()
    failures = _write_failures(plan, path)
    _say_applied(summary, results, failures)
    if summary.failures:
        sys.exit(EXIT_API)


async def _apply(session: Session, plan: Plan, force: bool, progress: ProgressListenerLike,
                 record: ResultListenerLike) -> ApplySummary:
    from dixa_tui.session.bulk import apply_bulk

    async with session:
        return await apply_bulk(session, plan, force=force, on_progress=progress,
                                on_result=record)


# -- helpers ------------------------------------------------------------------------------

if TYPE_CHECKING:
    from collections.abc import Callable

    from dixa_tui.session.progress import Progress

    ProgressListenerLike = Callable[[Progress], None]
    ResultListenerLike = Callable[[ResultLine], None]


def _read_input(source: str) -> tuple[bytes, str | None]:
    if source == "-":
        if sys.stdin is None or sys.stdin.isatty():
            fail("Error: INPUT is -, but nothing is piped on standard input.")
        try:
            return read_stream(sys.stdin.buffer, MAX_FILE_BYTES), None
        except OSError as exc:
            fail(f"Error: cannot read standard input: {exc.strerror or exc}")
    try:
        return read_input(source, MAX_FILE_BYTES), Path(source).name
    except OSError as exc:
        fail(f"Error: cannot read {source}: {exc.strerror or exc}")


def _default_plan_path(source: str) -> Path:
    if source == "-":
        return Path("bulk.plan.json")
    path = Path(source)
    return path.with_name(path.stem + ".plan.json")


def _write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all; a failure is a usage error."""
    try:
        bulk_files.write_atomically(path, data)
    except OSError as exc:
        fail(f"Error: cannot write {path}: {exc.strerror or exc}")


def _confirm(plan: Plan, yes: bool) -> None:
    targets, values = len(plan.to_send), plan.totals.values
    if yes:
        return
    if not sys.stdin or not sys.stdin.isatty():
        fail(f"Error: this sends {plural(values, 'value')} to {plural(targets, 'target')}; add "
             "--yes to send "
             "without a question (standard input is not a terminal). Nothing was sent.")
    answer = click.prompt(f"Send {plural(values, 'value')} to {plural(targets, 'target')} on "
                          f"{plan.base_url}? "
                          f"Type {targets} to go on", default="", show_default=False,
                          err=True)
    if answer.strip() != str(targets):
        fail("Not confirmed. Nothing was sent.")


def _with_batch(session: Session, plan: Plan, path: Path) -> Plan:
    """The plan's batch id, recorded in the plan file before anything is sent (so a rerun
    finds this run's journal entries): the same as the TUI records it."""
    try:
        return run(bulk_files.start_batch(session, plan, path))[0]
    except OSError as exc:
        fail(f"Error: cannot record the batch in {path}: {exc.strerror or exc}. "
             "Nothing was sent.")


def _write_failures(plan: Plan, path: Path) -> Path | None:
    """The failures file so far, as the TUI writes it; None when nothing failed (or it
    cannot be written: said on stderr)."""
    try:
        return bulk_files.write_failures(plan, path)
    except (OSError, ValueError) as exc:
        click.echo(f"Warning: the failures file could not be written: {exc}", err=True)
        return None


def _say_plan(plan: Plan, out: Path) -> None:
    from dixa_tui.text import clean

    totals = plan.totals
    for problem in plan.problems:
        where = f"line {problem.line}: " if problem.line else ""
        click.echo(f"Error: {where}{clean(problem.text)}", err=True)
    shown = 0
    for entry in plan.entries:
        for kind, problems in (("Error", entry.errors), ("Warning", entry.warnings)):
            for problem in problems:
                shown += 1
                if shown <= MAX_SHOWN:
                    click.echo(f"{kind}: line {entry.line}: {clean(problem.text)}", err=True)
    if shown > MAX_SHOWN:
        click.echo(f"… and {shown - MAX_SHOWN} more in {out}", err=True)
    click.echo(f"Plan: {plural(totals.targets, 'target')}: {totals.changes} to change "
               f"({plural(totals.values, 'value')}), {totals.unchanged} unchanged (already "
               f"hold the value: not sent), {totals.errors} with errors, {totals.warnings} "
               f"with warnings. Nothing was sent.", err=True)
    click.echo(f"Wrote {out}" + ("" if plan.applicable else
                                  ": fix the errors and plan again before applying."), err=True)


def _say_applied(summary: ApplySummary, results_path: Path, failures: Path | None) -> None:
    order = ("sent", "unchanged", "skipped", "conflict", "failed", "unknown")
    counts = ", ".join(f"{summary.counts[o]} {o}" for o in order if summary.counts.get(o))
    click.echo(f"Batch {summary.batch}: {counts or 'nothing to do'}.", err=True)
    click.echo(f"Results: {results_path}", err=True)
    if failures is not None:
        click.echo(f"Failures (rerun them with `bulk plan`): {failures}", err=True)
    click.echo(f"Undo the whole run with `dixa-tui undo {summary.batch}`.", err=True)
