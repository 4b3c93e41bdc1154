"""The bulk edit's two small questions: which file to open (a plan made by ``dixa-tui bulk
plan``, or an input file to plan here), and, on a profile that asks before every send, the
number of targets typed back before a run starts (as ``bulk apply`` asks on a terminal).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from dixa_tui.tui.literal import lit
from dixa_tui.tui.messages import BulkFileRead, Request
from dixa_tui.tui.widgets.errorbar import ErrorBar
from dixa_tui.tui.widgets.footer import Footer

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from dixa_tui.session.core import Session
    from dixa_tui.tui.context import Ui



def read_bulk_file(path: Path) -> BulkFileRead:
    """The file as a plan when it is one (a plan that does not hold together is said, not
    read as input), else its bytes as an input file to plan. Local disk only."""
    from dixa_tui.domain.bulk_input import EXTENSIONS
    from dixa_tui.domain.bulk_plan import PLAN_KIND, Plan, PlanFileError
    from dixa_tui.inputfile import BULK_FILE_LIMIT, read_input

    try:
        data = read_input(path, BULK_FILE_LIMIT, pipes=False)
    except OSError as exc:
        return BulkFileRead(path, problem=f"Cannot read {path}: {exc.strerror or exc}.")
    try:
        return BulkFileRead(path, plan=Plan.from_json(data))
    except PlanFileError as exc:
        if path.name.endswith(".plan.json") or PLAN_KIND.encode() in data[:4096]:
            return BulkFileRead(path, problem=f"{path.name} is not a plan dixa-tui can "
                                f"use: {exc}")
    suffix = path.suffix.lower()
    if suffix not in EXTENSIONS and suffix not in ("", ".txt"):
        return BulkFileRead(path, problem=f"{path.name} is neither a bulk plan nor a CSV or "
                            "JSONL input file (.csv, .tsv, .jsonl, .ndjson).")
    return BulkFileRead(path, data=data)


class PlanFileScreen(ModalScreen[BulkFileRead | None]):
    """A path; dismisses with what the file holds (the opener shows its review)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="bulk_file.close",
                tooltip="Close without opening a file"),
    ]
    DEFAULT_CSS = """
    PlanFileScreen { align: center middle; }
    PlanFileScreen > Vertical {
        width: 90; max-width: 100%; height: auto; border: round $primary;
        background: $surface; padding: 0 1;
    }
    PlanFileScreen #bulk-file-hint { height: auto; color: $text-muted; }
    PlanFileScreen #bulk-file-problem { height: auto; color: $error; text-style: bold; }
    """

    def __init__(self, ui: Ui, start: str = "") -> None:
        super().__init__()
        self.ui = ui
        self._start = start

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Open a bulk plan file"
            yield Static(lit("A plan from `dixa-tui bulk plan` (PLAN.plan.json), or a CSV or "
                             "JSONL input file to plan here. Enter reviews it; nothing is "
                             "sent before you send it.", single_line=False),
                         id="bulk-file-hint")
            yield Input(self._start, placeholder="Path, e.g. ~/orders.plan.json",
                        id="bulk-file-path")
            yield Static(id="bulk-file-problem")
            yield ErrorBar()
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#bulk-file-path", Input).focus()

    @on(Input.Submitted, "#bulk-file-path")
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            self._problem("Type the path of a plan or input file first.")
            return
        path = Path(text).expanduser()
        self._problem(None)

        async def read(session: Session) -> BulkFileRead:
            import asyncio

            return await asyncio.to_thread(read_bulk_file, path)

        self.ui.run(self, Request.BULK_FILE, read, lambda found: found, retry=None)

    def on_bulk_file_read(self, message: BulkFileRead) -> None:
        if message.problem is not None:
            self._problem(message.problem)
            return
        self.dismiss(message)

    def _problem(self, text: str | None) -> None:
        self.query_one("#bulk-file-problem", Static).update(
            lit(text, single_line=False) if text else "")

    def action_close(self) -> None:
        if self.query_one(ErrorBar).shown:
            self.query_one(ErrorBar).clear()
            return
        self.dismiss(None)


class CountConfirmScreen(ModalScreen[bool]):
    """Dismisses True when the number typed is ``count``; False on escape."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "answer_no", "Go back", id="bulk_confirm.no",
                tooltip="Go back without sending"),
    ]
    DEFAULT_CSS = """
    CountConfirmScreen { align: center middle; }
    CountConfirmScreen > Vertical {
        width: 72; max-width: 95%; height: auto; border: thick $warning;
        background: $surface; padding: 1 2;
    }
    CountConfirmScreen #count-body { height: auto; }
    CountConfirmScreen #count-problem { height: auto; color: $error; }
    """

    def __init__(self, title: str, body: Text, count: int) -> None:
        super().__init__()
        self._title, self._body, self.count = title, body, count

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = self._title
            yield Static(self._body, id="count-body")
            yield Input(placeholder=f"Type {self.count} to send", restrict=r"[0-9]*",
                        id="count-input")
            yield Static(id="count-problem")

    def on_mount(self) -> None:
        self.query_one("#count-input", Input).focus()

    @on(Input.Submitted, "#count-input")
    def _typed(self, event: Input.Submitted) -> None:
        if event.value.strip() == str(self.count):
            self.dismiss(True)
            return
        self.query_one("#count-problem", Static).update(
            lit(f"Type {self.count} (the number of targets) to send, or esc to go back."))

    def action_answer_no(self) -> None:
        self.dismiss(False)
