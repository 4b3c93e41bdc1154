"""The bulk review's two jobs, run by ``Ui.run`` in the review screen's workers: planning
(or reading a plan file's definitions) and sending. They only call the session and post
messages (progress, the batch, each result); the screen's handlers own the state.

Sending records the batch in the plan file first (``session.bulk_files``), appends each
result to the results file as it is known, and writes the failures file at the end: the
same files ``dixa-tui bulk apply`` keeps, so the command line can finish a run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from dixa_tui.tui.messages import (
    BulkApplied,
    BulkBatchStarted,
    BulkPlanned,
    BulkProgress,
    BulkResultHeard,
)

if TYPE_CHECKING:
    from textual.message import Message

    from dixa_tui.domain.bulk_plan import Plan
    from dixa_tui.domain.bulk_results import ResultLine
    from dixa_tui.domain.patch import StagedEdit, Target
    from dixa_tui.session.core import Session
    from dixa_tui.session.progress import Progress

Post = Callable[["Message"], object]


@dataclass(frozen=True)
class BulkSource:
    """What to review: marked ``targets`` with one edit set (``edits``), an input file's
    ``data`` to plan, or a ``plan`` read from a file; ``path`` is the file."""

    targets: tuple[Target, ...] = ()
    names: Mapping[Target, str] = field(default_factory=dict)
    edits: tuple[StagedEdit, ...] = ()
    path: Path | None = None
    data: bytes | None = None
    plan: Plan | None = None
    label: str = ""  # the edit set in words, for the title


def _progress(post: Post) -> Callable[[Progress], None]:
    def heard(progress: Progress) -> None:
        post(BulkProgress(progress))

    return heard


def prepare_job(source: BulkSource, post: Post) -> Callable[[Session], Awaitable[BulkPlanned]]:
    """Plan the marks or the input file (every target read at Dixa's pace, nothing sent),
    or take the plan as read; with the definitions it is shown by."""

    async def prepare(session: Session) -> BulkPlanned:
        from dixa_tui.session.bulk import plan_bulk, plan_targets

        index = await session.index()
        if source.plan is not None:
            return BulkPlanned(source.plan, index)
        if source.data is not None:
            name = source.path.name if source.path is not None else None
            _, plan = await plan_bulk(session, source.data, name=name,
                                      on_progress=_progress(post))
            return BulkPlanned(plan, index)
        plan = await plan_targets(session, source.targets, source.edits,
                                  on_progress=_progress(post))
        return BulkPlanned(plan, index)

    return prepare


def send_job(plan: Plan, *, path: Path | None, whole: Plan | None, force: bool,
             stop: asyncio.Event, post: Post) -> Callable[[Session], Awaitable[BulkApplied]]:
    """Send ``plan`` (all of it, or the lines to send again) under its batch, recorded in
    the plan file at ``path`` first (a new file in the state dir when None). ``whole`` is
    the run's whole plan once it has a batch (None on the first run: ``plan`` is it)."""

    async def send(session: Session) -> BulkApplied:
        from dixa_tui.session.bulk import apply_bulk
        from dixa_tui.session.bulk_files import append_results, start_batch, write_failures

        sent_plan, where = await start_batch(session, plan, path)
        post(BulkBatchStarted(sent_plan, where))
        problems: list[str] = []

        def heard(result: ResultLine) -> None:
            post(BulkResultHeard(result))
            try:
                append_results(where, [result])
            except OSError as exc:
                problems.append(f"the results file could not be written: {exc}")

        summary = await apply_bulk(session, sent_plan, force=force,
                                   on_progress=_progress(post), on_result=heard, stop=stop)
        failures = None
        try:
            failures = await asyncio.to_thread(write_failures, whole or sent_plan, where)
        except (OSError, ValueError) as exc:
            problems.append(f"the failures file could not be written: {exc}")
        return BulkApplied(summary, failures, "; ".join(dict.fromkeys(problems)) or None)

    return send
