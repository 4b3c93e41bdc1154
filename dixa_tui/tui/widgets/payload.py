"""The editor's live panel: the exact JSON body, the before -> after diff, and the problems;
after a send, the same diff with Dixa's answer under each row."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text

from dixa_tui.tui.literal import join, lit

if TYPE_CHECKING:
    from dixa_tui.domain.patch import DiffRow, Problem


def body_json(body: Mapping[str, Any]) -> str:
    """The body exactly as it is sent (key order kept; non-ASCII kept as typed)."""
    return json.dumps(body, indent=2, ensure_ascii=False)


def body_view(body: Mapping[str, Any], sendable: bool) -> Text:
    """The body as sent, never wrapped: an id folded across two lines cannot be read or
    copied, so a narrow pane scrolls sideways instead."""
    if not body:
        return lit("Nothing staged yet: pick an attribute, then type or pick a value.", "dim")
    text = lit(body_json(body), single_line=False)
    if not sendable:
        text.stylize("dim")
    return text


def diff_view(rows: Sequence[DiffRow]) -> Table | Text:
    if not rows:
        return lit("No changes.", "dim")
    table = Table.grid(padding=(0, 1))
    table.add_column(style="bold", no_wrap=True, max_width=24)
    table.add_column(overflow="fold")
    table.add_column(no_wrap=True)
    table.add_column(overflow="fold")
    for row in rows:
        after_style = "bold green" if row.changed else "dim"
        table.add_row(lit(row.label or row.identifier), lit(row.before_text, "red"),
                      lit("->"), lit(row.after_text, after_style))
    return table


def problems_view(problems: Sequence[Problem], names: Mapping[str, str]) -> Text:
    """Errors then warnings, each naming its attribute by label."""
    if not problems:
        return lit("✔ No problems: ready to send.", "green")
    lines = []
    for p in sorted(problems, key=lambda p: p.severity != "error"):
        mark = lit("✖ error ", "bold red") if p.severity == "error" else \
            lit("! warning ", "bold yellow")
        who = names.get(p.ref, p.ref)
        lines.append(join(mark, lit(f"{who}: " if who else ""), lit(p.message)))
    return Text("\n").join(lines)


def sent_view(rows: Sequence[DiffRow], returned: Mapping[str, str]) -> Table | Text:
    """What was sent, as the diff showed it before sending (the old values stay on screen:
    the only record of them besides the journal), and under each row what Dixa answered it
    holds now (``returned``: definition id -> the value as text; a key Dixa left out of its
    answer reads as not confirmed)."""
    if not rows:
        return lit("Nothing was sent.", "dim")
    table = Table.grid(padding=(0, 1))
    table.add_column(style="bold", no_wrap=True, max_width=24)
    table.add_column(overflow="fold")
    for row in rows:
        answer = returned.get(row.definition_id)
        if answer is None:
            said = lit("Dixa's answer left it out", "yellow")
        elif answer == row.after_text:
            said = join(lit("Dixa: ", "dim"), lit(answer), lit(" ✔", "green"))
        else:
            said = join(lit("Dixa holds: ", "yellow"), lit(answer, "bold yellow"))
        change = join(lit(row.before_text, "red"), lit(" -> "),
                      lit(row.after_text, "bold green"), "\n", said)
        table.add_row(lit(row.label or row.identifier), change)
    return table
