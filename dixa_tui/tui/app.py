"""The Textual app: start-up, the session's lifecycle, the key, and the one place errors show.

The first frame needs nothing but Textual: the session (the profile, the keyring, httpx and
pydantic) is made by a worker after the main screen is on screen, then handed to the screens
through their :class:`~dixa_tui.tui.context.Ui`. What was started before Textual loaded (a
cached list, or the list on its way: ``session.early``) goes to the main screen, and the
session starts from the settings resolved there. The app tells the main screen what happened
with messages (:class:`SessionStarted`, :class:`Connected`, :class:`KeyMissing`); it never
reaches into a screen's state. Failed requests bubble here, to :meth:`on_request_failed`,
which shows them in the error bar of the screen that asked.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from textual import constants as textual_constants
from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.message import Message
from textual.screen import Screen

from dixa_tui.text import clean
from dixa_tui.tui.context import Ui
from dixa_tui.tui.messages import (
    Connected,
    EditTargets,
    KeyMissing,
    ListShown,
    MainReady,
    Request,
    RequestFailed,
    Retrying,
    SessionStarted,
)
from dixa_tui.tui.painted import after_painted
from dixa_tui.tui.widgets.errorbar import ErrorBar

if TYPE_CHECKING:
    import httpx
    from rich.console import RenderableType

    from dixa_tui.session.core import Session
    from dixa_tui.session.early import EarlyStart
    from dixa_tui.session.settings import Settings
    from dixa_tui.tui.screens.key import KeyOutcome
    from dixa_tui.tui.screens.main import MainScreen

RETRY_KEY = "ctrl+r"


class DixaApp(App[None]):
    """dixa-tui. ``transport_factory`` lets tests put their own mock behind the client."""

    CSS_PATH = "app.tcss"
    TITLE = "dixa-tui"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True,
                tooltip="Quit dixa-tui (asks first while edits are unsent)"),
        Binding("question_mark", "help", "Help", id="app.help",
                tooltip="Show every key of every screen"),
        Binding("f1", "help", "Help", show=False, id="app.help_anywhere", priority=True,
                tooltip="Show every key, from any screen"),
        Binding(RETRY_KEY, "retry", "Retry", id="app.retry", show=False, priority=True,
                tooltip="Retry the request that failed"),
        Binding("K", "key", "API key", show=False, id="app.key",
                tooltip="Show, enter, save or delete the API key"),
    ]

    def __init__(self, settings: Settings, *,
                 transport_factory: Callable[[], httpx.AsyncBaseTransport] | None = None,
                 early: EarlyStart | None = None) -> None:
        driver = None
        # A frame may be on the terminal (tui.firstframe, which draws none where a TEXTUAL_*
        # setting is made): Textual's own driver takes it over. TEXTUAL_DRIVER (textual
        # serve, tests) chooses its own.
        if sys.platform != "win32" and not textual_constants.DRIVER:
            from dixa_tui.tui.predriver import FramedDriver

            driver = FramedDriver
        super().__init__(driver_class=driver)
        self.settings = settings
        self.transport_factory = transport_factory
        self.early = early
        self.ui = Ui()
        self._main: MainScreen | None = None
        self._asking_quit: Screen[Any] | None = None  # the "quit anyway?" question, when asked
        self._started_once = False  # the start-up worker was started
        self._quitting = False  # exit() was called: the screens are being taken down
        # Keys (and pastes) typed before the main screen is up (over the frame drawn before
        # Textual, they come at once): held, then handled in order once it has been drawn.
        self._holding = True
        self._held: list[events.Key | events.Paste] = []
        self.collector_after_first_frame = False  # run_tui paused it until then

    @property
    def session(self) -> Session | None:
        return self.ui.session

    @property
    def main_screen(self) -> MainScreen:
        """The main screen (dialogs may be above it)."""
        assert self._main is not None, "the main screen is pushed on mount"
        return self._main

    def binding_keys(self, binding_id: str, default: str) -> str:
        return self.ui.binding_keys(binding_id, default)

    def key_hint(self, binding_id: str, default: str) -> str:
        return self.ui.key_hint(binding_id, default)

    # -- start ----------------------------------------------------------------------------

    def get_default_screen(self) -> Screen[Any]:
        """The main screen is the app's first (and bottom) screen: no other is built before it."""
        from dixa_tui.tui.screens.main import MainScreen

        self._main = MainScreen(self.ui, demo=self.settings.demo,
                                profile_name=self.settings.profile_name, early=self.early)
        return self._main

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.Paste) and not event.is_forwarded:
            if self._holding:
                self._held.append(event)
                return
            if isinstance(event, events.Key) and self._opens_filter(event):
                # At once, not when the key comes back up from the list: Textual routes each
                # key to the widget focused as it arrives, and the text typed at once after
                # this "/" (a burst: typed ahead, over SSH, while the app was busy) is the
                # filter's, not the list's.
                self.main_screen.action_filter()
                return
        await super().on_event(event)

    def on_main_ready(self, message: MainReady) -> None:
        self.call_later(self._replay)  # after the list has the focus (queued before this)

    async def _replay(self) -> None:
        """The held keys, in order, each handled as it would have been; what comes while
        they are is held too, and follows them. Typed before a screen came over the main
        one (the API key's, at a start without a key), they were not meant for it: only a
        quit is kept then."""
        quits = {k.strip() for k in self.ui.binding_keys("app.quit", "ctrl+q").split(",")}
        while self._held:
            event = self._held.pop(0)
            if self.screen is not self._main and not (isinstance(event, events.Key)
                                                       and event.key in quits):
                continue
            if isinstance(event, events.Key) and self._opens_filter(event):
                self.main_screen.action_filter()
                continue
            await super().on_event(event)
        self._holding = False

    def _opens_filter(self, key: events.Key) -> bool:
        """``key`` is the filter's (after the keymap), and the list has the focus."""
        from dixa_tui.tui.widgets.definitions import DefinitionList

        if self._main is None or self.screen is not self._main:
            return False
        keys = {k.strip() for k in self.ui.binding_keys("main.filter", "slash").split(",")}
        return key.key in keys and isinstance(self.focused, DefinitionList)

    def _repaint(self, app: App[None]) -> None:
        """After a suspend (ctrl+z, then fg), everything again: the terminal may show
        anything, and one screen of the same size finds nothing changed to draw."""
        self.screen.refresh(layout=True)

    def on_mount(self) -> None:
        main = self.main_screen
        self.app_resume_signal.subscribe(self, self._repaint)
        if self.collector_after_first_frame:
            import gc

            after_painted(main, gc.enable)
        # Once the first frame is out, nothing competes with it for the interpreter; and
        # when a list is on its way from before Textual, once it is painted (ListShown).
        if self.early is None or not self.early.started:
            after_painted(main, self._begin)

    def on_list_shown(self, message: ListShown) -> None:
        self._begin()

    def _begin(self) -> None:
        """Start the session, once (a retry after a failed start runs ``_start`` again)."""
        if not self._started_once:
            self._started_once = True
            self._start()

    @work(thread=True, exit_on_error=False, group="start")
    def _start(self) -> None:
        """Off the event loop: config (TOML), keyring (D-Bus) and the heavy imports; or the
        settings the early start resolved (``session.early``)."""
        from dixa_tui.session.core import Session

        early = self.early
        try:
            if early is not None and early.started:
                early.wait_resolved()
            if early is not None and early.resolved is not None:
                transport = self.transport_factory
                if early.transport is not None:
                    demo = early.transport

                    def transport() -> httpx.AsyncBaseTransport:
                        return demo

                session = Session(self.settings, early.resolved, transport=transport)
            else:
                session = Session.open(self.settings, transport=self.transport_factory)
            from dixa_tui.session.startcache import forget_if_off

            forget_if_off(session)  # --no-cache, startup_cache = false: no file kept either
        except Exception as exc:  # a broken config file, a keyring that fails: say so
            self.post_message(_StartEnded(None, exc))
            return
        # Posted, not called: ``call_from_thread`` waits for the loop, which a quit in the
        # meantime has stopped (the worker would then wait for ever, and the quit for it).
        self.post_message(_StartEnded(session, None))

    def on__start_ended(self, message: _StartEnded) -> None:
        if message.session is not None:
            self._started(message.session)
        elif message.error is not None:
            self._start_failed(message.error)

    def _start_failed(self, exc: Exception) -> None:
        from dixa_tui import debuglog
        from dixa_tui.api.errors import DixaError
        from dixa_tui.config import ConfigError

        if isinstance(exc, ConfigError | ValueError):
            error = DixaError("read the profile", str(exc))
            debuglog.log.warning("start: %s", exc)
        else:
            error = DixaError("start", debuglog.unexpected("start-up", exc))
        self.main_screen.post_message(RequestFailed(Request.START, error, self._start,
                                                    self.main_screen))

    def _started(self, session: Session) -> None:
        self.ui.session = session
        keymap = dict(session.keymap)
        self.ui.keymap = keymap
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
        main.post_message(SessionStarted(session))
        from dixa_tui import debuglog

        profile = session.profile
        debuglog.log.info("profile %r: %s (%s), key from %s", profile.name, profile.base_url,
                          profile.api_version, session.key_source or "nowhere")
        if debuglog.enabled():
            self.notify(f"Debug log: {debuglog.current_path()}", title="Debug",
                        markup=False, timeout=6)
        if not session.connected:
            from dixa_tui.session.settings import missing_key_message

            main.post_message(KeyMissing())
            # Once the main screen has painted the profile and the "no key" state: a screen
            # under a dialog is not repainted, so it would go on showing "Starting…".
            reason = missing_key_message(profile, session.key_problem).splitlines()[0]
            main.call_after_refresh(self._ask_key, reason, True)
            return
        main.post_message(Connected())

    # -- quitting -------------------------------------------------------------------------

    async def action_quit(self) -> None:
        """Quit; asks first while an editor holds unsent edits or waits for Dixa's answer,
        or a bulk run is sending (ctrl+q again, or y, quits)."""
        from dixa_tui.tui.screens.confirm import ConfirmScreen

        loss = self._unsent()
        if loss is None or self.screen is self._asking_quit:
            self.exit()
            return
        from dixa_tui.tui.literal import lit

        def answered(yes: bool | None) -> None:
            self._asking_quit = None
            if yes:
                self.exit()

        title, body = loss
        self._asking_quit = ConfirmScreen(title, lit(body), yes="Quit", no="Stay")
        self.push_screen(self._asking_quit, answered)

    def _unsent(self) -> tuple[str, str] | None:
        """(title, body) of what quitting now would lose, if anything."""
        from dixa_tui.tui.screens.bulk_editor import BulkEditorScreen
        from dixa_tui.tui.screens.bulk_review import BulkReviewScreen
        from dixa_tui.tui.screens.editor import EditorScreen

        for screen in reversed(self.screen_stack):
            if isinstance(screen, BulkReviewScreen) and screen.phase == "sending":
                return "Quit while sending?", ("A bulk run is sending: quitting now stops it "
                                               "with a write or two of unknown outcome. "
                                               "What was sent stays sent; `dixa-tui bulk "
                                               "apply` on its plan finishes the run.")
            if isinstance(screen, EditorScreen) and screen.sending:
                return "Quit while sending?", ("A send is on its way: quitting now leaves "
                                               "you not knowing whether Dixa applied it.")
            if isinstance(screen, EditorScreen | BulkEditorScreen) and screen.staged:
                return "Quit with unsent edits?", screen.loss()
        return None

    # -- bulk edits -----------------------------------------------------------------------

    def on_edit_targets(self, message: EditTargets) -> None:
        """Targets marked in a list (a user's conversations, lookup results, a Find
        worklist): the bulk editor opens on them."""
        from dixa_tui.domain.bulk_marks import marks_kind
        from dixa_tui.tui.screens.bulk_editor import BulkEditorScreen

        session = self.ui.session
        if session is None or session.definitions is None:
            self.notify("The definitions have not loaded yet: try again in a moment.",
                        timeout=3)
            return
        try:
            marks_kind(message.targets)
        except ValueError as exc:
            self.notify(str(exc).capitalize() + ".", severity="warning", timeout=5,
                        markup=False)
            return
        self.push_screen(BulkEditorScreen(self.ui, session.definitions.definitions,
                                          message.targets, message.names))

    # -- the key --------------------------------------------------------------------------

    def _ask_key(self, reason: str | None, required: bool) -> None:
        from dixa_tui.session.settings import describe_source
        from dixa_tui.tui.screens.key import KeyScreen

        session = self.ui.session
        name = session.profile.name if session else "default"
        # The session knows which key it uses (one entered for this session only is in no
        # keyring): the screen names that, not whatever the keyring holds.
        in_use = (describe_source(session.key_source, session.backend)
                  if session is not None and session.key_source else None)
        self.push_screen(KeyScreen(name, required=required, reason=reason, in_use=in_use),
                         self._key_done)

    def _key_done(self, outcome: KeyOutcome | None) -> None:
        if outcome is None:
            return
        if outcome.key is not None:
            where = "saved in the keyring" if outcome.stored else "used for this session only"
            self.notify(f"API key {where}.", title="API key")
            self._use_key(outcome)
        elif outcome.deleted:
            self.notify("The stored API key was deleted.", title="API key")

    def _use_key(self, outcome: KeyOutcome) -> None:
        session = self.ui.session
        if session is None or outcome.key is None:
            return
        try:
            old = session.use_key(outcome.key, "keyring" if outcome.stored else "session")
        except ValueError as exc:  # the key rule's sentence: never the key itself
            self.main_screen.post_message(KeyMissing())
            self._ask_key(str(exc), True)
            return
        if old is not None:
            self.run_worker(old.aclose(), group="close")
        self.main_screen.post_message(Connected())

    def action_key(self) -> None:
        if self.settings.demo:
            from dixa_tui.session.settings import describe_source
            from dixa_tui.tui.screens.key import KeyScreen

            self.push_screen(KeyScreen("demo", in_use=describe_source("demo"),
                                       read_only="The demo uses its own key: there is nothing "
                                                 "to enter, save or delete, and no keyring is "
                                                 "involved. Start without --demo to use yours."))
            return
        self._ask_key(None, False)

    # -- errors and retries ---------------------------------------------------------------

    def on_retrying(self, message: Retrying) -> None:
        """A slow failure is never silent: each retry is said, until it succeeds or fails."""
        notice = message.notice
        self.notify(clean(notice.sentence()), title="Dixa: trying again", severity="warning",
                    timeout=max(10.0, notice.wait + 5), markup=False)

    def on_request_failed(self, message: RequestFailed) -> None:
        """The one place errors are shown: the error bar of the screen that asked."""
        screen = message.origin if message.origin in self.screen_stack else self.screen
        key_key = self.key_hint("app.key", "K")
        try:
            bar = screen.query_one(ErrorBar)
        except Exception:
            from dixa_tui.tui.widgets.errorbar import describe

            self.notify(clean(" ".join(describe(message.error, key_key))),
                        severity="error", markup=False)
            return
        retry_key = self.key_hint("app.retry", RETRY_KEY) if message.retry else None
        bar.show(message.error, retry_key, key_key, retry=message.retry)

    def action_retry(self) -> None:
        retry = None
        for bar in self.screen.query(ErrorBar):
            retry = retry or bar.take_retry()
        if retry is None:
            self.notify("Nothing to retry.", timeout=2)
            return
        retry()

    # -- help and the palette -------------------------------------------------------------

    def action_help(self) -> None:
        from dixa_tui.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.ui.keymap))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's own entries (themes, quit, keys), then every action of ours that is
        active on this screen, and the app's own actions, which modal screens hide. Each of
        ours is titled with its sentence (the binding's tooltip: what a person would search
        for), its short name and keys below."""
        builtin = list(super().get_system_commands(screen))
        yield from builtin
        seen = {command.title for command in builtin}
        active = [(key, a.binding, a.node) for key, a in screen.active_bindings.items()]
        active += [(b.key, b, self) for b in self.BINDINGS if isinstance(b, Binding)]
        for key, binding, node in active:
            title = palette_title(binding)
            if not binding.id or not title or title in seen:
                continue
            seen.add(title)

            def run(node: DOMNode = node, action: str = binding.action) -> None:
                self.call_later(self.run_action, action, node)

            keys = self.binding_keys(binding.id, key)
            yield SystemCommand(title, f"{binding.description} · key: {keys}", run)

    async def on_unmount(self) -> None:
        if self.early is not None:  # a read still under way from before Textual ends here
            self.early.stop()
        if self.ui.session is not None:
            await self.ui.session.aclose()

    # -- the last resort ------------------------------------------------------------------

    def exit(self, result: None = None, return_code: int = 0,
             message: RenderableType | None = None) -> None:
        self._quitting = True
        super().exit(result, return_code, message)

    def _handle_exception(self, error: Exception) -> None:
        """An exception nothing caught. Textual (8.2.8) would print a traceback with local
        variables, which may hold anything on screen; an exception with ``__rich__`` it
        shows as that instead. So the error gets one line as its ``__rich__``, and the
        traceback, redacted, goes to the debug log. (A private hook: see
        ``dixa_tui.tui.private``.)"""
        from rich.text import Text
        from textual.app import ScreenStackError
        from textual.css.query import NoMatches
        from textual.dom import NoScreen
        from textual.widget import MountError

        from dixa_tui import debuglog

        if self._quitting and isinstance(error, NoMatches | NoScreen | ScreenStackError
                                         | MountError):
            # A handler that came after the quit looked for (or mounted into) a widget or
            # screen already taken down (the list's models, read in a worker, arriving as
            # the app closes): not a failure of what the user asked, and in the debug log
            # all the same.
            debuglog.log.warning("after the quit, a handler met what was taken down",
                                 exc_info=error)
            return
        line = Text(f"dixa-tui stopped: {debuglog.unexpected('the terminal UI', error)}",
                    style="bold red")
        try:
            vars(error)["__rich__"] = lambda: line
        except TypeError:  # an exception type without a __dict__: show ours in its place
            error = Stopped(line)
        self.bell()
        super()._handle_exception(error)


class _StartEnded(Message):
    """The start-up worker's outcome: the session, or why there is none."""

    def __init__(self, session: Session | None, error: Exception | None) -> None:
        super().__init__()
        self.session = session
        self.error = error


def palette_title(binding: Binding) -> str:
    """A binding as the palette lists it: its sentence (what a person would search for), led
    by its short name where the sentence does not hold that name's words ("History — Every
    write from this machine…"), so searching either finds it."""
    name, sentence = binding.description, binding.tooltip
    if not sentence:
        return name
    if all(word in sentence.lower() for word in name.lower().split()):
        return sentence
    return f"{name} — {sentence}"


class Stopped(Exception):
    """An uncaught error that could not carry its own line: the line, nothing else."""

    def __init__(self, line: object) -> None:
        super().__init__(str(line))
        self.line = line

    def __rich__(self) -> object:
        return self.line


def run_tui(settings: Settings) -> int:
    """Run the terminal UI; its return code (non-zero after an unexpected error). What was
    started for it before Textual loaded (``session.early.begin``) is taken over."""
    import gc

    from dixa_tui.session.early import take

    app = DixaApp(settings, early=take(settings))
    # What is loaded now (Textual, the app) lives as long as the process: kept out of the
    # collector's way, which would otherwise walk all of it (20-40 ms) on the way to the
    # first frame. The collector itself waits for that frame (``on_mount``).
    gc.freeze()
    app.collector_after_first_frame = gc.isenabled()
    gc.disable()
    app.run()
    return app.return_code or 0
