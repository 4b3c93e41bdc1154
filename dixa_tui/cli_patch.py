"""`dixa-tui patch ...`: staged edits from the command line -> checked body -> diff -> send.

Nothing is sent unless the value rules find no error, and no warning unless ``--force``.
The order is: read the options (usage errors, exit 2), load definitions (network, exit 1),
build the body (validation, exit 2), read current values and print the diff, then send.
"""

from __future__ import annotations

import json
from typing import Any

import click

from dixa_tui import cli_render
from dixa_tui.api.client import DixaClient
from dixa_tui.api.models import CustomAttribute, CustomAttributeDefinition, SelectInput
from dixa_tui.cli_common import EXIT_USAGE, fail, run
from dixa_tui.connect import Settings, open_client
from dixa_tui.domain.options import parse_path
from dixa_tui.domain.patch import (
    DefinitionIndex,
    PatchPlan,
    StagedEdit,
    Target,
    TargetKind,
    build_patch,
    check_target,
    current_values,
    diff,
)


def _split(option: str, raw: str) -> tuple[str, str]:
    ref, sep, value = raw.partition("=")
    if not sep or not ref.strip():
        fail(f"Error: {option} takes IDENT=VALUE (got {raw!r}); IDENT is an identifier or id.")
    return ref.strip(), value


def parse_json_edits(set_jsons: tuple[str, ...]) -> list[StagedEdit]:
    """``--set-json`` values, checked before anything touches the network."""
    edits = []
    for raw in set_jsons:
        ref, text = _split("--set-json", raw)
        try:
            edits.append(StagedEdit(ref, json.loads(text)))
        except json.JSONDecodeError as exc:
            fail(f"Error: --set-json {ref}: not valid JSON ({exc.msg} at column {exc.colno}); "
                 'quote it for the shell, e.g. --set-json \'x=["a","b"]\'. Nothing was sent.')
    return edits


def parse_edits(
    index: DefinitionIndex, sets: list[tuple[str, str]], json_edits: list[StagedEdit],
    clears: tuple[str, ...],
) -> list[StagedEdit]:
    """``--set`` is typed by its definition: a Select value is a ``/``-joined path."""
    edits = []
    for ref, value in sets:
        found = index.resolve(ref)
        is_select = isinstance(found, CustomAttributeDefinition) and \
            isinstance(found.input_definition, SelectInput)
        edits.append(StagedEdit(ref, _path(ref, value) if is_select else value))
    return edits + json_edits + [StagedEdit.clear(ref.strip()) for ref in clears]


def _path(ref: str, text: str) -> list[str]:
    path = parse_path(text)
    if path is None:
        fail(f"Error: --set {ref}: {text!r} has an empty step; write option values joined by "
             "a single /, or use --set-json for values that contain / themselves. "
             "Nothing was sent.")
    return path


def run_patch(
    settings: Settings, kind: TargetKind, target_id: str, *, sets: tuple[str, ...],
    set_jsons: tuple[str, ...], clears: tuple[str, ...], dry_run: bool, force: bool,
    as_json: bool,
) -> None:
    target = Target(kind, target_id.strip())
    bad_target = check_target(target)
    if bad_target:
        fail(cli_render.problems_text(bad_target) + "\nNothing was sent.")
    if not (sets or set_jsons or clears):
        fail("Error: nothing to change: give at least one --set, --set-json or --clear.")
    if any(not ref.strip() for ref in clears):
        fail("Error: --clear takes an identifier or id; it was empty. Nothing was sent.")
    pairs = [_split("--set", raw) for raw in sets]
    json_edits = parse_json_edits(set_jsons)
    run(_patch(settings, target, pairs, json_edits, clears, dry_run, force, as_json))


async def _patch(
    settings: Settings, target: Target, sets: list[tuple[str, str]],
    json_edits: list[StagedEdit],
    clears: tuple[str, ...], dry_run: bool, force: bool, as_json: bool,
) -> None:
    async with open_client(settings) as client:
        read = await client.list_definitions()
        if read.skipped:
            click.echo(cli_render.skipped_text(read.skipped), err=True)
        index = DefinitionIndex(read.definitions)
        edits = parse_edits(index, sets, json_edits, clears)
        plan = build_patch(index, target, edits)
        if plan.errors:
            fail(cli_render.problems_text(plan.problems) + "\nNothing was sent.")
        current = await _current(client, target)
        _show_plan(index, plan, current, body_to_stdout=dry_run)
        if plan.warnings and not force:
            fail(cli_render.problems_text(plan.warnings)
                 + "\nNothing was sent: re-run with --force to send despite the warnings.",
                 EXIT_USAGE)
        if plan.warnings:
            click.echo(cli_render.problems_text(plan.warnings) + "\n(accepted with --force)",
                       err=True)
        if dry_run:
            click.echo("Dry run: nothing was sent.", err=True)
            return
        if target.kind == "enduser":
            result = await client.patch_end_user_attributes(target.id, plan.body)
        else:
            result = await client.patch_conversation_attributes(int(target.id), plan.body)
    if as_json:
        click.echo(cli_render.to_json({"data": [a.to_dixa() for a in result]}))
    else:
        click.echo(cli_render.result_table(index, result))
    click.echo(f"Updated {len(plan.body)} attribute(s) on {target.describe()}.", err=True)


async def _current(client: DixaClient, target: Target) -> dict[str, Any]:
    attributes: list[CustomAttribute]
    if target.kind == "enduser":
        attributes = (await client.get_end_user(target.id)).custom_attributes
    else:
        attributes = (await client.get_conversation(int(target.id))).custom_attributes
    return current_values(attributes)


def _show_plan(
    index: DefinitionIndex, plan: PatchPlan, current: dict[str, Any], body_to_stdout: bool
) -> None:
    """The body, then the diff on stderr. The body is stdout's data only in a dry run; when
    something is sent, stdout carries what Dixa answered."""
    click.echo(cli_render.to_json(plan.body), err=not body_to_stdout)
    click.echo(cli_render.diff_table(diff(index, current, plan.body)), err=True)
