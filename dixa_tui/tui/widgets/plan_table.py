"""A bulk plan as a table, one row per target: what happens to it (to send, unchanged, in
error; then sent, failed, conflict... as Dixa answers), who it is, and before -> after.

The status column comes first, so at 80 columns what happened is in view whatever the
width of the rest; :func:`entry_detail` gives the highlighted target whole (every
attribute, every problem, Dixa's message) for the pane under the table. Every value, name
and message goes through ``lit``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.widgets import DataTable

from dixa_tui.domain.patch import DefinitionIndex, Target, format_value
from dixa_tui.text import plural
from dixa_tui.tui.literal import gap, join, lit

if TYPE_CHECKING:
    from dixa_tui.domain.bulk_plan import AttributeChange, Plan, PlanEntry
    from dixa_tui.domain.bulk_results import ResultLine

WIDE = 110  # columns from which the target column gets its full width
# status -> (word, style): the plan's, then the outcomes Dixa's answers give
PLANNED: dict[str, tuple[str, str]] = {
    "change": ("to send", "bold"), "unchanged": ("unchanged", "dim"),
    "error": ("error", "bold red")}
OUTCOMES: dict[str, tuple[str, str]] = {
    "sent": ("sent ✔", "bold green"), "unchanged": ("unchanged", "dim"),
    "skipped": ("done before", "green"), "conflict": ("conflict", "bold yellow"),
    "failed": ("failed ✖", "bold red"), "unknown": ("unknown ?", "bold magenta")}


def _cut(text: Text, width: int) -> Text:
    if text.cell_len > width:
        text.truncate(width, overflow="ellipsis")
    return text


def value_text(index: DefinitionIndex, change: AttributeChange, value: object) -> str:
    return format_value(index.by_id.get(change.definition_id), value)


def target_name(entry: PlanEntry, names: Mapping[Target, str]) -> str:
    """The name the marks gave, else the reference as the input wrote it."""
    if entry.target is not None and entry.target in names:
        return names[entry.target]
    if entry.target is not None and entry.target.kind == "conversation":
        return f"#{entry.target.id}"
    return entry.ref or (entry.target.id if entry.target else "(no target)")


def change_cell(entry: PlanEntry, index: DefinitionIndex) -> Text:
    """The first changed attribute's before -> after (and how many more), the value an
    unchanged target already holds, or the first error. Spaces end segments, never start
    them: a picture of the screen (the SVG export) drops a segment's leading spaces."""
    if entry.errors:
        return _with_more(lit(entry.errors[0].text, "red"), len(entry.errors) - 1)
    changed = [c for c in entry.changes if c.changed]
    if not changed:
        if not entry.changes:
            return lit("nothing to change", "dim")
        first = entry.changes[0]
        return lit(f"{first.label or first.identifier}: already "
                   f"{value_text(index, first, first.after)}", "dim")
    first = changed[0]
    return join(lit(f"{first.label or first.identifier}: ", "bold"),
                lit(value_text(index, first, first.before) + " ", "red"), lit("-> "),
                _with_more(lit(value_text(index, first, first.after), "green"),
                           len(changed) - 1))


def _with_more(text: Text, more: int) -> Text:
    """``text (+2)``: how many more than the one shown."""
    if more <= 0:
        return text
    return join(text, lit(" "), lit(f"(+{more})", "dim"))


def status_cell(entry: PlanEntry, result: ResultLine | None) -> Text:
    if result is not None:
        word, style = OUTCOMES.get(result.outcome, (result.outcome, ""))
    else:
        word, style = PLANNED[entry.status]
        if entry.status == "change" and entry.warnings:
            word, style = "to send !", "bold yellow"
    return lit(word, style)


def entry_detail(entry: PlanEntry, index: DefinitionIndex, names: Mapping[Target, str],
                 result: ResultLine | None, source: str | None) -> Text:
    """One target whole: who, every attribute's before -> after, its problems, and what
    Dixa answered."""
    who = [lit(target_name(entry, names), "bold")]
    if entry.target is not None:
        who += [gap(), lit(f"({entry.target.describe()})", "dim")]
    if source:
        who += [gap(), lit(f"· line {entry.line} of {source}", "dim")]
    lines = [join(*who)]
    for change in entry.changes:
        label = lit(f"{change.label or change.identifier}:", "bold")
        before = value_text(index, change, change.before)
        after = value_text(index, change, change.after)
        if change.changed:
            lines.append(join(gap(2), label, gap(), lit(before, "red"), gap(), lit("->"),
                              gap(), lit(after, "bold green")))
        else:
            lines.append(join(gap(2), label, gap(), lit(f"already {after}: not sent", "dim")))
    lines += [join(lit("✖ error", "bold red"), gap(), lit(p.text)) for p in entry.errors]
    lines += [join(lit("! warning", "bold yellow"), gap(), lit(p.text))
              for p in entry.warnings]
    if result is not None:
        word, style = OUTCOMES.get(result.outcome, (result.outcome, ""))
        said = [lit("Result:", "bold"), gap(), lit(word, style)]
        if result.http_status is not None and result.outcome != "sent" and \
                f"HTTP {result.http_status}" not in result.message:
            said += [gap(), lit(f"· HTTP {result.http_status}")]
        if result.message:
            said += [gap(), lit("·"), gap(), lit(result.message)]
        lines.append(join(*said))
    return Text("\n").join(lines)


class PlanTable(DataTable[Text]):
    """The plan's entries by line; :meth:`show_result` updates one as Dixa answers."""

    DEFAULT_CSS: ClassVar[str] = """
    PlanTable { height: 1fr; border: round $panel-lighten-2; }
    PlanTable:focus { border: round $accent; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.plan: Plan | None = None
        self.index = DefinitionIndex([])
        self.names: Mapping[Target, str] = {}
        self.results: dict[int, ResultLine] = {}
        self.lines: list[int] = []

    def show_plan(self, plan: Plan, index: DefinitionIndex, names: Mapping[Target, str],
                  *, with_lines: bool) -> None:
        self.plan, self.index, self.names = plan, index, names
        self.results = {}
        self.clear(columns=True)
        if with_lines:
            self.add_column(Text("Line"), key="line")
        self.add_column(Text("Status"), key="status", width=11)
        self.add_column(Text("Target"), key="target")
        self.add_column(Text("Before -> after"), key="change")
        self.lines = [e.line for e in plan.entries]
        width = self.size.width or self.app.size.width
        target_width = 30 if width >= WIDE else 20
        change_width = max(24, width - target_width - (24 if with_lines else 18))
        for entry in plan.entries:
            cells = [status_cell(entry, None),
                     _cut(lit(target_name(entry, names)), target_width),
                     _cut(change_cell(entry, index), change_width)]
            if with_lines:
                cells.insert(0, lit(str(entry.line), "dim"))
            self.add_row(*cells, key=str(entry.line))
        self.border_title = plural(len(plan.entries), "target")

    def show_result(self, result: ResultLine) -> None:
        """A target's latest outcome, in its row."""
        if self.plan is None:
            return
        entry = self.plan.entry_at(result.line)
        if entry is None:
            return
        self.results[result.line] = result
        self.update_cell(str(result.line), "status", status_cell(entry, result))

    @property
    def highlighted_entry(self) -> PlanEntry | None:
        if self.plan is None or not 0 <= self.cursor_row < len(self.lines):
            return None
        return self.plan.entry_at(self.lines[self.cursor_row])
