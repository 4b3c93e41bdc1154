"""``dixa-tui definitions export|diff|lint``: the schema tools over the session.

Exit codes: 0 fine; 4 when the answer is "not clean" (``diff``: the schemas differ;
``lint``: an error was found, or with ``--strict`` any finding); 1, 2 and 3 keep their
meanings (Dixa or the network failed, a usage error, a bug). Data goes to stdout, the rest
to stderr.

Exports go out as exact bytes to a file (``-o``) or a pipe: the JSON is what
``mock serve --org`` serves back byte for byte. To a terminal, the untrusted text inside is
made safe first (JSON: control and bidi characters as ``\\u`` escapes, which is the same
JSON; CSV and Markdown: ``text.clean``), since a label may hold escape sequences.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from dixa_tui.cli.common import EXIT_FOUND, EXIT_USAGE, fail, handled, open_session, run, settings
from dixa_tui.cli.definitions import definitions
from dixa_tui.jsontext import for_terminal
from dixa_tui.text import plural

if TYPE_CHECKING:
    from dixa_tui.domain.schema_lint import Finding
    from dixa_tui.session.schema import Listed, SchemaComparison, SchemaRead

FORMATS = ("json", "csv", "markdown")
_MARKS = {"definition_added": "+", "option_added": "+", "definition_removed": "-",
          "option_removed": "-"}


def is_terminal() -> bool:
    """Whether stdout is a terminal (tests replace this to see what a terminal gets)."""
    return sys.stdout.isatty()


def emit(data: bytes, output: str | None = None, *, kind: str = "text") -> None:
    """``data`` to ``output`` (a file, exactly), or to stdout: exactly to a pipe or a file,
    made safe for a terminal (``kind`` ``json`` keeps it valid JSON)."""
    if output is not None and output != "-":
        try:
            Path(output).write_bytes(data)
        except OSError as exc:
            fail(f"Error: cannot write {output}: {exc.strerror or type(exc).__name__}.",
                 EXIT_USAGE)
        return
    if is_terminal():
        from dixa_tui.text import clean

        text = data.decode("utf-8", "replace")
        shown = for_terminal(text) if kind == "json" else clean(text, single_line=False)
        click.echo(shown if shown.endswith("\n") else shown + "\n", nl=False)
        return
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def json_bytes(value: Any) -> bytes:
    """Readable JSON for scripts, one newline at the end; safe on a terminal as it is."""
    return (for_terminal(json.dumps(value, indent=2, ensure_ascii=False)) + "\n").encode()


def say(line: str) -> None:
    """A line for people on stderr (``line`` may quote untrusted text: cleaned here)."""
    from dixa_tui.text import clean

    click.echo(clean(line, single_line=False), err=True)


def _warn_listed(listed: Listed) -> None:
    from dixa_tui.cli import render

    if listed.read.skipped:
        click.echo(render.skipped_text(listed.read.skipped), err=True)
    note = listed.note()
    if note:
        say(note if listed.problem is None else f"Warning: {note}")


# -- export -------------------------------------------------------------------------------


@definitions.command("export")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="json", show_default=True,
              help="json: a snapshot in Dixa's own shape ({\"data\": [...]}, as Dixa sent "
                   "it; `mock serve --org` serves it back byte for byte); csv: one row per "
                   "definition and per option; markdown: a page for a wiki.")
@click.option("--include-archived", is_flag=True, help="Export archived definitions too.")
@click.option("-o", "--output", metavar="FILE",
              help="Write to FILE instead of stdout (the exact bytes; - is stdout).")
@handled
def definitions_export(fmt: str, include_archived: bool, output: str | None) -> None:
    """Export the definitions as JSON, CSV or Markdown."""
    from dixa_tui.domain.schema_export import export_csv, export_json, exported
    from dixa_tui.domain.schema_markdown import export_markdown

    listed = run(_listed(open_session(), keep_as_sent=True))
    read = listed.read
    if fmt == "json":
        data = export_json(read.definitions, read.as_sent, include_archived=include_archived)
    elif fmt == "csv":
        data = export_csv(read.definitions, include_archived=include_archived).encode()
    else:
        data = export_markdown(read.definitions, include_archived=include_archived).encode()
    emit(data, output, kind=fmt)
    _warn_listed(listed)
    count = len(exported(read.definitions, include_archived=include_archived))
    hidden = len(read.definitions) - count
    note = f", {hidden} archived left out (--include-archived adds them)" if hidden else ""
    where = f" to {output}" if output not in (None, "-") else ""
    say(f"Exported {plural(count, 'definition')} as {fmt}{where}{note}.")


async def _listed(session: Any, *, keep_as_sent: bool = False) -> Listed:
    from dixa_tui.session.schema import list_definitions

    async with session:
        return await list_definitions(session, keep_as_sent=keep_as_sent)


# -- diff ---------------------------------------------------------------------------------


@definitions.command("diff")
@click.argument("a", metavar="A")
@click.argument("b", metavar="B")
@click.option("--json", "as_json", is_flag=True,
              help="Every change as JSON (kind, identifier, option path, before, after).")
@handled
def definitions_diff(a: str, b: str, as_json: bool) -> None:
    """Compare schema A (before) with schema B (after).

    A and B are each a snapshot file (what `definitions export` writes), profile:NAME (that
    profile's organization, read live with its own key) or profile:NAME@2026-11-01 (its
    newest saved snapshot at or before that day; see `snapshots = true`). Definitions are
    matched by identifier, options by their path of values.

    Exits 0 when they are equal and 4 when they differ (1: Dixa or the network failed,
    2: a source cannot be read, 3: a bug).
    """
    from dixa_tui.domain.schema_snapshot import parse_source

    try:
        first, second = parse_source(a), parse_source(b)
    except ValueError as exc:
        fail(f"Error: {exc}", EXIT_USAGE)
    comparison = run(_compare(first, second))
    for read in (comparison.a, comparison.b):
        _warn_read(read)
    for caveat in comparison.caveats:
        say(f"Note: {caveat}")
    if as_json:
        emit(json_bytes(_comparison_json(comparison)), kind="json")
    else:
        lines = [f"{_MARKS.get(c.kind, '~')} {c.describe()}" for c in comparison.changes]
        if lines:
            from dixa_tui.text import clean

            click.echo("\n".join(clean(line) for line in lines))
    say(f"A: {_summary(comparison.a)}\nB: {_summary(comparison.b)}\n{_counts(comparison)}")
    if not comparison.equal:
        sys.exit(EXIT_FOUND)


async def _compare(a: Any, b: Any) -> SchemaComparison:
    from dixa_tui.session.schema import SchemaReader

    async with SchemaReader(settings()) as reader:
        comparison: SchemaComparison = await _usage_errors(reader.compare(a, b))
        return comparison


async def _usage_errors(work: Any) -> Any:
    """Await ``work``; a source that cannot be read is a usage error (exit 2)."""
    from dixa_tui.session.schema import SchemaSourceError

    try:
        return await work
    except SchemaSourceError as exc:
        fail(f"Error: {exc.summary()}\n{exc.advice}", EXIT_USAGE)


def _warn_read(read: SchemaRead) -> None:
    from dixa_tui.api.salvage import skipped_lines

    if read.skipped:
        lines = skipped_lines(read.skipped, 5)
        say("\n".join([f"Warning: {read.name}: {lines[0]}", *lines[1:]]))
    if read.listed is not None and read.listed.note():
        say(f"{read.name}: {read.listed.note()}")


def _summary(read: SchemaRead) -> str:
    count = len(read.definitions)
    return f"{read.name}, {plural(count, 'definition')}"


def _counts(comparison: SchemaComparison) -> str:
    changes = comparison.changes
    if not changes:
        return "No differences."
    kinds = Counter(c.kind for c in changes)
    touched = len({(c.identifier, c.entity_type) for c in changes})
    parts = ", ".join(f"{n} {kind}" for kind, n in kinds.items())
    return (f"{plural(len(changes), 'change')} in {plural(touched, 'definition')}: "
            f"{parts}.")


def _source_json(read: SchemaRead) -> dict[str, Any]:
    return {"source": read.source.describe(), "name": read.name,
            "definitions": len(read.definitions), "skipped": len(read.skipped),
            "snapshot": str(read.snapshot.path) if read.snapshot else None}


def _comparison_json(comparison: SchemaComparison) -> dict[str, Any]:
    return {"a": _source_json(comparison.a), "b": _source_json(comparison.b),
            "equal": comparison.equal,
            "counts": dict(Counter(c.kind for c in comparison.changes)),
            "changes": [c.to_json() for c in comparison.changes],
            "caveats": comparison.caveats}


# -- lint ---------------------------------------------------------------------------------


@definitions.command("lint")
@click.argument("source", metavar="[SOURCE]", required=False)
@click.option("--json", "as_json", is_flag=True, help="Every finding as JSON.")
@click.option("--strict", is_flag=True, help="Exit 4 on warnings too, not only on errors.")
@handled
def definitions_lint(source: str | None, as_json: bool, strict: bool) -> None:
    """Find what in the schema misleads agents or breaks integrations.

    Lints the profile's organization, or SOURCE (a snapshot file, profile:NAME or
    profile:NAME@DATE, as for `definitions diff`). Archived definitions are included.
    Exits 4 when an error is found (with --strict: any finding), else 0.
    """
    from dixa_tui.domain.schema_lint import RULES, lint

    if source is None:
        session = open_session()
        name = f"profile:{session.profile.name} (live)"
        listed = run(_listed(session))
        _warn_listed(listed)
        definitions_read = listed.read.definitions
    else:
        read = run(_read_source(source))
        _warn_read(read)
        definitions_read, name = read.definitions, read.name
    findings = lint(definitions_read)
    if as_json:
        emit(json_bytes({"source": name, "definitions": len(definitions_read),
                         "counts": _severities(findings),
                         "findings": [f.to_json() for f in findings],
                         "rules": {code: {"severity": severity, "why": why}
                                   for code, (severity, why) in RULES.items()}}), kind="json")
    elif findings:
        from dixa_tui.text import clean

        click.echo("\n".join(clean(f.describe()) for f in findings))
    counts = _severities(findings)
    found = ", ".join(plural(n, severity) for severity, n in counts.items() if n)
    say(f"{name}: {plural(len(definitions_read), 'definition')}, "
        + (f"{plural(len(findings), 'finding')}: {found}." if findings
           else "no findings."))
    if counts["error"] or (strict and findings):
        sys.exit(EXIT_FOUND)


async def _read_source(text: str) -> SchemaRead:
    from dixa_tui.domain.schema_snapshot import parse_source
    from dixa_tui.session.schema import SchemaReader

    try:
        source = parse_source(text)
    except ValueError as exc:
        fail(f"Error: {exc}", EXIT_USAGE)
    async with SchemaReader(settings()) as reader:
        read: SchemaRead = await _usage_errors(reader.read(source))
        return read


def _severities(findings: list[Finding]) -> dict[str, int]:
    from dixa_tui.domain.schema_lint import SEVERITIES

    counts = Counter(f.severity for f in findings)
    return {severity: counts.get(severity, 0) for severity in SEVERITIES}
