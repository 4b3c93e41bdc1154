"""The usage census screen: how the Conversation attributes are actually filled in.

Two steps, because the census costs one request per conversation at Dixa's 10/s: enter
counts the conversations the query selects and says how long reading them will take
(:class:`UsagePlanned`); only then does the start key read them, with a progress bar and a
count/rate/ETA line while the chart fills in. The stop key (escape) cancels the reading and
keeps the chart of what was read. Requests go through ``Ui.run``; failures go on to the app,
which shows them in this screen's error bar.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Input, ProgressBar, Static

from dixa_tui.text import plural
from dixa_tui.tui.literal import gap, join, lit
from dixa_tui.tui.messages import (
    Request,
    RequestFailed,
    UsagePlanned,
    UsageProgress,
    UsageQueryRefused,
    UsageRead,
)
from dixa_tui.tui.widgets.errorbar import ErrorBar
from dixa_tui.tui.widgets.footer import Footer
from dixa_tui.tui.widgets.usage_chart import UsageChart

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.app import ComposeResult

    from dixa_tui.domain.query import QuerySpec
    from dixa_tui.domain.usage import UsageTally
    from dixa_tui.session.core import Session
    from dixa_tui.session.usage import UsagePlan
    from dixa_tui.tui.context import Ui

__all__ = ["UsageScreen"]

DEFAULT_QUERY = "--created-since 7d"
REDRAW_EVERY = 0.5  # seconds between redraws of the chart while reading


class UsageScreen(Screen[None]):
    """Count, then read; the chart shows what was read so far."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f5", "start", "Start reading", id="usage.start",
                tooltip="Read the counted conversations (one request each)"),
        Binding("escape", "stop_or_back", "Stop / back", id="usage.stop",
                tooltip="Stop reading (the chart keeps what was read), or go back"),
        Binding("question_mark", "app.help", "Help", show=False, id="app.help",
                tooltip="Show every key of every screen"),
    ]
    DEFAULT_CSS = """
    UsageScreen { layout: vertical; }
    UsageScreen #usage-title { height: 1; padding: 0 1; background: $panel; }
    UsageScreen .usage-row { height: 1; margin: 0 1; }
    UsageScreen .usage-row > Static { width: 8; }
    UsageScreen .usage-row > Input {
        height: 1; border: none; padding: 0 1; background: $boost;
    }
    UsageScreen .usage-row > Input:focus { border: none; background: $primary 25%; }
    UsageScreen #usage-query { width: 1fr; }
    UsageScreen #usage-sample { width: 12; }
    UsageScreen #usage-status { height: auto; max-height: 3; padding: 0 1; }
    UsageScreen #usage-status.-problem { color: $error; text-style: bold; }
    UsageScreen #usage-progress { height: 1; margin: 0 1; }
    UsageScreen UsageChart { border: round $panel-lighten-2; }
    UsageScreen UsageChart:focus { border: round $accent; }
    """

    def __init__(self, ui: Ui, *, query: str = DEFAULT_QUERY,
                 now: Callable[[], datetime] | None = None) -> None:
        super().__init__()
        self.ui = ui
        self._query = query
        self._now = now or (lambda: datetime.now(UTC))
        self.plan: UsagePlan | None = None
        self.planned_for: tuple[str, str] | None = None  # the inputs the plan was made from
        self.tally: UsageTally | None = None
        self.reading = False
        self.complete = False
        self._drawn_at = 0.0

    def compose(self) -> ComposeResult:
        yield Static(id="usage-title")
        with Horizontal(classes="usage-row"):
            yield Static(lit("Query", "bold"))
            yield Input(self._query, id="usage-query",
                        placeholder="--created-since 7d --status closed --where '...'")
            yield Static(join(gap(), lit("Sample", "bold")))
            yield Input(id="usage-sample", placeholder="all", restrict=r"[0-9]*")
        yield Static(id="usage-status")
        yield ProgressBar(id="usage-progress", show_eta=False)
        yield UsageChart(id="usage-chart")
        yield ErrorBar(id="usage-errors")
        yield Footer()

    def on_mount(self) -> None:
        session = self.ui.session
        profile = session.profile.name if session is not None else "…"
        self.query_one("#usage-title", Static).update(join(
            lit("Usage census", "bold"), gap(),
            lit("· how Conversation attributes are filled in · profile"), gap(),
            lit(profile, "bold")))
        self.query_one("#usage-progress").display = False
        self._status("Enter counts the conversations the query selects (find's options; "
                     "default: created in the last 7 days) and says how long reading "
                     "them takes, before anything is read.")
        self.query_one(UsageChart).show(None, "The chart appears here as conversations "
                                              "are read.")
        self.query_one("#usage-query", Input).focus()

    def _status(self, text: str, problem: bool = False) -> None:
        line = self.query_one("#usage-status", Static)
        line.set_class(problem, "-problem")
        line.update(lit(text, single_line=False))

    def _inputs(self) -> tuple[str, str]:
        return (self.query_one("#usage-query", Input).value.strip(),
                self.query_one("#usage-sample", Input).value.strip())

    # -- counting -------------------------------------------------------------------------

    @on(Input.Submitted)
    def _submitted(self) -> None:
        if self.plan is not None and self.planned_for == self._inputs() and not self.reading:
            self.action_start()
        else:
            self.count()

    def count(self) -> None:
        """Check the query and count what it selects (nothing is read yet)."""
        if self.reading:
            return
        from dixa_tui.domain.query import QueryError, QuerySpec

        text, sample_text = self._inputs()
        try:
            spec = QuerySpec.from_text(text)
        except QueryError as exc:
            self._status("\n".join(exc.problems), problem=True)
            return
        sample = int(sample_text) if sample_text else None
        if sample is not None and sample < 1:
            self._status("Sample: give a number of 1 or more, or leave it empty for all.",
                         problem=True)
            return
        self.plan, self.planned_for = None, (text, sample_text)
        self.query_one(ErrorBar).clear()
        self._status("Counting the conversations the query selects…")
        now = self._now()
        self.ui.run(self, Request.USAGE_COUNT, lambda s: _plan(s, spec, sample, now),
                    lambda result: UsagePlanned(result) if not isinstance(result, list)
                    else UsageQueryRefused(result))

    def on_usage_query_refused(self, message: UsageQueryRefused) -> None:
        self.planned_for = None
        self._status("\n".join(message.problems), problem=True)

    def on_usage_planned(self, message: UsagePlanned) -> None:
        self.plan = message.plan
        start = self.ui.key_hint("usage.start", "f5")
        more = f" Press {start} (or enter) to start; escape stops it at any time." \
            if self.plan.reads else ""
        self._status(self.plan.sentence() + more)

    # -- reading --------------------------------------------------------------------------

    def action_start(self) -> None:
        plan = self.plan
        if self.reading:
            return
        if plan is None or self.planned_for != self._inputs():
            self.count()
            return
        if not plan.reads or self.ui.session is None:
            return
        from dixa_tui.session.usage import new_tally

        self.tally = new_tally(self.ui.session)
        tally = self.tally
        self.reading, self.complete = True, False
        bar = self.query_one("#usage-progress", ProgressBar)
        bar.update(total=plan.reads, progress=0)
        bar.display = True
        self._status(f"Reading {plan.reads:,} conversations…")
        self.query_one(UsageChart).focus()

        def progress(update: object) -> None:
            from dixa_tui.session.progress import Progress

            if isinstance(update, Progress):
                self.post_message(UsageProgress(update))

        self.ui.run(self, Request.USAGE_READ,
                    lambda s: _read(s, plan, tally, progress), UsageRead)

    def on_usage_progress(self, message: UsageProgress) -> None:
        if not self.reading:
            return
        progress = message.progress
        self.query_one("#usage-progress", ProgressBar).update(progress=progress.done)
        self._status(progress.line())
        if progress.elapsed - self._drawn_at >= REDRAW_EVERY:
            self._drawn_at = progress.elapsed
            self._draw()

    def on_usage_read(self, message: UsageRead) -> None:
        self.reading, self.complete = False, True
        self.query_one("#usage-progress").display = False
        self.tally = message.tally
        done = message.tally.conversations
        self._status(f"Read {plural(done, 'conversation')}: the census is "
                     "complete. Enter counts again.")
        self._draw()

    def on_request_failed(self, message: RequestFailed) -> None:
        """The app shows the error below; what was read stays on the chart."""
        if message.request is Request.USAGE_READ:
            self.reading = False
            self.query_one("#usage-progress").display = False
            self._status("Reading failed: the chart shows what was read before it "
                         "(see below).")
            self._draw()
        elif message.request is Request.USAGE_COUNT:
            self.planned_for = None
            self._status("Not counted: see below.")

    def _draw(self) -> None:
        self.query_one(UsageChart).show(self.tally.report() if self.tally else None)

    def action_stop_or_back(self) -> None:
        bar = self.query_one(ErrorBar)
        if self.reading:
            self.workers.cancel_group(self, Request.USAGE_READ.value)
            self.reading = False
            self.query_one("#usage-progress").display = False
            read = self.tally.conversations if self.tally else 0
            total = self.plan.reads if self.plan else 0
            self._status(f"Stopped after {read:,} of {total:,} conversations: the chart "
                         "shows those. Enter counts again.")
            self._draw()
        elif bar.shown:
            bar.clear()
        else:
            self.dismiss()


async def _plan(session: Session, spec: QuerySpec, sample: int | None,
                now: datetime) -> UsagePlan | list[str]:
    """The plan, or the query's problems (a usage error, not a failure of Dixa's)."""
    from dixa_tui.domain.query import QueryError
    from dixa_tui.session.usage import plan_usage

    try:
        return await plan_usage(session, spec, sample=sample, now=now)
    except QueryError as exc:
        return exc.problems


async def _read(session: Session, plan: UsagePlan, tally: UsageTally,
                progress: Callable[[object], None]) -> UsageTally:
    from dixa_tui.session.usage import read_usage

    return await read_usage(session, plan, tally, on_progress=progress)
