"""``dixa-tui get enduser|conversation``: a target's value for every attribute of its entity
type, set or empty, by identifier, label and value path.

``get`` is how a script (or an admin before an edit) sees what a record holds in the names
``patch`` takes: the PATH column is what ``--set IDENT=PATH`` writes back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from dixa_tui.cli.common import handled, open_session, run
from dixa_tui.text import plural

if TYPE_CHECKING:
    from dixa_tui.domain.patch import TargetKind
    from dixa_tui.session.core import Session
    from dixa_tui.session.values import TargetValues


@click.group("get")
def get() -> None:
    """Show the current custom attribute values of an end user or a conversation."""


@get.command("enduser")
@click.argument("ref", metavar="TARGET")
@click.option("--json", "as_json", is_flag=True,
              help="One JSON object: target, name, and every attribute with its value.")
@handled
def get_enduser(ref: str, as_json: bool) -> None:
    """Every Contact attribute of the end user TARGET: a UUID, or email:ADDRESS,
    phone:NUMBER or ext:EXTERNAL_ID (which must find exactly one end user)."""
    run(_get(open_session(), "enduser", ref, as_json))


@get.command("conversation")
@click.argument("ref", metavar="ID")
@click.option("--json", "as_json", is_flag=True,
              help="One JSON object: target, name, and every attribute with its value.")
@handled
def get_conversation(ref: str, as_json: bool) -> None:
    """Every Conversation attribute of conversation ID (its number)."""
    run(_get(open_session(), "conversation", ref, as_json))


async def _get(session: Session, kind: TargetKind, ref: str, as_json: bool) -> None:
    from dixa_tui.cli import render

    async with session:
        read = await session.load_definitions()
        if read.skipped:
            click.echo(render.skipped_text(read.skipped), err=True)
        from dixa_tui.session.values import get_values

        target = await session.resolve_target(kind, ref)
        values = await get_values(session, target)
    if as_json:
        click.echo(render.to_json(values.to_json()))
        return
    click.echo(values_table(values))
    click.echo(summary(values), err=True)


def values_table(values: TargetValues) -> str:
    from dixa_tui.cli import render

    rows = [((a.identifier or "(none)") if a.known else a.definition_id,
             (a.label or "(no label)") if a.known else "(no definition: deleted?)",
             a.input_type or "(none)", a.text, a.path or "-")
            for a in values.attributes]
    return render.table(("IDENTIFIER", "LABEL", "TYPE", "VALUE", "PATH"), rows)


def summary(values: TargetValues) -> str:
    from dixa_tui.text import clean

    target = values.state.target
    known = [a for a in values.attributes if a.known]
    filled = sum(1 for a in known if a.is_set)
    orphans = len(values.attributes) - len(known)
    extra = (f"; {plural(orphans, 'value')} under ids no definition has" if orphans
             else "")
    return (f"{clean(values.state.title)} ({target.describe()}): {filled} of {len(known)} "
            f"{target.entity_type} attributes set{extra}.")
