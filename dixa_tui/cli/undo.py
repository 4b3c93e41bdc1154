"""``dixa-tui undo ENTRY|BATCH|last``: put back what journaled writes changed.

The preview is ``patch``'s (the exact body and the before -> after diff, per target), then
what the undo leaves out and why: attributes someone changed since (conflicts: skipped unless
``--force``), writes that changed nothing (failed), unknown outcomes settled by reading the
target. Every undo asks before sending: on a terminal it asks, off one it needs ``--yes``.
It is journaled under a batch id of its own, so ``undo BATCH`` (or ``undo last``) reverses it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from dixa_tui.cli.common import EXIT_API, EXIT_USAGE, fail, handled, open_session, run
from dixa_tui.text import plural

if TYPE_CHECKING:
    from dixa_tui.domain.patch import DefinitionIndex
    from dixa_tui.session.core import Session
    from dixa_tui.session.undo import PreparedUndo, UndoResult


@click.command("undo")
@click.argument("ref", metavar="ENTRY|BATCH|last")
@click.option("--dry-run", is_flag=True,
              help="Show the body and the diff, settle unknown outcomes; send nothing.")
@click.option("--force", is_flag=True,
              help="Also restore attributes changed since the write (overwriting that "
                   "change), and send despite warnings.")
@click.option("--yes", is_flag=True,
              help="Send without asking (needed when standard input is not a terminal).")
@handled
def undo(ref: str, dry_run: bool, force: bool, yes: bool) -> None:
    """Undo a journaled write: ENTRY (an id from `dixa-tui history`), BATCH (b-...: every
    write of it) or last (the newest entry of this profile, or its whole batch).

    Each attribute gets back the value it had before (cleared where it had none), provided
    it still holds what the write left; one changed since is skipped and reported, unless
    --force. The undo is itself journaled and can be undone.
    """
    from dixa_tui.cli.common import settings

    if settings().no_journal:
        fail("Error: undo reads the journal and records its own writes there, so that the "
             "undo can be undone too: leave out --no-journal.")
    session = open_session()
    if not dry_run:
        session.check_writable()  # a read-only profile: refused before anything is read
    run(_undo(session, ref, dry_run, force, yes))


async def _undo(session: Session, ref: str, dry_run: bool, force: bool, yes: bool) -> None:
    from dixa_tui.cli import render
    from dixa_tui.cli.confirm import confirm_send
    from dixa_tui.session.undo import UndoRefused, prepare_undo, send_undo
    from dixa_tui.text import clean

    async with session:
        read = await session.load_definitions()
        if read.skipped:
            click.echo(render.skipped_text(read.skipped), err=True)
        index = await session.index()
        try:
            prepared = await prepare_undo(session, ref, force=force)
        except UndoRefused as exc:
            fail(f"Error: {clean(str(exc), single_line=False)}")
        show_preview(index, prepared)
        stop = blocked(prepared)
        if stop is not None:
            message, code = stop
            fail(message, code)
        if dry_run:
            click.echo("Dry run: nothing was sent.", err=True)
            return
        if not prepared.to_send:
            click.echo(nothing_to_send(prepared), err=True)
            return
        profile = session.profile
        count = len(prepared.to_send)
        confirm_send(f"Send the undo of {prepared.describe()}: "
                     f"{plural(prepared.changes, 'change')} to {plural(count, 'target')}, "
                     f"profile {profile.name} ({profile.base_url})?",
                     yes=yes, why="an undo asks before it sends")
        result = await send_undo(session, prepared)
    report(index, result)


def show_preview(index: DefinitionIndex, prepared: PreparedUndo) -> None:
    """On stderr: what is undone, the body and the diff per target, what is left out."""
    from dixa_tui.cli import render
    from dixa_tui.domain.patch import diff
    from dixa_tui.text import clean

    say = _stderr
    say(f"Undo of {prepared.describe()}.")
    for note in prepared.settled:
        say(f"Entry {note.entry_id} had no known outcome: settled as {note.outcome} "
            f"({clean(note.note)}).")
    for note in prepared.undecided:
        say(f"Entry {note.entry_id} has no known outcome and reading the target cannot "
            f"decide ({clean(note.note)}): its attributes are checked one by one below.")
    for skipped in prepared.skipped:
        say(f"Skipped: {clean(skipped.reason)}.")
    for part in prepared.targets:
        say("")
        say(f"{clean(part.state.title)} ({part.target.describe()}), entr"
            f"{'y' if len(part.entries) == 1 else 'ies'} "
            f"{', '.join(str(i) for i in part.entries)}:")
        if part.body:
            say(render.to_json(part.body))
            say(render.diff_table(diff(index, part.state.values, part.body)))
        elif part.checked.body:  # planned, but the value rules refused it
            say(render.to_json(part.checked.body))
        for restore in part.checked.unchanged:
            say(f"  {clean(_name(restore.identifier, restore.definition_id))}: already holds "
                f"{clean(_shown(index, restore.definition_id, restore.value))}; not sent.")
        for conflict in part.checked.conflicts:
            restore = conflict.restore
            what = (f"{clean(_name(restore.identifier, restore.definition_id))}: changed "
                    f"since the write: it holds "
                    f"{clean(_shown(index, restore.definition_id, conflict.current))}, not "
                    f"{clean(_shown(index, restore.definition_id, restore.expected))} (what "
                    "the write left)")
            say(f"  Conflict: {what}; "
                + ("restored anyway (--force)." if prepared.forced else
                   "skipped (--force restores it over that change)."))
        if part.plan.problems:
            say(render.problems_text(part.plan.problems))


def blocked(prepared: PreparedUndo) -> tuple[str, int] | None:
    """Why the undo must not be sent (message, exit code), or None."""
    if prepared.errors:
        return ("The undo breaks the value rules (shown above; a definition or an option may "
                "have changed since). Nothing was sent.", EXIT_USAGE)
    if prepared.warnings and not prepared.forced:
        return ("Nothing was sent: re-run with --force to send the undo despite the "
                "warnings.", EXIT_USAGE)
    if not prepared.to_send and prepared.conflicts:
        return ("Nothing was sent: every attribute to restore was changed since the write "
                "(see the conflicts above). Re-run with --force to restore them over those "
                "changes.", EXIT_USAGE)
    return None


def nothing_to_send(prepared: PreparedUndo) -> str:
    if prepared.targets:
        return "Nothing to undo: every attribute already holds its value from before."
    return "Nothing to undo: none of these writes changed anything."


def report(index: DefinitionIndex, result: UndoResult) -> None:
    """Dixa's answer per target on stdout (as ``patch`` prints it), the rest on stderr;
    a failure exits 1 after saying what was and was not undone."""
    from dixa_tui.cli import render
    from dixa_tui.text import clean

    prepared = result.prepared
    for sent in result.sent:
        click.echo(render.result_table(index, sent.attributes))
        entry = f" (journal entry {sent.entry_id})" if sent.entry_id is not None else ""
        _stderr(f"Restored {plural(len(sent.body), 'attribute')} on "
                f"{sent.target.describe()}{entry}.")
        if sent.journal_warning:
            _stderr(f"Warning: {clean(sent.journal_warning)}")
    if result.sent:
        _stderr(f"This undo is batch {prepared.batch}: `dixa-tui undo {prepared.batch}` "
                "puts it back.")
    if result.failed is not None:
        part, error = result.failed
        _stderr(f"Error: {clean(error.summary())}")
        _stderr(error.hint)
        left = [part.target.describe() for part in [part, *result.not_sent]]
        _stderr(f"Not undone: {', '.join(left)}. Run `dixa-tui undo {prepared.undoes}` "
                "again: what was restored already is left as it is.")
        raise SystemExit(EXIT_API)


def _name(identifier: str, definition_id: str) -> str:
    return identifier or definition_id


def _shown(index: DefinitionIndex, definition_id: str, value: Any) -> str:
    from dixa_tui.domain.patch import format_value

    return format_value(index.by_id.get(definition_id), value)


def _stderr(text: str) -> None:
    click.echo(text, err=True)

