"""The Dixa API key of one profile: where it comes from, and saving, using or deleting one.

Every keyring call runs in a thread worker, because the Secret Service may block on D-Bus or
an unlock prompt, and the event loop must keep drawing. Workers only post messages; the
handlers own the widgets. The key itself is never shown: the input is a password field, the
status names only the key's source, and the input is emptied before the screen closes.
``dixa_tui.secrets`` (and with it pydantic and keyring) is imported only when first needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Literal

from textual import on, work
from textual.binding import Binding, BindingType
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from dixa_tui.tui.literal import join, lit
from dixa_tui.tui.widgets.footer import Footer

if TYPE_CHECKING:
    from collections.abc import Callable

    from pydantic import SecretStr
    from rich.text import Text
    from textual.app import ComposeResult

    from dixa_tui.secrets import KeyResolution, KeyStoreError

__all__ = ["KeyOutcome", "KeyScreen"]

REQUIRED_HINT = ("dixa-tui needs a key to talk to Dixa: save one, use one for this session, "
                 "or press ctrl+q to quit.")


@dataclass(frozen=True)
class KeyOutcome:
    """What the user chose. ``key`` set: use it now (``stored`` says whether it was saved to
    the keyring). ``key`` None and ``deleted``: the stored key was removed."""

    key: SecretStr | None
    stored: bool
    deleted: bool = False


class _KeyCommands(Provider):
    """The screen's actions in the command palette, for keys a terminal may swallow."""

    def _commands(self) -> list[tuple[str, str, Callable[[], None]]]:
        screen = self.screen
        return screen.palette_commands() if isinstance(screen, KeyScreen) else []

    async def discover(self) -> Hits:
        for name, help_text, run in self._commands():
            yield DiscoveryHit(name, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, run in self._commands():
            if (score := matcher.match(name)) > 0:
                yield Hit(score, matcher.highlight(name), run, help=help_text)


class PasswordInput(Input):
    """A password field whose text cannot leave: copy and cut do nothing.

    Textual's ``Input`` copies selected text even with ``password=True``, which would put the
    key on the clipboard and, through OSC 52, into the terminal's (or tmux's) buffers.
    """

    def __init__(self, *, id: str | None = None, placeholder: str = "") -> None:
        super().__init__(password=True, id=id, placeholder=placeholder)

    def action_copy(self) -> None:
        self.notify("The key cannot be copied out of this field.", timeout=2)

    def action_cut(self) -> None:
        self.action_copy()


class KeyScreen(ModalScreen[KeyOutcome | None]):
    """Enter, save, use or delete the API key of ``profile``.

    With ``required`` there is nothing behind this screen to go back to, so Escape explains
    the ways forward instead of closing. ``in_use`` says where the key the session uses came
    from (it may be one entered for this session only, which no keyring knows of);
    ``read_only`` (why) shows that and closes, with nothing to enter (the demo's own key).
    On a machine with no OS keyring, saving and deleting are not offered, and it says why.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+o", "save", "Save to keyring", id="key.save",
                tooltip="Save the entered key in the OS keyring"),
        Binding("ctrl+t", "session", "Session only", id="key.session",
                tooltip="Use the entered key for this session only"),
        Binding("ctrl+g", "delete", "Delete stored", id="key.delete",
                tooltip="Delete this profile's key from the OS keyring"),
        Binding("escape", "cancel", "Close", id="key.cancel",
                tooltip="Close the key screen"),
    ]
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {_KeyCommands}
    AUTO_FOCUS = "#key-input"
    DEFAULT_CSS = """
    KeyScreen { align: center middle; }
    KeyScreen #key-dialog {
        width: 78; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; border-title-color: $text; padding: 0 1;
        background: $surface;
    }
    KeyScreen #key-reason { color: $warning; margin-bottom: 1; }
    KeyScreen #key-status { margin-bottom: 1; }
    KeyScreen #key-message { height: auto; }
    KeyScreen #key-message.-error { color: $error; }
    KeyScreen #key-message.-info { color: $text-muted; }
    KeyScreen #key-buttons { height: auto; margin-top: 1; }
    KeyScreen #key-buttons Button { min-width: 8; margin-right: 1; }
    KeyScreen #key-buttons Button:last-of-type { margin-right: 0; }
    """

    class _Status(Message):
        def __init__(self, resolution: KeyResolution, backend: str) -> None:
            super().__init__()
            self.resolution = resolution
            self.backend = backend

    class _Done(Message):
        def __init__(self, action: Literal["save", "delete"], key: SecretStr | None = None,
                     deleted: bool = False, error: KeyStoreError | None = None) -> None:
            super().__init__()
            self.action, self.key, self.deleted, self.error = action, key, deleted, error

    def __init__(self, profile: str, *, required: bool = False, reason: str | None = None,
                 in_use: str | None = None, read_only: str | None = None) -> None:
        super().__init__()
        self.profile = profile
        self.required = required
        self.reason = reason
        self.in_use = in_use
        self.read_only = read_only
        self._busy = False
        self._confirm_delete = False
        self._problem: str | None = None  # the keyring problem the status shows
        self._no_keyring = False  # no OS keyring on this machine: nothing can be saved

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="key-dialog") as dialog:
            dialog.border_title = lit(f"API key · profile {self.profile}")
            if self.read_only is not None:
                yield Static(join(lit("Key in use:  "), lit(self.in_use or "—"), "\n",
                                  lit(self.read_only, "italic", single_line=False)),
                             id="key-status")
                with Horizontal(id="key-buttons"):
                    yield Button("Close", id="key-cancel", action="screen.cancel")
                return
            if self.reason:
                yield Static(lit(self.reason, single_line=False), id="key-reason")
            yield Static(lit("Looking for the current key…"), id="key-status")
            yield PasswordInput(id="key-input", placeholder="Paste your Dixa API key")
            yield Static("", id="key-message", markup=False)
            with Horizontal(id="key-buttons"):
                yield Button("Save to keyring", id="key-save", variant="primary",
                             action="screen.save")
                yield Button("Use for this session only", id="key-session",
                             action="screen.session")
                yield Button("Delete stored key", id="key-delete", variant="error",
                             action="screen.delete")
                if not self.required:
                    yield Button("Cancel", id="key-cancel", action="screen.cancel")
        yield Footer()

    def on_mount(self) -> None:
        if self.read_only is None:
            self._load_status()
        else:
            self.query_one("#key-cancel", Button).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Saving and deleting are not offered (nor shown in the footer) with no keyring to
        save in, nor anything but closing on the read-only screen."""
        if self.read_only is not None:
            return action not in {"save", "delete", "session"}
        return not (action in {"save", "delete"} and self._no_keyring)

    def palette_commands(self) -> list[tuple[str, str, Callable[[], None]]]:
        """(name, help, callback) for the command palette: what this machine can do."""
        if self.read_only is not None:
            return []
        session = ("Key: use for this session only", "Use the entered key without saving it",
                   self.action_session)
        if self._no_keyring:
            return [session]
        return [
            ("Key: save to keyring", "Save the entered key in the OS keyring", self.action_save),
            session,
            ("Key: delete stored key", "Remove this profile's key from the OS keyring",
             self.action_delete),
        ]

    # -- status ----------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="key-status", description="key status")
    def _load_status(self) -> None:
        from dixa_tui.secrets import backend_name, resolve_key

        self.post_message(self._Status(resolve_key(self.profile), backend_name()))

    @on(_Status)
    def _show_status(self, message: _Status) -> None:
        from dixa_tui.secrets import ENV_VAR

        found = message.resolution
        self._problem = found.problem
        if self.in_use:  # what the session uses: a key entered for this session is in none
            where = lit(self.in_use)
        elif found.source == "env":
            where = lit(f"environment variable {ENV_VAR}")
        elif found.source == "keyring":
            where = lit(f"OS keyring ({found.backend})")
        else:
            where = lit("no key stored")
        lines = [join("Key in use:  ", where), join("Keyring:     ", lit(message.backend))]
        if found.problem:
            lines.append(lit(found.problem, "bold", single_line=False))
        if found.reason == "no-backend":
            self._no_keyring = True
            for button in ("#key-save", "#key-delete"):
                self.query_one(button, Button).display = False
            lines.append(lit("So a key cannot be saved here: “Use for this session only” "
                             "uses it until dixa-tui quits.", "italic", single_line=False))
            self.refresh_bindings()
        if found.source == "env":
            lines.append(lit(
                f"{ENV_VAR} takes precedence over the keyring: a key saved here is not used "
                "while the variable is set. “Use for this session only” uses the key you enter "
                "now.", "italic"))
        self.query_one("#key-status", Static).update(join(*lines, sep="\n"))

    # -- actions ---------------------------------------------------------------------------

    def _say(self, text: str | Text, kind: Literal["error", "info"] = "info") -> None:
        line = self.query_one("#key-message", Static)
        line.set_classes(f"-{kind}")
        line.update(text if not isinstance(text, str) else lit(text, single_line=False))

    def _entered_key(self) -> SecretStr | None:
        """The input as a key, or None after saying what is wrong with it (never the key)."""
        from pydantic import SecretStr

        from dixa_tui.secrets import check_key  # the one rule, as `auth set` applies it

        secret = SecretStr(self.query_one("#key-input", Input).value.strip())
        from dixa_tui.debuglog import register_secret

        register_secret(secret)  # even a key refused below must never reach the debug log
        problem = "Paste a key first." if not secret.get_secret_value() else check_key(secret)
        if problem is not None:
            self._say(problem, "error")
            return None
        return secret

    def _ready(self) -> bool:
        if self._busy:
            self._say("Still waiting for the OS keyring…")
        return not self._busy

    def _finish(self, outcome: KeyOutcome | None) -> None:
        for field in self.query("#key-input").results(Input):
            field.clear()  # the key must not outlive the screen
        self.dismiss(outcome)

    @on(Input.Submitted, "#key-input")
    def _submitted(self) -> None:
        self.action_save()

    @on(Input.Changed, "#key-input")
    def _typed(self) -> None:
        self._reset_delete()

    def _refuse_without_keyring(self, action: Literal["save", "delete"]) -> bool:
        """No OS keyring: say so (and what works) instead of asking one that is not there."""
        if not self._no_keyring:
            return False
        from dixa_tui.secrets import KeyStoreError

        self._failed(KeyStoreError("no-backend", self._problem or ""), action)
        return True

    def action_save(self) -> None:
        self._reset_delete()
        if self._refuse_without_keyring("save"):
            return
        if self._ready() and (secret := self._entered_key()) is not None:
            self._busy = True
            self._say("Saving the key in the OS keyring…")
            self._store(secret)

    def action_session(self) -> None:
        if self.read_only is not None:
            return
        self._reset_delete()
        if self._ready() and (secret := self._entered_key()) is not None:
            self._finish(KeyOutcome(secret, stored=False))

    def action_delete(self) -> None:
        if self.read_only is not None or self._refuse_without_keyring("delete") or \
                not self._ready():
            return
        if not self._confirm_delete:
            self._confirm_delete = True
            self.query_one("#key-delete", Button).label = "Yes, delete it"
            self._say(f"Delete the key stored for profile {self.profile!r} from the OS "
                      "keyring? Press “Yes, delete it” again to confirm, or Escape to keep "
                      "it.", "error")
            return
        self._reset_delete()
        self._busy = True
        self._say("Deleting the stored key…")
        self._delete()

    def action_cancel(self) -> None:
        if self._confirm_delete:
            self._reset_delete()
            self._say("The stored key was kept.")
        elif self.required:
            self._say(REQUIRED_HINT, "error")
        else:
            self._finish(None)

    def _reset_delete(self) -> None:
        if self._confirm_delete:
            self._confirm_delete = False
            self.query_one("#key-delete", Button).label = "Delete stored key"

    # -- keyring workers -------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="key-store", description="save key")
    def _store(self, secret: SecretStr) -> None:
        from dixa_tui.secrets import KeyStoreError, store_key

        try:
            store_key(self.profile, secret.get_secret_value())
        except KeyStoreError as error:
            self.post_message(self._Done("save", error=error))
        except Exception as exc:  # anything else, without its text: it may quote the key
            from dixa_tui.debuglog import unexpected

            unexpected("saving the key", exc)  # the traceback, redacted, in the debug log
            self.post_message(self._Done("save", error=KeyStoreError(
                "failed", "Could not save the API key in the OS keyring.")))
        else:
            self.post_message(self._Done("save", key=secret))

    @work(thread=True, exclusive=True, group="key-store", description="delete key")
    def _delete(self) -> None:
        from dixa_tui.secrets import KeyStoreError, delete_key

        try:
            deleted = delete_key(self.profile)
        except KeyStoreError as error:
            self.post_message(self._Done("delete", error=error))
        else:
            self.post_message(self._Done("delete", deleted=deleted))

    @on(_Done)
    def _done(self, message: _Done) -> None:
        self._busy = False
        if message.error is not None:
            self._failed(message.error, message.action)
        elif message.action == "save":
            self._finish(KeyOutcome(message.key, stored=True))
        elif not message.deleted:
            self._say(f"There was no key stored for profile {self.profile!r}.")
        elif self.required:  # nothing to go back to: stay, and show what is left
            self._say("The stored key was deleted.")
            self._load_status()
        else:
            self._finish(KeyOutcome(None, stored=False, deleted=True))

    def _failed(self, error: KeyStoreError, action: Literal["save", "delete"]) -> None:
        from dixa_tui.secrets import ENV_VAR

        summary = {"no-backend": "no OS keyring is available",
                   "locked": "the OS keyring is locked"}.get(error.reason)
        if summary and error.message == self._problem:  # the status already explains it
            text = lit(f"Not {'saved' if action == 'save' else 'deleted'}: "
                       f"{summary} (see above).", "bold")
        else:
            text = lit(error.message, "bold", single_line=False)
        if error.reason in {"no-backend", "locked"} and self.query_one("#key-input", Input).value:
            text = join(text, lit(
                f"\nYou can still use the key now with “Use for this session only”, or set "
                f"{ENV_VAR} before starting dixa-tui.", "italic", single_line=False))
            self.query_one("#key-session", Button).focus()
        self._say(text, "error")
