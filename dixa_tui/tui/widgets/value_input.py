"""One attribute's value as a person edits it: its name and value now, why it cannot be
edited (when it cannot), and a text input (Text) or an option picker (Select).

The editor (one target) and the bulk editor (many, one edit set) both show it. What is typed
or picked is said with :class:`ValueInput.Chosen`; the screen stages it and shows the value
again (:meth:`ValueInput.show`), so the widget holds no draft of its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import events, on
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static

from dixa_tui.domain.patch import check_value, format_value
from dixa_tui.text import clean
from dixa_tui.tui.literal import join, lit
from dixa_tui.tui.widgets.option_tree import OptionBrowser, OptionTree

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from dixa_tui.api.models import CustomAttributeDefinition

HINT = "enter edit · ^n clear (null) · ^l unstage · esc back"
TYPING = "Typing sets the value · enter or esc: back to the list"


class _Unstaged:
    """``staged``'s default: nothing is staged for the attribute."""


UNSTAGED = _Unstaged()


class ValueInput(Vertical):
    """The value area; ``#text-value`` and ``#picker`` are the inputs, one shown at a time."""

    DEFAULT_CSS: ClassVar[str] = """
    ValueInput { width: 1fr; border: round $panel-lighten-2; padding: 0 1; }
    ValueInput:focus-within { border: round $accent; }
    ValueInput #value-head { height: auto; }
    ValueInput #value-reason { height: auto; color: $warning; }
    ValueInput #picker { height: 1fr; }
    ValueInput #picker OptionTree { overflow-x: hidden; }
    """

    class Chosen(Message):
        """A value typed (each keystroke) or picked for ``definition``: stage it."""

        def __init__(self, definition: CustomAttributeDefinition, value: Any) -> None:
            super().__init__()
            self.definition = definition
            self.value = value

    class Submitted(Message):
        """Enter in the text input: the value is typed, back to the list."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.definition: CustomAttributeDefinition | None = None
        self.current: Any = None
        self.staged = False
        self._set_text: str | None = None  # the value we put in the input, not typed
        self._reason: Text = Text("")  # what the reason line says while not typing

    def compose(self) -> ComposeResult:
        yield Static(id="value-head")
        yield Static(id="value-reason")
        yield Input(id="text-value")
        yield OptionBrowser(id="picker", picker=True)

    @property
    def text_input(self) -> Input:
        return self.query_one("#text-value", Input)

    @property
    def picker(self) -> OptionBrowser:
        return self.query_one("#picker", OptionBrowser)

    def show(self, definition: CustomAttributeDefinition | None, *, current: Any = None,
             known: bool = True, staged: Any = UNSTAGED, hint: str = HINT) -> None:
        """Show ``definition``'s value: ``current`` as read (``known`` False: each target
        holds its own, as in a bulk edit) and ``staged`` when something is."""
        same = definition is not None and self.definition is not None and \
            self.definition.id == definition.id
        self.definition = definition
        self.current = current
        self.staged = not isinstance(staged, _Unstaged)
        head = self.query_one("#value-head", Static)
        if definition is None:
            head.update("")
            self._display(None, Text(""))
            return
        now = lit(format_value(definition, current), "bold") if known else \
            lit("(each target's own)", "dim")
        head_text = join(lit(definition.label or definition.identifier, "bold"), " ",
                         lit(f"({definition.input_type})", "dim"), "\n", lit("now "), now)
        if self.staged:
            head_text.append_text(join(lit(" -> "), lit(format_value(definition, staged),
                                                        "bold green")))
        head.update(head_text)
        blockers = [p for p in check_value(definition, None) if p.severity == "error"]
        if blockers:
            self._display(None, lit("Cannot be edited: " +
                                    "; ".join(p.message for p in blockers)))
            return
        if definition.is_deactivated:
            hint = "Deactivated in Dixa: agents no longer see it. " + hint
        reason = lit(hint, "dim")
        value = staged if self.staged else current
        if definition.input_type == "Text":
            text_input = self.text_input
            shown = value if isinstance(value, str) else ""
            if clean(shown) != shown:  # never hand raw control characters to the terminal
                shown = ""
                reason = lit("The current value holds line breaks or control characters "
                             "(shown above made visible); typing replaces it. " + hint, "dim")
            if text_input.value != shown:
                self._set_text = shown  # the Changed event this causes is ours, not typing
                text_input.value = shown
            placeholder = getattr(definition.input_definition, "placeholder", None)
            text_input.placeholder = clean(placeholder) if placeholder else "Type the new value"
            self._display(text_input, reason)
        elif definition.input_type == "Select":
            picker = self.picker
            picker.set_options(definition.options, keep_search=same)
            self._display(picker, reason)
            if isinstance(value, list) and value:
                picker.option_tree.reveal([str(v) for v in value])
        else:
            self._display(None, reason)

    def _display(self, shown: Input | OptionBrowser | None, reason: Text) -> None:
        """Show the one input (or none), each set once: hiding an input that has the
        focus, even for a moment, loses the focus a key just gave it."""
        self.text_input.display = shown is self.text_input
        self.picker.display = shown is self.picker
        self._say(reason)

    def _say(self, reason: Text) -> None:
        self._reason = reason
        self._typing(self.text_input.has_focus)

    def _typing(self, typing: bool) -> None:
        """While the cursor is in the text input, the line says so (and a person, or a
        test in a real terminal, sees when typing reaches the value)."""
        line = self.query_one("#value-reason", Static)
        if not (typing and self.text_input.display):
            line.update(self._reason)
        elif self._reason.plain == HINT:  # the keys: the typing line says them
            line.update(lit(TYPING, "dim"))
        else:  # what the reason says about the value stays in view
            line.update(join(lit(TYPING + ". ", "dim"), self._reason))

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        self._typing(event.widget is self.text_input)

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        self._typing(False)

    @property
    def editable(self) -> bool:
        return self.text_input.display or self.picker.display

    def focus_value(self) -> bool:
        """Put the cursor in the value's input or picker search; False when it cannot be
        edited (the reason is on screen)."""
        if self.text_input.display:
            self.text_input.focus()
        elif self.picker.display:
            self.picker.search_input.focus()
        else:
            return False
        return True

    @on(Input.Changed, "#text-value")
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        definition = self.definition
        if event.value == self._set_text:
            self._set_text = None
            return
        if definition is None or definition.input_type != "Text":
            return
        if not self.staged and event.value == (self.current or ""):
            return
        self.staged = True
        self.post_message(self.Chosen(definition, event.value))

    @on(Input.Submitted, "#text-value")
    def _typed_done(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Submitted())

    @on(OptionTree.PathChosen)
    def _picked(self, event: OptionTree.PathChosen) -> None:
        """The pick is staged and the picker keeps the cursor, on the option picked: esc
        steps back to the list, as from a Text value (another pick replaces this one)."""
        event.stop()
        if self.definition is not None and self.definition.input_type == "Select":
            self.staged = True
            self.post_message(self.Chosen(self.definition, [o.value for o in event.path]))
            self.picker.option_tree.focus()
