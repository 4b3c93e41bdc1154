"""The files a bulk run leaves for the command line: the plan with its batch id, the results
(JSONL, a line per target as it is known) and the failures file, where ``dixa-tui bulk
apply`` keeps them (the results beside the plan, named after it).

The TUI sends through these too, so a run it could not finish (the terminal closed, the
machine slept) is finished by ``dixa-tui bulk apply PLAN``: the batch id is in the plan file
before the first write, and the journal says what landed. A plan made in the TUI (from
marks, or from an input file) is kept in ``<state dir>/bulk/``, named by its batch.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from dixa_tui import files
from dixa_tui.paths import ensure_private_dir, state_dir

if TYPE_CHECKING:
    from collections.abc import Iterable

    from dixa_tui.domain.bulk_plan import Plan
    from dixa_tui.domain.bulk_results import ResultLine
    from dixa_tui.session.core import Session

FOLDER = "bulk"


def plans_folder() -> Path:
    """``<state dir>/bulk`` (``DIXA_TUI_STATE`` moves it). Not created."""
    return state_dir() / FOLDER


def results_path(plan_path: Path) -> Path:
    """``orders.plan.json`` -> ``orders.plan.results.jsonl``: as ``bulk apply`` names it."""
    return plan_path.with_name(plan_path.name.removesuffix(".json") + ".results.jsonl")


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all, synced (the batch id a resumed run
    depends on survives a power cut), a new file ``0600``: ``dixa_tui.files``. Raises
    ``OSError``."""
    files.write_atomically(path, data)


def _unjournaled_batch() -> str:
    import secrets

    return f"nojournal-{secrets.token_hex(4)}"


async def start_batch(session: Session, plan: Plan, path: Path | None) -> tuple[Plan, Path]:
    """``plan`` with its batch id (kept when it has one: a run resumed), written to ``path``
    (the plan's own file) or, for a plan without one, to ``<state dir>/bulk/BATCH.plan.json``,
    before anything is sent. Raises ``OSError`` or ``JournalError`` (nothing sent)."""

    def record() -> tuple[Plan, Path]:
        done = plan
        if done.batch_id is None:
            journal = session.journal()
            batch = journal.new_batch_id() if journal is not None else _unjournaled_batch()
            done = done.with_batch_id(batch)
        assert done.batch_id is not None
        where = path or ensure_private_dir(plans_folder()) / f"{done.batch_id}.plan.json"
        if done is not plan or path is None or not where.exists():
            write_atomically(where, done.to_json().encode("utf-8"))
        return done, where

    return await asyncio.to_thread(record)


def append_results(plan_path: Path, results: Iterable[ResultLine]) -> None:
    """Add ``results`` to the plan's results file (a resumed run appends to the same one).
    Raises ``OSError``."""
    with results_path(plan_path).open("a", encoding="utf-8") as out:
        out.writelines(r.to_json() + "\n" for r in results)


def write_failures(plan: Plan, plan_path: Path) -> Path | None:
    """The failures file of the run so far (the input's own format, ready to plan again),
    beside the plan; None when nothing failed. Raises ``OSError``."""
    from dixa_tui.domain.bulk_results import (
        FAILURE_OUTCOMES,
        failures_file,
        failures_name,
        latest,
        read_results,
    )

    try:
        text = results_path(plan_path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    results = read_results(text)
    if not any(r.outcome in FAILURE_OUTCOMES for r in latest(results).values()):
        return None
    name = failures_name(plan.input.name or plan_path.name.removesuffix(".plan.json"),
                         plan.input.format)
    out = plan_path.with_name(name)
    write_atomically(out, failures_file(plan, results))
    return out


class BatchBusy(Exception):
    """Another run is sending this batch right now (on this machine): ``str()`` says what to
    do. Nothing was sent by this one."""


@contextmanager
def batch_lock(batch: str) -> Iterator[None]:
    """Hold the batch for one run at a time on this machine (the CLI's ``bulk apply`` and
    the TUI alike): two runs of one plan would read the same targets and both send. Raises
    :class:`BatchBusy`. Without file locks (Windows) runs are not guarded."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    folder = ensure_private_dir(ensure_private_dir(plans_folder()) / "locks")
    descriptor = os.open(folder / f"{batch}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BatchBusy(f"Another run is sending batch {batch} right now: wait for it "
                            "to finish, then run the plan again (what landed is skipped). "
                            "Nothing was sent by this run.") from None
        try:
            yield
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)
