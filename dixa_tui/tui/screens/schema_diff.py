"""The schema diff screen: pick two schemas, see what changed from A to B.

A source is what ``definitions diff`` takes (this profile live, another profile live with
its own key, a saved snapshot by date, a snapshot file), typed into A or B or picked from
the list of what is at hand (:func:`~dixa_tui.session.schema.source_choices`). The
comparison runs through the session (``Ui.run``); its answer comes back as
:class:`SchemaCompared` and fills a :class:`ChangeList` grouped by definition, with the
counts above it and the highlighted change's before/after below it (``enter`` shows them
whole). Failures go on to the app, which shows them in this screen's error bar.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, ClassVar, Literal

from rich.text import Text
from textual import on
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import ContentSwitcher, Input, LoadingIndicator, OptionList, Static
from textual.widgets.option_list import Option

from dixa_tui.domain.schema_snapshot import parse_source
from dixa_tui.text import plural
from dixa_tui.tui.literal import gap, join, lit
from dixa_tui.tui.messages import Request, RequestFailed, SchemaCompared, SchemaSourcesListed
from dixa_tui.tui.widgets.changes import ChangeList, mark, value_text
from dixa_tui.tui.widgets.errorbar import ErrorBar
from dixa_tui.tui.widgets.footer import Footer

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from dixa_tui.domain.schema_change import SchemaChange
    from dixa_tui.domain.schema_snapshot import SchemaSource
    from dixa_tui.session.core import Session
    from dixa_tui.session.schema import SchemaComparison, SchemaRead, SourceChoice
    from dixa_tui.tui.context import Ui

__all__ = ["ChangeDetailScreen", "SchemaDiffScreen"]

Slot = Literal["a", "b"]
HINT = "A file, profile:NAME or profile:NAME@YYYY-MM-DD; ↓ picks one; {compare} compares."


def change_title(change: SchemaChange) -> Text:
    marker, style = mark(change)
    who = change.identifier or "(no identifier)"
    parts = [lit(marker, f"bold {style}"), gap(), lit(who, "bold")]
    if change.entity_type:
        parts += [gap(), lit(f"({change.entity_type})")]
    if change.option_path:
        parts += [gap(), lit("· option"), gap(), lit("/".join(change.option_path), "bold")]
    parts += [gap(), lit(f"· {change.kind}", "dim")]
    return join(*parts)


def before_after(change: SchemaChange, *, single_line: bool = True) -> Text:
    rows = [lit(change.what(), single_line=single_line)]
    if change.kind not in ("definition_added", "option_added"):
        rows.append(join(lit("before", "bold red"), gap(2),
                         lit(value_text(change.before), single_line=single_line)))
    if change.kind not in ("definition_removed", "option_removed"):
        rows.append(join(lit("after", "bold green"), gap(3),
                         lit(value_text(change.after), single_line=single_line)))
    if change.count:
        rows.append(lit(f"with {plural(change.count, 'option')} below it",
                        "dim"))
    return Text("\n").join(rows)


class ChangeDetailScreen(ModalScreen[None]):
    """One change, whole: long labels and descriptions wrapped, line breaks shown."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter,q", "close", "Close", id="change_detail.close",
                tooltip="Close the change shown whole"),
    ]
    DEFAULT_CSS = """
    ChangeDetailScreen { align: center middle; }
    ChangeDetailScreen > VerticalScroll {
        width: 90%; max-width: 100; height: auto; max-height: 80%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    """

    def __init__(self, change: SchemaChange) -> None:
        super().__init__()
        self.change = change

    def compose(self) -> ComposeResult:
        with VerticalScroll() as box:
            box.border_title = "Change · escape closes"
            yield Static(change_title(self.change))
            yield Static(before_after(self.change, single_line=False), id="change-body")

    def action_close(self) -> None:
        self.dismiss()


class SchemaDiffScreen(Screen[None]):
    """Schema A (before) against schema B (after)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f5", "compare", "Compare", id="schema_diff.compare",
                tooltip="Read A and B and show what changed"),
        Binding("f6", "swap", "Swap A and B", id="schema_diff.swap",
                tooltip="Swap the two schemas being compared"),
        Binding("f4", "sources", "Sources", id="schema_diff.sources",
                tooltip="Pick A and B from this profile, the others and the saved snapshots"),
        Binding("escape", "back", "Back", id="schema_diff.back",
                tooltip="Dismiss the error, back to the changes, or back to the definitions"),
        Binding("down", "to_list", "To the list", show=False, id="schema_diff.to_list",
                tooltip="From A or B down to the sources (or the changes)"),
        Binding("question_mark", "app.help", "Help", show=False, id="app.help",
                tooltip="Show every key of every screen"),
    ]
    DEFAULT_CSS = """
    SchemaDiffScreen { layout: vertical; }
    SchemaDiffScreen #diff-title { height: 1; padding: 0 1; background: $panel; }
    SchemaDiffScreen .source { height: 1; margin: 0 1; }
    SchemaDiffScreen .source > Static { width: 12; }
    SchemaDiffScreen .source > Input {
        width: 1fr; height: 1; border: none; padding: 0 1; background: $boost;
    }
    SchemaDiffScreen .source > Input:focus { border: none; background: $primary 25%; }
    SchemaDiffScreen #diff-hint { height: auto; max-height: 2; padding: 0 1; color: $text-muted; }
    SchemaDiffScreen #diff-hint.-problem { color: $error; text-style: bold; }
    SchemaDiffScreen #diff-body { height: 1fr; border: round $panel-lighten-2; }
    SchemaDiffScreen #diff-body:focus-within { border: round $accent; }
    SchemaDiffScreen #diff-summary { height: auto; max-height: 4; padding: 0 1; }
    SchemaDiffScreen #diff-loading { height: 3; }
    SchemaDiffScreen #diff-switcher, SchemaDiffScreen #diff-changes-pane { height: 1fr; }
    SchemaDiffScreen #diff-body OptionList { height: 1fr; border: none; padding: 0; }
    SchemaDiffScreen #diff-body OptionList:focus { border: none; }
    SchemaDiffScreen #diff-detail {
        height: 5; padding: 0 1; border-top: solid $panel-lighten-2;
    }
    """

    def __init__(self, ui: Ui, *, a: str = "", b: str | None = None) -> None:
        super().__init__()
        self.ui = ui
        current = ui.session.profile.name if ui.session is not None else None
        self._start = (a, b if b is not None else (f"profile:{current}" if current else ""))
        self.slot: Slot = "a"  # the input a picked source goes into
        self.choices: list[SourceChoice] = []
        self.comparison: SchemaComparison | None = None
        self.comparing = False

    def compose(self) -> ComposeResult:
        yield Static(id="diff-title")
        with Horizontal(classes="source"):
            yield Static(lit("A (before)", "bold"))
            yield Input(self._start[0], placeholder="e.g. snapshot.json or profile:prod@2026-11-01",
                        id="source-a")
        with Horizontal(classes="source"):
            yield Static(lit("B (after)", "bold"))
            yield Input(self._start[1], placeholder="e.g. profile:prod", id="source-b")
        yield Static(id="diff-hint")
        with Vertical(id="diff-body"):
            yield Static(id="diff-summary")
            yield LoadingIndicator(id="diff-loading")
            with ContentSwitcher(initial="diff-sources", id="diff-switcher"):
                yield OptionList(id="diff-sources")
                with Vertical(id="diff-changes-pane"):
                    yield ChangeList(id="diff-changes")
                    yield Static(id="diff-detail")
        yield ErrorBar(id="diff-errors")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#diff-loading").display = False
        self._title()
        self._hint()
        self._summary(lit("Sources at hand (enter puts the highlighted one into A):", "dim"))
        self._input("b" if self._start[0] and not self._start[1] else "a").focus()
        self.ui.run(self, Request.SCHEMA_SOURCES, _choices, SchemaSourcesListed)

    # -- widgets --------------------------------------------------------------------------

    def _input(self, slot: Slot) -> Input:
        return self.query_one(f"#source-{slot}", Input)

    def _title(self) -> None:
        session = self.ui.session
        profile = session.profile.name if session is not None else "…"
        self.query_one("#diff-title", Static).update(join(
            lit("Schema diff", "bold"), gap(), lit("· what changed from A to B · profile"),
            gap(), lit(profile, "bold")))

    def _hint(self, problem: str | None = None) -> None:
        line = self.query_one("#diff-hint", Static)
        line.set_class(problem is not None, "-problem")
        compare = self.ui.key_hint("schema_diff.compare", "f5")
        line.update(lit(problem if problem is not None else HINT.format(compare=compare)))

    def _summary(self, text: Text) -> None:
        self.query_one("#diff-summary", Static).update(text)

    def _show(self, pane: Literal["diff-sources", "diff-changes-pane"]) -> None:
        self.query_one(ContentSwitcher).current = pane

    # -- sources --------------------------------------------------------------------------

    def on_schema_sources_listed(self, message: SchemaSourcesListed) -> None:
        self.choices = message.choices
        listing = self.query_one("#diff-sources", OptionList)
        listing.clear_options()
        listing.add_options([Option(join(lit(c.title, "bold"), gap(), lit(f"· {c.note}", "dim"),
                                         "\n", gap(2), lit(c.text, "italic")), id=f"s{i}")
                             for i, c in enumerate(self.choices)])
        listing.highlighted = 0 if self.choices else None

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        self._hint()

    def on_descendant_focus(self, event: object) -> None:
        """Focus in A or B: that is where a picked source goes, and the list shows."""
        focused = self.focused
        if isinstance(focused, Input) and focused.id in ("source-a", "source-b"):
            self.slot = "a" if focused.id == "source-a" else "b"
            self._show("diff-sources")
            self._summary(lit(f"Sources at hand (enter puts the highlighted one into "
                              f"{self.slot.upper()}):", "dim"))

    @on(OptionList.OptionSelected, "#diff-sources")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        index = int(event.option.id[1:]) if event.option.id else -1
        if not 0 <= index < len(self.choices):
            return
        self._input(self.slot).value = self.choices[index].text
        other: Slot = "b" if self.slot == "a" else "a"
        if not self._input(other).value.strip():
            self.slot = other
            self._summary(lit(f"Now pick B (enter puts the highlighted one into "
                              f"{other.upper()}):", "dim"))
            return
        self.action_compare()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        other: Slot = "b" if event.input.id == "source-a" else "a"
        if not self._input(other).value.strip():
            self._input(other).focus()
            return
        self.action_compare()

    # -- comparing ------------------------------------------------------------------------

    def action_compare(self) -> None:
        texts = (self._input("a").value.strip(), self._input("b").value.strip())
        for slot, text in zip(("A", "B"), texts, strict=True):
            if not text:
                self._hint(f"{slot} is empty: type a source or pick one below.")
                return
        try:
            a, b = parse_source(texts[0]), parse_source(texts[1])
        except ValueError as exc:
            self._hint(str(exc))
            return
        self._hint()
        self.comparing = True
        self.query_one(ErrorBar).clear()
        self.query_one("#diff-loading").display = True
        self._summary(join(lit("Reading A and B… ", "bold"),
                           lit("(a profile is read live at Dixa's rate)", "dim")))
        self.ui.run(self, Request.SCHEMA_DIFF,
                    lambda session: _compare(session, a, b), SchemaCompared)

    def on_schema_compared(self, message: SchemaCompared) -> None:
        self.comparing = False
        self.query_one("#diff-loading").display = False
        comparison = self.comparison = message.comparison
        self._summary(summary(comparison))
        changes = self.query_one(ChangeList)
        changes.show(comparison.changes)
        self._show("diff-changes-pane")
        self._detail()
        changes.focus()
        notes = [*comparison.caveats, *_unreadable(comparison.a), *_unreadable(comparison.b)]
        if notes:
            from dixa_tui.text import clean

            self.notify("\n".join(clean(n) for n in notes), title="Read with care",
                        severity="warning", timeout=12, markup=False)

    def on_request_failed(self, message: RequestFailed) -> None:
        """The app shows the error in this screen's bar; here the waiting stops."""
        if message.request is Request.SCHEMA_DIFF:
            self.comparing = False
            self.query_one("#diff-loading").display = False
            self._summary(lit("Not compared: see the message below.", "bold"))

    @on(OptionList.OptionHighlighted, "#diff-changes")
    def _moved(self, event: OptionList.OptionHighlighted) -> None:
        self._detail()

    def _detail(self) -> None:
        change = self.query_one(ChangeList).current
        detail = self.query_one("#diff-detail", Static)
        if change is None:
            equal = self.comparison is not None and self.comparison.equal
            detail.update(lit("A and B are the same schema." if equal else ""))
            return
        detail.update(join(change_title(change), "\n", before_after(change)))

    def on_change_list_chosen(self, message: ChangeList.Chosen) -> None:
        self.app.push_screen(ChangeDetailScreen(message.change))

    # -- actions --------------------------------------------------------------------------

    def action_swap(self) -> None:
        a, b = self._input("a"), self._input("b")
        a.value, b.value = b.value, a.value
        if self.comparison is not None and not self.comparing:
            self.action_compare()

    def action_to_list(self) -> None:
        """Down from A or B: into the list the body shows."""
        if isinstance(self.focused, Input):
            switcher = self.query_one(ContentSwitcher)
            target = "#diff-sources" if switcher.current == "diff-sources" else "#diff-changes"
            self.query_one(target, OptionList).focus()

    def action_sources(self) -> None:
        self._input(self.slot).focus()

    def action_back(self) -> None:
        bar = self.query_one(ErrorBar)
        if bar.shown:
            bar.clear()
        elif self.comparison is not None and \
                self.query_one(ContentSwitcher).current == "diff-sources":
            self._show("diff-changes-pane")
            self._summary(summary(self.comparison))
            self.query_one(ChangeList).focus()
        else:
            self.dismiss()


def summary(comparison: SchemaComparison) -> Text:
    """``A: name · 46 definitions`` / ``B: …`` / the counts, coloured like the list."""
    def side(letter: str, read: SchemaRead) -> Text:
        count = len(read.definitions)
        return join(lit(f"{letter}:", "bold"), gap(), lit(read.name), gap(),
                    lit(f"· {plural(count, 'definition')}", "dim"))

    changes = comparison.changes
    if not changes:
        counts = lit("No differences: A and B are the same schema.", "bold green")
    else:
        marks = Counter(mark(c)[0] for c in changes)
        touched = len({(c.identifier, c.entity_type) for c in changes})
        counts = join(lit(f"{plural(len(changes), 'change')} in "
                          f"{plural(touched, 'definition')}:", "bold"), gap(),
                      lit(f"+{marks['+']} added", "green"), gap(), lit("·"), gap(),
                      lit(f"-{marks['-']} removed", "red"), gap(), lit("·"), gap(),
                      lit(f"~{marks['~']} changed", "cyan"))
    return Text("\n").join([counts, side("A", comparison.a), side("B", comparison.b)])


def _unreadable(read: SchemaRead) -> list[str]:
    if not read.skipped:
        return []
    from dixa_tui.api.salvage import skipped_lines

    return [f"{read.name}: {line}" for line in skipped_lines(read.skipped)]


async def _choices(session: Session) -> list[SourceChoice]:
    from dixa_tui.session.schema import choices

    return await choices(session)


async def _compare(session: Session, a: SchemaSource, b: SchemaSource) -> SchemaComparison:
    from dixa_tui.session.schema import compare_sources

    return await compare_sources(session, a, b)
