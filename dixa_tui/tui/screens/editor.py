"""The editor: stage values for one target, see the exact body and the diff, then send.

The draft (staged edits) lives here until it is sent successfully or the user discards it;
a failed send keeps it, and the app's retry key sends it again. The rules come from
``domain.patch``, the same ones the CLI and the mock use. After a send the diff stays on
screen, before -> after, with Dixa's answer under each row: the old values are not lost
from view the moment they are overwritten.

An undo (from the History screen) opens here too, its values staged (:class:`UndoDraft`):
the same preview and the same confirmations as any edit, sent as the journal's ``undo``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Static

from dixa_tui.domain.patch import (
    DefinitionIndex,
    DiffRow,
    PatchPlan,
    build_patch,
    diff,
    format_value,
)
from dixa_tui.text import plural
from dixa_tui.tui.literal import join, lit
from dixa_tui.tui.messages import EditSent, Request, RequestFailed
from dixa_tui.tui.screens.confirm import ConfirmScreen
from dixa_tui.tui.screens.staging import StagingScreen
from dixa_tui.tui.widgets.definitions import DefinitionList
from dixa_tui.tui.widgets.errorbar import ErrorBar
from dixa_tui.tui.widgets.footer import Footer
from dixa_tui.tui.widgets.payload import (
    body_view,
    diff_view,
    problems_view,
    sent_view,
)
from dixa_tui.tui.widgets.value_input import UNSTAGED, ValueInput

if TYPE_CHECKING:
    from dixa_tui.api.models import CustomAttributeDefinition
    from dixa_tui.api.rows import DefinitionFields
    from dixa_tui.session.targets import TargetState
    from dixa_tui.tui.context import Ui


@dataclass(frozen=True)
class UndoDraft:
    """The editor opened on an undo: the entry or batch it reverses (``undoes``), the undo's
    batch id, and what to tell the user about it (what is restored, what was left out)."""

    undoes: str
    batch: str | None
    title: str
    note: Text


NARROW = 100  # columns below which the body takes the diff's room too


class EditorScreen(StagingScreen[dict[str, Any] | None]):
    """Dismisses with the values Dixa returned (when something was sent), else None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+t", "send", "Send", id="editor.send", priority=True,
                tooltip="Send the staged edits to Dixa"),
        Binding("ctrl+n", "clear_value", "Stage clear (null)", id="editor.clear",
                priority=True,
                tooltip="Stage clearing the value (sends null)"),
        Binding("ctrl+l", "unstage", "Unstage", id="editor.unstage", priority=True,
                tooltip="Unstage the highlighted attribute's edit"),
        Binding("enter", "value", "Edit value", show=False, id="editor.value",
                tooltip="Edit the highlighted attribute's value"),
        Binding("escape", "back", "Back / close", id="editor.back",
                tooltip="Go back one step: the value, the list, then close the editor"),
        # Modal screens hide the app's bindings: help is offered here too (same id, so one
        # keymap entry moves both).
        Binding("question_mark", "app.help", "Help", show=False, id="app.help",
                tooltip="Show every key of every screen"),
    ]
    DEFAULT_CSS = """
    EditorScreen { align: center middle; }
    EditorScreen > #editor {
        width: 100%; height: 100%; border: thick $accent; background: $surface;
    }
    EditorScreen #top { height: 2fr; min-height: 5; }
    EditorScreen #attributes { width: 1fr; min-width: 34; border: round $panel-lighten-2; }
    EditorScreen #attributes:focus { border: round $accent; }
    EditorScreen #undo-note {
        height: auto; max-height: 6; padding: 0 1; background: $warning 15%;
    }
    EditorScreen #bottom { height: 1fr; max-height: 12; min-height: 3; }
    EditorScreen #body-box, EditorScreen #diff-box {
        width: 1fr; border: round $panel-lighten-2; padding: 0 1;
    }
    EditorScreen #body-box { overflow-x: auto; scrollbar-size-horizontal: 1; }
    EditorScreen.-narrow #diff-box { display: none; }
    EditorScreen.-narrow.-sent #diff-box { display: block; }
    EditorScreen.-narrow.-sent #body-box { display: none; }
    EditorScreen #body { width: auto; min-width: 100%; text-wrap: nowrap; }
    EditorScreen #problems { height: auto; max-height: 3; padding: 0 1; }
    EditorScreen #status { width: 1fr; height: 1; padding: 0 1; }
    EditorScreen #buttons { height: auto; align-horizontal: right; }
    EditorScreen #buttons Button { margin-left: 1; min-width: 16; height: 1; border: none; }
    """

    def __init__(self, ui: Ui, definitions: Sequence[CustomAttributeDefinition],
                 state: TargetState, *, start: str | None = None,
                 staged: Mapping[str, Any] | None = None,
                 undo: UndoDraft | None = None) -> None:
        """``staged``: values staged from the start (definition id -> value); ``undo``: the
        undo they make up, sent as such."""
        super().__init__()
        self.ui = ui
        self.index = DefinitionIndex(definitions)
        self.state = state
        self.target = target = state.target
        self.current = dict(state.values)
        self.rows = [d for d in definitions if d.entity_type == target.entity_type]
        # definition id -> value (None clears), in order
        self.staged: dict[str, Any] = dict(staged or {})
        self.start = start
        self.undo = undo
        self.sending = False
        self.sent: dict[str, Any] = {}
        # the last send, while nothing new is staged: its diff, and Dixa's answer as text
        self.last_sent: tuple[list[DiffRow], dict[str, str]] | None = None
        self.editing: CustomAttributeDefinition | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="editor") as box:
            box.border_title = lit(f"{self.undo.title if self.undo else 'Edit'} · "
                                   f"{self.state.title}")
            if self.undo is not None:
                yield Static(self.undo.note, id="undo-note")
            with Horizontal(id="top"):
                yield DefinitionList(id="attributes")
                yield ValueInput(id="value")
            with Horizontal(id="bottom"):
                with VerticalScroll(id="body-box") as body_box:
                    body_box.border_title = "Body (exact JSON sent)"
                    yield Static(id="body")
                with VerticalScroll(id="diff-box") as diff_box:
                    diff_box.border_title = "Before -> after"
                    yield Static(id="diff")
            yield Static(id="problems")
            with Horizontal(id="buttons"):
                yield Static(id="status")
                yield Button(f"Send ({self.ui.key_hint('editor.send', 'ctrl+t')})",
                             id="send", variant="primary")
            yield ErrorBar()
        yield Footer()

    def on_resize(self) -> None:
        """Narrow terminals give the body the whole width, the room its ids need (an id is
        36 characters: shown whole, never folded; the pane scrolls sideways for a long
        value). The diff is then in the list itself, whose rows say ``now -> staged``; after
        a send, with nothing staged, the sent diff and Dixa's answer take the room."""
        self.set_class(self.size.width < NARROW, "-narrow")

    def on_mount(self) -> None:
        if self.read_only:  # previewing is harmless; sending is not offered
            self.query_one("#send", Button).display = False
        listing = self.query_one("#attributes", DefinitionList)
        listing.border_title = f"{self.target.entity_type} attributes"
        listing.set_rows(self.rows, keep=self.start,
                         empty_text=f"This organization has no {self.target.entity_type} "
                                    "attributes.")
        self._refresh()
        listing.focus()

    # -- the value area -------------------------------------------------------------------

    @on(DefinitionList.Highlighted, "#attributes")
    def _highlighted(self, event: DefinitionList.Highlighted) -> None:
        event.stop()
        self._show_value(self._model(event.definition))

    def _model(self, row: DefinitionFields | None) -> CustomAttributeDefinition | None:
        """The list's rows are this editor's own models: a row is found by its id."""
        return self.index.by_id.get(row.id) if row is not None else None

    def _show_value(self, definition: CustomAttributeDefinition | None) -> None:
        self.editing = definition
        if definition is None:
            self.query_one(ValueInput).show(None)
            return
        staged = self.staged.get(definition.id, UNSTAGED)
        self.query_one(ValueInput).show(definition, current=self.current.get(definition.id),
                                        staged=staged)

    def action_value(self) -> None:
        if self.editing is None:
            return
        if not self.query_one(ValueInput).focus_value():
            self.notify("This attribute cannot be edited: the reason is shown on the right.",
                        timeout=3)

    def _staged_changed(self) -> None:
        self.last_sent = None  # a new edit: what the last send did is no longer the news

    # -- the live panel -------------------------------------------------------------------

    def plan(self) -> PatchPlan:
        return build_patch(self.index, self.target, self.staged_edits())

    @property
    def preview_body(self) -> dict[str, Any]:
        """What is shown as the body: the staged values by definition id, in order."""
        return dict(self.staged)

    def _refresh(self) -> None:
        plan = self.plan()
        names = {d.id: d.label or d.identifier for d in self.rows}
        names.update({d.identifier: d.label or d.identifier for d in self.rows})
        body = self.preview_body
        sendable = bool(body) and not plan.errors
        self.query_one("#body", Static).update(body_view(body, sendable))
        # Narrow: the body while editing, the sent diff with Dixa's answer after a send.
        self.set_class(self.last_sent is not None and not self.staged, "-sent")
        if self.last_sent is not None:
            rows, answer = self.last_sent
            self.query_one("#diff", Static).update(sent_view(rows, answer))
            self.query_one("#diff-box").border_title = "Sent: before -> after · Dixa's answer"
        else:
            self.query_one("#diff", Static).update(diff_view(diff(self.index, self.current,
                                                                   body)))
            self.query_one("#diff-box").border_title = "Before -> after"
        shown = [p for p in plan.problems if p.code != "nothing-staged"]
        problems = self.query_one("#problems", Static)
        problems.update(problems_view(shown, names) if body else Text(""))
        self.query_one("#send", Button).disabled = not sendable or self.sending
        values = {d.id: self._row_value(d) for d in self.rows}
        self.query_one("#attributes", DefinitionList).set_values(values)
        self._status()

    def _row_value(self, definition: CustomAttributeDefinition) -> str:
        now = format_value(definition, self.current.get(definition.id))
        if definition.id in self.staged:
            return f"{now} -> {format_value(definition, self.staged[definition.id])}"
        return now

    def _status(self, text: str | None = None, style: str = "dim") -> None:
        if text is None:
            count = len(self.staged)
            text = f"{plural(count, 'edit')} staged" if count else "No edits staged"
            if self.read_only:
                text += " · read-only profile: previewed, never sent"
        self.query_one("#status", Static).update(lit(text, style))

    # -- sending --------------------------------------------------------------------------

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "send":
            self.action_send()

    @property
    def read_only(self) -> bool:
        session = self.ui.session
        return session is not None and session.profile.read_only

    def action_send(self) -> None:
        if self.sending:
            return
        if self.read_only:
            assert self.ui.session is not None
            self.notify(f"Profile {self.ui.session.profile.name!r} is read-only (read_only = "
                        "true in the config file): edits can be previewed here, never sent.",
                        title="Read-only", severity="warning", timeout=6, markup=False)
            return
        plan = self.plan()
        if not self.staged:
            self.notify("Nothing is staged: edit a value first.", timeout=3)
            return
        if plan.errors:
            self.notify("Fix the errors shown under the body first; nothing was sent.",
                        severity="error", timeout=4)
            return
        if plan.warnings:
            lines = [lit(f"{plural(len(plan.warnings), 'warning')} about this change:",
                         "bold")]
            lines += [lit(f"! {p}") for p in plan.warnings]
            lines.append(lit("Send it anyway?"))
            self.app.push_screen(ConfirmScreen("Send with warnings?", Text("\n").join(lines),
                                               yes="Send anyway", no="Go back"),
                                 lambda yes: self._confirmed(plan.body) if yes else None)
            return
        self._confirmed(plan.body)

    def _confirmed(self, body: dict[str, Any]) -> None:
        """Send, after one more question where the profile asks before every send
        (``confirm = "always"``, the default on Dixa's production host)."""
        session = self.ui.session
        if session is None or not session.profile.confirms_sends:
            self._send(body)
            return
        profile = session.profile
        count = len(body)
        what = "the undo" if self.undo is not None else "this change"
        question = Text("\n").join([
            join(lit(f"{plural(count, 'change')} to "), lit(self.state.title, "bold"),
                 lit(f" ({self.target.describe()})")),
            join(lit("Profile "), lit(profile.name, "bold"), lit(f" · {profile.base_url}")),
            lit(f"This profile asks before every send. Send {what}?")])
        self.app.push_screen(ConfirmScreen("Send to Dixa?", question, yes="Send", no="Go back"),
                             lambda yes: self._send(body) if yes else None)

    def _send(self, body: dict[str, Any]) -> None:
        target = self.target
        self.sending = True
        self._status("Sending…", "bold")
        self.query_one("#send", Button).disabled = True
        # Retry sends the draft as it is then (re-checked), not the body that failed.
        before = dict(self.current)
        undo = self.undo
        if undo is None:
            self.ui.run(self, Request.SEND,
                        lambda session: session.send(target, body, before=before,
                                                     origin="tui"),
                        EditSent, retry=self.action_send)
            return
        self.ui.run(self, Request.SEND,
                    lambda session: session.send(target, body, before=before, origin="undo",
                                                 batch=undo.batch, undoes=undo.undoes),
                    EditSent, retry=self.action_send)

    def on_edit_sent(self, message: EditSent) -> None:
        self.sending = False
        if message.sent.journal_warning:
            self.notify(message.sent.journal_warning, title="Journal", severity="warning",
                        timeout=15, markup=False)
        self.query_one(ErrorBar).clear()
        returned = message.sent.returned
        sent = message.sent.body
        rows = diff(self.index, self.current, sent)  # before: the values the send replaced
        answer = {key: format_value(self.index.by_id.get(key), returned[key])
                  for key in sent if key in returned}
        self.current.update(returned)
        self.sent.update(returned)
        self.last_sent = (rows, answer)
        for key in sent:
            self.staged.pop(key, None)
        what = "the undo" if self.undo is not None else \
            plural(len(sent), "change")
        if self.undo is not None:
            self.query_one("#undo-note", Static).update(lit(
                f"{self.undo.title}: sent (batch {self.undo.batch}). Further sends here are "
                "ordinary edits.", "bold"))
            self.undo = None
        self._refresh()
        self._status(f"Sent {what}: before -> after and Dixa's answer are shown. esc closes.",
                     "bold green")
        self._show_value(self.editing)

    def on_request_failed(self, message: RequestFailed) -> None:
        if message.request is Request.SEND:
            self.sending = False
            self._refresh()
            self._status(_failed_send_status(message.error), "bold red")

    # -- leaving --------------------------------------------------------------------------

    def action_back(self) -> None:
        listing = self.query_one("#attributes", DefinitionList)
        if self.query_one(ErrorBar).shown:
            self.query_one(ErrorBar).clear()
            return
        if not listing.has_focus:
            listing.focus()
            return
        if self.sending:  # closing now would lose Dixa's answer: applied or not
            self.notify("A send is on its way: wait for Dixa's answer, which says whether the "
                        "change was applied, then close.", title="Sending", timeout=4)
            return
        if self.staged:
            self.app.push_screen(
                ConfirmScreen("Discard staged edits?", lit(self.loss()), yes="Discard",
                              no="Keep editing"),
                lambda yes: self._close() if yes else None)
            return
        self._close()

    def loss(self) -> str:
        """What closing (or quitting) now throws away."""
        count = len(self.staged)
        return (f"{plural(count, 'staged edit')} will be lost: nothing has been sent for "
                f"{'it' if count == 1 else 'them'}.")

    def _close(self) -> None:
        self.dismiss(self.sent or None)


def _failed_send_status(error: BaseException) -> str:
    """The status line after a failed send. A send whose answer never came (a timeout, a
    dripping or lost answer, a 5xx) may have been applied: it says the outcome is unknown,
    as the journal records it, rather than "failed"."""
    from dixa_tui.api.errors import DixaError
    from dixa_tui.session.writes import outcome_of

    if isinstance(error, DixaError) and outcome_of(error) == "unknown":
        return "Outcome unknown: your staged edits are kept."  # the bar says the rest
    return "Send failed: your staged edits are kept."
