"""``dixa-tui patch enduser|conversation``: staged edits -> checked body -> diff -> send.

Nothing is sent unless the value rules find no error, and no warning unless ``--force``.
The order is: read the options (usage errors, exit 2), load definitions (network, exit 1),
build the body (validation, exit 2), read current values and print the diff, then send.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from dixa_tui.cli.common import EXIT_USAGE, fail, handled, open_session, run

if TYPE_CHECKING:
    from dixa_tui.domain.patch import (
        DefinitionIndex,
        PatchPlan,
        Problem,
        StagedEdit,
        TargetKind,
    )
    from dixa_tui.session.core import Session


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
        click.option("--yes", is_flag=True,
                     help="Send without asking, where the profile asks before every send "
                          "(confirm = \"always\", the default for Dixa's production host); "
                          "needed there when standard input is not a terminal."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@click.group()
def patch() -> None:
    """Change custom attribute values of an end user or a conversation."""


@patch.command("enduser")
@click.argument("user_id", metavar="USER")
@_patch_options
@handled
def patch_enduser(user_id: str, **options: Any) -> None:
    """Patch the custom attributes of the end user USER: a UUID, or email:ADDRESS,
    phone:NUMBER or ext:EXTERNAL_ID (a bare email or phone number works too), which must
    find exactly one end user."""
    run_patch("enduser", user_id, **options)


@patch.command("conversation")
@click.argument("conversation_id", metavar="ID")
@_patch_options
@handled
def patch_conversation(conversation_id: str, **options: Any) -> None:
    """Patch the custom attributes of conversation ID."""
    run_patch("conversation", conversation_id, **options)


def _split(option: str, raw: str) -> tuple[str, str]:
    ref, sep, value = raw.partition("=")
    if not sep or not ref.strip():
        fail(f"Error: {option} takes IDENT=VALUE (got {raw!r}); IDENT is an identifier or id.")
    return ref.strip(), value


def parse_json_edits(set_jsons: tuple[str, ...]) -> list[StagedEdit]:
    """``--set-json`` values, checked before anything touches the network: read as every
    JSON from outside is (``jsontext.loads``: too deep, too many digits and NaN are not
    JSON it reads)."""
    from dixa_tui.domain.patch import StagedEdit
    from dixa_tui.jsontext import loads

    edits = []
    for raw in set_jsons:
        ref, text = _split("--set-json", raw)
        try:
            edits.append(StagedEdit(ref, loads(text)))
        except json.JSONDecodeError as exc:
            where = f" at column {exc.colno}" if exc.pos else ""
            fail(f"Error: --set-json {ref}: not valid JSON ({exc.msg}{where}); an attribute "
                 'value is a string or a list of strings: quote it for the shell, e.g. '
                 '--set-json \'x=["a","b"]\'. Nothing was sent.')
    return edits


def parse_edits(
    index: DefinitionIndex, sets: list[tuple[str, str]], json_edits: list[StagedEdit],
    clears: tuple[str, ...],
) -> tuple[list[StagedEdit], list[Problem]]:
    """``--set`` is typed by its definition: a Select value is a path of option values or
    labels, joined by ``/`` (or `` > ``, as labels are shown). Paths that name no option are
    problems, returned with the edits so that every problem is said at once."""
    from dixa_tui.domain.options import resolve_path_text
    from dixa_tui.domain.patch import Problem, StagedEdit

    edits: list[StagedEdit] = []
    problems: list[Problem] = []
    for ref, value in sets:
        found = index.resolve(ref)
        if isinstance(found, Problem) or found.input_type != "Select":
            edits.append(StagedEdit(ref, value))  # the value rules say what is wrong
            continue
        if value == "":
            edits.append(StagedEdit(ref, []))  # "needs at least one option", from the rules
            continue
        _no_empty_step(ref, value)
        resolved = resolve_path_text(found.options, value)
        if resolved.values is None:
            problems.append(Problem("error", "unknown-option", resolved.problem or "", ref))
        else:
            edits.append(StagedEdit(ref, resolved.values))
    return edits + json_edits + [StagedEdit.clear(ref.strip()) for ref in clears], problems


def _no_empty_step(ref: str, text: str) -> None:
    from dixa_tui.domain.options import parse_path

    if parse_path(text) is None:
        fail(f"Error: --set {ref}: {text!r} has an empty step; write option values (or "
             "labels) joined by a single /, or use --set-json for values that contain / "
             "themselves. Nothing was sent.")


def run_patch(
    kind: TargetKind, target_id: str, *, sets: tuple[str, ...],
    set_jsons: tuple[str, ...], clears: tuple[str, ...], dry_run: bool, force: bool,
    as_json: bool, yes: bool = False,
) -> None:
    from dixa_tui.cli import render
    from dixa_tui.domain.patch import check_target
    from dixa_tui.domain.targets import reference

    named = reference(kind, target_id)
    if named.target is not None:
        # An id is checked before anything is read: a malformed one needs no key.
        bad_target = check_target(named.target)
        if bad_target:
            fail(render.problems_text(bad_target) + "\nNothing was sent.")
    if not (sets or set_jsons or clears):
        fail("Error: nothing to change: give at least one --set, --set-json or --clear.")
    if any(not ref.strip() for ref in clears):
        fail("Error: --clear takes an identifier or id; it was empty. Nothing was sent.")
    pairs = [_split("--set", raw) for raw in sets]
    json_edits = parse_json_edits(set_jsons)
    session = open_session()
    if not dry_run:
        session.check_writable()  # a read-only profile: refused before anything is read
    run(_patch(session, kind, target_id, pairs, json_edits, clears, dry_run, force, as_json,
               yes))


async def _patch(
    session: Session, kind: TargetKind, ref: str, sets: list[tuple[str, str]],
    json_edits: list[StagedEdit], clears: tuple[str, ...], dry_run: bool, force: bool,
    as_json: bool, yes: bool = False,
) -> None:
    from dixa_tui.cli import render
    from dixa_tui.text import clean, plural

    async with session:
        read = await session.load_definitions()
        if read.skipped:
            click.echo(render.skipped_text(read.skipped), err=True)
        index = await session.index()
        edits, unread = parse_edits(index, sets, json_edits, clears)
        target = await session.resolve_target(kind, ref)
        plan = await session.plan(target, edits)
        problems = unread + [p for p in plan.problems
                             if not (unread and p.code == "nothing-staged")]
        if any(p.severity == "error" for p in problems):
            fail(render.problems_text(problems) + "\nNothing was sent.")
        state = await session.read_target(target)
        if _looked_up(kind, ref):  # say whom the lookup found before changing them
            click.echo(f"End user: {clean(state.name)} ({target.id})", err=True)
        stopped = bool(plan.warnings) and not force
        # stdout carries data: the body only when this run ends with it (a dry run that no
        # warning stops); a body there after "nothing was sent" would read as sent.
        _show_plan(index, plan, state.values, body_to_stdout=dry_run and not stopped)
        if plan.warnings and not force:
            fail(render.problems_text(plan.warnings)
                 + "\nNothing was sent: re-run with --force to send despite the warnings.",
                 EXIT_USAGE)
        if plan.warnings:
            click.echo(render.problems_text(plan.warnings) + "\n(accepted with --force)",
                       err=True)
        if dry_run:
            click.echo("Dry run: nothing was sent.", err=True)
            return
        profile = session.profile
        if profile.confirms_sends:
            from dixa_tui.cli.confirm import confirm_send

            confirm_send(f"Send {plural(len(plan.body), 'change')} to {target.describe()} on "
                         f"profile {profile.name} ({profile.base_url})?", yes=yes,
                         why=f"profile {profile.name!r} asks before every send ({profile.base_url}"
                             " is Dixa's production host, or the profile says confirm = "
                             "\"always\")")
        sent = await session.send(target, plan.body, before=state.values)
    if sent.journal_warning:
        click.echo(f"Warning: {sent.journal_warning}", err=True)
    if as_json:
        click.echo(render.to_json({"data": [a.to_dixa() for a in sent.attributes]}))
    else:
        click.echo(render.result_table(index, sent.attributes))
    click.echo(f"Updated {plural(len(plan.body), 'attribute')} on {target.describe()}.",
               err=True)


def _looked_up(kind: TargetKind, ref: str) -> bool:
    from dixa_tui.domain.targets import reference

    return reference(kind, ref).target is None


def _show_plan(
    index: DefinitionIndex, plan: PatchPlan, current: dict[str, Any], body_to_stdout: bool
) -> None:
    """The body, then the diff on stderr. The body is stdout's data only in a dry run; when
    something is sent, stdout carries what Dixa answered."""
    from dixa_tui.cli import render
    from dixa_tui.domain.patch import diff

    click.echo(render.to_json(plan.body), err=not body_to_stdout)
    click.echo(render.diff_table(diff(index, current, plan.body)), err=True)
