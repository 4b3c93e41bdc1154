"""The bulk review: a plan, target by target, before anything is sent; then the run, with
progress and a stop; then the results, with the failures sent again on request.

A plan comes from marked targets and one edit set (the bulk editor), from an input file
planned here, or from a plan file of ``dixa-tui bulk plan``. Planning reads each target at
Dixa's pace (a progress bar with count, rate and ETA; nothing is sent). Sending goes
through the engine's ``apply_bulk``: journaled under one batch, each target checked against
the plan's before values first (a target changed since is a conflict, sent only on request),
the batch id and each result written beside the plan file as ``bulk apply`` writes them, so
``dixa-tui bulk apply PLAN`` finishes a run this screen could not. Escape stops a run
gently (what is on its way finishes); the rest is sent by the send key again.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, ClassVar, Literal

from rich.text import Text
from textual import on
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, DataTable, ProgressBar, Static

from dixa_tui.domain.bulk_results import RETRY_OUTCOMES
from dixa_tui.tui import bulk_text
from dixa_tui.tui.bulk_run import BulkSource
from dixa_tui.tui.literal import lit
from dixa_tui.tui.messages import (
    BulkApplied,
    BulkBatchStarted,
    BulkPlanned,
    BulkProgress,
    BulkResultHeard,
    Request,
    RequestFailed,
    TargetsWritten,
)
from dixa_tui.tui.screens.confirm import ConfirmScreen
from dixa_tui.tui.widgets.errorbar import ErrorBar
from dixa_tui.tui.widgets.fitline import FitLine
from dixa_tui.tui.widgets.footer import Footer
from dixa_tui.tui.widgets.plan_table import PlanTable, entry_detail

if TYPE_CHECKING:
    from pathlib import Path

    from textual.app import ComposeResult

    from dixa_tui.domain.bulk_plan import Plan
    from dixa_tui.domain.bulk_results import ResultLine
    from dixa_tui.session.progress import Progress
    from dixa_tui.tui.context import Ui

Phase = Literal["planning", "review", "sending", "done"]
CONFLICT = frozenset({"conflict"})


class BulkReviewScreen(Screen[bool]):
    """Dismisses True when anything was sent from it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+t", "send", "Send", id="bulk.send", priority=True,
                tooltip="Send the plan to Dixa (asks first); after a stop, send the rest"),
        Binding("r", "retry", "Retry failed", id="bulk.retry",
                tooltip="Send again only the targets that failed (a conflict needs force)"),
        Binding("F", "force", "Force conflicts", id="bulk.force",
                tooltip="Send the conflicts anyway, over what changed since the plan"),
        Binding("escape", "back", "Stop / back", id="bulk.back",
                tooltip="Stop sending (what is on its way finishes), or go back"),
        Binding("question_mark", "app.help", "Help", show=False, id="app.help",
                tooltip="Show every key of every screen"),
    ]
    DEFAULT_CSS = """
    BulkReviewScreen { layout: vertical; }
    BulkReviewScreen #bulk-title { background: $panel; padding: 0 1; }
    BulkReviewScreen #bulk-summary { padding: 0 1; }
    BulkReviewScreen #bulk-progress { height: 1; margin: 0 1; }
    BulkReviewScreen #bulk-detail-box {
        height: 8; border: round $panel-lighten-2; padding: 0 1;
    }
    BulkReviewScreen #bulk-buttons { height: 1; }
    BulkReviewScreen #bulk-status { width: 1fr; height: 1; padding: 0 1; }
    BulkReviewScreen #bulk-send { min-width: 14; height: 1; border: none; margin-left: 1; }
    """

    def __init__(self, ui: Ui, source: BulkSource) -> None:
        super().__init__()
        self.ui = ui
        self.source = source
        self.phase: Phase = "planning"
        self.plan: Plan | None = None  # as planned or read
        self.batch_plan: Plan | None = None  # as sent: with its batch id, errors left out
        self.path: Path | None = source.path if source.plan is not None else None
        self.results: dict[int, ResultLine] = {}
        self.stop: asyncio.Event | None = None
        self.wrote = False
        self.failures: Path | None = None

    def compose(self) -> ComposeResult:
        yield FitLine(id="bulk-title")
        yield FitLine(id="bulk-summary")
        yield ProgressBar(id="bulk-progress", show_eta=False)
        yield PlanTable(id="bulk-table")
        with VerticalScroll(id="bulk-detail-box") as box:
            box.border_title = "The highlighted target"
            yield Static(id="bulk-detail")
        with Horizontal(id="bulk-buttons"):
            yield FitLine(id="bulk-status")
            yield Button(f"Send ({self.ui.key_hint('bulk.send', 'ctrl+t')})", id="bulk-send",
                         variant="primary", disabled=True)
        yield ErrorBar()
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#bulk-title", FitLine).say(*bulk_text.title(self.source, self.ui))
        self._prepare()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The footer offers what can be done now: send while reviewing (or the rest after
        a stop), the failures and conflicts once there are some."""
        if action == "send":
            return self.phase == "review" or (self.phase == "done" and bool(self._rest()))
        if action == "retry":
            return self.phase == "done" and bool(self._lines(RETRY_OUTCOMES))
        if action == "force":
            return self.phase == "done" and bool(self._lines(CONFLICT))
        return True

    def _rest(self) -> list[int]:
        """The lines of the run's plan that have no outcome yet (a stopped run)."""
        if self.batch_plan is None:
            return []
        return [e.line for e in self.batch_plan.to_send if e.line not in self.results]

    @property
    def table(self) -> PlanTable:
        return self.query_one(PlanTable)

    def _status(self, *wordings: Text) -> None:
        self.query_one("#bulk-status", FitLine).say(*wordings)

    def _summary(self, *wordings: Text) -> None:
        self.query_one("#bulk-summary", FitLine).say(*wordings)

    # -- planning -------------------------------------------------------------------------

    def _prepare(self) -> None:
        """Plan the marks or the input file (reading each target), or take the plan file;
        the definitions come along to show values by label."""
        from dixa_tui.tui.bulk_run import prepare_job

        self.phase = "planning"
        what = "Reading the definitions…" if self.source.plan is not None else \
            "Reading each target's values (nothing is sent)…"
        self._status(lit(what, "bold"))
        self._progress(None)
        self.ui.run(self, Request.BULK_PLAN, prepare_job(self.source, self.post_message),
                    lambda planned: planned)

    def on_bulk_progress(self, message: BulkProgress) -> None:
        if self.phase in ("planning", "sending"):
            self._progress(message.progress)

    def _progress(self, progress: Progress | None) -> None:
        """The bar and the count/rate/ETA line while reading or sending; hidden else."""
        bar = self.query_one("#bulk-progress", ProgressBar)
        bar.display = self.phase in ("planning", "sending")
        if progress is None:
            bar.update(total=None, progress=0)
            return
        bar.update(total=progress.total or None, progress=progress.done)
        stop = self.ui.key_hint("bulk.back", "esc")
        line = progress.line()
        self._status(lit(f"{line} · {stop} stops", "bold"), lit(line, "bold"))

    def on_bulk_planned(self, message: BulkPlanned) -> None:
        self.query_one(ErrorBar).clear()
        self.plan = message.plan
        self.phase = "review"
        self._progress(None)
        self.table.show_plan(message.plan, message.index, self.source.names,
                             with_lines=message.plan.input.origin == "file")
        self.table.focus()
        self._show_review()
        self.refresh_bindings()

    def _show_review(self) -> None:
        assert self.plan is not None
        self._summary(*bulk_text.totals(self.plan))
        sendable, why = bulk_text.sendable(self.plan, self.ui)
        self.query_one("#bulk-send", Button).disabled = sendable is None
        if sendable is None:
            self._status(lit(why, "bold yellow"))
        else:
            self._status(*bulk_text.review_status(self.plan, sendable, self.ui))

    @on(DataTable.RowHighlighted, "#bulk-table")
    def _highlighted(self) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        entry = self.table.highlighted_entry
        detail = self.query_one("#bulk-detail", Static)
        if entry is None:
            detail.update("")
            return
        source = None
        if self.plan is not None and self.plan.input.origin == "file":
            source = self.plan.input.name or "the input"
        detail.update(entry_detail(entry, self.table.index, self.source.names,
                                   self.results.get(entry.line), source))

    # -- sending --------------------------------------------------------------------------

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "bulk-send":
            self.action_send()

    def _refuse_writes(self) -> bool:
        session = self.ui.session
        if session is not None and session.profile.read_only:
            self.notify(f"Profile {session.profile.name!r} is read-only (read_only = true in "
                        "the config file): the plan can be reviewed here, never sent.",
                        title="Read-only", severity="warning", timeout=6, markup=False)
            return True
        return False

    def action_send(self) -> None:
        """Review: send the plan (errors left out of a plan of marks). After a stop: send
        what was not sent yet."""
        if self.phase not in ("review", "done") or self.plan is None or self._refuse_writes():
            return
        if self.phase == "done":
            if self.batch_plan is None:
                return
            rest = self._rest()
            if not rest:
                self.notify("Every target of the plan has an outcome: "
                            f"{self.ui.key_hint('bulk.retry', 'r')} sends the failed ones "
                            "again.", timeout=4)
                return
            self._ask(self.batch_plan.restricted_to(rest), force=False, resume=True)
            return
        plan, why = bulk_text.sendable(self.plan, self.ui)
        if plan is None:
            self.notify(why, severity="warning", timeout=6, markup=False)
            return
        self._ask(plan, force=False)

    def _lines(self, outcomes: frozenset[str]) -> list[int]:
        return [line for line, r in self.results.items() if r.outcome in outcomes]

    def action_retry(self) -> None:
        if self.phase != "done" or self.batch_plan is None or self._refuse_writes():
            return
        failed = self._lines(RETRY_OUTCOMES)
        if not failed:
            self.notify("Nothing failed" + (": the conflicts need force "
                        f"({self.ui.key_hint('bulk.force', 'F')})."
                        if self._lines(CONFLICT) else "."), timeout=4)
            return
        self._ask(self.batch_plan.restricted_to(failed), force=False, retry=True)

    def action_force(self) -> None:
        if self.phase != "done" or self.batch_plan is None or self._refuse_writes():
            return
        conflicts = self._lines(CONFLICT)
        if not conflicts:
            self.notify("No target is in conflict.", timeout=3)
            return
        self._ask(self.batch_plan.restricted_to(conflicts), force=True)

    def _ask(self, plan: Plan, *, force: bool, resume: bool = False,
             retry: bool = False) -> None:
        """Always one question (as ``bulk apply`` asks); on a profile that asks before every
        send, the number of targets is typed back."""
        from dixa_tui.tui.screens.bulk_dialogs import CountConfirmScreen

        session = self.ui.session
        if session is None:
            return
        title, body = bulk_text.question(plan, self.plan or plan, session.profile, force=force,
                                         resume=resume, retry=retry)

        def answered(yes: bool | None) -> None:
            if yes:
                self._send(plan, force)

        count = len(plan.to_send)
        if session.profile.confirms_sends:
            self.app.push_screen(CountConfirmScreen(title, body, count), answered)
        else:
            self.app.push_screen(ConfirmScreen(title, body, yes="Send", no="Go back"),
                                 answered)

    def _send(self, plan: Plan, force: bool) -> None:
        from dixa_tui.tui.bulk_run import send_job

        self.phase = "sending"
        self.stop = asyncio.Event()
        self.query_one("#bulk-send", Button).disabled = True
        self.query_one(ErrorBar).clear()
        self._progress(None)
        self._status(lit("Recording the batch, then sending…", "bold"))
        self.refresh_bindings()
        job = send_job(plan, path=self.path, whole=self.batch_plan, force=force,
                       stop=self.stop, post=self.post_message)
        self.ui.run(self, Request.BULK_SEND, job, lambda applied: applied, retry=None)

    def on_bulk_batch_started(self, message: BulkBatchStarted) -> None:
        if self.batch_plan is None:
            self.batch_plan = message.plan
        self.path = message.path

    def on_bulk_result_heard(self, message: BulkResultHeard) -> None:
        result = message.result
        self.results[result.line] = result
        self.table.show_result(result)
        if result.outcome == "sent" and result.target is not None:
            self.wrote = True
            for screen in self.app.screen_stack:  # whoever shows it reads it again
                screen.post_message(TargetsWritten([result.target]))
        entry = self.table.highlighted_entry
        if entry is not None and entry.line == result.line:
            self._show_detail()

    def on_bulk_applied(self, message: BulkApplied) -> None:
        self.phase = "done"
        self._progress(None)
        self.failures = message.failures or self.failures
        if message.file_problem:
            self.notify(message.file_problem, title="Files", severity="warning", timeout=10,
                        markup=False)
        self._show_done(stopped=message.summary.cancelled)
        note = bulk_text.files_note(self.path, self.failures)
        if note:
            self.notify(note, title="Kept for the command line", timeout=8, markup=False)

    def _show_done(self, *, stopped: bool) -> None:
        assert self.plan is not None and self.batch_plan is not None
        self._summary(*bulk_text.outcome_summary(self.batch_plan, self.plan, self.results))
        self._status(*bulk_text.done_status(self.batch_plan, self.results, self.ui,
                                            stopped=stopped))
        button = self.query_one("#bulk-send", Button)
        button.disabled = not self._rest()
        button.display = not button.disabled
        self.refresh_bindings()
        self._show_detail()

    def on_request_failed(self, message: RequestFailed) -> None:
        """The app shows the error below; what was sent stays sent (and journaled)."""
        if message.request is Request.BULK_SEND:
            self.phase = "done" if self.batch_plan is not None else "review"
            self._progress(None)
            if self.phase == "review":
                self._show_review()
            else:
                self._show_done(stopped=True)
        elif message.request is Request.BULK_PLAN:
            self.query_one("#bulk-progress", ProgressBar).display = False
            self._status(lit("Not planned: see the message below. Nothing was sent.",
                             "bold red"))

    # -- leaving --------------------------------------------------------------------------

    def action_back(self) -> None:
        bar = self.query_one(ErrorBar)
        if self.phase == "sending":
            if self.stop is not None and not self.stop.is_set():
                self.stop.set()
                self._status(lit("Stopping: what is on its way finishes, nothing new starts "
                                 f"({self.ui.key_hint('bulk.back', 'esc')} again stops at "
                                 "once)…", "bold yellow"))
                return
            self.workers.cancel_group(self, Request.BULK_SEND.value)
            self.phase = "done" if self.batch_plan is not None else "review"
            self._progress(None)
            if self.batch_plan is not None:
                self._show_done(stopped=True)
            else:
                self._show_review()
            return
        if bar.shown:
            bar.clear()
            return
        if self.phase == "planning":
            self.workers.cancel_group(self, Request.BULK_PLAN.value)
        self.dismiss(self.wrote)
