"""The Textual app: start-up, the client's lifecycle, requests in workers, and errors.

The first frame needs nothing but Textual: the profile, the keyring and the client (httpx,
pydantic) are loaded by a worker after the main screen is on screen. Every request runs in a
worker through :meth:`DixaApp.request`, which posts a :class:`Loaded` or :class:`ApiFailed`
back to whoever asked; failures then bubble here, to :meth:`on_api_failed`, the one place that
shows them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.screen import Screen

from dixa_tui.text import clean
from dixa_tui.tui.messages import ApiFailed, Loaded, Retrying
from dixa_tui.tui.widgets.errorbar import ErrorBar

if TYPE_CHECKING:
    import httpx
    from pydantic import SecretStr

    from dixa_tui.api.client import DixaClient
    from dixa_tui.config import Profile
    from dixa_tui.connect import Settings
    from dixa_tui.secrets import KeyResolution
    from dixa_tui.tui.screens.key import KeyOutcome
    from dixa_tui.tui.screens.main import MainScreen

RETRY_KEY = "ctrl+r"


class Started(Loaded):
    """The start-up worker resolved the profile, the keymap and the key."""


class DixaApp(App[None]):
    """dixa-tui. ``transport_factory`` lets tests put their own mock behind the client."""

    CSS_PATH = "app.tcss"
    TITLE = "dixa-tui"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("f1", "help", "Help", show=False, id="app.help_anywhere", priority=True),
        Binding(RETRY_KEY, "retry", "Retry", id="app.retry", show=False, priority=True),
        Binding("K", "key", "API key", show=False, id="app.key"),
    ]

    def __init__(self, settings: Settings, *,
                 transport_factory: Callable[[], httpx.AsyncBaseTransport] | None = None) -> None:
        super().__init__()
        self.settings = settings
        self.transport_factory = transport_factory
        self.profile: Profile | None = None
        self.client: DixaClient | None = None
        self.keymap: dict[str, str] = {}
        self._retries: dict[Screen[Any], Callable[[], object]] = {}
        self._asking_quit: Screen[Any] | None = None  # the "quit anyway?" question, when asked

    # -- start ----------------------------------------------------------------------------

    async def on_mount(self) -> None:
        from dixa_tui.tui.screens.main import MainScreen

        # Mounted first, so nothing the start-up worker reports can reach it half-built or
        # be overwritten by its first-frame placeholders.
        await self.push_screen(MainScreen(self.settings))
        self._start()

    @work(thread=True, exit_on_error=False, group="start")
    def _start(self) -> None:
        """Off the event loop: config (TOML), keyring (D-Bus) and the heavy imports."""
        from dixa_tui.config import load_config

        try:
            profile = self.settings.profile()
            keymap = {} if self.settings.demo else dict(load_config().keymap)
            resolution = self.settings.key(profile)
        except Exception as exc:  # a broken config file, a keyring that fails: say so
            self.call_from_thread(self._start_failed, exc)
            return
        # Warm the heavy imports here, off the event loop, before the first request.
        import dixa_tui.api.client
        import dixa_tui.domain.patch  # noqa: F401

        self.call_from_thread(self._started, profile, keymap, resolution)

    def _start_failed(self, exc: Exception) -> None:
        from dixa_tui import debuglog
        from dixa_tui.api.errors import DixaError
        from dixa_tui.config import ConfigError

        if isinstance(exc, ConfigError | ValueError):
            error = DixaError("read the profile", str(exc))
            debuglog.log.warning("start: %s", exc)
        else:
            error = DixaError("start", debuglog.unexpected("start-up", exc))
        self.main_screen.list_message("Could not start: see the message below.")
        self.post_message(ApiFailed("start", error, self._start))

    def _started(self, profile: Profile, keymap: dict[str, str],
                 resolution: KeyResolution) -> None:
        self.profile = profile
        self.keymap = keymap
        if keymap:
            from dixa_tui.tui.keys import all_bindings

            known = {b.id for _, b in all_bindings()}
            unknown = sorted(set(keymap) - known)
            if unknown:
                self.notify(f"[keymap] names binding ids that do not exist: "
                            f"{', '.join(unknown)}. Press ? for the list of ids.",
                            title="Config", severity="warning", timeout=10, markup=False)
            self.set_keymap(keymap)
        main = self.main_screen
        main.keys_changed()
        main.show_profile(profile, self.settings.demo)
        from dixa_tui import debuglog

        debuglog.log.info("profile %r: %s (%s), key from %s", profile.name, profile.base_url,
                          profile.api_version, resolution.source or "nowhere")
        if debuglog.enabled():
            self.notify(f"Debug log: {debuglog.current_path()}", title="Debug",
                        markup=False, timeout=6)
        if resolution.key is None:
            from dixa_tui.connect import missing_key_message

            main.waiting_for_key()
            # Once the main screen has painted the profile and the "no key" state: a screen
            # under a dialog is not repainted, so it would go on showing "Starting…".
            reason = missing_key_message(profile, resolution).splitlines()[0]
            main.call_after_refresh(self._ask_key, reason, True)
            return
        self._connect(resolution.key)

    def _connect(self, key: SecretStr) -> None:
        from dixa_tui.connect import open_client

        old, self.client = self.client, None
        if old is not None:
            self.run_worker(old.aclose(), group="close")
        transport = self.transport_factory() if self.transport_factory else None
        try:
            self.client = open_client(self.settings, key=key, transport=transport)
        except ValueError as exc:  # a key with control characters: never in the message
            self.main_screen.waiting_for_key()
            self._ask_key(str(exc), True)
            return
        self.main_screen.load_definitions()

    @property
    def main_screen(self) -> MainScreen:
        """The main screen, wherever it is in the stack (dialogs may be above it)."""
        from dixa_tui.tui.screens.main import MainScreen

        return next(s for s in self.screen_stack if isinstance(s, MainScreen))

    # -- quitting -------------------------------------------------------------------------

    async def action_quit(self) -> None:
        """Quit; asks first while an editor holds unsent edits or waits for Dixa's answer
        (ctrl+q again, or y, quits)."""
        from dixa_tui.tui.screens.confirm import ConfirmScreen
        from dixa_tui.tui.screens.editor import EditorScreen

        editor = next((s for s in self.screen_stack if isinstance(s, EditorScreen)), None)
        if editor is None or not (editor.staged or editor.sending) or (
                self.screen is self._asking_quit):
            self.exit()
            return
        from dixa_tui.tui.literal import lit

        if editor.sending:
            title, body = "Quit while sending?", ("A send is on its way: quitting now leaves "
                                                  "you not knowing whether Dixa applied it.")
        else:
            title, body = "Quit with unsent edits?", editor.loss()

        def answered(yes: bool | None) -> None:
            self._asking_quit = None
            if yes:
                self.exit()

        self._asking_quit = ConfirmScreen(title, lit(body), yes="Quit", no="Stay")
        self.push_screen(self._asking_quit, answered)

    # -- the key --------------------------------------------------------------------------

    def _ask_key(self, reason: str | None, required: bool) -> None:
        from dixa_tui.tui.screens.key import KeyScreen

        name = self.profile.name if self.profile else "default"
        self.push_screen(KeyScreen(name, required=required, reason=reason), self._key_done)

    def _key_done(self, outcome: KeyOutcome | None) -> None:
        if outcome is None:
            return
        if outcome.key is not None:
            where = "saved in the keyring" if outcome.stored else "used for this session only"
            self.notify(f"API key {where}.", title="API key")
            self._connect(outcome.key)
        elif outcome.deleted:
            self.notify("The stored API key was deleted.", title="API key")

    def action_key(self) -> None:
        if self.settings.demo:
            self.notify("The demo uses its own key; no keyring is involved.", title="API key")
            return
        self._ask_key(None, False)

    # -- requests -------------------------------------------------------------------------

    def request(self, asker: DOMNode, what: str,
                call: Callable[[DixaClient], Awaitable[Any]], *, context: Any = None,
                exclusive: bool = True) -> None:
        """Run ``call(client)`` in a worker of ``asker``; answer with Loaded or ApiFailed."""

        origin = asker if isinstance(asker, Screen) else asker.screen

        def again() -> None:
            self.request(asker, what, call, context=context, exclusive=exclusive)

        async def job() -> None:
            from dixa_tui.api.client import retries_reported

            client = self.client
            if client is None:  # said, not dropped: a dialog waiting on it would wait forever
                from dixa_tui.api.errors import DixaNotConnected

                asker.post_message(ApiFailed(what, DixaNotConnected(what), again, context,
                                             origin))
                return
            try:
                with retries_reported(lambda notice: asker.post_message(Retrying(what, notice))):
                    result = await call(client)
            except Exception as exc:  # every failure is shown, none crashes the app
                _log_failure(what, exc)
                asker.post_message(ApiFailed(what, exc, again, context, origin))
            else:
                asker.post_message(Loaded(what, result, context))

        asker.run_worker(job(), group=what, exclusive=exclusive, exit_on_error=False)

    def on_retrying(self, message: Retrying) -> None:
        """A slow failure is never silent: each retry is said, until it succeeds or fails."""
        notice = message.notice
        self.notify(clean(notice.sentence()), title="Dixa: trying again", severity="warning",
                    timeout=max(10.0, notice.wait + 5), markup=False)

    def on_api_failed(self, message: ApiFailed) -> None:
        """The one place errors are shown: the error bar of the screen that asked."""
        screen = message.origin if message.origin in self.screen_stack else self.screen
        if message.retry is not None:
            self._retries[screen] = message.retry
        else:
            self._retries.pop(screen, None)
        try:
            bar = screen.query_one(ErrorBar)
        except Exception:
            from dixa_tui.tui.widgets.errorbar import describe

            self.notify(clean(" ".join(describe(message.error, self.key_hint("app.key", "K")))),
                        severity="error", markup=False)
            return
        bar.show(message.error, self.key_hint("app.retry", RETRY_KEY) if message.retry else None,
                 self.key_hint("app.key", "K"))

    def clear_error(self) -> None:
        self._retries.pop(self.screen, None)
        for bar in self.screen.query(ErrorBar):
            bar.clear()

    def action_retry(self) -> None:
        retry = self._retries.pop(self.screen, None)
        if retry is None:
            self.notify("Nothing to retry.", timeout=2)
            return
        for bar in self.screen.query(ErrorBar):
            bar.clear()
        retry()

    def binding_keys(self, binding_id: str, default: str) -> str:
        """The key(s) a binding answers to, after the user's keymap."""
        return self.keymap.get(binding_id, default)

    def key_hint(self, binding_id: str, default: str) -> str:
        """The key to name in a hint ("press t"), after the user's keymap: its first key,
        as typed (``/`` for ``slash``)."""
        from textual.keys import format_key

        return format_key(self.binding_keys(binding_id, default).split(",")[0].strip())

    # -- help and the palette -------------------------------------------------------------

    def action_help(self) -> None:
        from dixa_tui.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's own entries (themes, quit, keys), then every action of ours that is
        active on this screen, and the app's own actions, which modal screens hide."""
        builtin = list(super().get_system_commands(screen))
        yield from builtin
        seen = {command.title for command in builtin}
        active = [(key, a.binding, a.node) for key, a in screen.active_bindings.items()]
        active += [(b.key, b, self) for b in self.BINDINGS if isinstance(b, Binding)]
        for key, binding, node in active:
            if not binding.id or not binding.description or binding.description in seen:
                continue
            seen.add(binding.description)

            def run(node: DOMNode = node, action: str = binding.action) -> None:
                self.call_later(self.run_action, action, node)

            keys = self.binding_keys(binding.id, key)
            yield SystemCommand(binding.description, binding.tooltip or f"key: {keys}", run)

    async def on_unmount(self) -> None:
        if self.client is not None:
            await self.client.aclose()

    # -- the last resort ------------------------------------------------------------------

    def _handle_exception(self, error: Exception) -> None:
        """An exception nothing caught: Textual (8.2.8) would exit and print a traceback with
        local variables, which may hold anything on screen. Exit with one line instead, and
        put the traceback, redacted, in the debug log."""
        from rich.text import Text

        from dixa_tui import debuglog

        line = debuglog.unexpected("the terminal UI", error)
        self._return_code = 1
        if self._exception is None:  # pilot re-raises the first one in tests, as Textual does
            self._exception = error
            self._exception_event.set()
        self.bell()
        self._exit_renderables.append(Text(f"dixa-tui stopped: {line}", style="bold red"))
        self._close_messages_no_wait()


def _log_failure(what: str, error: Exception) -> None:
    """Expected failures (a DixaError) in one line; anything else with its traceback."""
    from dixa_tui import debuglog
    from dixa_tui.api.errors import DixaError

    if isinstance(error, DixaError):
        debuglog.log.warning("%s failed: %s", what, error)
    else:
        debuglog.unexpected(what, error)


def run_tui(settings: Settings) -> int:
    """Run the terminal UI; its return code (non-zero after an unexpected error)."""
    app = DixaApp(settings)
    app.run()
    return app.return_code or 0
