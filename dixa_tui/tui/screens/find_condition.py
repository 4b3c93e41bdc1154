"""The condition picker of the Find screen: one part of a query, built by choosing.

First what to test: a Conversation attribute (from the definitions) or one of what Dixa's
search filters on (created/closed dates, status, channel, queue, tag, text). Then, for an
attribute, the operator its type allows, then the value: a Select's option tree (the
:class:`~dixa_tui.tui.widgets.option_tree.OptionBrowser` the editor uses; ``is one of``
takes several options), a Text's words. Dates offer shortcuts (``7d``, ``30d``, ``today``)
or a typed date; status and channel a list to tick. What is typed is checked as it is typed,
with the same rules as the CLI's, so the picker only ever gives back a part that reads.

Dismisses with the :class:`~dixa_tui.domain.query_parts.Part` built, or None.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import ContentSwitcher, Input, OptionList, SelectionList, Static
from textual.widgets.option_list import Option

from dixa_tui.domain.query import CHANNELS, STATUS_WORDS, QueryError, compile_query
from dixa_tui.domain.query_parts import DATE_SHORTCUTS, Part, from_parts, where_part
from dixa_tui.domain.where import WORDS, Op, WhereError, split_items
from dixa_tui.tui.literal import join, lit
from dixa_tui.tui.widgets.footer import Footer
from dixa_tui.tui.widgets.option_tree import OptionBrowser, OptionTree

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from dixa_tui.api.models import CustomAttributeDefinition

__all__ = ["ConditionScreen"]

# What Dixa's search filters on: (option, what the list says)
FILTERS: tuple[tuple[str, str], ...] = (
    ("--created-since", "Created since…"), ("--created-until", "Created until…"),
    ("--closed-since", "Closed since…"), ("--closed-until", "Closed until…"),
    ("--status", "Status is one of…"), ("--channel", "Channel is one of…"),
    ("--queue", "Queue is one of… (queue ids)"), ("--tag", "Tag is one of… (tag ids)"),
    ("--text", "Text in the messages…"),
)
OP_HELP: dict[Op, str] = {
    "empty": "has no value", "not_empty": "has a value", "is": "is exactly this value",
    "is_not": "is anything else, empty included", "one_of": "is any of these values",
    "not_one_of": "is none of these, empty included",
    "under": "is this option or one below it", "not_under": "is not this option nor below it",
}
TEXT_OPS: tuple[Op, ...] = ("empty", "not_empty", "is", "is_not", "one_of", "not_one_of")
SELECT_OPS: tuple[Op, ...] = ("empty", "not_empty", "is", "is_not", "one_of", "under",
                              "not_one_of", "not_under")
TYPED_DATE = "typed"


def _name(definition: CustomAttributeDefinition) -> str:
    return definition.label or definition.identifier or definition.id


class ConditionScreen(ModalScreen[Part | None]):
    """Pick what to test, then how, then the value."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="condition.back",
                tooltip="One step back; on the first step, close without adding"),
        Binding("f5", "done", "Add", id="condition.done",
                tooltip="Add the condition (once ticked, or options picked for 'is one of')"),
        Binding("down", "to_list", "To the list", show=False, id="condition.to_list",
                tooltip="Move from the box where you type to the list below it"),
        Binding("question_mark", "app.help", "Help", show=False, id="app.help",
                tooltip="Show every key of every screen"),
    ]
    DEFAULT_CSS = """
    ConditionScreen { align: center middle; }
    ConditionScreen > #condition {
        width: 100%; max-width: 110; height: 90%; max-height: 34;
        border: round $primary; background: $surface; padding: 0 1;
    }
    ConditionScreen #condition-head { height: auto; max-height: 3; }
    ConditionScreen #condition-hint { height: auto; max-height: 2; color: $text-muted; }
    ConditionScreen ContentSwitcher { height: 1fr; }
    ConditionScreen .step { height: 1fr; }
    ConditionScreen #what-filter { height: 1; border: none; padding: 0 1; background: $boost; }
    ConditionScreen #text-input { height: 1; border: none; padding: 0 1; background: $boost; }
    ConditionScreen #text-check { height: auto; max-height: 4; }
    ConditionScreen #text-check.-problem { color: $error; }
    ConditionScreen OptionList, ConditionScreen SelectionList { height: 1fr; }
    """

    def __init__(self, definitions: Sequence[CustomAttributeDefinition], *,
                 now: datetime, done_key: str = "f5") -> None:
        """``done_key``: the key of ``condition.done`` as the user's keymap has it."""
        super().__init__()
        self.definitions = definitions
        self.done_key = done_key
        self.attributes = [d for d in definitions if d.entity_type == "Conversation"
                           and not d.is_archived]
        self.now = now
        self.option: str | None = None  # a search filter being built
        self.definition: CustomAttributeDefinition | None = None  # or an attribute
        self.op: Op | None = None
        self.paths: list[tuple[str, ...]] = []  # options picked for "is one of"

    def compose(self) -> ComposeResult:
        with Vertical(id="condition") as box:
            box.border_title = "Add a condition"
            yield Static(id="condition-head")
            yield Static(id="condition-hint")
            with ContentSwitcher(initial="step-what"):
                with Vertical(id="step-what", classes="step"):
                    yield Input(placeholder="Type to narrow: an attribute's label or "
                                            "identifier, or created, status…", id="what-filter")
                    yield OptionList(id="what")
                yield OptionList(id="step-op", classes="step")
                yield OptionList(id="step-date", classes="step")
                yield SelectionList[str](id="step-choices", classes="step")
                yield OptionBrowser(id="step-select", picker=True)
                with Vertical(id="step-text", classes="step"):
                    yield Input(id="text-input")
                    yield Static(id="text-check")
        yield Footer()

    def on_mount(self) -> None:
        self._show_what("")
        self.query_one("#what-filter", Input).focus()

    # -- steps ----------------------------------------------------------------------------

    def _step(self, step: str, head: Text | str, hint: str) -> None:
        self.query_one(ContentSwitcher).current = step
        self.query_one("#condition-head", Static).update(head if isinstance(head, Text)
                                                         else lit(head, "bold"))
        self.query_one("#condition-hint", Static).update(lit(hint))

    def _show_what(self, typed: str) -> None:
        words = typed.casefold().split()

        def fits(*texts: str) -> bool:
            hay = " ".join(texts).casefold()
            return all(w in hay for w in words)

        options: list[Option | None] = []
        for option, label in FILTERS:
            if fits(label, option):
                options.append(Option(lit(label), id=f"opt:{option}"))
        attributes = [d for d in self.attributes
                      if fits(d.label or "", d.identifier or "", d.id, d.input_type)]
        if options and attributes:
            options.append(None)
        for d in attributes:
            options.append(Option(join(lit(_name(d), "bold"), "  ",
                                       lit(f"{d.identifier} · {d.input_type}", "dim")),
                                  id=f"attr:{d.id}"))
        listing = self.query_one("#what", OptionList)
        listing.clear_options()
        listing.add_options(options)
        if listing.option_count:
            listing.highlighted = 0
        self._step("step-what", "What to test",
                   "Type to narrow, enter chooses the first (↓ to the list) · Conversation "
                   "attributes are checked on each conversation read; the rest is Dixa's "
                   "search")

    @on(Input.Changed, "#what-filter")
    def _filter(self, event: Input.Changed) -> None:
        event.stop()
        self._show_what(event.value)

    @on(Input.Submitted, "#what-filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        """Enter in the box chooses the highlighted (first) match: type, then enter."""
        event.stop()
        option = self.query_one("#what", OptionList).highlighted_option
        if option is not None:
            self._choose_what(option.id or "")

    def action_to_list(self) -> None:
        """↓ in the filter box moves to the list (elsewhere the focused widget has it)."""
        if self.focused is self.query_one("#what-filter"):
            self.query_one("#what", OptionList).focus()

    @on(OptionList.OptionSelected, "#what")
    def _what_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._choose_what(event.option.id or "")

    def _choose_what(self, ident: str) -> None:
        kind, _, rest = ident.partition(":")
        if kind == "attr":
            self.definition = next(d for d in self.attributes if d.id == rest)
            self.option = None
            self._show_ops()
        else:
            self.definition, self.option = None, rest
            self._show_filter()

    def _show_ops(self) -> None:
        definition = self.definition
        assert definition is not None
        kind = definition.input_type
        ops = SELECT_OPS if kind == "Select" else TEXT_OPS if kind == "Text" \
            else ("empty", "not_empty")
        listing = self.query_one("#step-op", OptionList)
        listing.clear_options()
        listing.add_options([Option(join(lit(WORDS[op], "bold"), "  ", lit(OP_HELP[op], "dim")),
                                    id=op) for op in ops])
        listing.highlighted = 0
        more = "" if kind in ("Select", "Text") else \
            f" ({kind} values can only be tested for being empty)"
        self._step("step-op", join(lit(_name(definition), "bold"), " ",
                                   lit(f"({definition.identifier} · {kind})", "dim")),
                   f"How to test it{more} · enter chooses · esc back")
        listing.focus()

    @on(OptionList.OptionSelected, "#step-op")
    def _op_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        definition = self.definition
        assert definition is not None
        op = next(o for o in SELECT_OPS if o == event.option.id)
        self.op = op
        if op in ("empty", "not_empty"):
            self.dismiss(where_part(definition, op))
        elif definition.input_type == "Select":
            self.paths = []
            self._show_select()
        else:
            several = op in ("one_of", "not_one_of")
            self._show_text(f"{_name(definition)} {WORDS[op]}…",
                            "Values separated by commas (a value holding a comma in double "
                            "quotes) · enter adds" if several else
                            "The exact value · enter adds", "")

    def _show_select(self) -> None:
        definition, op = self.definition, self.op
        assert definition is not None and op is not None
        browser = self.query_one("#step-select", OptionBrowser)
        browser.set_options(definition.options, keep_search=False)
        several = op in ("one_of", "not_one_of")
        hint = (f"enter picks an option (again: unpicks) · {self.done_key} adds the condition"
                if several else "enter picks the option · type to search · esc back")
        self._step("step-select", self._select_head(), hint)
        browser.search_input.focus()

    def _select_head(self) -> Text:
        definition, op = self.definition, self.op
        assert definition is not None and op is not None
        head = join(lit(_name(definition), "bold"), " ", lit(WORDS[op]))
        if self.paths:
            from dixa_tui.domain.options import labels_for_values

            picked = [labels_for_values(definition.options, list(p)) for p in self.paths]
            head.append_text(join(" ", lit(" or ".join(picked), "bold green")))
        return head

    @on(OptionTree.PathChosen)
    def _path_chosen(self, event: OptionTree.PathChosen) -> None:
        event.stop()
        definition, op = self.definition, self.op
        if definition is None or op is None:
            return
        path = tuple(OptionTree.path_values(event.path))
        if op not in ("one_of", "not_one_of"):
            self.dismiss(where_part(definition, op, [path]))
            return
        if path in self.paths:
            self.paths.remove(path)
        else:
            self.paths.append(path)
        self.query_one("#condition-head", Static).update(self._select_head())

    def _show_filter(self) -> None:
        option = self.option
        label = dict(FILTERS)[option or ""]
        if option in ("--created-since", "--created-until", "--closed-since",
                      "--closed-until"):
            listing = self.query_one("#step-date", OptionList)
            listing.clear_options()
            listing.add_options([Option(join(lit(text, "bold"), "  ", lit(help_text, "dim")),
                                        id=text) for text, help_text in DATE_SHORTCUTS])
            listing.add_option(Option(join(lit("A date or time…", "bold"), "  ",
                                           lit("2026-11-01, 2026-11-01T08:00 (UTC)", "dim")),
                                      id=TYPED_DATE))
            listing.highlighted = 0
            self._step("step-date", label, "enter chooses · relative dates stay relative "
                                           "in a saved query · esc back")
            listing.focus()
        elif option in ("--status", "--channel"):
            choices = self.query_one("#step-choices", SelectionList)
            choices.clear_options()
            items = list(STATUS_WORDS.values()) if option == "--status" else list(CHANNELS)
            choices.add_options([(item, item) for item in items])
            self._step("step-choices", label,
                       f"space or enter ticks · {self.done_key} adds the condition · esc back")
            choices.focus()
        else:
            hint = {"--queue": "Queue ids (UUIDs, as Dixa's settings show them), separated "
                               "by commas · enter adds",
                    "--tag": "Tag ids (UUIDs), separated by commas · enter adds",
                    "--text": "Words Dixa's full-text search looks for · enter adds"}
            self._show_text(label, hint.get(option or "", ""), "")

    @on(OptionList.OptionSelected, "#step-date")
    def _date_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id == TYPED_DATE:
            label = dict(FILTERS)[self.option or ""]
            self._show_text(label, "A date (2026-11-01, midnight UTC), a time "
                                   "(2026-11-01T08:00, UTC) or an ISO time with its zone "
                                   "· enter adds", "")
            return
        self._finish(Part(self.option or "", event.option.id or ""))

    def _show_text(self, head: str, hint: str, value: str) -> None:
        box = self.query_one("#text-input", Input)
        box.value = value
        box.placeholder = hint.split(" · ")[0]
        self.query_one("#text-check", Static).update("")
        self._step("step-text", head, hint + " · esc back")
        box.focus()

    # -- building the part ----------------------------------------------------------------

    def _typed_part(self, typed: str) -> Part | str:
        """The part the text step makes of ``typed``, or what is wrong with it."""
        definition, op = self.definition, self.op
        if definition is None:
            return Part(self.option or "", typed.strip())
        assert op is not None
        if op in ("one_of", "not_one_of"):
            try:
                items = split_items(typed)
            except WhereError as exc:
                return str(exc)
            return where_part(definition, op, items)
        if not typed:
            return "the value is empty: to find empty values, choose 'is empty'"
        return where_part(definition, op, [typed])

    def _problem(self, part: Part) -> str | None:
        try:
            compile_query(from_parts([part]), self.definitions, now=self.now)
        except QueryError as exc:
            return "\n".join(exc.problems)
        return None

    @on(Input.Changed, "#text-input")
    def _typing(self, event: Input.Changed) -> None:
        event.stop()
        check = self.query_one("#text-check", Static)
        if not event.value.strip():
            check.update("")
            return
        part = self._typed_part(event.value)
        problem = part if isinstance(part, str) else self._problem(part)
        check.set_class(problem is not None, "-problem")
        check.update(lit(problem, single_line=False) if problem is not None else
                     lit(f"{part.option} {part.value}", "dim") if isinstance(part, Part)
                     else "")

    @on(Input.Submitted, "#text-input")
    def _typed_done(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit_text(event.value)

    def _submit_text(self, typed: str) -> None:
        part = self._typed_part(typed)
        if isinstance(part, str):
            self._say(part)
            return
        self._finish(part)

    def _say(self, problem: str) -> None:
        check = self.query_one("#text-check", Static)
        check.set_class(True, "-problem")
        check.update(lit(problem, single_line=False))

    def _finish(self, part: Part) -> None:
        problem = self._problem(part)
        if problem is not None:
            if self.query_one(ContentSwitcher).current == "step-text":
                self._say(problem)
            else:
                self.notify(problem, title="Condition", severity="warning", markup=False)
            return
        self.dismiss(part)

    def action_done(self) -> None:
        current = self.query_one(ContentSwitcher).current
        if current == "step-choices":
            picked = [str(v) for v in self.query_one("#step-choices", SelectionList).selected]
            if not picked:
                self.notify("Tick at least one (space), then add.", timeout=3)
                return
            self._finish(Part(self.option or "", ",".join(picked)))
        elif current == "step-select" and self.definition is not None and self.op is not None:
            if not self.paths:
                self.notify("Pick at least one option (enter), then add.", timeout=3)
                return
            self.dismiss(where_part(self.definition, self.op, list(self.paths)))
        elif current == "step-text":
            self._submit_text(self.query_one("#text-input", Input).value)

    def action_back(self) -> None:
        current = self.query_one(ContentSwitcher).current
        if current == "step-what":
            self.dismiss(None)
        elif current == "step-select" or (current == "step-text" and self.definition):
            if self.definition is not None:
                self._show_ops()
        elif current == "step-text" and self.option in dict(FILTERS) and \
                self.option.endswith(("-since", "-until")):
            self._show_filter()
        else:
            self._show_what(self.query_one("#what-filter", Input).value)
            self.query_one("#what", OptionList).focus()
