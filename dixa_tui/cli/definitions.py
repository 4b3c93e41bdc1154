"""``dixa-tui definitions list|show``: the organization's custom attribute definitions
(export, diff and lint are in ``cli.schema``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, TypeVar

import click

from dixa_tui.cli.common import EXIT_API, fail, handled, open_session, run
from dixa_tui.session.core import RowsRead

if TYPE_CHECKING:
    from dixa_tui.api.models import CustomAttributeDefinition
    from dixa_tui.api.rows import DefinitionFields
    from dixa_tui.api.salvage import DefinitionsRead
    from dixa_tui.session.core import Session
    from dixa_tui.session.schema import Listed

D = TypeVar("D", bound="DefinitionFields")


@click.group()
def definitions() -> None:
    """List and inspect custom attribute definitions."""


@definitions.command("list")
@click.option("--json", "as_json", is_flag=True, help="A JSON array in Dixa's own shape.")
@click.option("--entity", type=click.Choice(["enduser", "contact", "conversation"]),
              help="Only definitions for end users (enduser, or Dixa's name: contact) or "
                   "conversations.")
@click.option("--include-archived", is_flag=True, help="Show archived definitions too.")
@handled
def definitions_list(as_json: bool, entity: str | None, include_archived: bool) -> None:
    """Every custom attribute definition of the organization."""
    from dixa_tui.cli import render
    from dixa_tui.text import plural

    session = open_session()
    wanted = "contact" if entity == "enduser" else entity

    def chosen(found: Sequence[D]) -> list[D]:
        return [d for d in found if (include_archived or not d.is_archived)
                and (wanted is None or d.entity_type.lower() == wanted)]

    listed: Listed | None = None
    if as_json or (session.profile.snapshots and not session.demo):
        # Dixa's own shape, or a snapshot to save: the models read the whole list.
        listed = run(_list(session))
        found: Sequence[DefinitionFields] = listed.read.definitions
        skipped = listed.read.skipped
        if as_json:
            click.echo(render.to_json([d.to_dixa() for d in chosen(listed.read.definitions)]))
    else:  # the table needs only the rows: no pydantic (``Session.list_rows``)
        read = run(_rows(session))
        found = read.rows if isinstance(read, RowsRead) else read.definitions
        skipped = read.skipped
    if not as_json:
        shown = chosen(found)
        click.echo(render.definitions_table(shown))
        hidden = sum(1 for d in found if d.is_archived) if not include_archived else 0
        note = f", {hidden} archived hidden (--include-archived shows them)" if hidden else ""
        click.echo(f"{plural(len(shown), 'definition')}{note}", err=True)
    if skipped:
        click.echo(render.skipped_text(skipped), err=True)
    snapshot = listed.note() if listed is not None else None
    if snapshot and listed is not None:  # the profile keeps snapshots (``snapshots = true``)
        from dixa_tui.text import clean

        click.echo(clean(snapshot if listed.problem is None else f"Warning: {snapshot}"),
                   err=True)


@definitions.command("show")
@click.argument("ref", metavar="ID_OR_IDENTIFIER")
@click.option("--json", "as_json", is_flag=True, help="The definition in Dixa's own shape.")
@handled
def definitions_show(ref: str, as_json: bool) -> None:
    """One definition with every field, and a Select's option tree."""
    from dixa_tui.cli import render

    definition = run(_show(open_session(), ref))
    click.echo(render.to_json(definition.to_dixa()) if as_json
               else render.definition_detail(definition))


async def _list(session: Session) -> Listed:
    from dixa_tui.session.schema import list_definitions

    async with session:
        return await list_definitions(session)


async def _rows(session: Session) -> RowsRead | DefinitionsRead:
    async with session:
        return await session.list_rows()


async def _show(session: Session, ref: str) -> CustomAttributeDefinition:
    from dixa_tui.api.salvage import skipped_lines
    from dixa_tui.cli import render
    from dixa_tui.domain.patch import Problem

    async with session:
        read = await session.load_definitions()
        found = (await session.index()).resolve(ref)
        unreadable = [s for s in read.skipped if s.id == ref]
        if isinstance(found, Problem) and unreadable:  # Dixa sent it, unreadable: exit 1
            fail("Error: " + "\n".join(skipped_lines(unreadable)), EXIT_API)
        if read.skipped:
            click.echo(render.skipped_text(read.skipped), err=True)
        if isinstance(found, Problem):
            fail(f"Error: {found}")
        return await session.get_definition(found.id)
