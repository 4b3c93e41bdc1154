"""``dixa-tui undo ENTRY|BATCH|last``: put back what journaled writes changed.

The preview is ``patch``'s (the exact body and the before -> after diff, per target), then
what the undo leaves out and why: attributes someone changed since (conflicts: skipped unless
``--force``), writes that changed nothing (failed), targets deleted since, unknown outcomes
settled by reading the target. Past :data:`SHOWN` targets the preview shows the first ones
in full and counts the rest. Every undo asks before sending: on a terminal it asks, off one
it needs ``--yes``. Reading and sending show progress (count, rate, ETA) on stderr, a few
targets at a time at Dixa's pace; a target that fails does not stop the others, and Ctrl-C
keeps what was sent. It is journaled under a batch id of its own, so ``undo BATCH`` (or
``undo last``) reverses it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import click

from dixa_tui.cli.common import EXIT_API, EXIT_USAGE, fail, handled, open_session, run
from dixa_tui.text import plural

if TYPE_CHECKING:
    from dixa_tui.cli.progress import ProgressLine
    from dixa_tui.domain.patch import DefinitionIndex
    from dixa_tui.session.core import Session
    from dixa_tui.session.undo import PreparedUndo, TargetSent, TargetUndo, UndoResult

SHOWN = 20  # targets (and notes of each kind) the preview shows in full; the rest counted
EXIT_INTERRUPTED = 130


@dataclass
class _Sending:
    """What an undo run has sent so far, for the message after Ctrl-C."""

    prepared: PreparedUndo | None = None
    restored: int = 0
    failed: int = 0
    started: bool = False


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
    --force. A target deleted since is skipped; one whose send fails does not stop the
    others. The undo is itself journaled and can be undone.
    """
    from dixa_tui.cli.common import settings

    if settings().no_journal:
        fail("Error: undo reads the journal and records its own writes there, so that the "
             "undo can be undone too: leave out --no-journal.")
    session = open_session()
    if not dry_run:
        session.check_writable()  # a read-only profile: refused before anything is read
    sending = _Sending()
    try:
        run(_undo(session, ref, dry_run, force, yes, sending))
    except KeyboardInterrupt:
        _stderr(interrupted(ref, sending))
        raise SystemExit(EXIT_INTERRUPTED) from None


async def _undo(session: Session, ref: str, dry_run: bool, force: bool, yes: bool,
                sending: _Sending) -> None:
    from dixa_tui.cli import render
    from dixa_tui.cli.confirm import confirm_send
    from dixa_tui.cli.progress import ProgressLine
    from dixa_tui.session.undo import UndoRefused, prepare_undo, send_undo
    from dixa_tui.text import clean

    async with session:
        read = await session.load_definitions()
        if read.skipped:
            click.echo(render.skipped_text(read.skipped), err=True)
        index = await session.index()
        line = ProgressLine()
        try:
            prepared = await prepare_undo(session, ref, force=force, on_progress=line)
        except UndoRefused as exc:
            fail(f"Error: {clean(str(exc), single_line=False)}")
        finally:
            line.done()
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
        sending.prepared, sending.started = prepared, True
        line = ProgressLine()
        try:
            result = await send_undo(session, prepared, on_progress=line,
                                     on_sent=_landed(index, line, sending))
        finally:
            line.done()
    report(result)


def _landed(index: DefinitionIndex, line: ProgressLine,
            sending: _Sending) -> Callable[[TargetSent], None]:
    """Said as each target is done: Dixa's answer on stdout (as ``patch`` prints it), a line
    on stderr for the first :data:`SHOWN` restored (the rest are counted at the end), and
    every failure."""
    from dixa_tui.cli import render
    from dixa_tui.text import clean

    def landed(done: TargetSent) -> None:
        line.clear()
        if done.sent is not None:
            sent = done.sent
            sending.restored += 1
            click.echo(render.result_table(index, sent.attributes))
            if sending.restored <= SHOWN:
                entry = f" (journal entry {sent.entry_id})" if sent.entry_id is not None \
                    else ""
                _stderr(f"Restored {plural(len(sent.body), 'attribute')} on "
                        f"{sent.target.describe()}{entry}.")
            if sent.journal_warning:
                _stderr(f"Warning: {clean(sent.journal_warning)}")
        elif done.error is not None:
            sending.failed += 1
            _stderr(f"Error: {clean(done.error.summary())}")
        line.redraw()

    return landed


def interrupted(ref: str, sending: _Sending) -> str:
    """What Ctrl-C left: nothing sent, or how much was, and how to finish or undo it."""
    prepared = sending.prepared
    if prepared is None or not sending.started:
        return "Interrupted: nothing was sent (unknown outcomes settled so far are recorded)."
    total = len(prepared.to_send)
    words = (f"Interrupted after restoring {sending.restored} of {plural(total, 'target')}"
             + (f" ({sending.failed} failed)" if sending.failed else "") + ".")
    if sending.restored:
        words += (f" What was restored is journaled under batch {prepared.batch} "
                  f"(`dixa-tui undo {prepared.batch}` puts it back).")
    return (words + " A send on its way at that moment may have landed: the journal keeps "
            f"it as unknown. Run `dixa-tui undo {ref.strip()}` again to finish: it reads "
            "every target first, and one already restored is not sent twice.")


def show_preview(index: DefinitionIndex, prepared: PreparedUndo) -> None:
    """On stderr: what is undone, the body and the diff of the first :data:`SHOWN` targets,
    what is left out, and counts for the rest (every error still listed)."""
    from dixa_tui.text import clean

    say = _stderr
    say(f"Undo of {prepared.describe()}.")
    _capped([f"Entry {note.entry_id} had no known outcome: settled as {note.outcome} "
             f"({clean(note.note)})." for note in prepared.settled], "settled entries")
    _capped([f"Entry {note.entry_id} has no known outcome and reading the target cannot "
             f"decide ({clean(note.note)}): its attributes are checked one by one below."
             for note in prepared.undecided], "undecided entries")
    _capped([f"Skipped: {clean(skipped.reason)}." for skipped in prepared.skipped],
            "skipped entries")
    for part in prepared.targets[:SHOWN]:
        _show_target(index, prepared, part)
    rest = prepared.targets[SHOWN:]
    if rest:
        _show_rest(prepared, rest)


def _show_target(index: DefinitionIndex, prepared: PreparedUndo, part: TargetUndo) -> None:
    from dixa_tui.cli import render
    from dixa_tui.domain.patch import diff
    from dixa_tui.text import clean

    say = _stderr
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


def _show_rest(prepared: PreparedUndo, rest: Sequence[TargetUndo]) -> None:
    """The targets past the first :data:`SHOWN`, counted; their value-rule errors listed
    (they stop the undo), their warnings counted."""
    from dixa_tui.text import clean

    sending = [t for t in rest if t.body]
    changes = sum(len(t.body) for t in rest)
    conflicts = sum(len(t.checked.conflicts) for t in rest)
    unchanged = sum(len(t.checked.unchanged) for t in rest)
    parts = [f"{plural(changes, 'attribute')} to restore on {plural(len(sending), 'target')}"]
    if conflicts:
        parts.append(f"{plural(conflicts, 'conflict')} (changed since the write: "
                     + ("restored anyway, --force)" if prepared.forced else
                        "skipped unless --force)"))
    if unchanged:
        parts.append(f"{plural(unchanged, 'attribute')} already holding the old value")
    where = (f"`dixa-tui history --batch {prepared.undoes}`" if not prepared.undoes.isdigit()
             else "`dixa-tui history`")
    _stderr("")
    _stderr(f"… and {plural(len(rest), 'more target')}: {', '.join(parts)}. {where} lists "
            "every write.")
    _capped([f"Error: {part.target.describe()}: {clean(str(problem))}"
             for part in rest for problem in part.plan.errors], "errors")
    warnings = sum(len(part.plan.warnings) for part in rest)
    if warnings:
        _stderr(f"{plural(warnings, 'warning')} on those targets (--force sends despite "
                "them).")


def _capped(lines: Sequence[str], what: str) -> None:
    """The first :data:`SHOWN` of ``lines`` on stderr, then how many more."""
    for text in lines[:SHOWN]:
        _stderr(text)
    if len(lines) > SHOWN:
        _stderr(f"… and {len(lines) - SHOWN} more {what}.")


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


def report(result: UndoResult) -> None:
    """After the sends (each said as it landed): how many were restored, the undo's own
    batch, and every target not undone; exit 1 when any send failed."""
    from dixa_tui.text import clean

    prepared = result.prepared
    if len(result.sent) > SHOWN:
        attributes = sum(len(sent.body) for sent in result.sent)
        _stderr(f"Restored {plural(attributes, 'attribute')} on "
                f"{plural(len(result.sent), 'target')}.")
    if result.sent:
        _stderr(f"This undo is batch {prepared.batch}: `dixa-tui undo {prepared.batch}` "
                "puts it back.")
    for hint in dict.fromkeys(error.hint for _, error in result.failed):
        _stderr(clean(hint))
    left = [part.target.describe() for part in [*(p for p, _ in result.failed),
                                                *result.not_sent]]
    if left:
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

