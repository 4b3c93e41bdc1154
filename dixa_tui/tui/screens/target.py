"""The target dialog: whose values to see and edit, an end user or a conversation.

People rarely know an end user's UUID, so the end-user input also takes an email, a phone
number or an external id and says, as the user types, how Enter will read it. Ids are checked
with the domain's ``check_target`` before anything is sent: a malformed id is an input problem
shown under the input, not an API error. Every request goes through the session
(``Ui.run``); each answer comes back as its own message, and failures go on to the app, which
shows them in this dialog's error bar.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

from rich.text import Text
from textual import on
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static, TabbedContent, TabPane, Tabs

from dixa_tui.domain.patch import UUID_PATTERN, Target, check_target
from dixa_tui.domain.targets import NOUNS, interpret, no_match
from dixa_tui.session.targets import TargetState, conversation_name, end_user_name
from dixa_tui.text import plural
from dixa_tui.tui.literal import gap, join, lit
from dixa_tui.tui.messages import (
    ConversationsListed,
    EditTargets,
    Request,
    RequestFailed,
    TargetRead,
    UsersFound,
)
from dixa_tui.tui.widgets.errorbar import ErrorBar
from dixa_tui.tui.widgets.fitline import FitLine
from dixa_tui.tui.widgets.footer import Footer
from dixa_tui.tui.widgets.marked_list import MarkedList, conversation_row, user_row

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from dixa_tui.api.models import Conversation, EndUser
    from dixa_tui.session.core import Session
    from dixa_tui.tui.context import Ui

__all__ = ["TargetScreen"]

Mode = Literal["enduser", "conversation"]
LOOKUP_LIMIT = 50


class TargetScreen(ModalScreen[TargetState | None]):
    """Choose an end user (by id, email, phone or external id) or a conversation."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="target.close",
                tooltip="Dismiss the error, or close without changing the target"),
        Binding("f2", "mode('enduser')", "End user", id="target.enduser_tab",
                tooltip="Find an end user by UUID, email, phone or external id"),
        Binding("f3", "mode('conversation')", "Conversation", id="target.conversation_tab",
                tooltip="Open a conversation by number, or pick one of a user's"),
        Binding("ctrl+t", "switch", "End user ⇄ conversation", show=False, id="target.switch",
                tooltip="Switch between the end user and the conversation tab"),
        Binding("ctrl+o", "conversations", "Conversations of this user",
                id="target.conversations",
                tooltip="List the conversations of the highlighted end user"),
        Binding("question_mark", "app.help", "Help", show=False, id="app.help",
                tooltip="Show every key of every screen"),
        Binding("down", "to_list", "To the list", show=False, id="target.to_list",
                tooltip="Move from the input to the list below it"),
        Binding("e", "edit_marked", "Edit marked", show=False, id="target.edit_marked",
                tooltip="Edit the marked end users or conversations together: one edit set, "
                        "a plan to review, then one batch"),
    ]
    DEFAULT_CSS = """
    TargetScreen { align: center middle; }
    TargetScreen #target-dialog {
        width: 100%; max-width: 120; height: 90%; max-height: 34;
        border: round $primary; border-title-color: $text; background: $surface;
        padding: 0 1;
    }
    TargetScreen TabbedContent { height: 1fr; }
    TargetScreen ContentSwitcher { height: 1fr; }
    TargetScreen TabPane { height: 1fr; padding: 0; }
    TargetScreen .hint { height: auto; max-height: 3; color: $text-muted; padding: 0 1; }
    TargetScreen .hint.-problem { color: $error; text-style: bold; }
    TargetScreen .status { height: auto; max-height: 2; padding: 0 1; }
    TargetScreen .status.-busy { color: $warning; }
    TargetScreen OptionList { height: 1fr; min-height: 3; }
    TargetScreen FitLine { padding: 0 1; background: $boost; }
    """

    def __init__(self, ui: Ui, current: Target | None = None) -> None:
        super().__init__()
        self.ui = ui
        self.current = current
        self.users: dict[str, EndUser] = {}  # the last lookup's results, by id
        self.owner: tuple[str, str] | None = None  # (id, name) whose conversations are listed
        self.busy: dict[Request, Mode] = {}  # the requests running, and the tab they report to

    @property
    def mode(self) -> Mode:
        active = self.query_one(TabbedContent).active
        return "conversation" if active == "tab-conversation" else "enduser"

    def compose(self) -> ComposeResult:
        start = "conversation" if self.current and self.current.kind == "conversation" \
            else "enduser"
        with Vertical(id="target-dialog") as dialog:
            dialog.border_title = "Target · whose values to see and edit"
            with TabbedContent(initial=f"tab-{start}"):
                with TabPane("End user", id="tab-enduser"):
                    yield Input(placeholder="UUID, email, phone or external id",
                                id="enduser-input")
                    yield Static(classes="hint", id="enduser-hint")
                    yield Static(classes="status", id="enduser-status")
                    yield MarkedList(id="enduser-results")
                    yield FitLine(id="enduser-marks")
                with TabPane("Conversation", id="tab-conversation"):
                    yield Input(placeholder="Conversation number, e.g. 12345",
                                id="conversation-input")
                    yield Static(classes="hint", id="conversation-hint")
                    yield Static(classes="status", id="conversation-status")
                    yield MarkedList(id="conversation-results")
                    yield FitLine(id="conversation-marks")
            yield ErrorBar(id="target-errors")
        yield Footer()

    def on_mount(self) -> None:
        if self.current is not None:
            self._input(self.current.kind).value = self.current.id
        self._hint("enduser")
        self._hint("conversation")
        self._status("enduser", "")
        self._status("conversation",
                     f"Type a number, or highlight an end user and press {self._key_conv()} "
                     "to list their conversations.")
        self._input(self.mode).focus()

    # -- widgets ---------------------------------------------------------------------------

    def _input(self, mode: Mode) -> Input:
        return self.query_one(f"#{mode}-input", Input)

    def _list(self, mode: Mode) -> MarkedList:
        return self.query_one(f"#{mode}-results", MarkedList)

    def _key_conv(self) -> str:
        return self.ui.binding_keys("target.conversations", "ctrl+o")

    def _hint(self, mode: Mode, problem: str | None = None) -> None:
        """The live reading of the input, or ``problem`` in its place."""
        line = self.query_one(f"#{mode}-hint", Static)
        line.set_class(problem is not None, "-problem")
        line.update(lit(problem if problem is not None else self._reading(mode)))

    def _reading(self, mode: Mode) -> str:
        text = self._input(mode).value
        if mode == "conversation":
            return ("Enter opens the conversation with this number" if text.strip()
                    else "Enter opens the conversation with the number you type")
        lookup = interpret(text)
        if lookup is None:
            return "Type a UUID, an email, a phone number or an external id, then Enter"
        if not lookup.value:
            return f"Type the {NOUNS[lookup.kind]} after the prefix"
        if lookup.kind == "id":
            said = "Enter opens the end user with this id"
        else:
            said = f"Enter looks up by {NOUNS[lookup.kind]}"
        return said if lookup.forced else f"{said} · prefix email:, phone: or ext: to choose"

    def _status(self, mode: Mode, text: str | Text, busy: bool = False) -> None:
        line = self.query_one(f"#{mode}-status", Static)
        line.set_class(busy, "-busy")
        line.update(text if isinstance(text, Text) else lit(text))
        self._list(mode).loading = busy

    def _busy(self, request: Request, mode: Mode, text: str) -> None:
        self.busy[request] = mode
        self._status(mode, text, busy=True)

    def _answered(self, request: Request) -> None:
        mode = self.busy.pop(request, self.mode)
        self._status(mode, "")

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self._hint("conversation" if event.input.id == "conversation-input" else "enduser")

    @on(TabbedContent.TabActivated)
    def _activated(self) -> None:
        """A tab chosen on the tab strip (mouse, arrows) puts the cursor in its input."""
        if self.focused is None or isinstance(self.focused, Tabs):
            self._input(self.mode).focus()

    # -- actions ---------------------------------------------------------------------------

    def action_close(self) -> None:
        if self.query_one(ErrorBar).shown:
            self.query_one(ErrorBar).clear()
            return
        self.dismiss(None)

    def action_mode(self, mode: Mode) -> None:
        self.query_one(TabbedContent).active = f"tab-{mode}"
        self._input(mode).focus()

    def action_switch(self) -> None:
        self.action_mode("enduser" if self.mode == "conversation" else "conversation")

    def action_to_list(self) -> None:
        listing = self._list(self.mode)
        if listing.option_count:
            listing.focus()

    def action_conversations(self) -> None:
        owner = self._highlighted_user()
        if owner is None:
            self.action_mode("enduser")
            self._hint("enduser", "Look up an end user first; then "
                       f"{self._key_conv()} lists their conversations")
            return
        self._list_conversations(*owner)

    def _highlighted_user(self) -> tuple[str, str] | None:
        listing = self._list("enduser")
        option = (listing.get_option_at_index(listing.highlighted)
                  if listing.highlighted is not None else None)
        if option is not None and option.id in self.users:
            return option.id, end_user_name(self.users[option.id])
        lookup = interpret(self._input("enduser").value)
        if lookup and lookup.kind == "id" and UUID_PATTERN.fullmatch(lookup.value):
            return lookup.value.lower(), ""
        if self.current is not None and self.current.entity_type == "Contact":
            return self.current.id, ""
        return None

    # -- end users -------------------------------------------------------------------------

    @on(Input.Submitted, "#enduser-input")
    def _enduser_submitted(self, event: Input.Submitted) -> None:
        lookup = interpret(event.value)
        if lookup is None or not lookup.value:
            self._hint("enduser", "Type something to look up first" if lookup is None
                       else f"Type the {NOUNS[lookup.kind]} after the prefix")
            return
        if lookup.kind == "id":
            self._choose("enduser", Target("enduser", lookup.value),
                         " (prefix ext: to look it up as an external id)")
            return
        self._busy(Request.LOOKUP, "enduser", f"Looking up end users by {NOUNS[lookup.kind]}…")
        self.ui.run(self, Request.LOOKUP,
                    lambda session: session.find_end_users(lookup, LOOKUP_LIMIT),
                    lambda users: UsersFound(lookup, users))

    def on_users_found(self, message: UsersFound) -> None:
        self._answered(Request.LOOKUP)
        self.query_one(ErrorBar).clear()
        lookup, users = message.lookup, message.users
        self.users = {u.id: u for u in users}
        listing = self._list("enduser")
        listing.show_rows([(u.id, user_row(u), end_user_name(u)) for u in users])
        noun = NOUNS[lookup.kind]
        if not users:  # a guessed kind (a name read as an external id) says what can be found
            self._status("enduser", lit(no_match(lookup, prefixes=False)))  # the hint has them
            return
        count = plural(len(users), "end user")
        count = f"first {count}" if len(users) >= LOOKUP_LIMIT else count
        self._status("enduser", join(f"{count} with {noun} ", lit(lookup.value, "bold"),
                                     f" · Enter chooses · {self._key_conv()} lists "
                                     "conversations"))
        listing.highlighted = 0
        listing.focus()

    @on(OptionList.OptionSelected, "#enduser-results")
    def _user_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self._choose("enduser", Target("enduser", event.option.id))

    # -- conversations ---------------------------------------------------------------------

    def _list_conversations(self, user_id: str, name: str) -> None:
        """``name`` "" when the user is known only by id: then the user is read too, so
        the list is headed by the person, not by a UUID."""
        self.action_mode("conversation")
        self.owner = (user_id, name)
        self._busy(Request.CONVERSATIONS, "conversation",
                   f"Loading the conversations of {name or 'this end user'}…")

        async def listed(session: Session) -> ConversationsListed:
            who = name or (await session.read_target(Target("enduser", user_id))).name
            return ConversationsListed((user_id, who), await session.conversations_of(user_id))

        self.ui.run(self, Request.CONVERSATIONS, listed, lambda message: message)

    def on_conversations_listed(self, message: ConversationsListed) -> None:
        self._answered(Request.CONVERSATIONS)
        self.query_one(ErrorBar).clear()
        if self.owner is None or message.owner[0] != self.owner[0]:
            return
        self.owner = message.owner
        _, name = message.owner
        rows: list[Conversation] = sorted(message.conversations, key=lambda c: c.id,
                                          reverse=True)
        listing = self._list("conversation")
        listing.show_rows([(str(c.id), conversation_row(c), conversation_name(c))
                           for c in rows])
        if not rows:
            self._status("conversation", join(lit(name, "bold"), " has no conversations"))
            return
        many = plural(len(rows), "conversation")
        self._status("conversation", join(lit(name, "bold"), f": {many}, newest first · "
                                          "Enter chooses"))
        listing.highlighted = 0
        listing.focus()

    @on(Input.Submitted, "#conversation-input")
    def _conversation_submitted(self, event: Input.Submitted) -> None:
        number = event.value.strip().removeprefix("#").strip()
        if not number:
            self._hint("conversation", "Type a conversation number first")
            return
        self._choose("conversation", Target("conversation", number))

    @on(OptionList.OptionSelected, "#conversation-results")
    def _conversation_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self._choose("conversation", Target("conversation", event.option.id))

    # -- marks ---------------------------------------------------------------------------

    @on(MarkedList.MarksChanged)
    def _marks_changed(self, event: MarkedList.MarksChanged) -> None:
        """The count stays in view under the list, with the keys that mark and edit."""
        event.stop()
        mode: Mode = "conversation" if event.control.id == "conversation-results" \
            else "enduser"
        line = self.query_one(f"#{mode}-marks", FitLine)
        if not event.rows and not event.count:
            line.say()
            return
        key = self.ui.key_hint
        count = lit(f"{event.count} marked" + (f" ({event.listed} in this list)"
                                               if event.listed != event.count else ""), "bold")
        mark, every = key("marks.toggle", "space"), key("marks.all", "ctrl+a")
        edit = key("target.edit_marked", "e")
        line.say(*(join(count, gap(), lit("· " + keys, "dim")) for keys in (
            f"{mark} marks · {every} all · {key('marks.range_down', 'shift+down')}/up a "
            f"range · {edit} edits the marked",
            f"{mark} marks · {every} all · {edit} edits the marked",
            f"{edit} edits the marked")))

    def action_edit_marked(self) -> None:
        """The marked targets of this tab go to the bulk editor (the app opens it)."""
        mode = self.mode
        marked = self._list(mode).marked()
        if not marked:
            key = self.ui.key_hint
            self.notify(f"Nothing is marked: {key('marks.toggle', 'space')} marks the "
                        f"highlighted row, {key('marks.all', 'ctrl+a')} marks them all.",
                        timeout=4)
            return
        targets = [Target(mode, key) for key, _ in marked]
        self.post_message(EditTargets(targets, dict(zip(targets, (n for _, n in marked),
                                                        strict=True))))

    # -- choosing --------------------------------------------------------------------------

    def _choose(self, mode: Mode, target: Target, advice: str = "") -> None:
        """Check the id, then load the target's values; the answer dismisses the dialog."""
        problems = check_target(target)
        if problems:
            self._hint(mode, problems[0].message + advice)
            return
        target = target.normalized()
        self._busy(Request.TARGET, mode, f"Loading {target.describe()}…")
        self.ui.run(self, Request.TARGET, lambda session: session.read_target(target),
                    TargetRead)

    def on_target_read(self, message: TargetRead) -> None:
        self._answered(Request.TARGET)
        self.query_one(ErrorBar).clear()
        self.dismiss(message.state)

    # -- failures --------------------------------------------------------------------------

    FAILED: ClassVar[dict[Request, str]] = {
        Request.LOOKUP: "The lookup failed", Request.TARGET: "Nothing was loaded",
        Request.CONVERSATIONS: "The conversations could not be listed"}

    def on_request_failed(self, message: RequestFailed) -> None:
        """Stop the "loading" state; the message goes on to the app, which shows it."""
        failed = self.FAILED.get(message.request)
        if failed is None:
            return
        mode = self.busy.pop(message.request, self.mode)
        self._status(mode, f"{failed}: see the message below.")
